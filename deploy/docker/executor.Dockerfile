# DLHub executor service. Build from the repository root:
#   docker build -f deploy/docker/executor.Dockerfile -t dlhub/executor .
# Installs only what this service needs (plus the distributed adapters).
# EXECUTOR_EXTRAS: exactly one ONNX Runtime build, plus optional runtimes:
#   cpu (default) | cpu,torch | gpu,torch (onnxruntime-gpu and CUDA torch:
#   --build-arg EXECUTOR_EXTRAS=gpu,torch, run with DLHUB_EXECUTOR_OPTIONS__DEVICE=cuda
#   and the GPUs passed to the container, e.g. docker run --gpus all; docs/distributed.md)
FROM python:3.11-slim AS build
ARG EXECUTOR_EXTRAS=cpu
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv venv /opt/dlhub \
 && VIRTUAL_ENV=/opt/dlhub uv pip install --no-cache \
      "./libs/common[distributed]" ./libs/sdk ./libs/server "./services/executor[${EXECUTOR_EXTRAS}]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 dlhub
COPY --from=build /opt/dlhub /opt/dlhub
ENV PATH=/opt/dlhub/bin:$PATH \
    DLHUB_DATA_DIR=/var/lib/dlhub \
    PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/dlhub && chown dlhub /var/lib/dlhub
USER dlhub
EXPOSE 8104
ENTRYPOINT ["dlhub", "serve", "executor"]
