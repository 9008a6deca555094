package org.dlhub.smoke;

import com.google.protobuf.ByteString;
import dlhub.v1.DLHubServiceGrpc;
import dlhub.v1.Registry.GetServableRequest;
import dlhub.v1.Registry.GetServableResponse;
import dlhub.v1.Search.SearchRequest;
import dlhub.v1.Search.SearchResponse;
import dlhub.v1.Tasks.RunServableRequest;
import dlhub.v1.Tasks.Task;
import dlhub.v1.Tasks.TaskState;
import dlhub.v1.Types.ServableRef;
import dlhub.v1.Types.ServableSummary;
import dlhub.v1.Types.Tensor;
import inference.GRPCInferenceServiceGrpc;
import inference.OpenInference.InferTensorContents;
import inference.OpenInference.ModelInferRequest;
import inference.OpenInference.ModelInferResponse;
import inference.OpenInference.ModelMetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Exercises the DLHub gRPC API from Java: health, search, describe, a run through dlhub.v1 and one
 * through the Open Inference Protocol.
 *
 * <pre>java -cp ... org.dlhub.smoke.Smoke host:port token [owner/name]</pre>
 *
 * <p>Prints one "key: value" line per step; exits non-zero on any error.
 */
public final class Smoke {
  // The first of scikit-learn's 8x8 digits (a zero), pixel intensities 0..16.
  private static final int[] DIGIT = {
    0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0,
    8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6,
    13, 10, 0, 0, 0,
  };

  private Smoke() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: Smoke <host:port> <token> [owner/name]");
      System.exit(2);
    }
    String ref = args.length > 2 ? args[2] : "local/digits";
    String[] parts = ref.split("/", 2);
    if (parts.length != 2) {
      System.err.println("servable \"" + ref + "\" is not owner/name");
      System.exit(2);
    }
    String owner = parts[0];
    String name = parts[1];
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + args[1]);
    ManagedChannel channel = ManagedChannelBuilder.forTarget(args[0]).usePlaintext().build();
    try {
      var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
      System.out.println("health: " + health.check(HealthCheckRequest.getDefaultInstance()).getStatus());

      var api =
          DLHubServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
              .withDeadlineAfter(60, TimeUnit.SECONDS);
      SearchResponse found = api.search(SearchRequest.newBuilder().setQuery(name).build());
      System.out.println("search: " + found.getTotal() + " hit(s)");

      ServableRef servable = ServableRef.newBuilder().setOwner(owner).setName(name).build();
      GetServableResponse described =
          api.getServable(GetServableRequest.newBuilder().setRef(servable).build());
      ServableSummary summary = described.getServable().getSummary();
      System.out.printf(
          "describe: %s/%s v%d \"%s\"%n",
          summary.getOwner(), summary.getName(), summary.getVersion(), summary.getTitle());

      var oip =
          GRPCInferenceServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
              .withDeadlineAfter(60, TimeUnit.SECONDS);
      String model = owner + "." + name;
      String input =
          oip.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build())
              .getInputs(0)
              .getName();

      ByteBuffer pixels = ByteBuffer.allocate(4 * DIGIT.length).order(ByteOrder.LITTLE_ENDIAN);
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (int v : DIGIT) {
        pixels.putFloat(v / 16f);
        contents.addFp32Contents(v / 16f);
      }
      pixels.flip();
      Task task =
          api.runServable(
                  RunServableRequest.newBuilder()
                      .setServable(servable)
                      .addInputs(
                          Tensor.newBuilder()
                              .setName(input)
                              .setDatatype("FP32")
                              .addShape(1)
                              .addShape(DIGIT.length)
                              .setData(ByteString.copyFrom(pixels)))
                      .setWait(true)
                      .addOutputs("label")
                      .build())
              .getTask();
      if (task.getState() != TaskState.TASK_STATE_SUCCEEDED) {
        throw new IllegalStateException(
            "task " + task.getTaskId() + " ended " + task.getState() + ": "
                + task.getError().getMessage());
      }
      System.out.println("dlhub.v1 label: " + int64(task.getOutputs(0).getData()));

      ModelInferResponse inferred =
          oip.modelInfer(
              ModelInferRequest.newBuilder()
                  .setModelName(model)
                  .addInputs(
                      ModelInferRequest.InferInputTensor.newBuilder()
                          .setName(input)
                          .setDatatype("FP32")
                          .addShape(1)
                          .addShape(DIGIT.length)
                          .setContents(contents))
                  .addOutputs(
                      ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
                  .build());
      long label =
          inferred.getRawOutputContentsCount() > 0
              ? int64(inferred.getRawOutputContents(0))
              : inferred.getOutputs(0).getContents().getInt64Contents(0);
      System.out.println("oip label: " + label);
    } catch (RuntimeException e) {
      System.err.println("smoke failed: " + e.getMessage());
      System.exit(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static long int64(ByteString bytes) {
    return bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}
