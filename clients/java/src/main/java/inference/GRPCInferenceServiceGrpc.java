package inference;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * The inference service every OIP-compatible server exposes.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class GRPCInferenceServiceGrpc {

  private GRPCInferenceServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "inference.GRPCInferenceService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ServerLiveRequest,
      inference.OpenInference.ServerLiveResponse> getServerLiveMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ServerLive",
      requestType = inference.OpenInference.ServerLiveRequest.class,
      responseType = inference.OpenInference.ServerLiveResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ServerLiveRequest,
      inference.OpenInference.ServerLiveResponse> getServerLiveMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ServerLiveRequest, inference.OpenInference.ServerLiveResponse> getServerLiveMethod;
    if ((getServerLiveMethod = GRPCInferenceServiceGrpc.getServerLiveMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getServerLiveMethod = GRPCInferenceServiceGrpc.getServerLiveMethod) == null) {
          GRPCInferenceServiceGrpc.getServerLiveMethod = getServerLiveMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ServerLiveRequest, inference.OpenInference.ServerLiveResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ServerLive"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerLiveRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerLiveResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ServerLive"))
              .build();
        }
      }
    }
    return getServerLiveMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ServerReadyRequest,
      inference.OpenInference.ServerReadyResponse> getServerReadyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ServerReady",
      requestType = inference.OpenInference.ServerReadyRequest.class,
      responseType = inference.OpenInference.ServerReadyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ServerReadyRequest,
      inference.OpenInference.ServerReadyResponse> getServerReadyMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ServerReadyRequest, inference.OpenInference.ServerReadyResponse> getServerReadyMethod;
    if ((getServerReadyMethod = GRPCInferenceServiceGrpc.getServerReadyMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getServerReadyMethod = GRPCInferenceServiceGrpc.getServerReadyMethod) == null) {
          GRPCInferenceServiceGrpc.getServerReadyMethod = getServerReadyMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ServerReadyRequest, inference.OpenInference.ServerReadyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ServerReady"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerReadyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerReadyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ServerReady"))
              .build();
        }
      }
    }
    return getServerReadyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ModelReadyRequest,
      inference.OpenInference.ModelReadyResponse> getModelReadyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ModelReady",
      requestType = inference.OpenInference.ModelReadyRequest.class,
      responseType = inference.OpenInference.ModelReadyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ModelReadyRequest,
      inference.OpenInference.ModelReadyResponse> getModelReadyMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ModelReadyRequest, inference.OpenInference.ModelReadyResponse> getModelReadyMethod;
    if ((getModelReadyMethod = GRPCInferenceServiceGrpc.getModelReadyMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getModelReadyMethod = GRPCInferenceServiceGrpc.getModelReadyMethod) == null) {
          GRPCInferenceServiceGrpc.getModelReadyMethod = getModelReadyMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ModelReadyRequest, inference.OpenInference.ModelReadyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ModelReady"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelReadyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelReadyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ModelReady"))
              .build();
        }
      }
    }
    return getModelReadyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ServerMetadataRequest,
      inference.OpenInference.ServerMetadataResponse> getServerMetadataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ServerMetadata",
      requestType = inference.OpenInference.ServerMetadataRequest.class,
      responseType = inference.OpenInference.ServerMetadataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ServerMetadataRequest,
      inference.OpenInference.ServerMetadataResponse> getServerMetadataMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ServerMetadataRequest, inference.OpenInference.ServerMetadataResponse> getServerMetadataMethod;
    if ((getServerMetadataMethod = GRPCInferenceServiceGrpc.getServerMetadataMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getServerMetadataMethod = GRPCInferenceServiceGrpc.getServerMetadataMethod) == null) {
          GRPCInferenceServiceGrpc.getServerMetadataMethod = getServerMetadataMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ServerMetadataRequest, inference.OpenInference.ServerMetadataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ServerMetadata"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerMetadataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ServerMetadataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ServerMetadata"))
              .build();
        }
      }
    }
    return getServerMetadataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ModelMetadataRequest,
      inference.OpenInference.ModelMetadataResponse> getModelMetadataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ModelMetadata",
      requestType = inference.OpenInference.ModelMetadataRequest.class,
      responseType = inference.OpenInference.ModelMetadataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ModelMetadataRequest,
      inference.OpenInference.ModelMetadataResponse> getModelMetadataMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ModelMetadataRequest, inference.OpenInference.ModelMetadataResponse> getModelMetadataMethod;
    if ((getModelMetadataMethod = GRPCInferenceServiceGrpc.getModelMetadataMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getModelMetadataMethod = GRPCInferenceServiceGrpc.getModelMetadataMethod) == null) {
          GRPCInferenceServiceGrpc.getModelMetadataMethod = getModelMetadataMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ModelMetadataRequest, inference.OpenInference.ModelMetadataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ModelMetadata"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelMetadataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelMetadataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ModelMetadata"))
              .build();
        }
      }
    }
    return getModelMetadataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest,
      inference.OpenInference.ModelInferResponse> getModelInferMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ModelInfer",
      requestType = inference.OpenInference.ModelInferRequest.class,
      responseType = inference.OpenInference.ModelInferResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest,
      inference.OpenInference.ModelInferResponse> getModelInferMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest, inference.OpenInference.ModelInferResponse> getModelInferMethod;
    if ((getModelInferMethod = GRPCInferenceServiceGrpc.getModelInferMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getModelInferMethod = GRPCInferenceServiceGrpc.getModelInferMethod) == null) {
          GRPCInferenceServiceGrpc.getModelInferMethod = getModelInferMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ModelInferRequest, inference.OpenInference.ModelInferResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ModelInfer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelInferRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelInferResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ModelInfer"))
              .build();
        }
      }
    }
    return getModelInferMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ModelStatisticsRequest,
      inference.OpenInference.ModelStatisticsResponse> getModelStatisticsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ModelStatistics",
      requestType = inference.OpenInference.ModelStatisticsRequest.class,
      responseType = inference.OpenInference.ModelStatisticsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ModelStatisticsRequest,
      inference.OpenInference.ModelStatisticsResponse> getModelStatisticsMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ModelStatisticsRequest, inference.OpenInference.ModelStatisticsResponse> getModelStatisticsMethod;
    if ((getModelStatisticsMethod = GRPCInferenceServiceGrpc.getModelStatisticsMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getModelStatisticsMethod = GRPCInferenceServiceGrpc.getModelStatisticsMethod) == null) {
          GRPCInferenceServiceGrpc.getModelStatisticsMethod = getModelStatisticsMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ModelStatisticsRequest, inference.OpenInference.ModelStatisticsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ModelStatistics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelStatisticsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelStatisticsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ModelStatistics"))
              .build();
        }
      }
    }
    return getModelStatisticsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.RepositoryIndexRequest,
      inference.OpenInference.RepositoryIndexResponse> getRepositoryIndexMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RepositoryIndex",
      requestType = inference.OpenInference.RepositoryIndexRequest.class,
      responseType = inference.OpenInference.RepositoryIndexResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<inference.OpenInference.RepositoryIndexRequest,
      inference.OpenInference.RepositoryIndexResponse> getRepositoryIndexMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.RepositoryIndexRequest, inference.OpenInference.RepositoryIndexResponse> getRepositoryIndexMethod;
    if ((getRepositoryIndexMethod = GRPCInferenceServiceGrpc.getRepositoryIndexMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getRepositoryIndexMethod = GRPCInferenceServiceGrpc.getRepositoryIndexMethod) == null) {
          GRPCInferenceServiceGrpc.getRepositoryIndexMethod = getRepositoryIndexMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.RepositoryIndexRequest, inference.OpenInference.RepositoryIndexResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RepositoryIndex"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.RepositoryIndexRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.RepositoryIndexResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("RepositoryIndex"))
              .build();
        }
      }
    }
    return getRepositoryIndexMethod;
  }

  private static volatile io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest,
      inference.OpenInference.ModelStreamInferResponse> getModelStreamInferMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ModelStreamInfer",
      requestType = inference.OpenInference.ModelInferRequest.class,
      responseType = inference.OpenInference.ModelStreamInferResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest,
      inference.OpenInference.ModelStreamInferResponse> getModelStreamInferMethod() {
    io.grpc.MethodDescriptor<inference.OpenInference.ModelInferRequest, inference.OpenInference.ModelStreamInferResponse> getModelStreamInferMethod;
    if ((getModelStreamInferMethod = GRPCInferenceServiceGrpc.getModelStreamInferMethod) == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        if ((getModelStreamInferMethod = GRPCInferenceServiceGrpc.getModelStreamInferMethod) == null) {
          GRPCInferenceServiceGrpc.getModelStreamInferMethod = getModelStreamInferMethod =
              io.grpc.MethodDescriptor.<inference.OpenInference.ModelInferRequest, inference.OpenInference.ModelStreamInferResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ModelStreamInfer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelInferRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  inference.OpenInference.ModelStreamInferResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GRPCInferenceServiceMethodDescriptorSupplier("ModelStreamInfer"))
              .build();
        }
      }
    }
    return getModelStreamInferMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GRPCInferenceServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceStub>() {
        @java.lang.Override
        public GRPCInferenceServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GRPCInferenceServiceStub(channel, callOptions);
        }
      };
    return GRPCInferenceServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static GRPCInferenceServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceBlockingV2Stub>() {
        @java.lang.Override
        public GRPCInferenceServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GRPCInferenceServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return GRPCInferenceServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GRPCInferenceServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceBlockingStub>() {
        @java.lang.Override
        public GRPCInferenceServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GRPCInferenceServiceBlockingStub(channel, callOptions);
        }
      };
    return GRPCInferenceServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GRPCInferenceServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GRPCInferenceServiceFutureStub>() {
        @java.lang.Override
        public GRPCInferenceServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GRPCInferenceServiceFutureStub(channel, callOptions);
        }
      };
    return GRPCInferenceServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Whether the server can receive and answer requests.
     * </pre>
     */
    default void serverLive(inference.OpenInference.ServerLiveRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerLiveResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getServerLiveMethod(), responseObserver);
    }

    /**
     * <pre>
     * Whether the server is ready to run inference.
     * </pre>
     */
    default void serverReady(inference.OpenInference.ServerReadyRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerReadyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getServerReadyMethod(), responseObserver);
    }

    /**
     * <pre>
     * Whether one model (optionally one version) is ready to run inference.
     * </pre>
     */
    default void modelReady(inference.OpenInference.ModelReadyRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelReadyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getModelReadyMethod(), responseObserver);
    }

    /**
     * <pre>
     * Server name, version and supported extensions.
     * </pre>
     */
    default void serverMetadata(inference.OpenInference.ServerMetadataRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerMetadataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getServerMetadataMethod(), responseObserver);
    }

    /**
     * <pre>
     * Name, versions, platform and tensor signature of one model.
     * </pre>
     */
    default void modelMetadata(inference.OpenInference.ModelMetadataRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelMetadataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getModelMetadataMethod(), responseObserver);
    }

    /**
     * <pre>
     * Run one inference request.
     * </pre>
     */
    default void modelInfer(inference.OpenInference.ModelInferRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelInferResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getModelInferMethod(), responseObserver);
    }

    /**
     * <pre>
     * Statistics extension: cumulative counts and durations per model version.
     * </pre>
     */
    default void modelStatistics(inference.OpenInference.ModelStatisticsRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelStatisticsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getModelStatisticsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Model repository extension: the models the caller may see.
     * </pre>
     */
    default void repositoryIndex(inference.OpenInference.RepositoryIndexRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.RepositoryIndexResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRepositoryIndexMethod(), responseObserver);
    }

    /**
     * <pre>
     * Streaming extension (Triton's): requests flow in on one stream, each
     * response comes back with its request id as it finishes (in completion
     * order); a failed request is one response with error_message set and the
     * stream goes on.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<inference.OpenInference.ModelInferRequest> modelStreamInfer(
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelStreamInferResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getModelStreamInferMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service GRPCInferenceService.
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public static abstract class GRPCInferenceServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return GRPCInferenceServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service GRPCInferenceService.
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public static final class GRPCInferenceServiceStub
      extends io.grpc.stub.AbstractAsyncStub<GRPCInferenceServiceStub> {
    private GRPCInferenceServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GRPCInferenceServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GRPCInferenceServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Whether the server can receive and answer requests.
     * </pre>
     */
    public void serverLive(inference.OpenInference.ServerLiveRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerLiveResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getServerLiveMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Whether the server is ready to run inference.
     * </pre>
     */
    public void serverReady(inference.OpenInference.ServerReadyRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerReadyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getServerReadyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Whether one model (optionally one version) is ready to run inference.
     * </pre>
     */
    public void modelReady(inference.OpenInference.ModelReadyRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelReadyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getModelReadyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Server name, version and supported extensions.
     * </pre>
     */
    public void serverMetadata(inference.OpenInference.ServerMetadataRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ServerMetadataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getServerMetadataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Name, versions, platform and tensor signature of one model.
     * </pre>
     */
    public void modelMetadata(inference.OpenInference.ModelMetadataRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelMetadataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getModelMetadataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Run one inference request.
     * </pre>
     */
    public void modelInfer(inference.OpenInference.ModelInferRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelInferResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getModelInferMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Statistics extension: cumulative counts and durations per model version.
     * </pre>
     */
    public void modelStatistics(inference.OpenInference.ModelStatisticsRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelStatisticsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getModelStatisticsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Model repository extension: the models the caller may see.
     * </pre>
     */
    public void repositoryIndex(inference.OpenInference.RepositoryIndexRequest request,
        io.grpc.stub.StreamObserver<inference.OpenInference.RepositoryIndexResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRepositoryIndexMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Streaming extension (Triton's): requests flow in on one stream, each
     * response comes back with its request id as it finishes (in completion
     * order); a failed request is one response with error_message set and the
     * stream goes on.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<inference.OpenInference.ModelInferRequest> modelStreamInfer(
        io.grpc.stub.StreamObserver<inference.OpenInference.ModelStreamInferResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getModelStreamInferMethod(), getCallOptions()), responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service GRPCInferenceService.
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public static final class GRPCInferenceServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<GRPCInferenceServiceBlockingV2Stub> {
    private GRPCInferenceServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GRPCInferenceServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GRPCInferenceServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Whether the server can receive and answer requests.
     * </pre>
     */
    public inference.OpenInference.ServerLiveResponse serverLive(inference.OpenInference.ServerLiveRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getServerLiveMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Whether the server is ready to run inference.
     * </pre>
     */
    public inference.OpenInference.ServerReadyResponse serverReady(inference.OpenInference.ServerReadyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getServerReadyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Whether one model (optionally one version) is ready to run inference.
     * </pre>
     */
    public inference.OpenInference.ModelReadyResponse modelReady(inference.OpenInference.ModelReadyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getModelReadyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Server name, version and supported extensions.
     * </pre>
     */
    public inference.OpenInference.ServerMetadataResponse serverMetadata(inference.OpenInference.ServerMetadataRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getServerMetadataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Name, versions, platform and tensor signature of one model.
     * </pre>
     */
    public inference.OpenInference.ModelMetadataResponse modelMetadata(inference.OpenInference.ModelMetadataRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getModelMetadataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Run one inference request.
     * </pre>
     */
    public inference.OpenInference.ModelInferResponse modelInfer(inference.OpenInference.ModelInferRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getModelInferMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Statistics extension: cumulative counts and durations per model version.
     * </pre>
     */
    public inference.OpenInference.ModelStatisticsResponse modelStatistics(inference.OpenInference.ModelStatisticsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getModelStatisticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Model repository extension: the models the caller may see.
     * </pre>
     */
    public inference.OpenInference.RepositoryIndexResponse repositoryIndex(inference.OpenInference.RepositoryIndexRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRepositoryIndexMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Streaming extension (Triton's): requests flow in on one stream, each
     * response comes back with its request id as it finishes (in completion
     * order); a failed request is one response with error_message set and the
     * stream goes on.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<inference.OpenInference.ModelInferRequest, inference.OpenInference.ModelStreamInferResponse>
        modelStreamInfer() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getModelStreamInferMethod(), getCallOptions());
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service GRPCInferenceService.
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public static final class GRPCInferenceServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<GRPCInferenceServiceBlockingStub> {
    private GRPCInferenceServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GRPCInferenceServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GRPCInferenceServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Whether the server can receive and answer requests.
     * </pre>
     */
    public inference.OpenInference.ServerLiveResponse serverLive(inference.OpenInference.ServerLiveRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getServerLiveMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Whether the server is ready to run inference.
     * </pre>
     */
    public inference.OpenInference.ServerReadyResponse serverReady(inference.OpenInference.ServerReadyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getServerReadyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Whether one model (optionally one version) is ready to run inference.
     * </pre>
     */
    public inference.OpenInference.ModelReadyResponse modelReady(inference.OpenInference.ModelReadyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getModelReadyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Server name, version and supported extensions.
     * </pre>
     */
    public inference.OpenInference.ServerMetadataResponse serverMetadata(inference.OpenInference.ServerMetadataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getServerMetadataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Name, versions, platform and tensor signature of one model.
     * </pre>
     */
    public inference.OpenInference.ModelMetadataResponse modelMetadata(inference.OpenInference.ModelMetadataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getModelMetadataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Run one inference request.
     * </pre>
     */
    public inference.OpenInference.ModelInferResponse modelInfer(inference.OpenInference.ModelInferRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getModelInferMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Statistics extension: cumulative counts and durations per model version.
     * </pre>
     */
    public inference.OpenInference.ModelStatisticsResponse modelStatistics(inference.OpenInference.ModelStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getModelStatisticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Model repository extension: the models the caller may see.
     * </pre>
     */
    public inference.OpenInference.RepositoryIndexResponse repositoryIndex(inference.OpenInference.RepositoryIndexRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRepositoryIndexMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service GRPCInferenceService.
   * <pre>
   * The inference service every OIP-compatible server exposes.
   * </pre>
   */
  public static final class GRPCInferenceServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<GRPCInferenceServiceFutureStub> {
    private GRPCInferenceServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GRPCInferenceServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GRPCInferenceServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Whether the server can receive and answer requests.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ServerLiveResponse> serverLive(
        inference.OpenInference.ServerLiveRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getServerLiveMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Whether the server is ready to run inference.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ServerReadyResponse> serverReady(
        inference.OpenInference.ServerReadyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getServerReadyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Whether one model (optionally one version) is ready to run inference.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ModelReadyResponse> modelReady(
        inference.OpenInference.ModelReadyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getModelReadyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Server name, version and supported extensions.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ServerMetadataResponse> serverMetadata(
        inference.OpenInference.ServerMetadataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getServerMetadataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Name, versions, platform and tensor signature of one model.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ModelMetadataResponse> modelMetadata(
        inference.OpenInference.ModelMetadataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getModelMetadataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Run one inference request.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ModelInferResponse> modelInfer(
        inference.OpenInference.ModelInferRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getModelInferMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Statistics extension: cumulative counts and durations per model version.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.ModelStatisticsResponse> modelStatistics(
        inference.OpenInference.ModelStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getModelStatisticsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Model repository extension: the models the caller may see.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<inference.OpenInference.RepositoryIndexResponse> repositoryIndex(
        inference.OpenInference.RepositoryIndexRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRepositoryIndexMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_SERVER_LIVE = 0;
  private static final int METHODID_SERVER_READY = 1;
  private static final int METHODID_MODEL_READY = 2;
  private static final int METHODID_SERVER_METADATA = 3;
  private static final int METHODID_MODEL_METADATA = 4;
  private static final int METHODID_MODEL_INFER = 5;
  private static final int METHODID_MODEL_STATISTICS = 6;
  private static final int METHODID_REPOSITORY_INDEX = 7;
  private static final int METHODID_MODEL_STREAM_INFER = 8;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_SERVER_LIVE:
          serviceImpl.serverLive((inference.OpenInference.ServerLiveRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ServerLiveResponse>) responseObserver);
          break;
        case METHODID_SERVER_READY:
          serviceImpl.serverReady((inference.OpenInference.ServerReadyRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ServerReadyResponse>) responseObserver);
          break;
        case METHODID_MODEL_READY:
          serviceImpl.modelReady((inference.OpenInference.ModelReadyRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ModelReadyResponse>) responseObserver);
          break;
        case METHODID_SERVER_METADATA:
          serviceImpl.serverMetadata((inference.OpenInference.ServerMetadataRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ServerMetadataResponse>) responseObserver);
          break;
        case METHODID_MODEL_METADATA:
          serviceImpl.modelMetadata((inference.OpenInference.ModelMetadataRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ModelMetadataResponse>) responseObserver);
          break;
        case METHODID_MODEL_INFER:
          serviceImpl.modelInfer((inference.OpenInference.ModelInferRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ModelInferResponse>) responseObserver);
          break;
        case METHODID_MODEL_STATISTICS:
          serviceImpl.modelStatistics((inference.OpenInference.ModelStatisticsRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.ModelStatisticsResponse>) responseObserver);
          break;
        case METHODID_REPOSITORY_INDEX:
          serviceImpl.repositoryIndex((inference.OpenInference.RepositoryIndexRequest) request,
              (io.grpc.stub.StreamObserver<inference.OpenInference.RepositoryIndexResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_MODEL_STREAM_INFER:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.modelStreamInfer(
              (io.grpc.stub.StreamObserver<inference.OpenInference.ModelStreamInferResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getServerLiveMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ServerLiveRequest,
              inference.OpenInference.ServerLiveResponse>(
                service, METHODID_SERVER_LIVE)))
        .addMethod(
          getServerReadyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ServerReadyRequest,
              inference.OpenInference.ServerReadyResponse>(
                service, METHODID_SERVER_READY)))
        .addMethod(
          getModelReadyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ModelReadyRequest,
              inference.OpenInference.ModelReadyResponse>(
                service, METHODID_MODEL_READY)))
        .addMethod(
          getServerMetadataMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ServerMetadataRequest,
              inference.OpenInference.ServerMetadataResponse>(
                service, METHODID_SERVER_METADATA)))
        .addMethod(
          getModelMetadataMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ModelMetadataRequest,
              inference.OpenInference.ModelMetadataResponse>(
                service, METHODID_MODEL_METADATA)))
        .addMethod(
          getModelInferMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ModelInferRequest,
              inference.OpenInference.ModelInferResponse>(
                service, METHODID_MODEL_INFER)))
        .addMethod(
          getModelStatisticsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.ModelStatisticsRequest,
              inference.OpenInference.ModelStatisticsResponse>(
                service, METHODID_MODEL_STATISTICS)))
        .addMethod(
          getRepositoryIndexMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              inference.OpenInference.RepositoryIndexRequest,
              inference.OpenInference.RepositoryIndexResponse>(
                service, METHODID_REPOSITORY_INDEX)))
        .addMethod(
          getModelStreamInferMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              inference.OpenInference.ModelInferRequest,
              inference.OpenInference.ModelStreamInferResponse>(
                service, METHODID_MODEL_STREAM_INFER)))
        .build();
  }

  private static abstract class GRPCInferenceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GRPCInferenceServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return inference.OpenInference.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GRPCInferenceService");
    }
  }

  private static final class GRPCInferenceServiceFileDescriptorSupplier
      extends GRPCInferenceServiceBaseDescriptorSupplier {
    GRPCInferenceServiceFileDescriptorSupplier() {}
  }

  private static final class GRPCInferenceServiceMethodDescriptorSupplier
      extends GRPCInferenceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    GRPCInferenceServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GRPCInferenceServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GRPCInferenceServiceFileDescriptorSupplier())
              .addMethod(getServerLiveMethod())
              .addMethod(getServerReadyMethod())
              .addMethod(getModelReadyMethod())
              .addMethod(getServerMetadataMethod())
              .addMethod(getModelMetadataMethod())
              .addMethod(getModelInferMethod())
              .addMethod(getModelStatisticsMethod())
              .addMethod(getRepositoryIndexMethod())
              .addMethod(getModelStreamInferMethod())
              .build();
        }
      }
    }
    return result;
  }
}
