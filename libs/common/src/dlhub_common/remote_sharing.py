"""The registry's access and audit calls over gRPC (distributed mode).

:class:`RemoteRegistry` is :class:`dlhub_common.remote.RemoteRegistry` with
``SetAccess`` and ``ListAudit``; it goes through the same call wrapper, so
the caller's identity travels and errors come back typed exactly as for the
other registry calls.
"""

from __future__ import annotations

from dlhub_common import remote
from dlhub_common._proto.dlhub.v1 import registry_pb2


class RemoteRegistry(remote.RemoteRegistry):
    async def set_access(
        self, request: registry_pb2.SetAccessRequest
    ) -> registry_pb2.SetAccessResponse:
        return await remote._call(self._stub.SetAccess, request, "registry")  # type: ignore[no-any-return]

    async def list_audit(
        self, request: registry_pb2.ListAuditRequest
    ) -> registry_pb2.ListAuditResponse:
        return await remote._call(self._stub.ListAudit, request, "registry")  # type: ignore[no-any-return]
