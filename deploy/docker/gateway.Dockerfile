# DLHub gateway service. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t dlhub/gateway .
# Installs only what this service needs (plus the distributed adapters).
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv venv /opt/dlhub \
 && VIRTUAL_ENV=/opt/dlhub uv pip install --no-cache \
      "./libs/common[distributed]" ./libs/sdk ./libs/server ./services/gateway

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 dlhub
COPY --from=build /opt/dlhub /opt/dlhub
ENV PATH=/opt/dlhub/bin:$PATH \
    DLHUB_DATA_DIR=/var/lib/dlhub \
    PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/dlhub && chown dlhub /var/lib/dlhub
USER dlhub
EXPOSE 8000 8001
ENTRYPOINT ["dlhub", "serve", "gateway"]
