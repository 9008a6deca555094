package dlhub.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Internal API of the registry service; the gateway re-exports it.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class RegistryServiceGrpc {

  private RegistryServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "dlhub.v1.RegistryService";

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
    if ((getPublishServableMethod = RegistryServiceGrpc.getPublishServableMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getPublishServableMethod = RegistryServiceGrpc.getPublishServableMethod) == null) {
          RegistryServiceGrpc.getPublishServableMethod = getPublishServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.PublishServableRequest, dlhub.v1.Registry.PublishServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PublishServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.PublishServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.PublishServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("PublishServable"))
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
    if ((getGetServableMethod = RegistryServiceGrpc.getGetServableMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getGetServableMethod = RegistryServiceGrpc.getGetServableMethod) == null) {
          RegistryServiceGrpc.getGetServableMethod = getGetServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetServableRequest, dlhub.v1.Registry.GetServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("GetServable"))
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
    if ((getListServablesMethod = RegistryServiceGrpc.getListServablesMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListServablesMethod = RegistryServiceGrpc.getListServablesMethod) == null) {
          RegistryServiceGrpc.getListServablesMethod = getListServablesMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListServablesRequest, dlhub.v1.Registry.ListServablesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListServables"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListServablesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListServablesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListServables"))
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
    if ((getListVersionsMethod = RegistryServiceGrpc.getListVersionsMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListVersionsMethod = RegistryServiceGrpc.getListVersionsMethod) == null) {
          RegistryServiceGrpc.getListVersionsMethod = getListVersionsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListVersionsRequest, dlhub.v1.Registry.ListVersionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListVersions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListVersionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListVersionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListVersions"))
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
    if ((getDeprecateServableMethod = RegistryServiceGrpc.getDeprecateServableMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getDeprecateServableMethod = RegistryServiceGrpc.getDeprecateServableMethod) == null) {
          RegistryServiceGrpc.getDeprecateServableMethod = getDeprecateServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.DeprecateServableRequest, dlhub.v1.Registry.DeprecateServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeprecateServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeprecateServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeprecateServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("DeprecateServable"))
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
    if ((getWithdrawServableMethod = RegistryServiceGrpc.getWithdrawServableMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getWithdrawServableMethod = RegistryServiceGrpc.getWithdrawServableMethod) == null) {
          RegistryServiceGrpc.getWithdrawServableMethod = getWithdrawServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.WithdrawServableRequest, dlhub.v1.Registry.WithdrawServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WithdrawServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WithdrawServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WithdrawServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("WithdrawServable"))
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
    if ((getCreateUploadMethod = RegistryServiceGrpc.getCreateUploadMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getCreateUploadMethod = RegistryServiceGrpc.getCreateUploadMethod) == null) {
          RegistryServiceGrpc.getCreateUploadMethod = getCreateUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.CreateUploadRequest, dlhub.v1.Registry.CreateUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("CreateUpload"))
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
    if ((getWriteUploadMethod = RegistryServiceGrpc.getWriteUploadMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getWriteUploadMethod = RegistryServiceGrpc.getWriteUploadMethod) == null) {
          RegistryServiceGrpc.getWriteUploadMethod = getWriteUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.WriteUploadRequest, dlhub.v1.Registry.WriteUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WriteUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WriteUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.WriteUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("WriteUpload"))
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
    if ((getGetUploadMethod = RegistryServiceGrpc.getGetUploadMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getGetUploadMethod = RegistryServiceGrpc.getGetUploadMethod) == null) {
          RegistryServiceGrpc.getGetUploadMethod = getGetUploadMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetUploadRequest, dlhub.v1.Registry.GetUploadResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUpload"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetUploadRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetUploadResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("GetUpload"))
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
    if ((getGetPublishJobMethod = RegistryServiceGrpc.getGetPublishJobMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getGetPublishJobMethod = RegistryServiceGrpc.getGetPublishJobMethod) == null) {
          RegistryServiceGrpc.getGetPublishJobMethod = getGetPublishJobMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetPublishJobRequest, dlhub.v1.Registry.GetPublishJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetPublishJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetPublishJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetPublishJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("GetPublishJob"))
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
    if ((getListPublishJobsMethod = RegistryServiceGrpc.getListPublishJobsMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListPublishJobsMethod = RegistryServiceGrpc.getListPublishJobsMethod) == null) {
          RegistryServiceGrpc.getListPublishJobsMethod = getListPublishJobsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListPublishJobsRequest, dlhub.v1.Registry.ListPublishJobsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPublishJobs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListPublishJobsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListPublishJobsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListPublishJobs"))
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
    if ((getSetAccessMethod = RegistryServiceGrpc.getSetAccessMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getSetAccessMethod = RegistryServiceGrpc.getSetAccessMethod) == null) {
          RegistryServiceGrpc.getSetAccessMethod = getSetAccessMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.SetAccessRequest, dlhub.v1.Registry.SetAccessResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetAccess"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.SetAccessRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.SetAccessResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("SetAccess"))
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
    if ((getListAuditMethod = RegistryServiceGrpc.getListAuditMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListAuditMethod = RegistryServiceGrpc.getListAuditMethod) == null) {
          RegistryServiceGrpc.getListAuditMethod = getListAuditMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListAuditRequest, dlhub.v1.Registry.ListAuditResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListAudit"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListAuditRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListAuditResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListAudit"))
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
    if ((getCreateBindingMethod = RegistryServiceGrpc.getCreateBindingMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getCreateBindingMethod = RegistryServiceGrpc.getCreateBindingMethod) == null) {
          RegistryServiceGrpc.getCreateBindingMethod = getCreateBindingMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.CreateBindingRequest, dlhub.v1.Registry.CreateBindingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateBinding"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateBindingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.CreateBindingResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("CreateBinding"))
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
    if ((getListBindingsMethod = RegistryServiceGrpc.getListBindingsMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListBindingsMethod = RegistryServiceGrpc.getListBindingsMethod) == null) {
          RegistryServiceGrpc.getListBindingsMethod = getListBindingsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListBindingsRequest, dlhub.v1.Registry.ListBindingsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListBindings"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListBindingsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListBindingsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListBindings"))
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
    if ((getDeleteBindingMethod = RegistryServiceGrpc.getDeleteBindingMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getDeleteBindingMethod = RegistryServiceGrpc.getDeleteBindingMethod) == null) {
          RegistryServiceGrpc.getDeleteBindingMethod = getDeleteBindingMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.DeleteBindingRequest, dlhub.v1.Registry.DeleteBindingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteBinding"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeleteBindingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.DeleteBindingResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("DeleteBinding"))
              .build();
        }
      }
    }
    return getDeleteBindingMethod;
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
    if ((getRetrainServableMethod = RegistryServiceGrpc.getRetrainServableMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getRetrainServableMethod = RegistryServiceGrpc.getRetrainServableMethod) == null) {
          RegistryServiceGrpc.getRetrainServableMethod = getRetrainServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.RetrainServableRequest, dlhub.v1.Registry.RetrainServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RetrainServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.RetrainServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.RetrainServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("RetrainServable"))
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
    if ((getGetRetrainJobMethod = RegistryServiceGrpc.getGetRetrainJobMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getGetRetrainJobMethod = RegistryServiceGrpc.getGetRetrainJobMethod) == null) {
          RegistryServiceGrpc.getGetRetrainJobMethod = getGetRetrainJobMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.GetRetrainJobRequest, dlhub.v1.Registry.GetRetrainJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetRetrainJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetRetrainJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.GetRetrainJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("GetRetrainJob"))
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
    if ((getListRetrainJobsMethod = RegistryServiceGrpc.getListRetrainJobsMethod) == null) {
      synchronized (RegistryServiceGrpc.class) {
        if ((getListRetrainJobsMethod = RegistryServiceGrpc.getListRetrainJobsMethod) == null) {
          RegistryServiceGrpc.getListRetrainJobsMethod = getListRetrainJobsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Registry.ListRetrainJobsRequest, dlhub.v1.Registry.ListRetrainJobsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListRetrainJobs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListRetrainJobsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Registry.ListRetrainJobsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RegistryServiceMethodDescriptorSupplier("ListRetrainJobs"))
              .build();
        }
      }
    }
    return getListRetrainJobsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static RegistryServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RegistryServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RegistryServiceStub>() {
        @java.lang.Override
        public RegistryServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RegistryServiceStub(channel, callOptions);
        }
      };
    return RegistryServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static RegistryServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RegistryServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RegistryServiceBlockingV2Stub>() {
        @java.lang.Override
        public RegistryServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RegistryServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return RegistryServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static RegistryServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RegistryServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RegistryServiceBlockingStub>() {
        @java.lang.Override
        public RegistryServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RegistryServiceBlockingStub(channel, callOptions);
        }
      };
    return RegistryServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static RegistryServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RegistryServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RegistryServiceFutureStub>() {
        @java.lang.Override
        public RegistryServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RegistryServiceFutureStub(channel, callOptions);
        }
      };
    return RegistryServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Publish a new servable version. The first message carries the header,
     * the following ones carry artifact bytes in chunks, file after file.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableRequest> publishServable(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getPublishServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * Describe one servable version (latest when ref.version is 0).
     * </pre>
     */
    default void getServable(dlhub.v1.Registry.GetServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * List servables, newest first, page by page.
     * </pre>
     */
    default void listServables(dlhub.v1.Registry.ListServablesRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListServablesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListServablesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Every version of one servable the caller may see, ascending, with its
     * state and publication date (withdrawn versions included).
     * </pre>
     */
    default void listVersions(dlhub.v1.Registry.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListVersionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Owner only: mark a version deprecated. It still runs (tasks carry a
     * warning), is hidden from default search and is described as deprecated.
     * </pre>
     */
    default void deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeprecateServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeprecateServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * Owner only: withdraw a version. It no longer runs (FAILED_PRECONDITION)
     * and is hidden from search and from latest resolution; its metadata stays
     * describable as a tombstone and its artifacts are kept. Final.
     * </pre>
     */
    default void withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WithdrawServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWithdrawServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * Start a resumable upload of one large artifact (owner only, 24 h).
     * </pre>
     */
    default void createUpload(dlhub.v1.Registry.CreateUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateUploadResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateUploadMethod(), responseObserver);
    }

    /**
     * <pre>
     * Append bytes to an upload. Every message's offset must equal the bytes
     * received so far (FAILED_PRECONDITION names the expected offset), so a
     * client whose stream broke asks GetUpload and resumes from `received`.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadRequest> writeUpload(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getWriteUploadMethod(), responseObserver);
    }

    /**
     * <pre>
     * How far an upload got.
     * </pre>
     */
    default void getUpload(dlhub.v1.Registry.GetUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetUploadResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUploadMethod(), responseObserver);
    }

    /**
     * <pre>
     * Owner only: one publish job (every publish is one, failed ones included)
     * with its state and log. NOT_FOUND for anyone else.
     * </pre>
     */
    default void getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetPublishJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetPublishJobMethod(), responseObserver);
    }

    /**
     * <pre>
     * The caller's own publish jobs, newest first, without their logs
     * (GetPublishJob shows one job's log). UNAUTHENTICATED without a token.
     * </pre>
     */
    default void listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListPublishJobsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPublishJobsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Owner or co-owner: replace who may see one version (ref.version &gt; 0) or
     * every version (ref.version 0) and add or remove co-owners (servable-wide).
     * The digest, metadata and artifacts do not change; the change is recorded
     * in the audit log. NOT_FOUND for a caller who cannot see the servable,
     * PERMISSION_DENIED for one who can see it but not manage it.
     * </pre>
     */
    default void setAccess(dlhub.v1.Registry.SetAccessRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.SetAccessResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetAccessMethod(), responseObserver);
    }

    /**
     * <pre>
     * Administrators only: the audit log, newest first.
     * </pre>
     */
    default void listAudit(dlhub.v1.Registry.ListAuditRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListAuditResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListAuditMethod(), responseObserver);
    }

    /**
     * <pre>
     * Bind a bus topic to a servable (docs/streams.md): every frame published on
     * `topic` runs through the servable, as the binding's creator, and its
     * result goes to `output_topic`. The caller must be able to run the
     * servable (NOT_FOUND otherwise); UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    default void createBinding(dlhub.v1.Registry.CreateBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateBindingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateBindingMethod(), responseObserver);
    }

    /**
     * <pre>
     * The caller's bindings (administrators: `all` for everyone's).
     * </pre>
     */
    default void listBindings(dlhub.v1.Registry.ListBindingsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListBindingsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListBindingsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Remove one of the caller's bindings (administrators: anyone's). Its
     * stream stops within the runners' poll interval.
     * </pre>
     */
    default void deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeleteBindingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteBindingMethod(), responseObserver);
    }

    /**
     * <pre>
     * Retraining (docs/retraining.md): start a retrain job of a servable whose
     * latest version has a training recipe, or merge into the one running.
     * Owners and co-owners only: PERMISSION_DENIED for others who can see it,
     * NOT_FOUND for those who cannot, UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    default void retrainServable(dlhub.v1.Registry.RetrainServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.RetrainServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRetrainServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * One retrain job (owners and co-owners of its servable; NOT_FOUND otherwise).
     * </pre>
     */
    default void getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetRetrainJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetRetrainJobMethod(), responseObserver);
    }

    /**
     * <pre>
     * A servable's retrain jobs, newest first (owners and co-owners).
     * </pre>
     */
    default void listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListRetrainJobsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListRetrainJobsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service RegistryService.
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public static abstract class RegistryServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return RegistryServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service RegistryService.
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public static final class RegistryServiceStub
      extends io.grpc.stub.AbstractAsyncStub<RegistryServiceStub> {
    private RegistryServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RegistryServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RegistryServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Publish a new servable version. The first message carries the header,
     * the following ones carry artifact bytes in chunks, file after file.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableRequest> publishServable(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.PublishServableResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getPublishServableMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * Describe one servable version (latest when ref.version is 0).
     * </pre>
     */
    public void getServable(dlhub.v1.Registry.GetServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * List servables, newest first, page by page.
     * </pre>
     */
    public void listServables(dlhub.v1.Registry.ListServablesRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListServablesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListServablesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Every version of one servable the caller may see, ascending, with its
     * state and publication date (withdrawn versions included).
     * </pre>
     */
    public void listVersions(dlhub.v1.Registry.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Owner only: mark a version deprecated. It still runs (tasks carry a
     * warning), is hidden from default search and is described as deprecated.
     * </pre>
     */
    public void deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeprecateServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeprecateServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Owner only: withdraw a version. It no longer runs (FAILED_PRECONDITION)
     * and is hidden from search and from latest resolution; its metadata stays
     * describable as a tombstone and its artifacts are kept. Final.
     * </pre>
     */
    public void withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WithdrawServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getWithdrawServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Start a resumable upload of one large artifact (owner only, 24 h).
     * </pre>
     */
    public void createUpload(dlhub.v1.Registry.CreateUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateUploadResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateUploadMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Append bytes to an upload. Every message's offset must equal the bytes
     * received so far (FAILED_PRECONDITION names the expected offset), so a
     * client whose stream broke asks GetUpload and resumes from `received`.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadRequest> writeUpload(
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.WriteUploadResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getWriteUploadMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * How far an upload got.
     * </pre>
     */
    public void getUpload(dlhub.v1.Registry.GetUploadRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetUploadResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUploadMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Owner only: one publish job (every publish is one, failed ones included)
     * with its state and log. NOT_FOUND for anyone else.
     * </pre>
     */
    public void getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetPublishJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetPublishJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The caller's own publish jobs, newest first, without their logs
     * (GetPublishJob shows one job's log). UNAUTHENTICATED without a token.
     * </pre>
     */
    public void listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListPublishJobsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPublishJobsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Owner or co-owner: replace who may see one version (ref.version &gt; 0) or
     * every version (ref.version 0) and add or remove co-owners (servable-wide).
     * The digest, metadata and artifacts do not change; the change is recorded
     * in the audit log. NOT_FOUND for a caller who cannot see the servable,
     * PERMISSION_DENIED for one who can see it but not manage it.
     * </pre>
     */
    public void setAccess(dlhub.v1.Registry.SetAccessRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.SetAccessResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetAccessMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Administrators only: the audit log, newest first.
     * </pre>
     */
    public void listAudit(dlhub.v1.Registry.ListAuditRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListAuditResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListAuditMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Bind a bus topic to a servable (docs/streams.md): every frame published on
     * `topic` runs through the servable, as the binding's creator, and its
     * result goes to `output_topic`. The caller must be able to run the
     * servable (NOT_FOUND otherwise); UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public void createBinding(dlhub.v1.Registry.CreateBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.CreateBindingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateBindingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The caller's bindings (administrators: `all` for everyone's).
     * </pre>
     */
    public void listBindings(dlhub.v1.Registry.ListBindingsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListBindingsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListBindingsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Remove one of the caller's bindings (administrators: anyone's). Its
     * stream stops within the runners' poll interval.
     * </pre>
     */
    public void deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.DeleteBindingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteBindingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Retraining (docs/retraining.md): start a retrain job of a servable whose
     * latest version has a training recipe, or merge into the one running.
     * Owners and co-owners only: PERMISSION_DENIED for others who can see it,
     * NOT_FOUND for those who cannot, UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public void retrainServable(dlhub.v1.Registry.RetrainServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.RetrainServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRetrainServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * One retrain job (owners and co-owners of its servable; NOT_FOUND otherwise).
     * </pre>
     */
    public void getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.GetRetrainJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetRetrainJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A servable's retrain jobs, newest first (owners and co-owners).
     * </pre>
     */
    public void listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Registry.ListRetrainJobsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListRetrainJobsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service RegistryService.
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public static final class RegistryServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<RegistryServiceBlockingV2Stub> {
    private RegistryServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RegistryServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RegistryServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Publish a new servable version. The first message carries the header,
     * the following ones carry artifact bytes in chunks, file after file.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dlhub.v1.Registry.PublishServableRequest, dlhub.v1.Registry.PublishServableResponse>
        publishServable() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getPublishServableMethod(), getCallOptions());
    }

    /**
     * <pre>
     * Describe one servable version (latest when ref.version is 0).
     * </pre>
     */
    public dlhub.v1.Registry.GetServableResponse getServable(dlhub.v1.Registry.GetServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * List servables, newest first, page by page.
     * </pre>
     */
    public dlhub.v1.Registry.ListServablesResponse listServables(dlhub.v1.Registry.ListServablesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListServablesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Every version of one servable the caller may see, ascending, with its
     * state and publication date (withdrawn versions included).
     * </pre>
     */
    public dlhub.v1.Registry.ListVersionsResponse listVersions(dlhub.v1.Registry.ListVersionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: mark a version deprecated. It still runs (tasks carry a
     * warning), is hidden from default search and is described as deprecated.
     * </pre>
     */
    public dlhub.v1.Registry.DeprecateServableResponse deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeprecateServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: withdraw a version. It no longer runs (FAILED_PRECONDITION)
     * and is hidden from search and from latest resolution; its metadata stays
     * describable as a tombstone and its artifacts are kept. Final.
     * </pre>
     */
    public dlhub.v1.Registry.WithdrawServableResponse withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getWithdrawServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Start a resumable upload of one large artifact (owner only, 24 h).
     * </pre>
     */
    public dlhub.v1.Registry.CreateUploadResponse createUpload(dlhub.v1.Registry.CreateUploadRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateUploadMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Append bytes to an upload. Every message's offset must equal the bytes
     * received so far (FAILED_PRECONDITION names the expected offset), so a
     * client whose stream broke asks GetUpload and resumes from `received`.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dlhub.v1.Registry.WriteUploadRequest, dlhub.v1.Registry.WriteUploadResponse>
        writeUpload() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getWriteUploadMethod(), getCallOptions());
    }

    /**
     * <pre>
     * How far an upload got.
     * </pre>
     */
    public dlhub.v1.Registry.GetUploadResponse getUpload(dlhub.v1.Registry.GetUploadRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetUploadMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: one publish job (every publish is one, failed ones included)
     * with its state and log. NOT_FOUND for anyone else.
     * </pre>
     */
    public dlhub.v1.Registry.GetPublishJobResponse getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetPublishJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's own publish jobs, newest first, without their logs
     * (GetPublishJob shows one job's log). UNAUTHENTICATED without a token.
     * </pre>
     */
    public dlhub.v1.Registry.ListPublishJobsResponse listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPublishJobsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner or co-owner: replace who may see one version (ref.version &gt; 0) or
     * every version (ref.version 0) and add or remove co-owners (servable-wide).
     * The digest, metadata and artifacts do not change; the change is recorded
     * in the audit log. NOT_FOUND for a caller who cannot see the servable,
     * PERMISSION_DENIED for one who can see it but not manage it.
     * </pre>
     */
    public dlhub.v1.Registry.SetAccessResponse setAccess(dlhub.v1.Registry.SetAccessRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSetAccessMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Administrators only: the audit log, newest first.
     * </pre>
     */
    public dlhub.v1.Registry.ListAuditResponse listAudit(dlhub.v1.Registry.ListAuditRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListAuditMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Bind a bus topic to a servable (docs/streams.md): every frame published on
     * `topic` runs through the servable, as the binding's creator, and its
     * result goes to `output_topic`. The caller must be able to run the
     * servable (NOT_FOUND otherwise); UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public dlhub.v1.Registry.CreateBindingResponse createBinding(dlhub.v1.Registry.CreateBindingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateBindingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's bindings (administrators: `all` for everyone's).
     * </pre>
     */
    public dlhub.v1.Registry.ListBindingsResponse listBindings(dlhub.v1.Registry.ListBindingsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListBindingsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Remove one of the caller's bindings (administrators: anyone's). Its
     * stream stops within the runners' poll interval.
     * </pre>
     */
    public dlhub.v1.Registry.DeleteBindingResponse deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteBindingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Retraining (docs/retraining.md): start a retrain job of a servable whose
     * latest version has a training recipe, or merge into the one running.
     * Owners and co-owners only: PERMISSION_DENIED for others who can see it,
     * NOT_FOUND for those who cannot, UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public dlhub.v1.Registry.RetrainServableResponse retrainServable(dlhub.v1.Registry.RetrainServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRetrainServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One retrain job (owners and co-owners of its servable; NOT_FOUND otherwise).
     * </pre>
     */
    public dlhub.v1.Registry.GetRetrainJobResponse getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetRetrainJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A servable's retrain jobs, newest first (owners and co-owners).
     * </pre>
     */
    public dlhub.v1.Registry.ListRetrainJobsResponse listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListRetrainJobsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service RegistryService.
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public static final class RegistryServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<RegistryServiceBlockingStub> {
    private RegistryServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RegistryServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RegistryServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Describe one servable version (latest when ref.version is 0).
     * </pre>
     */
    public dlhub.v1.Registry.GetServableResponse getServable(dlhub.v1.Registry.GetServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * List servables, newest first, page by page.
     * </pre>
     */
    public dlhub.v1.Registry.ListServablesResponse listServables(dlhub.v1.Registry.ListServablesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListServablesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Every version of one servable the caller may see, ascending, with its
     * state and publication date (withdrawn versions included).
     * </pre>
     */
    public dlhub.v1.Registry.ListVersionsResponse listVersions(dlhub.v1.Registry.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: mark a version deprecated. It still runs (tasks carry a
     * warning), is hidden from default search and is described as deprecated.
     * </pre>
     */
    public dlhub.v1.Registry.DeprecateServableResponse deprecateServable(dlhub.v1.Registry.DeprecateServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeprecateServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: withdraw a version. It no longer runs (FAILED_PRECONDITION)
     * and is hidden from search and from latest resolution; its metadata stays
     * describable as a tombstone and its artifacts are kept. Final.
     * </pre>
     */
    public dlhub.v1.Registry.WithdrawServableResponse withdrawServable(dlhub.v1.Registry.WithdrawServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getWithdrawServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Start a resumable upload of one large artifact (owner only, 24 h).
     * </pre>
     */
    public dlhub.v1.Registry.CreateUploadResponse createUpload(dlhub.v1.Registry.CreateUploadRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateUploadMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * How far an upload got.
     * </pre>
     */
    public dlhub.v1.Registry.GetUploadResponse getUpload(dlhub.v1.Registry.GetUploadRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUploadMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner only: one publish job (every publish is one, failed ones included)
     * with its state and log. NOT_FOUND for anyone else.
     * </pre>
     */
    public dlhub.v1.Registry.GetPublishJobResponse getPublishJob(dlhub.v1.Registry.GetPublishJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetPublishJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's own publish jobs, newest first, without their logs
     * (GetPublishJob shows one job's log). UNAUTHENTICATED without a token.
     * </pre>
     */
    public dlhub.v1.Registry.ListPublishJobsResponse listPublishJobs(dlhub.v1.Registry.ListPublishJobsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPublishJobsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Owner or co-owner: replace who may see one version (ref.version &gt; 0) or
     * every version (ref.version 0) and add or remove co-owners (servable-wide).
     * The digest, metadata and artifacts do not change; the change is recorded
     * in the audit log. NOT_FOUND for a caller who cannot see the servable,
     * PERMISSION_DENIED for one who can see it but not manage it.
     * </pre>
     */
    public dlhub.v1.Registry.SetAccessResponse setAccess(dlhub.v1.Registry.SetAccessRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetAccessMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Administrators only: the audit log, newest first.
     * </pre>
     */
    public dlhub.v1.Registry.ListAuditResponse listAudit(dlhub.v1.Registry.ListAuditRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListAuditMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Bind a bus topic to a servable (docs/streams.md): every frame published on
     * `topic` runs through the servable, as the binding's creator, and its
     * result goes to `output_topic`. The caller must be able to run the
     * servable (NOT_FOUND otherwise); UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public dlhub.v1.Registry.CreateBindingResponse createBinding(dlhub.v1.Registry.CreateBindingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateBindingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's bindings (administrators: `all` for everyone's).
     * </pre>
     */
    public dlhub.v1.Registry.ListBindingsResponse listBindings(dlhub.v1.Registry.ListBindingsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListBindingsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Remove one of the caller's bindings (administrators: anyone's). Its
     * stream stops within the runners' poll interval.
     * </pre>
     */
    public dlhub.v1.Registry.DeleteBindingResponse deleteBinding(dlhub.v1.Registry.DeleteBindingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteBindingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Retraining (docs/retraining.md): start a retrain job of a servable whose
     * latest version has a training recipe, or merge into the one running.
     * Owners and co-owners only: PERMISSION_DENIED for others who can see it,
     * NOT_FOUND for those who cannot, UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public dlhub.v1.Registry.RetrainServableResponse retrainServable(dlhub.v1.Registry.RetrainServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRetrainServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One retrain job (owners and co-owners of its servable; NOT_FOUND otherwise).
     * </pre>
     */
    public dlhub.v1.Registry.GetRetrainJobResponse getRetrainJob(dlhub.v1.Registry.GetRetrainJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetRetrainJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A servable's retrain jobs, newest first (owners and co-owners).
     * </pre>
     */
    public dlhub.v1.Registry.ListRetrainJobsResponse listRetrainJobs(dlhub.v1.Registry.ListRetrainJobsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListRetrainJobsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service RegistryService.
   * <pre>
   * Internal API of the registry service; the gateway re-exports it.
   * </pre>
   */
  public static final class RegistryServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<RegistryServiceFutureStub> {
    private RegistryServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RegistryServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RegistryServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Describe one servable version (latest when ref.version is 0).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetServableResponse> getServable(
        dlhub.v1.Registry.GetServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetServableMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * List servables, newest first, page by page.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListServablesResponse> listServables(
        dlhub.v1.Registry.ListServablesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListServablesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Every version of one servable the caller may see, ascending, with its
     * state and publication date (withdrawn versions included).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListVersionsResponse> listVersions(
        dlhub.v1.Registry.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Owner only: mark a version deprecated. It still runs (tasks carry a
     * warning), is hidden from default search and is described as deprecated.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.DeprecateServableResponse> deprecateServable(
        dlhub.v1.Registry.DeprecateServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeprecateServableMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Owner only: withdraw a version. It no longer runs (FAILED_PRECONDITION)
     * and is hidden from search and from latest resolution; its metadata stays
     * describable as a tombstone and its artifacts are kept. Final.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.WithdrawServableResponse> withdrawServable(
        dlhub.v1.Registry.WithdrawServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getWithdrawServableMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Start a resumable upload of one large artifact (owner only, 24 h).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.CreateUploadResponse> createUpload(
        dlhub.v1.Registry.CreateUploadRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateUploadMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * How far an upload got.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetUploadResponse> getUpload(
        dlhub.v1.Registry.GetUploadRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUploadMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Owner only: one publish job (every publish is one, failed ones included)
     * with its state and log. NOT_FOUND for anyone else.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetPublishJobResponse> getPublishJob(
        dlhub.v1.Registry.GetPublishJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetPublishJobMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The caller's own publish jobs, newest first, without their logs
     * (GetPublishJob shows one job's log). UNAUTHENTICATED without a token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListPublishJobsResponse> listPublishJobs(
        dlhub.v1.Registry.ListPublishJobsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPublishJobsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Owner or co-owner: replace who may see one version (ref.version &gt; 0) or
     * every version (ref.version 0) and add or remove co-owners (servable-wide).
     * The digest, metadata and artifacts do not change; the change is recorded
     * in the audit log. NOT_FOUND for a caller who cannot see the servable,
     * PERMISSION_DENIED for one who can see it but not manage it.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.SetAccessResponse> setAccess(
        dlhub.v1.Registry.SetAccessRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetAccessMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Administrators only: the audit log, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListAuditResponse> listAudit(
        dlhub.v1.Registry.ListAuditRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListAuditMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Bind a bus topic to a servable (docs/streams.md): every frame published on
     * `topic` runs through the servable, as the binding's creator, and its
     * result goes to `output_topic`. The caller must be able to run the
     * servable (NOT_FOUND otherwise); UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.CreateBindingResponse> createBinding(
        dlhub.v1.Registry.CreateBindingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateBindingMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The caller's bindings (administrators: `all` for everyone's).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListBindingsResponse> listBindings(
        dlhub.v1.Registry.ListBindingsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListBindingsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Remove one of the caller's bindings (administrators: anyone's). Its
     * stream stops within the runners' poll interval.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.DeleteBindingResponse> deleteBinding(
        dlhub.v1.Registry.DeleteBindingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteBindingMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Retraining (docs/retraining.md): start a retrain job of a servable whose
     * latest version has a training recipe, or merge into the one running.
     * Owners and co-owners only: PERMISSION_DENIED for others who can see it,
     * NOT_FOUND for those who cannot, UNAUTHENTICATED for anonymous callers.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.RetrainServableResponse> retrainServable(
        dlhub.v1.Registry.RetrainServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRetrainServableMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * One retrain job (owners and co-owners of its servable; NOT_FOUND otherwise).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.GetRetrainJobResponse> getRetrainJob(
        dlhub.v1.Registry.GetRetrainJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetRetrainJobMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A servable's retrain jobs, newest first (owners and co-owners).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Registry.ListRetrainJobsResponse> listRetrainJobs(
        dlhub.v1.Registry.ListRetrainJobsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListRetrainJobsMethod(), getCallOptions()), request);
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
  private static final int METHODID_RETRAIN_SERVABLE = 14;
  private static final int METHODID_GET_RETRAIN_JOB = 15;
  private static final int METHODID_LIST_RETRAIN_JOBS = 16;
  private static final int METHODID_PUBLISH_SERVABLE = 17;
  private static final int METHODID_WRITE_UPLOAD = 18;

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
        .build();
  }

  private static abstract class RegistryServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    RegistryServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dlhub.v1.Registry.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("RegistryService");
    }
  }

  private static final class RegistryServiceFileDescriptorSupplier
      extends RegistryServiceBaseDescriptorSupplier {
    RegistryServiceFileDescriptorSupplier() {}
  }

  private static final class RegistryServiceMethodDescriptorSupplier
      extends RegistryServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    RegistryServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (RegistryServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new RegistryServiceFileDescriptorSupplier())
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
              .addMethod(getRetrainServableMethod())
              .addMethod(getGetRetrainJobMethod())
              .addMethod(getListRetrainJobsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
