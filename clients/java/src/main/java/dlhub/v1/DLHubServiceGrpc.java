package dlhub.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Publish, find, describe and run servables. Requests and responses are the
 * internal services' messages, so the gateway forwards them without copying.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class DLHubServiceGrpc {

  private DLHubServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "dlhub.v1.DLHubService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.PublishServableRequest,
      dlhub.v1.Registry.PublishServableResponse> getPublishServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "PublishServable",
      requestType = dlhub.v1.Registry.PublishServableRequest.class,
      responseType = dlhub.v1.Registry.PublishServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.PublishServableRequest,
      dlhub.v1.Registry.PublishServableResponse> getPublishServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.PublishServableRequest, dlhub.v1.Registry.PublishServableResponse> getPublishServableMethod;
    if ((getPublishServableMethod = DLHubServiceGrpc.getPublishServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getPublishServableMethod = DLHubServiceGrpc.getPublishServableMethod) == null) {
          DLHubServiceGrpc.getPublishServableMethod = getPublishServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.PublishServableRequest, dlhub.v1.Registry.PublishServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PublishServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.PublishServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.PublishServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("PublishServable"))
              .build();
        }
      }
    }
    return getPublishServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.GetServableRequest,
      dlhub.v1.Registry.GetServableResponse> getGetServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetServable",
      requestType = dlhub.v1.Registry.GetServableRequest.class,
      responseType = dlhub.v1.Registry.GetServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.GetServableRequest,
      dlhub.v1.Registry.GetServableResponse> getGetServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.GetServableRequest, dlhub.v1.Registry.GetServableResponse> getGetServableMethod;
    if ((getGetServableMethod = DLHubServiceGrpc.getGetServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetServableMethod = DLHubServiceGrpc.getGetServableMethod) == null) {
          DLHubServiceGrpc.getGetServableMethod = getGetServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetServableRequest, dlhub.v1.Registry.GetServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetServable"))
              .build();
        }
      }
    }
    return getGetServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListServablesRequest,
      dlhub.v1.Registry.ListServablesResponse> getListServablesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListServables",
      requestType = dlhub.v1.Registry.ListServablesRequest.class,
      responseType = dlhub.v1.Registry.ListServablesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListServablesRequest,
      dlhub.v1.Registry.ListServablesResponse> getListServablesMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListServablesRequest, dlhub.v1.Registry.ListServablesResponse> getListServablesMethod;
    if ((getListServablesMethod = DLHubServiceGrpc.getListServablesMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListServablesMethod = DLHubServiceGrpc.getListServablesMethod) == null) {
          DLHubServiceGrpc.getListServablesMethod = getListServablesMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListServablesRequest, dlhub.v1.Registry.ListServablesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListServables"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListServablesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListServablesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListServables"))
              .build();
        }
      }
    }
    return getListServablesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListVersionsRequest,
      dlhub.v1.Registry.ListVersionsResponse> getListVersionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListVersions",
      requestType = dlhub.v1.Registry.ListVersionsRequest.class,
      responseType = dlhub.v1.Registry.ListVersionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListVersionsRequest,
      dlhub.v1.Registry.ListVersionsResponse> getListVersionsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListVersionsRequest, dlhub.v1.Registry.ListVersionsResponse> getListVersionsMethod;
    if ((getListVersionsMethod = DLHubServiceGrpc.getListVersionsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListVersionsMethod = DLHubServiceGrpc.getListVersionsMethod) == null) {
          DLHubServiceGrpc.getListVersionsMethod = getListVersionsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListVersionsRequest, dlhub.v1.Registry.ListVersionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListVersions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListVersionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListVersionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListVersions"))
              .build();
        }
      }
    }
    return getListVersionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.DeprecateServableRequest,
      dlhub.v1.Registry.DeprecateServableResponse> getDeprecateServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeprecateServable",
      requestType = dlhub.v1.Registry.DeprecateServableRequest.class,
      responseType = dlhub.v1.Registry.DeprecateServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.DeprecateServableRequest,
      dlhub.v1.Registry.DeprecateServableResponse> getDeprecateServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.DeprecateServableRequest, dlhub.v1.Registry.DeprecateServableResponse> getDeprecateServableMethod;
    if ((getDeprecateServableMethod = DLHubServiceGrpc.getDeprecateServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getDeprecateServableMethod = DLHubServiceGrpc.getDeprecateServableMethod) == null) {
          DLHubServiceGrpc.getDeprecateServableMethod = getDeprecateServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.DeprecateServableRequest, dlhub.v1.Registry.DeprecateServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeprecateServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeprecateServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeprecateServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("DeprecateServable"))
              .build();
        }
      }
    }
    return getDeprecateServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.WithdrawServableRequest,
      dlhub.v1.Registry.WithdrawServableResponse> getWithdrawServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WithdrawServable",
      requestType = dlhub.v1.Registry.WithdrawServableRequest.class,
      responseType = dlhub.v1.Registry.WithdrawServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.WithdrawServableRequest,
      dlhub.v1.Registry.WithdrawServableResponse> getWithdrawServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.WithdrawServableRequest, dlhub.v1.Registry.WithdrawServableResponse> getWithdrawServableMethod;
    if ((getWithdrawServableMethod = DLHubServiceGrpc.getWithdrawServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getWithdrawServableMethod = DLHubServiceGrpc.getWithdrawServableMethod) == null) {
          DLHubServiceGrpc.getWithdrawServableMethod = getWithdrawServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.WithdrawServableRequest, dlhub.v1.Registry.WithdrawServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WithdrawServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WithdrawServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WithdrawServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("WithdrawServable"))
              .build();
        }
      }
    }
    return getWithdrawServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateUploadRequest,
      dlhub.v1.Registry.CreateUploadResponse> getCreateUploadMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateUpload",
      requestType = dlhub.v1.Registry.CreateUploadRequest.class,
      responseType = dlhub.v1.Registry.CreateUploadResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateUploadRequest,
      dlhub.v1.Registry.CreateUploadResponse> getCreateUploadMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateUploadRequest, dlhub.v1.Registry.CreateUploadResponse> getCreateUploadMethod;
    if ((getCreateUploadMethod = DLHubServiceGrpc.getCreateUploadMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getCreateUploadMethod = DLHubServiceGrpc.getCreateUploadMethod) == null) {
          DLHubServiceGrpc.getCreateUploadMethod = getCreateUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.CreateUploadRequest, dlhub.v1.Registry.CreateUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("CreateUpload"))
              .build();
        }
      }
    }
    return getCreateUploadMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.WriteUploadRequest,
      dlhub.v1.Registry.WriteUploadResponse> getWriteUploadMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WriteUpload",
      requestType = dlhub.v1.Registry.WriteUploadRequest.class,
      responseType = dlhub.v1.Registry.WriteUploadResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.WriteUploadRequest,
      dlhub.v1.Registry.WriteUploadResponse> getWriteUploadMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.WriteUploadRequest, dlhub.v1.Registry.WriteUploadResponse> getWriteUploadMethod;
    if ((getWriteUploadMethod = DLHubServiceGrpc.getWriteUploadMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getWriteUploadMethod = DLHubServiceGrpc.getWriteUploadMethod) == null) {
          DLHubServiceGrpc.getWriteUploadMethod = getWriteUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.WriteUploadRequest, dlhub.v1.Registry.WriteUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WriteUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WriteUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WriteUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("WriteUpload"))
              .build();
        }
      }
    }
    return getWriteUploadMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.GetUploadRequest,
      dlhub.v1.Registry.GetUploadResponse> getGetUploadMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetUpload",
      requestType = dlhub.v1.Registry.GetUploadRequest.class,
      responseType = dlhub.v1.Registry.GetUploadResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.GetUploadRequest,
      dlhub.v1.Registry.GetUploadResponse> getGetUploadMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.GetUploadRequest, dlhub.v1.Registry.GetUploadResponse> getGetUploadMethod;
    if ((getGetUploadMethod = DLHubServiceGrpc.getGetUploadMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetUploadMethod = DLHubServiceGrpc.getGetUploadMethod) == null) {
          DLHubServiceGrpc.getGetUploadMethod = getGetUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetUploadRequest, dlhub.v1.Registry.GetUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetUpload"))
              .build();
        }
      }
    }
    return getGetUploadMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.GetPublishJobRequest,
      dlhub.v1.Registry.GetPublishJobResponse> getGetPublishJobMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetPublishJob",
      requestType = dlhub.v1.Registry.GetPublishJobRequest.class,
      responseType = dlhub.v1.Registry.GetPublishJobResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.GetPublishJobRequest,
      dlhub.v1.Registry.GetPublishJobResponse> getGetPublishJobMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.GetPublishJobRequest, dlhub.v1.Registry.GetPublishJobResponse> getGetPublishJobMethod;
    if ((getGetPublishJobMethod = DLHubServiceGrpc.getGetPublishJobMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetPublishJobMethod = DLHubServiceGrpc.getGetPublishJobMethod) == null) {
          DLHubServiceGrpc.getGetPublishJobMethod = getGetPublishJobMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetPublishJobRequest, dlhub.v1.Registry.GetPublishJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetPublishJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetPublishJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetPublishJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetPublishJob"))
              .build();
        }
      }
    }
    return getGetPublishJobMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListPublishJobsRequest,
      dlhub.v1.Registry.ListPublishJobsResponse> getListPublishJobsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPublishJobs",
      requestType = dlhub.v1.Registry.ListPublishJobsRequest.class,
      responseType = dlhub.v1.Registry.ListPublishJobsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListPublishJobsRequest,
      dlhub.v1.Registry.ListPublishJobsResponse> getListPublishJobsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListPublishJobsRequest, dlhub.v1.Registry.ListPublishJobsResponse> getListPublishJobsMethod;
    if ((getListPublishJobsMethod = DLHubServiceGrpc.getListPublishJobsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListPublishJobsMethod = DLHubServiceGrpc.getListPublishJobsMethod) == null) {
          DLHubServiceGrpc.getListPublishJobsMethod = getListPublishJobsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListPublishJobsRequest, dlhub.v1.Registry.ListPublishJobsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPublishJobs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListPublishJobsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListPublishJobsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListPublishJobs"))
              .build();
        }
      }
    }
    return getListPublishJobsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.SetAccessRequest,
      dlhub.v1.Registry.SetAccessResponse> getSetAccessMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetAccess",
      requestType = dlhub.v1.Registry.SetAccessRequest.class,
      responseType = dlhub.v1.Registry.SetAccessResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.SetAccessRequest,
      dlhub.v1.Registry.SetAccessResponse> getSetAccessMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.SetAccessRequest, dlhub.v1.Registry.SetAccessResponse> getSetAccessMethod;
    if ((getSetAccessMethod = DLHubServiceGrpc.getSetAccessMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getSetAccessMethod = DLHubServiceGrpc.getSetAccessMethod) == null) {
          DLHubServiceGrpc.getSetAccessMethod = getSetAccessMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.SetAccessRequest, dlhub.v1.Registry.SetAccessResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetAccess"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.SetAccessRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.SetAccessResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("SetAccess"))
              .build();
        }
      }
    }
    return getSetAccessMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListAuditRequest,
      dlhub.v1.Registry.ListAuditResponse> getListAuditMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListAudit",
      requestType = dlhub.v1.Registry.ListAuditRequest.class,
      responseType = dlhub.v1.Registry.ListAuditResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListAuditRequest,
      dlhub.v1.Registry.ListAuditResponse> getListAuditMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListAuditRequest, dlhub.v1.Registry.ListAuditResponse> getListAuditMethod;
    if ((getListAuditMethod = DLHubServiceGrpc.getListAuditMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListAuditMethod = DLHubServiceGrpc.getListAuditMethod) == null) {
          DLHubServiceGrpc.getListAuditMethod = getListAuditMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListAuditRequest, dlhub.v1.Registry.ListAuditResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListAudit"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListAuditRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListAuditResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListAudit"))
              .build();
        }
      }
    }
    return getListAuditMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateBindingRequest,
      dlhub.v1.Registry.CreateBindingResponse> getCreateBindingMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateBinding",
      requestType = dlhub.v1.Registry.CreateBindingRequest.class,
      responseType = dlhub.v1.Registry.CreateBindingResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateBindingRequest,
      dlhub.v1.Registry.CreateBindingResponse> getCreateBindingMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.CreateBindingRequest, dlhub.v1.Registry.CreateBindingResponse> getCreateBindingMethod;
    if ((getCreateBindingMethod = DLHubServiceGrpc.getCreateBindingMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getCreateBindingMethod = DLHubServiceGrpc.getCreateBindingMethod) == null) {
          DLHubServiceGrpc.getCreateBindingMethod = getCreateBindingMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.CreateBindingRequest, dlhub.v1.Registry.CreateBindingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateBinding"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateBindingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateBindingResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("CreateBinding"))
              .build();
        }
      }
    }
    return getCreateBindingMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListBindingsRequest,
      dlhub.v1.Registry.ListBindingsResponse> getListBindingsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListBindings",
      requestType = dlhub.v1.Registry.ListBindingsRequest.class,
      responseType = dlhub.v1.Registry.ListBindingsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListBindingsRequest,
      dlhub.v1.Registry.ListBindingsResponse> getListBindingsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListBindingsRequest, dlhub.v1.Registry.ListBindingsResponse> getListBindingsMethod;
    if ((getListBindingsMethod = DLHubServiceGrpc.getListBindingsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListBindingsMethod = DLHubServiceGrpc.getListBindingsMethod) == null) {
          DLHubServiceGrpc.getListBindingsMethod = getListBindingsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListBindingsRequest, dlhub.v1.Registry.ListBindingsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListBindings"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListBindingsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListBindingsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListBindings"))
              .build();
        }
      }
    }
    return getListBindingsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.DeleteBindingRequest,
      dlhub.v1.Registry.DeleteBindingResponse> getDeleteBindingMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteBinding",
      requestType = dlhub.v1.Registry.DeleteBindingRequest.class,
      responseType = dlhub.v1.Registry.DeleteBindingResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.DeleteBindingRequest,
      dlhub.v1.Registry.DeleteBindingResponse> getDeleteBindingMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.DeleteBindingRequest, dlhub.v1.Registry.DeleteBindingResponse> getDeleteBindingMethod;
    if ((getDeleteBindingMethod = DLHubServiceGrpc.getDeleteBindingMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getDeleteBindingMethod = DLHubServiceGrpc.getDeleteBindingMethod) == null) {
          DLHubServiceGrpc.getDeleteBindingMethod = getDeleteBindingMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.DeleteBindingRequest, dlhub.v1.Registry.DeleteBindingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteBinding"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeleteBindingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeleteBindingResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("DeleteBinding"))
              .build();
        }
      }
    }
    return getDeleteBindingMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Search.SearchRequest,
      dlhub.v1.Search.SearchResponse> getSearchMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Search",
      requestType = dlhub.v1.Search.SearchRequest.class,
      responseType = dlhub.v1.Search.SearchResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Search.SearchRequest,
      dlhub.v1.Search.SearchResponse> getSearchMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Search.SearchRequest, dlhub.v1.Search.SearchResponse> getSearchMethod;
    if ((getSearchMethod = DLHubServiceGrpc.getSearchMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getSearchMethod = DLHubServiceGrpc.getSearchMethod) == null) {
          DLHubServiceGrpc.getSearchMethod = getSearchMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Search.SearchRequest, dlhub.v1.Search.SearchResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Search"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Search.SearchRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Search.SearchResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("Search"))
              .build();
        }
      }
    }
    return getSearchMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Tasks.RunServableRequest,
      dlhub.v1.Tasks.RunServableResponse> getRunServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RunServable",
      requestType = dlhub.v1.Tasks.RunServableRequest.class,
      responseType = dlhub.v1.Tasks.RunServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Tasks.RunServableRequest,
      dlhub.v1.Tasks.RunServableResponse> getRunServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Tasks.RunServableRequest, dlhub.v1.Tasks.RunServableResponse> getRunServableMethod;
    if ((getRunServableMethod = DLHubServiceGrpc.getRunServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getRunServableMethod = DLHubServiceGrpc.getRunServableMethod) == null) {
          DLHubServiceGrpc.getRunServableMethod = getRunServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.RunServableRequest, dlhub.v1.Tasks.RunServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RunServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.RunServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.RunServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("RunServable"))
              .build();
        }
      }
    }
    return getRunServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetTaskRequest,
      dlhub.v1.Tasks.GetTaskResponse> getGetTaskMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetTask",
      requestType = dlhub.v1.Tasks.GetTaskRequest.class,
      responseType = dlhub.v1.Tasks.GetTaskResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetTaskRequest,
      dlhub.v1.Tasks.GetTaskResponse> getGetTaskMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetTaskRequest, dlhub.v1.Tasks.GetTaskResponse> getGetTaskMethod;
    if ((getGetTaskMethod = DLHubServiceGrpc.getGetTaskMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetTaskMethod = DLHubServiceGrpc.getGetTaskMethod) == null) {
          DLHubServiceGrpc.getGetTaskMethod = getGetTaskMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetTaskRequest, dlhub.v1.Tasks.GetTaskResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetTask"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetTaskRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetTaskResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetTask"))
              .build();
        }
      }
    }
    return getGetTaskMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Tasks.CancelTaskRequest,
      dlhub.v1.Tasks.CancelTaskResponse> getCancelTaskMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CancelTask",
      requestType = dlhub.v1.Tasks.CancelTaskRequest.class,
      responseType = dlhub.v1.Tasks.CancelTaskResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Tasks.CancelTaskRequest,
      dlhub.v1.Tasks.CancelTaskResponse> getCancelTaskMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Tasks.CancelTaskRequest, dlhub.v1.Tasks.CancelTaskResponse> getCancelTaskMethod;
    if ((getCancelTaskMethod = DLHubServiceGrpc.getCancelTaskMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getCancelTaskMethod = DLHubServiceGrpc.getCancelTaskMethod) == null) {
          DLHubServiceGrpc.getCancelTaskMethod = getCancelTaskMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.CancelTaskRequest, dlhub.v1.Tasks.CancelTaskResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CancelTask"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.CancelTaskRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.CancelTaskResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("CancelTask"))
              .build();
        }
      }
    }
    return getCancelTaskMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetStatisticsRequest,
      dlhub.v1.Tasks.GetStatisticsResponse> getGetStatisticsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetStatistics",
      requestType = dlhub.v1.Tasks.GetStatisticsRequest.class,
      responseType = dlhub.v1.Tasks.GetStatisticsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetStatisticsRequest,
      dlhub.v1.Tasks.GetStatisticsResponse> getGetStatisticsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetStatisticsRequest, dlhub.v1.Tasks.GetStatisticsResponse> getGetStatisticsMethod;
    if ((getGetStatisticsMethod = DLHubServiceGrpc.getGetStatisticsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetStatisticsMethod = DLHubServiceGrpc.getGetStatisticsMethod) == null) {
          DLHubServiceGrpc.getGetStatisticsMethod = getGetStatisticsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetStatisticsRequest, dlhub.v1.Tasks.GetStatisticsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetStatistics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetStatisticsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetStatisticsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetStatistics"))
              .build();
        }
      }
    }
    return getGetStatisticsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.ScoreBenchmarkRequest,
      dlhub.v1.Benchmarks.ScoreBenchmarkResponse> getScoreBenchmarkMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ScoreBenchmark",
      requestType = dlhub.v1.Benchmarks.ScoreBenchmarkRequest.class,
      responseType = dlhub.v1.Benchmarks.ScoreBenchmarkResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.ScoreBenchmarkRequest,
      dlhub.v1.Benchmarks.ScoreBenchmarkResponse> getScoreBenchmarkMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.ScoreBenchmarkRequest, dlhub.v1.Benchmarks.ScoreBenchmarkResponse> getScoreBenchmarkMethod;
    if ((getScoreBenchmarkMethod = DLHubServiceGrpc.getScoreBenchmarkMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getScoreBenchmarkMethod = DLHubServiceGrpc.getScoreBenchmarkMethod) == null) {
          DLHubServiceGrpc.getScoreBenchmarkMethod = getScoreBenchmarkMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Benchmarks.ScoreBenchmarkRequest, dlhub.v1.Benchmarks.ScoreBenchmarkResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ScoreBenchmark"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.ScoreBenchmarkRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.ScoreBenchmarkResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ScoreBenchmark"))
              .build();
        }
      }
    }
    return getScoreBenchmarkMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.GetLeaderboardRequest,
      dlhub.v1.Benchmarks.GetLeaderboardResponse> getGetLeaderboardMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetLeaderboard",
      requestType = dlhub.v1.Benchmarks.GetLeaderboardRequest.class,
      responseType = dlhub.v1.Benchmarks.GetLeaderboardResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.GetLeaderboardRequest,
      dlhub.v1.Benchmarks.GetLeaderboardResponse> getGetLeaderboardMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Benchmarks.GetLeaderboardRequest, dlhub.v1.Benchmarks.GetLeaderboardResponse> getGetLeaderboardMethod;
    if ((getGetLeaderboardMethod = DLHubServiceGrpc.getGetLeaderboardMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetLeaderboardMethod = DLHubServiceGrpc.getGetLeaderboardMethod) == null) {
          DLHubServiceGrpc.getGetLeaderboardMethod = getGetLeaderboardMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Benchmarks.GetLeaderboardRequest, dlhub.v1.Benchmarks.GetLeaderboardResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetLeaderboard"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.GetLeaderboardRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.GetLeaderboardResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetLeaderboard"))
              .build();
        }
      }
    }
    return getGetLeaderboardMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Dlhub.WhoAmIRequest,
      dlhub.v1.Dlhub.WhoAmIResponse> getWhoAmIMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WhoAmI",
      requestType = dlhub.v1.Dlhub.WhoAmIRequest.class,
      responseType = dlhub.v1.Dlhub.WhoAmIResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Dlhub.WhoAmIRequest,
      dlhub.v1.Dlhub.WhoAmIResponse> getWhoAmIMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Dlhub.WhoAmIRequest, dlhub.v1.Dlhub.WhoAmIResponse> getWhoAmIMethod;
    if ((getWhoAmIMethod = DLHubServiceGrpc.getWhoAmIMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getWhoAmIMethod = DLHubServiceGrpc.getWhoAmIMethod) == null) {
          DLHubServiceGrpc.getWhoAmIMethod = getWhoAmIMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Dlhub.WhoAmIRequest, dlhub.v1.Dlhub.WhoAmIResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WhoAmI"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Dlhub.WhoAmIRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Dlhub.WhoAmIResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("WhoAmI"))
              .build();
        }
      }
    }
    return getWhoAmIMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Dlhub.RunStreamRequest,
      dlhub.v1.Dlhub.RunStreamResponse> getRunStreamMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RunStream",
      requestType = dlhub.v1.Dlhub.RunStreamRequest.class,
      responseType = dlhub.v1.Dlhub.RunStreamResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<dlhub.v1.Dlhub.RunStreamRequest,
      dlhub.v1.Dlhub.RunStreamResponse> getRunStreamMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Dlhub.RunStreamRequest, dlhub.v1.Dlhub.RunStreamResponse> getRunStreamMethod;
    if ((getRunStreamMethod = DLHubServiceGrpc.getRunStreamMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getRunStreamMethod = DLHubServiceGrpc.getRunStreamMethod) == null) {
          DLHubServiceGrpc.getRunStreamMethod = getRunStreamMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Dlhub.RunStreamRequest, dlhub.v1.Dlhub.RunStreamResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RunStream"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Dlhub.RunStreamRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Dlhub.RunStreamResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("RunStream"))
              .build();
        }
      }
    }
    return getRunStreamMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.RetrainServableRequest,
      dlhub.v1.Registry.RetrainServableResponse> getRetrainServableMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RetrainServable",
      requestType = dlhub.v1.Registry.RetrainServableRequest.class,
      responseType = dlhub.v1.Registry.RetrainServableResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.RetrainServableRequest,
      dlhub.v1.Registry.RetrainServableResponse> getRetrainServableMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.RetrainServableRequest, dlhub.v1.Registry.RetrainServableResponse> getRetrainServableMethod;
    if ((getRetrainServableMethod = DLHubServiceGrpc.getRetrainServableMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getRetrainServableMethod = DLHubServiceGrpc.getRetrainServableMethod) == null) {
          DLHubServiceGrpc.getRetrainServableMethod = getRetrainServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.RetrainServableRequest, dlhub.v1.Registry.RetrainServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RetrainServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.RetrainServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.RetrainServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("RetrainServable"))
              .build();
        }
      }
    }
    return getRetrainServableMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.GetRetrainJobRequest,
      dlhub.v1.Registry.GetRetrainJobResponse> getGetRetrainJobMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetRetrainJob",
      requestType = dlhub.v1.Registry.GetRetrainJobRequest.class,
      responseType = dlhub.v1.Registry.GetRetrainJobResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.GetRetrainJobRequest,
      dlhub.v1.Registry.GetRetrainJobResponse> getGetRetrainJobMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.GetRetrainJobRequest, dlhub.v1.Registry.GetRetrainJobResponse> getGetRetrainJobMethod;
    if ((getGetRetrainJobMethod = DLHubServiceGrpc.getGetRetrainJobMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetRetrainJobMethod = DLHubServiceGrpc.getGetRetrainJobMethod) == null) {
          DLHubServiceGrpc.getGetRetrainJobMethod = getGetRetrainJobMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetRetrainJobRequest, dlhub.v1.Registry.GetRetrainJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetRetrainJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetRetrainJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetRetrainJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetRetrainJob"))
              .build();
        }
      }
    }
    return getGetRetrainJobMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Registry.ListRetrainJobsRequest,
      dlhub.v1.Registry.ListRetrainJobsResponse> getListRetrainJobsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListRetrainJobs",
      requestType = dlhub.v1.Registry.ListRetrainJobsRequest.class,
      responseType = dlhub.v1.Registry.ListRetrainJobsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Registry.ListRetrainJobsRequest,
      dlhub.v1.Registry.ListRetrainJobsResponse> getListRetrainJobsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Registry.ListRetrainJobsRequest, dlhub.v1.Registry.ListRetrainJobsResponse> getListRetrainJobsMethod;
    if ((getListRetrainJobsMethod = DLHubServiceGrpc.getListRetrainJobsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getListRetrainJobsMethod = DLHubServiceGrpc.getListRetrainJobsMethod) == null) {
          DLHubServiceGrpc.getListRetrainJobsMethod = getListRetrainJobsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListRetrainJobsRequest, dlhub.v1.Registry.ListRetrainJobsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListRetrainJobs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListRetrainJobsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListRetrainJobsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("ListRetrainJobs"))
              .build();
        }
      }
    }
    return getListRetrainJobsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetServableStatsRequest,
      dlhub.v1.Tasks.GetServableStatsResponse> getGetServableStatsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetServableStats",
      requestType = dlhub.v1.Tasks.GetServableStatsRequest.class,
      responseType = dlhub.v1.Tasks.GetServableStatsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetServableStatsRequest,
      dlhub.v1.Tasks.GetServableStatsResponse> getGetServableStatsMethod() {
    io.grpc.MethodDescriptor<dlhub.v1.Tasks.GetServableStatsRequest, dlhub.v1.Tasks.GetServableStatsResponse> getGetServableStatsMethod;
    if ((getGetServableStatsMethod = DLHubServiceGrpc.getGetServableStatsMethod) == null) {
      synchronized (DLHubServiceGrpc.class) {
        if ((getGetServableStatsMethod = DLHubServiceGrpc.getGetServableStatsMethod) == null) {
          DLHubServiceGrpc.getGetServableStatsMethod = getGetServableStatsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetServableStatsRequest, dlhub.v1.Tasks.GetServableStatsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetServableStats"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetServableStatsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetServableStatsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new DLHubServiceMethodDescriptorSupplier("GetServableStats"))
              .build();
        }
      }
    }
    return getGetServableStatsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static DLHubServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<DLHubServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<DLHubServiceStub>() {
        @java.lang.Override
        public DLHubServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new DLHubServiceStub(channel, callOptions);
        }
      };
    return DLHubServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static DLHubServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<DLHubServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<DLHubServiceBlockingV2Stub>() {
        @java.lang.Override
        public DLHubServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new DLHubServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return DLHubServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static DLHubServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<DLHubServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<DLHubServiceBlockingStub>() {
        @java.lang.Override
        public DLHubServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new DLHubServiceBlockingStub(channel, callOptions);
        }
      };
    return DLHubServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static DLHubServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<DLHubServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<DLHubServiceFutureStub>() {
        @java.lang.Override
        public DLHubServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new DLHubServiceFutureStub(channel, callOptions);
        }
      };
    return DLHubServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public interface AsyncService {

    /**
     */
    default io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableRequest> publishServable(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getPublishServableMethod(), responseObserver);
    }

    /**
     */
    default void getServable(dlhub.v1.Registry.GetServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetServableMethod(), responseObserver);
    }

    /**
     */
    default void listServables(dlhub.v1.Registry.ListServablesRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListServablesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListServablesMethod(), responseObserver);
    }

    /**
     */
    default void listVersions(dlhub.v1.Registry.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListVersionsMethod(), responseObserver);
    }

    /**
     */
    default void deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeprecateServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeprecateServableMethod(), responseObserver);
    }

    /**
     */
    default void withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WithdrawServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWithdrawServableMethod(), responseObserver);
    }

    /**
     */
    default void createUpload(dlhub.v1.Registry.CreateUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateUploadResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateUploadMethod(), responseObserver);
    }

    /**
     */
    default io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadRequest> writeUpload(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getWriteUploadMethod(), responseObserver);
    }

    /**
     */
    default void getUpload(dlhub.v1.Registry.GetUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetUploadResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUploadMethod(), responseObserver);
    }

    /**
     */
    default void getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetPublishJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetPublishJobMethod(), responseObserver);
    }

    /**
     * <pre>
     * Your own publish jobs, newest first, without their logs.
     * </pre>
     */
    default void listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListPublishJobsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPublishJobsMethod(), responseObserver);
    }

    /**
     */
    default void setAccess(dlhub.v1.Registry.SetAccessRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.SetAccessResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetAccessMethod(), responseObserver);
    }

    /**
     */
    default void listAudit(dlhub.v1.Registry.ListAuditRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListAuditResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListAuditMethod(), responseObserver);
    }

    /**
     */
    default void createBinding(dlhub.v1.Registry.CreateBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateBindingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateBindingMethod(), responseObserver);
    }

    /**
     */
    default void listBindings(dlhub.v1.Registry.ListBindingsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListBindingsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListBindingsMethod(), responseObserver);
    }

    /**
     */
    default void deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeleteBindingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteBindingMethod(), responseObserver);
    }

    /**
     */
    default void search(dlhub.v1.Search.SearchRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Search.SearchResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSearchMethod(), responseObserver);
    }

    /**
     */
    default void runServable(dlhub.v1.Tasks.RunServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.RunServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRunServableMethod(), responseObserver);
    }

    /**
     */
    default void getTask(dlhub.v1.Tasks.GetTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetTaskResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetTaskMethod(), responseObserver);
    }

    /**
     */
    default void cancelTask(dlhub.v1.Tasks.CancelTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.CancelTaskResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCancelTaskMethod(), responseObserver);
    }

    /**
     */
    default void getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetStatisticsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetStatisticsMethod(), responseObserver);
    }

    /**
     */
    default void scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getScoreBenchmarkMethod(), responseObserver);
    }

    /**
     */
    default void getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.GetLeaderboardResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetLeaderboardMethod(), responseObserver);
    }

    /**
     * <pre>
     * The caller as the gateway authenticated it: cheap, for `dlhub login` and `dlhub whoami`.
     * </pre>
     */
    default void whoAmI(dlhub.v1.Dlhub.WhoAmIRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.WhoAmIResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWhoAmIMethod(), responseObserver);
    }

    /**
     * <pre>
     * Many runs on one stream: each request carries a client-chosen id; each
     * response comes back with it as its run finishes (completion order). A
     * failed run is one response with `error` set; the stream goes on.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.RunStreamRequest> runStream(
        io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.RunStreamResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getRunStreamMethod(), responseObserver);
    }

    /**
     * <pre>
     * Retraining (RegistryService; docs/retraining.md).
     * </pre>
     */
    default void retrainServable(dlhub.v1.Registry.RetrainServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.RetrainServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRetrainServableMethod(), responseObserver);
    }

    /**
     */
    default void getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetRetrainJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetRetrainJobMethod(), responseObserver);
    }

    /**
     */
    default void listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListRetrainJobsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListRetrainJobsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable (TaskService.GetServableStats).
     * </pre>
     */
    default void getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetServableStatsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetServableStatsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service DLHubService.
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public static abstract class DLHubServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return DLHubServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service DLHubService.
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public static final class DLHubServiceStub
      extends io.grpc.stub.AbstractAsyncStub<DLHubServiceStub> {
    private DLHubServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected DLHubServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new DLHubServiceStub(channel, callOptions);
    }

    /**
     */
    public io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableRequest> publishServable(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getPublishServableMethod(), getCallOptions()), responseObserver);
    }

    /**
     */
    public void getServable(dlhub.v1.Registry.GetServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listServables(dlhub.v1.Registry.ListServablesRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListServablesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListServablesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listVersions(dlhub.v1.Registry.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeprecateServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeprecateServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WithdrawServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getWithdrawServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void createUpload(dlhub.v1.Registry.CreateUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateUploadResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateUploadMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadRequest> writeUpload(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getWriteUploadMethod(), getCallOptions()), responseObserver);
    }

    /**
     */
    public void getUpload(dlhub.v1.Registry.GetUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetUploadResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUploadMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetPublishJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetPublishJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Your own publish jobs, newest first, without their logs.
     * </pre>
     */
    public void listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListPublishJobsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPublishJobsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void setAccess(dlhub.v1.Registry.SetAccessRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.SetAccessResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetAccessMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listAudit(dlhub.v1.Registry.ListAuditRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListAuditResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListAuditMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void createBinding(dlhub.v1.Registry.CreateBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateBindingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateBindingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listBindings(dlhub.v1.Registry.ListBindingsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListBindingsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListBindingsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeleteBindingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteBindingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void search(dlhub.v1.Search.SearchRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Search.SearchResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSearchMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void runServable(dlhub.v1.Tasks.RunServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.RunServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRunServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getTask(dlhub.v1.Tasks.GetTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetTaskResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetTaskMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void cancelTask(dlhub.v1.Tasks.CancelTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.CancelTaskResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCancelTaskMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetStatisticsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetStatisticsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getScoreBenchmarkMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.GetLeaderboardResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetLeaderboardMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The caller as the gateway authenticated it: cheap, for `dlhub login` and `dlhub whoami`.
     * </pre>
     */
    public void whoAmI(dlhub.v1.Dlhub.WhoAmIRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.WhoAmIResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getWhoAmIMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Many runs on one stream: each request carries a client-chosen id; each
     * response comes back with it as its run finishes (completion order). A
     * failed run is one response with `error` set; the stream goes on.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.RunStreamRequest> runStream(
        io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.RunStreamResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getRunStreamMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * Retraining (RegistryService; docs/retraining.md).
     * </pre>
     */
    public void retrainServable(dlhub.v1.Registry.RetrainServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.RetrainServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRetrainServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetRetrainJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetRetrainJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListRetrainJobsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListRetrainJobsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable (TaskService.GetServableStats).
     * </pre>
     */
    public void getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetServableStatsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetServableStatsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service DLHubService.
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public static final class DLHubServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<DLHubServiceBlockingV2Stub> {
    private DLHubServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected DLHubServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new DLHubServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dlhub.v1.Registry.PublishServableRequest, dlhub.v1.Registry.PublishServableResponse>
        publishServable() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getPublishServableMethod(), getCallOptions());
    }

    /**
     */
    public dlhub.v1.Registry.GetServableResponse getServable(dlhub.v1.Registry.GetServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListServablesResponse listServables(dlhub.v1.Registry.ListServablesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListServablesMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListVersionsResponse listVersions(dlhub.v1.Registry.ListVersionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.DeprecateServableResponse deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeprecateServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.WithdrawServableResponse withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getWithdrawServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.CreateUploadResponse createUpload(dlhub.v1.Registry.CreateUploadRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateUploadMethod(), getCallOptions(), request);
    }

    /**
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dlhub.v1.Registry.WriteUploadRequest, dlhub.v1.Registry.WriteUploadResponse>
        writeUpload() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getWriteUploadMethod(), getCallOptions());
    }

    /**
     */
    public dlhub.v1.Registry.GetUploadResponse getUpload(dlhub.v1.Registry.GetUploadRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetUploadMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.GetPublishJobResponse getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetPublishJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Your own publish jobs, newest first, without their logs.
     * </pre>
     */
    public dlhub.v1.Registry.ListPublishJobsResponse listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPublishJobsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.SetAccessResponse setAccess(dlhub.v1.Registry.SetAccessRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSetAccessMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListAuditResponse listAudit(dlhub.v1.Registry.ListAuditRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListAuditMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.CreateBindingResponse createBinding(dlhub.v1.Registry.CreateBindingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateBindingMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListBindingsResponse listBindings(dlhub.v1.Registry.ListBindingsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListBindingsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.DeleteBindingResponse deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteBindingMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Search.SearchResponse search(dlhub.v1.Search.SearchRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSearchMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.RunServableResponse runServable(dlhub.v1.Tasks.RunServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRunServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.GetTaskResponse getTask(dlhub.v1.Tasks.GetTaskRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetTaskMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.CancelTaskResponse cancelTask(dlhub.v1.Tasks.CancelTaskRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCancelTaskMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.GetStatisticsResponse getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetStatisticsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Benchmarks.ScoreBenchmarkResponse scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getScoreBenchmarkMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Benchmarks.GetLeaderboardResponse getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetLeaderboardMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller as the gateway authenticated it: cheap, for `dlhub login` and `dlhub whoami`.
     * </pre>
     */
    public dlhub.v1.Dlhub.WhoAmIResponse whoAmI(dlhub.v1.Dlhub.WhoAmIRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getWhoAmIMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Many runs on one stream: each request carries a client-chosen id; each
     * response comes back with it as its run finishes (completion order). A
     * failed run is one response with `error` set; the stream goes on.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dlhub.v1.Dlhub.RunStreamRequest, dlhub.v1.Dlhub.RunStreamResponse>
        runStream() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getRunStreamMethod(), getCallOptions());
    }

    /**
     * <pre>
     * Retraining (RegistryService; docs/retraining.md).
     * </pre>
     */
    public dlhub.v1.Registry.RetrainServableResponse retrainServable(dlhub.v1.Registry.RetrainServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRetrainServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.GetRetrainJobResponse getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetRetrainJobMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListRetrainJobsResponse listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListRetrainJobsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable (TaskService.GetServableStats).
     * </pre>
     */
    public dlhub.v1.Tasks.GetServableStatsResponse getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetServableStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service DLHubService.
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public static final class DLHubServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<DLHubServiceBlockingStub> {
    private DLHubServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected DLHubServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new DLHubServiceBlockingStub(channel, callOptions);
    }

    /**
     */
    public dlhub.v1.Registry.GetServableResponse getServable(dlhub.v1.Registry.GetServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListServablesResponse listServables(dlhub.v1.Registry.ListServablesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListServablesMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListVersionsResponse listVersions(dlhub.v1.Registry.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.DeprecateServableResponse deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeprecateServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.WithdrawServableResponse withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getWithdrawServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.CreateUploadResponse createUpload(dlhub.v1.Registry.CreateUploadRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateUploadMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.GetUploadResponse getUpload(dlhub.v1.Registry.GetUploadRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUploadMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.GetPublishJobResponse getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetPublishJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Your own publish jobs, newest first, without their logs.
     * </pre>
     */
    public dlhub.v1.Registry.ListPublishJobsResponse listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPublishJobsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.SetAccessResponse setAccess(dlhub.v1.Registry.SetAccessRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetAccessMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListAuditResponse listAudit(dlhub.v1.Registry.ListAuditRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListAuditMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.CreateBindingResponse createBinding(dlhub.v1.Registry.CreateBindingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateBindingMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListBindingsResponse listBindings(dlhub.v1.Registry.ListBindingsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListBindingsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.DeleteBindingResponse deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteBindingMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Search.SearchResponse search(dlhub.v1.Search.SearchRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSearchMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.RunServableResponse runServable(dlhub.v1.Tasks.RunServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRunServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.GetTaskResponse getTask(dlhub.v1.Tasks.GetTaskRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetTaskMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.CancelTaskResponse cancelTask(dlhub.v1.Tasks.CancelTaskRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCancelTaskMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Tasks.GetStatisticsResponse getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetStatisticsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Benchmarks.ScoreBenchmarkResponse scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getScoreBenchmarkMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Benchmarks.GetLeaderboardResponse getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetLeaderboardMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller as the gateway authenticated it: cheap, for `dlhub login` and `dlhub whoami`.
     * </pre>
     */
    public dlhub.v1.Dlhub.WhoAmIResponse whoAmI(dlhub.v1.Dlhub.WhoAmIRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getWhoAmIMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Retraining (RegistryService; docs/retraining.md).
     * </pre>
     */
    public dlhub.v1.Registry.RetrainServableResponse retrainServable(dlhub.v1.Registry.RetrainServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRetrainServableMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.GetRetrainJobResponse getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetRetrainJobMethod(), getCallOptions(), request);
    }

    /**
     */
    public dlhub.v1.Registry.ListRetrainJobsResponse listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListRetrainJobsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable (TaskService.GetServableStats).
     * </pre>
     */
    public dlhub.v1.Tasks.GetServableStatsResponse getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetServableStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service DLHubService.
   * <pre>
   * Publish, find, describe and run servables. Requests and responses are the
   * internal services' messages, so the gateway forwards them without copying.
   * </pre>
   */
  public static final class DLHubServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<DLHubServiceFutureStub> {
    private DLHubServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected DLHubServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new DLHubServiceFutureStub(channel, callOptions);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetServableResponse> getServable(
        dlhub.v1.Registry.GetServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetServableMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListServablesResponse> listServables(
        dlhub.v1.Registry.ListServablesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListServablesMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListVersionsResponse> listVersions(
        dlhub.v1.Registry.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.DeprecateServableResponse> deprecateServable(
        dlhub.v1.Registry.DeprecateServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeprecateServableMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.WithdrawServableResponse> withdrawServable(
        dlhub.v1.Registry.WithdrawServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getWithdrawServableMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.CreateUploadResponse> createUpload(
        dlhub.v1.Registry.CreateUploadRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateUploadMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetUploadResponse> getUpload(
        dlhub.v1.Registry.GetUploadRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUploadMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetPublishJobResponse> getPublishJob(
        dlhub.v1.Registry.GetPublishJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetPublishJobMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Your own publish jobs, newest first, without their logs.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListPublishJobsResponse> listPublishJobs(
        dlhub.v1.Registry.ListPublishJobsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPublishJobsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.SetAccessResponse> setAccess(
        dlhub.v1.Registry.SetAccessRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetAccessMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListAuditResponse> listAudit(
        dlhub.v1.Registry.ListAuditRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListAuditMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.CreateBindingResponse> createBinding(
        dlhub.v1.Registry.CreateBindingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateBindingMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListBindingsResponse> listBindings(
        dlhub.v1.Registry.ListBindingsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListBindingsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.DeleteBindingResponse> deleteBinding(
        dlhub.v1.Registry.DeleteBindingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteBindingMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Search.SearchResponse> search(
        dlhub.v1.Search.SearchRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSearchMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.RunServableResponse> runServable(
        dlhub.v1.Tasks.RunServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRunServableMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetTaskResponse> getTask(
        dlhub.v1.Tasks.GetTaskRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetTaskMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.CancelTaskResponse> cancelTask(
        dlhub.v1.Tasks.CancelTaskRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCancelTaskMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetStatisticsResponse> getStatistics(
        dlhub.v1.Tasks.GetStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetStatisticsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> scoreBenchmark(
        dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getScoreBenchmarkMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Benchmarks.GetLeaderboardResponse> getLeaderboard(
        dlhub.v1.Benchmarks.GetLeaderboardRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetLeaderboardMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The caller as the gateway authenticated it: cheap, for `dlhub login` and `dlhub whoami`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Dlhub.WhoAmIResponse> whoAmI(
        dlhub.v1.Dlhub.WhoAmIRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getWhoAmIMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Retraining (RegistryService; docs/retraining.md).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.RetrainServableResponse> retrainServable(
        dlhub.v1.Registry.RetrainServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRetrainServableMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetRetrainJobResponse> getRetrainJob(
        dlhub.v1.Registry.GetRetrainJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetRetrainJobMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListRetrainJobsResponse> listRetrainJobs(
        dlhub.v1.Registry.ListRetrainJobsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListRetrainJobsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable (TaskService.GetServableStats).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetServableStatsResponse> getServableStats(
        dlhub.v1.Tasks.GetServableStatsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetServableStatsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_SERVABLE = 0;
  private static final int METHODID_LIST_SERVABLES = 1;
  private static final int METHODID_LIST_VERSIONS = 2;
  private static final int METHODID_DEPRECATE_SERVABLE = 3;
  private static final int METHODID_WITHDRAW_SERVABLE = 4;
  private static final int METHODID_CREATE_UPLOAD = 5;
  private static final int METHODID_GET_UPLOAD = 6;
  private static final int METHODID_GET_PUBLISH_JOB = 7;
  private static final int METHODID_LIST_PUBLISH_JOBS = 8;
  private static final int METHODID_SET_ACCESS = 9;
  private static final int METHODID_LIST_AUDIT = 10;
  private static final int METHODID_CREATE_BINDING = 11;
  private static final int METHODID_LIST_BINDINGS = 12;
  private static final int METHODID_DELETE_BINDING = 13;
  private static final int METHODID_SEARCH = 14;
  private static final int METHODID_RUN_SERVABLE = 15;
  private static final int METHODID_GET_TASK = 16;
  private static final int METHODID_CANCEL_TASK = 17;
  private static final int METHODID_GET_STATISTICS = 18;
  private static final int METHODID_SCORE_BENCHMARK = 19;
  private static final int METHODID_GET_LEADERBOARD = 20;
  private static final int METHODID_WHO_AM_I = 21;
  private static final int METHODID_RETRAIN_SERVABLE = 22;
  private static final int METHODID_GET_RETRAIN_JOB = 23;
  private static final int METHODID_LIST_RETRAIN_JOBS = 24;
  private static final int METHODID_GET_SERVABLE_STATS = 25;
  private static final int METHODID_PUBLISH_SERVABLE = 26;
  private static final int METHODID_WRITE_UPLOAD = 27;
  private static final int METHODID_RUN_STREAM = 28;

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
        case METHODID_GET_SERVABLE:
          serviceImpl.getServable((dlhub.v1.Registry.GetServableRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetServableResponse>) responseObserver);
          break;
        case METHODID_LIST_SERVABLES:
          serviceImpl.listServables((dlhub.v1.Registry.ListServablesRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListServablesResponse>) responseObserver);
          break;
        case METHODID_LIST_VERSIONS:
          serviceImpl.listVersions((dlhub.v1.Registry.ListVersionsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListVersionsResponse>) responseObserver);
          break;
        case METHODID_DEPRECATE_SERVABLE:
          serviceImpl.deprecateServable((dlhub.v1.Registry.DeprecateServableRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeprecateServableResponse>) responseObserver);
          break;
        case METHODID_WITHDRAW_SERVABLE:
          serviceImpl.withdrawServable((dlhub.v1.Registry.WithdrawServableRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.WithdrawServableResponse>) responseObserver);
          break;
        case METHODID_CREATE_UPLOAD:
          serviceImpl.createUpload((dlhub.v1.Registry.CreateUploadRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateUploadResponse>) responseObserver);
          break;
        case METHODID_GET_UPLOAD:
          serviceImpl.getUpload((dlhub.v1.Registry.GetUploadRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetUploadResponse>) responseObserver);
          break;
        case METHODID_GET_PUBLISH_JOB:
          serviceImpl.getPublishJob((dlhub.v1.Registry.GetPublishJobRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetPublishJobResponse>) responseObserver);
          break;
        case METHODID_LIST_PUBLISH_JOBS:
          serviceImpl.listPublishJobs((dlhub.v1.Registry.ListPublishJobsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListPublishJobsResponse>) responseObserver);
          break;
        case METHODID_SET_ACCESS:
          serviceImpl.setAccess((dlhub.v1.Registry.SetAccessRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.SetAccessResponse>) responseObserver);
          break;
        case METHODID_LIST_AUDIT:
          serviceImpl.listAudit((dlhub.v1.Registry.ListAuditRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListAuditResponse>) responseObserver);
          break;
        case METHODID_CREATE_BINDING:
          serviceImpl.createBinding((dlhub.v1.Registry.CreateBindingRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateBindingResponse>) responseObserver);
          break;
        case METHODID_LIST_BINDINGS:
          serviceImpl.listBindings((dlhub.v1.Registry.ListBindingsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListBindingsResponse>) responseObserver);
          break;
        case METHODID_DELETE_BINDING:
          serviceImpl.deleteBinding((dlhub.v1.Registry.DeleteBindingRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeleteBindingResponse>) responseObserver);
          break;
        case METHODID_SEARCH:
          serviceImpl.search((dlhub.v1.Search.SearchRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Search.SearchResponse>) responseObserver);
          break;
        case METHODID_RUN_SERVABLE:
          serviceImpl.runServable((dlhub.v1.Tasks.RunServableRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Tasks.RunServableResponse>) responseObserver);
          break;
        case METHODID_GET_TASK:
          serviceImpl.getTask((dlhub.v1.Tasks.GetTaskRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetTaskResponse>) responseObserver);
          break;
        case METHODID_CANCEL_TASK:
          serviceImpl.cancelTask((dlhub.v1.Tasks.CancelTaskRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Tasks.CancelTaskResponse>) responseObserver);
          break;
        case METHODID_GET_STATISTICS:
          serviceImpl.getStatistics((dlhub.v1.Tasks.GetStatisticsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetStatisticsResponse>) responseObserver);
          break;
        case METHODID_SCORE_BENCHMARK:
          serviceImpl.scoreBenchmark((dlhub.v1.Benchmarks.ScoreBenchmarkRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.ScoreBenchmarkResponse>) responseObserver);
          break;
        case METHODID_GET_LEADERBOARD:
          serviceImpl.getLeaderboard((dlhub.v1.Benchmarks.GetLeaderboardRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.GetLeaderboardResponse>) responseObserver);
          break;
        case METHODID_WHO_AM_I:
          serviceImpl.whoAmI((dlhub.v1.Dlhub.WhoAmIRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.WhoAmIResponse>) responseObserver);
          break;
        case METHODID_RETRAIN_SERVABLE:
          serviceImpl.retrainServable((dlhub.v1.Registry.RetrainServableRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.RetrainServableResponse>) responseObserver);
          break;
        case METHODID_GET_RETRAIN_JOB:
          serviceImpl.getRetrainJob((dlhub.v1.Registry.GetRetrainJobRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetRetrainJobResponse>) responseObserver);
          break;
        case METHODID_LIST_RETRAIN_JOBS:
          serviceImpl.listRetrainJobs((dlhub.v1.Registry.ListRetrainJobsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListRetrainJobsResponse>) responseObserver);
          break;
        case METHODID_GET_SERVABLE_STATS:
          serviceImpl.getServableStats((dlhub.v1.Tasks.GetServableStatsRequest) request,
              (io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetServableStatsResponse>) responseObserver);
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
        case METHODID_PUBLISH_SERVABLE:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.publishServable(
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableResponse>) responseObserver);
        case METHODID_WRITE_UPLOAD:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.writeUpload(
              (io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadResponse>) responseObserver);
        case METHODID_RUN_STREAM:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.runStream(
              (io.grpc.stub.StreamObserver<dlhub.v1.Dlhub.RunStreamResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getPublishServableMethod(),
          io.grpc.stub.ServerCalls.asyncClientStreamingCall(
            new MethodHandlers<
              dlhub.v1.Registry.PublishServableRequest,
              dlhub.v1.Registry.PublishServableResponse>(
                service, METHODID_PUBLISH_SERVABLE)))
        .addMethod(
          getGetServableMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.GetServableRequest,
              dlhub.v1.Registry.GetServableResponse>(
                service, METHODID_GET_SERVABLE)))
        .addMethod(
          getListServablesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListServablesRequest,
              dlhub.v1.Registry.ListServablesResponse>(
                service, METHODID_LIST_SERVABLES)))
        .addMethod(
          getListVersionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListVersionsRequest,
              dlhub.v1.Registry.ListVersionsResponse>(
                service, METHODID_LIST_VERSIONS)))
        .addMethod(
          getDeprecateServableMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.DeprecateServableRequest,
              dlhub.v1.Registry.DeprecateServableResponse>(
                service, METHODID_DEPRECATE_SERVABLE)))
        .addMethod(
          getWithdrawServableMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.WithdrawServableRequest,
              dlhub.v1.Registry.WithdrawServableResponse>(
                service, METHODID_WITHDRAW_SERVABLE)))
        .addMethod(
          getCreateUploadMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.CreateUploadRequest,
              dlhub.v1.Registry.CreateUploadResponse>(
                service, METHODID_CREATE_UPLOAD)))
        .addMethod(
          getWriteUploadMethod(),
          io.grpc.stub.ServerCalls.asyncClientStreamingCall(
            new MethodHandlers<
              dlhub.v1.Registry.WriteUploadRequest,
              dlhub.v1.Registry.WriteUploadResponse>(
                service, METHODID_WRITE_UPLOAD)))
        .addMethod(
          getGetUploadMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.GetUploadRequest,
              dlhub.v1.Registry.GetUploadResponse>(
                service, METHODID_GET_UPLOAD)))
        .addMethod(
          getGetPublishJobMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.GetPublishJobRequest,
              dlhub.v1.Registry.GetPublishJobResponse>(
                service, METHODID_GET_PUBLISH_JOB)))
        .addMethod(
          getListPublishJobsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListPublishJobsRequest,
              dlhub.v1.Registry.ListPublishJobsResponse>(
                service, METHODID_LIST_PUBLISH_JOBS)))
        .addMethod(
          getSetAccessMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.SetAccessRequest,
              dlhub.v1.Registry.SetAccessResponse>(
                service, METHODID_SET_ACCESS)))
        .addMethod(
          getListAuditMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListAuditRequest,
              dlhub.v1.Registry.ListAuditResponse>(
                service, METHODID_LIST_AUDIT)))
        .addMethod(
          getCreateBindingMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.CreateBindingRequest,
              dlhub.v1.Registry.CreateBindingResponse>(
                service, METHODID_CREATE_BINDING)))
        .addMethod(
          getListBindingsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListBindingsRequest,
              dlhub.v1.Registry.ListBindingsResponse>(
                service, METHODID_LIST_BINDINGS)))
        .addMethod(
          getDeleteBindingMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.DeleteBindingRequest,
              dlhub.v1.Registry.DeleteBindingResponse>(
                service, METHODID_DELETE_BINDING)))
        .addMethod(
          getSearchMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Search.SearchRequest,
              dlhub.v1.Search.SearchResponse>(
                service, METHODID_SEARCH)))
        .addMethod(
          getRunServableMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.RunServableRequest,
              dlhub.v1.Tasks.RunServableResponse>(
                service, METHODID_RUN_SERVABLE)))
        .addMethod(
          getGetTaskMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.GetTaskRequest,
              dlhub.v1.Tasks.GetTaskResponse>(
                service, METHODID_GET_TASK)))
        .addMethod(
          getCancelTaskMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.CancelTaskRequest,
              dlhub.v1.Tasks.CancelTaskResponse>(
                service, METHODID_CANCEL_TASK)))
        .addMethod(
          getGetStatisticsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.GetStatisticsRequest,
              dlhub.v1.Tasks.GetStatisticsResponse>(
                service, METHODID_GET_STATISTICS)))
        .addMethod(
          getScoreBenchmarkMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Benchmarks.ScoreBenchmarkRequest,
              dlhub.v1.Benchmarks.ScoreBenchmarkResponse>(
                service, METHODID_SCORE_BENCHMARK)))
        .addMethod(
          getGetLeaderboardMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Benchmarks.GetLeaderboardRequest,
              dlhub.v1.Benchmarks.GetLeaderboardResponse>(
                service, METHODID_GET_LEADERBOARD)))
        .addMethod(
          getWhoAmIMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Dlhub.WhoAmIRequest,
              dlhub.v1.Dlhub.WhoAmIResponse>(
                service, METHODID_WHO_AM_I)))
        .addMethod(
          getRunStreamMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              dlhub.v1.Dlhub.RunStreamRequest,
              dlhub.v1.Dlhub.RunStreamResponse>(
                service, METHODID_RUN_STREAM)))
        .addMethod(
          getRetrainServableMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.RetrainServableRequest,
              dlhub.v1.Registry.RetrainServableResponse>(
                service, METHODID_RETRAIN_SERVABLE)))
        .addMethod(
          getGetRetrainJobMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.GetRetrainJobRequest,
              dlhub.v1.Registry.GetRetrainJobResponse>(
                service, METHODID_GET_RETRAIN_JOB)))
        .addMethod(
          getListRetrainJobsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Registry.ListRetrainJobsRequest,
              dlhub.v1.Registry.ListRetrainJobsResponse>(
                service, METHODID_LIST_RETRAIN_JOBS)))
        .addMethod(
          getGetServableStatsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.GetServableStatsRequest,
              dlhub.v1.Tasks.GetServableStatsResponse>(
                service, METHODID_GET_SERVABLE_STATS)))
        .build();
  }

  private static abstract class DLHubServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    DLHubServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dlhub.v1.Dlhub.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("DLHubService");
    }
  }

  private static final class DLHubServiceFileDescriptorSupplier
      extends DLHubServiceBaseDescriptorSupplier {
    DLHubServiceFileDescriptorSupplier() {}
  }

  private static final class DLHubServiceMethodDescriptorSupplier
      extends DLHubServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    DLHubServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (DLHubServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new DLHubServiceFileDescriptorSupplier())
              .addMethod(getPublishServableMethod())
              .addMethod(getGetServableMethod())
              .addMethod(getListServablesMethod())
              .addMethod(getListVersionsMethod())
              .addMethod(getDeprecateServableMethod())
              .addMethod(getWithdrawServableMethod())
              .addMethod(getCreateUploadMethod())
              .addMethod(getWriteUploadMethod())
              .addMethod(getGetUploadMethod())
              .addMethod(getGetPublishJobMethod())
              .addMethod(getListPublishJobsMethod())
              .addMethod(getSetAccessMethod())
              .addMethod(getListAuditMethod())
              .addMethod(getCreateBindingMethod())
              .addMethod(getListBindingsMethod())
              .addMethod(getDeleteBindingMethod())
              .addMethod(getSearchMethod())
              .addMethod(getRunServableMethod())
              .addMethod(getGetTaskMethod())
              .addMethod(getCancelTaskMethod())
              .addMethod(getGetStatisticsMethod())
              .addMethod(getScoreBenchmarkMethod())
              .addMethod(getGetLeaderboardMethod())
              .addMethod(getWhoAmIMethod())
              .addMethod(getRunStreamMethod())
              .addMethod(getRetrainServableMethod())
              .addMethod(getGetRetrainJobMethod())
              .addMethod(getListRetrainJobsMethod())
              .addMethod(getGetServableStatsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
