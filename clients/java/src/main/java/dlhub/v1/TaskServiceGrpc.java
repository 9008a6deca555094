package dlhub.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Internal API of the task manager; the gateway re-exports it.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class TaskServiceGrpc {

  private TaskServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "dlhub.v1.TaskService";

  // Static method descriptors that strictly reflect the proto.
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
    if ((getRunServableMethod = TaskServiceGrpc.getRunServableMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getRunServableMethod = TaskServiceGrpc.getRunServableMethod) == null) {
          TaskServiceGrpc.getRunServableMethod = getRunServableMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.RunServableRequest, dlhub.v1.Tasks.RunServableResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RunServable"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.RunServableRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.RunServableResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("RunServable"))
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
    if ((getGetTaskMethod = TaskServiceGrpc.getGetTaskMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getGetTaskMethod = TaskServiceGrpc.getGetTaskMethod) == null) {
          TaskServiceGrpc.getGetTaskMethod = getGetTaskMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetTaskRequest, dlhub.v1.Tasks.GetTaskResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetTask"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetTaskRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetTaskResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("GetTask"))
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
    if ((getCancelTaskMethod = TaskServiceGrpc.getCancelTaskMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getCancelTaskMethod = TaskServiceGrpc.getCancelTaskMethod) == null) {
          TaskServiceGrpc.getCancelTaskMethod = getCancelTaskMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.CancelTaskRequest, dlhub.v1.Tasks.CancelTaskResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CancelTask"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.CancelTaskRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.CancelTaskResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("CancelTask"))
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
    if ((getGetStatisticsMethod = TaskServiceGrpc.getGetStatisticsMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getGetStatisticsMethod = TaskServiceGrpc.getGetStatisticsMethod) == null) {
          TaskServiceGrpc.getGetStatisticsMethod = getGetStatisticsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetStatisticsRequest, dlhub.v1.Tasks.GetStatisticsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetStatistics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetStatisticsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetStatisticsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("GetStatistics"))
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
    if ((getScoreBenchmarkMethod = TaskServiceGrpc.getScoreBenchmarkMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getScoreBenchmarkMethod = TaskServiceGrpc.getScoreBenchmarkMethod) == null) {
          TaskServiceGrpc.getScoreBenchmarkMethod = getScoreBenchmarkMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Benchmarks.ScoreBenchmarkRequest, dlhub.v1.Benchmarks.ScoreBenchmarkResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ScoreBenchmark"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.ScoreBenchmarkRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.ScoreBenchmarkResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("ScoreBenchmark"))
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
    if ((getGetLeaderboardMethod = TaskServiceGrpc.getGetLeaderboardMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getGetLeaderboardMethod = TaskServiceGrpc.getGetLeaderboardMethod) == null) {
          TaskServiceGrpc.getGetLeaderboardMethod = getGetLeaderboardMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Benchmarks.GetLeaderboardRequest, dlhub.v1.Benchmarks.GetLeaderboardResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetLeaderboard"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.GetLeaderboardRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Benchmarks.GetLeaderboardResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("GetLeaderboard"))
              .build();
        }
      }
    }
    return getGetLeaderboardMethod;
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
    if ((getGetServableStatsMethod = TaskServiceGrpc.getGetServableStatsMethod) == null) {
      synchronized (TaskServiceGrpc.class) {
        if ((getGetServableStatsMethod = TaskServiceGrpc.getGetServableStatsMethod) == null) {
          TaskServiceGrpc.getGetServableStatsMethod = getGetServableStatsMethod =
              io.grpc.MethodDescriptor.<dlhub.v1.Tasks.GetServableStatsRequest, dlhub.v1.Tasks.GetServableStatsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetServableStats"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetServableStatsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dlhub.v1.Tasks.GetServableStatsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new TaskServiceMethodDescriptorSupplier("GetServableStats"))
              .build();
        }
      }
    }
    return getGetServableStatsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static TaskServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<TaskServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<TaskServiceStub>() {
        @java.lang.Override
        public TaskServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new TaskServiceStub(channel, callOptions);
        }
      };
    return TaskServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static TaskServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<TaskServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<TaskServiceBlockingV2Stub>() {
        @java.lang.Override
        public TaskServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new TaskServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return TaskServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static TaskServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<TaskServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<TaskServiceBlockingStub>() {
        @java.lang.Override
        public TaskServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new TaskServiceBlockingStub(channel, callOptions);
        }
      };
    return TaskServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static TaskServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<TaskServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<TaskServiceFutureStub>() {
        @java.lang.Override
        public TaskServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new TaskServiceFutureStub(channel, callOptions);
        }
      };
    return TaskServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Submit a run. timeout_s is the task's deadline: with wait=true the call
     * returns when the task ends or the timeout passes (the task then fails
     * with DEADLINE_EXCEEDED); an asynchronous task fails the same way when it
     * has no result by then. Full queues: RESOURCE_EXHAUSTED (code OVERLOADED,
     * trailing metadata retry-after).
     * </pre>
     */
    default void runServable(dlhub.v1.Tasks.RunServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.RunServableResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRunServableMethod(), responseObserver);
    }

    /**
     * <pre>
     * Status, and result when done, of one task.
     * </pre>
     */
    default void getTask(dlhub.v1.Tasks.GetTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetTaskResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetTaskMethod(), responseObserver);
    }

    /**
     * <pre>
     * Cancel a task: a queued one never runs, a running one has its result
     * discarded. FAILED_PRECONDITION for a finished task, NOT_FOUND for an
     * unknown one.
     * </pre>
     */
    default void cancelTask(dlhub.v1.Tasks.CancelTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.CancelTaskResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCancelTaskMethod(), responseObserver);
    }

    /**
     * <pre>
     * Inference counts and durations per servable version (OIP statistics).
     * </pre>
     */
    default void getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetStatisticsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetStatisticsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Benchmarks (benchmarks.proto): score one servable, or every visible one
     * whose signature fits, on a benchmark; a digest pair is scored once.
     * Synchronous, bounded by timeout_s.
     * </pre>
     */
    default void scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getScoreBenchmarkMethod(), responseObserver);
    }

    /**
     * <pre>
     * A benchmark's ranked scores, only for servables the caller may see.
     * </pre>
     */
    default void getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.GetLeaderboardResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetLeaderboardMethod(), responseObserver);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable per version and UTC day
     * (docs/observability.md, "Usage statistics"): totals for every caller who
     * may see it, per-day detail for its owner, co-owners and admins only.
     * NOT_FOUND as describe; INVALID_ARGUMENT for a bad since or version.
     * </pre>
     */
    default void getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetServableStatsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetServableStatsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service TaskService.
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public static abstract class TaskServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return TaskServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service TaskService.
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public static final class TaskServiceStub
      extends io.grpc.stub.AbstractAsyncStub<TaskServiceStub> {
    private TaskServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected TaskServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new TaskServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Submit a run. timeout_s is the task's deadline: with wait=true the call
     * returns when the task ends or the timeout passes (the task then fails
     * with DEADLINE_EXCEEDED); an asynchronous task fails the same way when it
     * has no result by then. Full queues: RESOURCE_EXHAUSTED (code OVERLOADED,
     * trailing metadata retry-after).
     * </pre>
     */
    public void runServable(dlhub.v1.Tasks.RunServableRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.RunServableResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRunServableMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Status, and result when done, of one task.
     * </pre>
     */
    public void getTask(dlhub.v1.Tasks.GetTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetTaskResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetTaskMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Cancel a task: a queued one never runs, a running one has its result
     * discarded. FAILED_PRECONDITION for a finished task, NOT_FOUND for an
     * unknown one.
     * </pre>
     */
    public void cancelTask(dlhub.v1.Tasks.CancelTaskRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.CancelTaskResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCancelTaskMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Inference counts and durations per servable version (OIP statistics).
     * </pre>
     */
    public void getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetStatisticsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetStatisticsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Benchmarks (benchmarks.proto): score one servable, or every visible one
     * whose signature fits, on a benchmark; a digest pair is scored once.
     * Synchronous, bounded by timeout_s.
     * </pre>
     */
    public void scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getScoreBenchmarkMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A benchmark's ranked scores, only for servables the caller may see.
     * </pre>
     */
    public void getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Benchmarks.GetLeaderboardResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetLeaderboardMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable per version and UTC day
     * (docs/observability.md, "Usage statistics"): totals for every caller who
     * may see it, per-day detail for its owner, co-owners and admins only.
     * NOT_FOUND as describe; INVALID_ARGUMENT for a bad since or version.
     * </pre>
     */
    public void getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request,
        io.grpc.stub.StreamObserver<dlhub.v1.Tasks.GetServableStatsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetServableStatsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service TaskService.
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public static final class TaskServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<TaskServiceBlockingV2Stub> {
    private TaskServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected TaskServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new TaskServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Submit a run. timeout_s is the task's deadline: with wait=true the call
     * returns when the task ends or the timeout passes (the task then fails
     * with DEADLINE_EXCEEDED); an asynchronous task fails the same way when it
     * has no result by then. Full queues: RESOURCE_EXHAUSTED (code OVERLOADED,
     * trailing metadata retry-after).
     * </pre>
     */
    public dlhub.v1.Tasks.RunServableResponse runServable(dlhub.v1.Tasks.RunServableRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRunServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Status, and result when done, of one task.
     * </pre>
     */
    public dlhub.v1.Tasks.GetTaskResponse getTask(dlhub.v1.Tasks.GetTaskRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetTaskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancel a task: a queued one never runs, a running one has its result
     * discarded. FAILED_PRECONDITION for a finished task, NOT_FOUND for an
     * unknown one.
     * </pre>
     */
    public dlhub.v1.Tasks.CancelTaskResponse cancelTask(dlhub.v1.Tasks.CancelTaskRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCancelTaskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Inference counts and durations per servable version (OIP statistics).
     * </pre>
     */
    public dlhub.v1.Tasks.GetStatisticsResponse getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetStatisticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Benchmarks (benchmarks.proto): score one servable, or every visible one
     * whose signature fits, on a benchmark; a digest pair is scored once.
     * Synchronous, bounded by timeout_s.
     * </pre>
     */
    public dlhub.v1.Benchmarks.ScoreBenchmarkResponse scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getScoreBenchmarkMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A benchmark's ranked scores, only for servables the caller may see.
     * </pre>
     */
    public dlhub.v1.Benchmarks.GetLeaderboardResponse getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetLeaderboardMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable per version and UTC day
     * (docs/observability.md, "Usage statistics"): totals for every caller who
     * may see it, per-day detail for its owner, co-owners and admins only.
     * NOT_FOUND as describe; INVALID_ARGUMENT for a bad since or version.
     * </pre>
     */
    public dlhub.v1.Tasks.GetServableStatsResponse getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetServableStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service TaskService.
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public static final class TaskServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<TaskServiceBlockingStub> {
    private TaskServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected TaskServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new TaskServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Submit a run. timeout_s is the task's deadline: with wait=true the call
     * returns when the task ends or the timeout passes (the task then fails
     * with DEADLINE_EXCEEDED); an asynchronous task fails the same way when it
     * has no result by then. Full queues: RESOURCE_EXHAUSTED (code OVERLOADED,
     * trailing metadata retry-after).
     * </pre>
     */
    public dlhub.v1.Tasks.RunServableResponse runServable(dlhub.v1.Tasks.RunServableRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRunServableMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Status, and result when done, of one task.
     * </pre>
     */
    public dlhub.v1.Tasks.GetTaskResponse getTask(dlhub.v1.Tasks.GetTaskRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetTaskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancel a task: a queued one never runs, a running one has its result
     * discarded. FAILED_PRECONDITION for a finished task, NOT_FOUND for an
     * unknown one.
     * </pre>
     */
    public dlhub.v1.Tasks.CancelTaskResponse cancelTask(dlhub.v1.Tasks.CancelTaskRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCancelTaskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Inference counts and durations per servable version (OIP statistics).
     * </pre>
     */
    public dlhub.v1.Tasks.GetStatisticsResponse getStatistics(dlhub.v1.Tasks.GetStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetStatisticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Benchmarks (benchmarks.proto): score one servable, or every visible one
     * whose signature fits, on a benchmark; a digest pair is scored once.
     * Synchronous, bounded by timeout_s.
     * </pre>
     */
    public dlhub.v1.Benchmarks.ScoreBenchmarkResponse scoreBenchmark(dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getScoreBenchmarkMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A benchmark's ranked scores, only for servables the caller may see.
     * </pre>
     */
    public dlhub.v1.Benchmarks.GetLeaderboardResponse getLeaderboard(dlhub.v1.Benchmarks.GetLeaderboardRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetLeaderboardMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable per version and UTC day
     * (docs/observability.md, "Usage statistics"): totals for every caller who
     * may see it, per-day detail for its owner, co-owners and admins only.
     * NOT_FOUND as describe; INVALID_ARGUMENT for a bad since or version.
     * </pre>
     */
    public dlhub.v1.Tasks.GetServableStatsResponse getServableStats(dlhub.v1.Tasks.GetServableStatsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetServableStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service TaskService.
   * <pre>
   * Internal API of the task manager; the gateway re-exports it.
   * </pre>
   */
  public static final class TaskServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<TaskServiceFutureStub> {
    private TaskServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected TaskServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new TaskServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Submit a run. timeout_s is the task's deadline: with wait=true the call
     * returns when the task ends or the timeout passes (the task then fails
     * with DEADLINE_EXCEEDED); an asynchronous task fails the same way when it
     * has no result by then. Full queues: RESOURCE_EXHAUSTED (code OVERLOADED,
     * trailing metadata retry-after).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.RunServableResponse> runServable(
        dlhub.v1.Tasks.RunServableRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRunServableMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Status, and result when done, of one task.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetTaskResponse> getTask(
        dlhub.v1.Tasks.GetTaskRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetTaskMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Cancel a task: a queued one never runs, a running one has its result
     * discarded. FAILED_PRECONDITION for a finished task, NOT_FOUND for an
     * unknown one.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.CancelTaskResponse> cancelTask(
        dlhub.v1.Tasks.CancelTaskRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCancelTaskMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Inference counts and durations per servable version (OIP statistics).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetStatisticsResponse> getStatistics(
        dlhub.v1.Tasks.GetStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetStatisticsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Benchmarks (benchmarks.proto): score one servable, or every visible one
     * whose signature fits, on a benchmark; a digest pair is scored once.
     * Synchronous, bounded by timeout_s.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Benchmarks.ScoreBenchmarkResponse> scoreBenchmark(
        dlhub.v1.Benchmarks.ScoreBenchmarkRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getScoreBenchmarkMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A benchmark's ranked scores, only for servables the caller may see.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Benchmarks.GetLeaderboardResponse> getLeaderboard(
        dlhub.v1.Benchmarks.GetLeaderboardRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetLeaderboardMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Durable usage statistics of one servable per version and UTC day
     * (docs/observability.md, "Usage statistics"): totals for every caller who
     * may see it, per-day detail for its owner, co-owners and admins only.
     * NOT_FOUND as describe; INVALID_ARGUMENT for a bad since or version.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dlhub.v1.Tasks.GetServableStatsResponse> getServableStats(
        dlhub.v1.Tasks.GetServableStatsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetServableStatsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_RUN_SERVABLE = 0;
  private static final int METHODID_GET_TASK = 1;
  private static final int METHODID_CANCEL_TASK = 2;
  private static final int METHODID_GET_STATISTICS = 3;
  private static final int METHODID_SCORE_BENCHMARK = 4;
  private static final int METHODID_GET_LEADERBOARD = 5;
  private static final int METHODID_GET_SERVABLE_STATS = 6;

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
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
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
          getGetServableStatsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dlhub.v1.Tasks.GetServableStatsRequest,
              dlhub.v1.Tasks.GetServableStatsResponse>(
                service, METHODID_GET_SERVABLE_STATS)))
        .build();
  }

  private static abstract class TaskServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    TaskServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dlhub.v1.Tasks.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("TaskService");
    }
  }

  private static final class TaskServiceFileDescriptorSupplier
      extends TaskServiceBaseDescriptorSupplier {
    TaskServiceFileDescriptorSupplier() {}
  }

  private static final class TaskServiceMethodDescriptorSupplier
      extends TaskServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    TaskServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (TaskServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new TaskServiceFileDescriptorSupplier())
              .addMethod(getRunServableMethod())
              .addMethod(getGetTaskMethod())
              .addMethod(getCancelTaskMethod())
              .addMethod(getGetStatisticsMethod())
              .addMethod(getScoreBenchmarkMethod())
              .addMethod(getGetLeaderboardMethod())
              .addMethod(getGetServableStatsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
