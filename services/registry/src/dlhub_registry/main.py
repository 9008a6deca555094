"""Assembling the registry service."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import registry_pb2_grpc
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.runtime import Backends
from dlhub_common.training_spec import Trainer
from dlhub_registry.api import RegistryAPI
from dlhub_registry.core import Registry
from dlhub_registry.datacite import DataCiteClient
from dlhub_registry.retrain_sources import s3_settings
from dlhub_registry.servicer import RegistryServicer
from dlhub_registry.uploads import DEFAULT_CHUNK, UploadSessions

SERVICE_NAME = "dlhub.v1.RegistryService"


async def create(backends: Backends, trainer: Trainer | None = None) -> RegistryAPI:
    """The registry's API over its core; ``trainer`` runs retrain jobs
    (``dlhub_executor.training.LocalTrainer``, wired by ``dlhub_server.mesh``)."""
    settings = backends.settings
    scratch = backends.data_dir / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    docs = await backends.documents()
    # Partial uploads live on this replica's disk (see dlhub_registry.uploads).
    uploads = UploadSessions(
        docs,
        backends.data_dir / "uploads",
        max_bytes=settings.max_artifact_bytes,
        # a chunk must fit one gRPC message, with room for the envelope
        chunk_size=min(DEFAULT_CHUNK, settings.max_message_bytes - (64 << 10)),
    )
    core = Registry(
        docs,
        await backends.objects(),
        await backends.bus(),
        max_artifact_bytes=settings.max_artifact_bytes,
        scratch_dir=scratch,
        datacite=DataCiteClient(settings.datacite) if settings.datacite.enabled else None,
        uploads=uploads,
        instance_dead_after_s=settings.registry.instance_dead_after_s,
        leftovers_interval_s=settings.registry.leftovers_interval_s,
        incomplete_grace_s=settings.registry.incomplete_grace_s,
        retrain=settings.retrain,
        retrain_s3=s3_settings(settings),
        trainer=trainer,
    )
    await core.start()
    return RegistryAPI(core)


def register(server: GrpcServer, api: RegistryAPI) -> None:
    server.add(
        registry_pb2_grpc.add_RegistryServiceServicer_to_server, RegistryServicer(api), SERVICE_NAME
    )
