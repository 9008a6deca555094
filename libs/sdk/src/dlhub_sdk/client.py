"""DLHubClient: publish, find, describe and run servables.

The client speaks gRPC to the gateway (``dlhub.v1.DLHubService``). Method
names follow the original DLHub SDK (``publish_servable``, ``search``,
``describe_servable``, ``get_servables``, ``run``, ``get_task_status``,
``get_result``, ``list_servables``, ``describe_methods``, ``search_by_servable``,
``search_by_authors``, ``search_by_related_doi``, ``query``, ``run_serial``,
``get_username``, ``logout``: dlhub_sdk._discover and dlhub_sdk._original), plus
``cancel_task``, the version lifecycle
(``list_versions``, ``deprecate_servable``, ``withdraw_servable``), sharing
(``share``) and the audit log (``audit``); those are in dlhub_sdk._manage.
``run_stream`` (many runs on one stream) is in dlhub_sdk.streams.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import grpc

from dlhub_common._proto.dlhub.v1 import (
    dlhub_pb2,
    dlhub_pb2_grpc,
    registry_pb2,
    tasks_pb2,
    types_pb2,
)
from dlhub_common.errors import FailedPrecondition, InvalidArgument, Unauthenticated
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES, validate_metadata
from dlhub_common.names import Ref, parse_ref
from dlhub_common.pipeline_spec import TENSOR_PIPELINE_RUN, run_type
from dlhub_common.records import summary_from_pb
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.rpc.server import channel_options
from dlhub_common.settings import MiB
from dlhub_common.signature import TensorSpec, tensor_signature
from dlhub_common.tracing import metadata_with_context
from dlhub_common.views import publish_job_fields
from dlhub_sdk._benchmarks import BenchmarksMixin
from dlhub_sdk._bindings import BindingsMixin
from dlhub_sdk._bundles import _extract_bundle as _extract_bundle
from dlhub_sdk._bundles import fetch_bundle
from dlhub_sdk._cite import CiteMixin
from dlhub_sdk._discover import DiscoverMixin
from dlhub_sdk._inputs import _json_default, input_tensors
from dlhub_sdk._manage import ManageMixin, _ref_pb
from dlhub_sdk._original import OriginalNamesMixin
from dlhub_sdk._pipelines import PipelinesMixin, check_before_publish
from dlhub_sdk._retrain import RetrainMixin
from dlhub_sdk._tasks import Outputs as Outputs
from dlhub_sdk._tasks import TaskFuture as TaskFuture
from dlhub_sdk._tasks import _task_error as _task_error
from dlhub_sdk._tasks import task_outputs, task_status
from dlhub_sdk._upload_state import UploadState, entry_key
from dlhub_sdk._uploads import CHUNK as CHUNK
from dlhub_sdk._uploads import RESUMABLE as RESUMABLE
from dlhub_sdk._uploads import UPLOAD_CHUNK as UPLOAD_CHUNK
from dlhub_sdk._uploads import UPLOAD_RETRIES as UPLOAD_RETRIES
from dlhub_sdk._uploads import (
    UPLOAD_THRESHOLD,
    Notice,
    Progress,
    _Meter,
    _sha256,
    publish_requests,
    upload_file,
)
from dlhub_sdk._uploads import _upload_messages as _upload_messages
from dlhub_sdk._usage import UsageMixin
from dlhub_sdk.config import resolve
from dlhub_sdk.streams import StreamMixin


class DLHubClient(
    DiscoverMixin,
    OriginalNamesMixin,
    ManageMixin,
    StreamMixin,
    BindingsMixin,
    RetrainMixin,
    BenchmarksMixin,
    PipelinesMixin,
    CiteMixin,
    UsageMixin,
):
    """A connection to a DLHub gateway.

    Args:
        address: gateway gRPC ``host:port`` (see dlhub_sdk.config for defaults).
        token: bearer token; needed to publish and to see private servables.
        timeout: default seconds for a synchronous run.
        max_message_bytes: gRPC message limit; match the server's.
        http: the gateway's HTTP base URL (bundle downloads); default
            ``DLHUB_HTTP`` or the ``http`` of ``client.json``.
    """

    def __init__(
        self,
        address: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        max_message_bytes: int = 64 * MiB,
        http: str | None = None,
    ) -> None:
        config = resolve(address, token)
        self.address = config.address
        self.address_source = config.address_source  # how the address was found
        self.http = http or config.http
        self._token = config.token
        # where the token came from: "argument", "DLHUB_TOKEN", the saved login or client file
        self.token_source = config.token_source
        self.timeout = timeout
        self._channel = grpc.insecure_channel(
            self.address, options=channel_options(max_message_bytes)
        )
        self._stub = dlhub_pb2_grpc.DLHubServiceStub(self._channel)
        self._signatures: dict[str, tuple[float, list[TensorSpec], str]] = {}

    # ------------------------------------------------------------ plumbing

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> DLHubClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _md(self) -> tuple[tuple[str, str], ...]:
        # the caller's current OpenTelemetry span (if any) is the parent of DLHub's spans
        auth = (("authorization", f"Bearer {self._token}"),) if self._token else ()
        return metadata_with_context(auth)

    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        try:
            return getattr(self._stub, method)(request, metadata=self._md(), timeout=timeout)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None

    def whoami(self) -> dict[str, Any]:
        """The caller as the gateway authenticates this client's token."""
        resp = self._call("WhoAmI", dlhub_pb2.WhoAmIRequest(), timeout=30)
        return {
            "username": resp.username or None,
            "anonymous": resp.anonymous,
            "groups": list(resp.groups),
        }

    # ------------------------------------------------------------ publish

    def publish_servable(
        self,
        model: Any,
        files: Mapping[str, str | Path] | None = None,
        *,
        progress: Progress | None = None,
        upload_threshold: int = UPLOAD_THRESHOLD,
        notice: Notice | None = None,
        resume: bool = True,
        owner: str | None = None,
    ) -> dict[str, Any]:
        """Publish a new version.

        Files larger than ``upload_threshold`` go through resumable upload
        sessions (``CreateUpload`` + ``WriteUpload`` in chunks): a broken
        connection resumes from what the server received (``GetUpload``),
        a few times, before the publish names the uploads. Smaller files are
        streamed within the publish call. Sessions are remembered in a small
        state file (``dlhub_sdk._upload_state``) until the publish succeeds,
        so a later call with the same file resumes the same session.

        Args:
            model: a servable builder (``dlhub_sdk.models``) or a metadata dict.
            files: artifact path -> local file, when ``model`` is a dict.
            progress: called as ``progress(bytes_sent, bytes_total)`` while
                artifacts are sent (may go back after a resumed upload).
            upload_threshold: bytes above which a file uses an upload session.
            notice: called with a line of text when an upload resumes a
                session of an earlier run (default: logged at INFO).
            resume: False: neither resume nor remember sessions.
            owner: publish a new version of this owner's servable, which you
                co-own (sets ``dlhub.owner``; default: your own name).

        Returns:
            The published servable's summary (owner, name, version, digest...).
        """
        if hasattr(model, "to_dict") and hasattr(model, "files"):
            metadata, files = model.to_dict(), model.files()
        else:
            metadata = model
        if owner is not None:
            metadata = {**metadata, "dlhub": {**metadata.get("dlhub", {}), "owner": owner}}
        check_before_publish(metadata)  # fail fast, before uploading anything
        if not self._token:
            # The gateway would refuse it too, but only after the upload began.
            raise Unauthenticated(
                "publishing needs a token: pass token= or set DLHUB_TOKEN"
                " (`dlhub up` writes one to <data dir>/client.json)"
            )
        local = {path: Path(src) for path, src in (files or {}).items()}
        for path, src in local.items():
            if not src.is_file():
                raise InvalidArgument(f"artifact {path!r}: {src} is not a readable file")
        sizes = {p: s.stat().st_size for p, s in local.items()}
        digests = {p: _sha256(s) for p, s in local.items()}
        meter = _Meter(sum(sizes.values()), progress)
        state = UploadState() if resume else None
        keys = {p: entry_key(self.address, p, sizes[p], digests[p]) for p in local}
        refs = [
            registry_pb2.UploadRef(
                path=p,
                upload_id=upload_file(
                    self._stub,
                    self._call,
                    self._md,
                    p,
                    local[p],
                    sizes[p],
                    digests[p],
                    meter,
                    state,
                    keys[p],
                    notice or logging.getLogger("dlhub_sdk").info,
                ),
            )
            for p in local
            if sizes[p] > upload_threshold
        ]
        uploaded = {r.path for r in refs}
        header = registry_pb2.PublishHeader(
            metadata_json=json.dumps(metadata),
            artifacts=[
                registry_pb2.ArtifactInfo(path=p, size=sizes[p], sha256=digests[p]) for p in local
            ],
            uploads=refs,
        )

        # a failed publish raises with details["publish_id"]: see get_publish_status
        resp = self._call("PublishServable", publish_requests(header, local, uploaded, meter))
        if state is not None and uploaded:
            state.forget(*(keys[p] for p in uploaded))  # the server has removed them
        return {**summary_from_pb(resp.servable.summary), "publish_id": resp.publish_id}

    def get_publish_status(self, publish_id: str) -> dict[str, Any]:
        """One of your publish jobs: ``state`` (RUNNING, SUCCEEDED, FAILED), the
        ``servable`` once known, times and the ``log`` (validation steps,
        resolver output, the error of a failed publish).

        Raises:
            NotFound: no such job, or it is not yours.
        """
        job = self._call(
            "GetPublishJob", registry_pb2.GetPublishJobRequest(publish_id=publish_id)
        ).job
        return publish_job_fields(job)

    def list_publish_jobs(
        self,
        *,
        state: str | None = None,
        name: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Your own publish jobs, newest first, failed ones included: ``{"jobs":
        [...], "total": n}``, each job as :meth:`get_publish_status` gives it but
        without its log. ``state``: RUNNING, SUCCEEDED or FAILED; ``name``: only
        publishes of this servable name.

        Raises:
            Unauthenticated: no token.
            InvalidArgument: an unknown state, or ``limit`` outside 1..1000.
        """
        resp = self._call(
            "ListPublishJobs",
            registry_pb2.ListPublishJobsRequest(
                state=state or "", name=name or "", offset=offset, page_size=limit
            ),
        )
        return {"jobs": [publish_job_fields(j) for j in resp.jobs], "total": resp.total}

    def download_bundle(
        self, name: str, dest: str | Path, version: int | str | None = None
    ) -> Path:
        """Download a version's bundle (artifacts, ``dlhub.json``,
        ``environment.lock``) with its generated ``Dockerfile`` and
        ``.dockerignore`` into the directory ``dest``; returns ``dest``.

        The archive comes over HTTP (``GET /api/v1/servables/{owner}/{name}/bundle``)
        and is unpacked as it streams: ``dest/Dockerfile``, ``dest/bundle/...``.
        """
        ref = parse_ref(name, version)
        if not self.http:
            raise FailedPrecondition(
                "bundle downloads go over HTTP: pass http= or set DLHUB_HTTP"
                " (e.g. http://127.0.0.1:8000)"
            )
        query = f"?version={ref.version}" if ref.version else ""
        url = f"{self.http.rstrip('/')}/api/v1/servables/{ref.owner}/{ref.name}/bundle{query}"
        headers = {"authorization": f"Bearer {self._token}"} if self._token else {}
        out = Path(dest)
        out.mkdir(parents=True, exist_ok=True)
        fetch_bundle(url, headers, out, self.timeout)
        return out

    # ------------------------------------------------------------ run

    def _run_info(self, ref: Ref) -> tuple[list[TensorSpec], str]:
        """(input tensor specs, servable type) of a servable, cached for 30 s."""
        key = str(ref)
        cached = self._signatures.get(key)
        if cached and (ref.version or time.monotonic() - cached[0] < 30):
            return cached[1], cached[2]
        meta = self.describe_servable(ref.full_name, ref.version or None)
        metadata = validate_metadata({k: meta[k] for k in ("datacite", "dlhub", "servable")})
        specs = tensor_signature(metadata.run.input)
        kind = run_type(metadata.servable.type, metadata.servable.pipeline)  # pipelines
        self._signatures[key] = (time.monotonic(), specs, kind)
        return specs, kind

    def _signature(self, ref: Ref) -> list[TensorSpec]:
        return self._run_info(ref)[0]

    def _tensors(self, ref: Ref, inputs: Any) -> list[types_pb2.Tensor]:
        return input_tensors(ref, self._signature(ref), inputs)

    def run(
        self,
        name: str,
        inputs: Any,
        parameters: Mapping[str, Any] | None = None,
        asynchronous: bool = False,
        *,
        version: int | str | None = None,
        timeout: float | None = None,
        outputs: Sequence[str] = (),
        outputs_to: str = "",
        labelled: bool = False,
    ) -> Any:
        """Run a servable.

        Args:
            name: ``owner/name`` (optionally ``:version``).
            inputs: ``{input name: array}``, or one array for a one-input servable.
                Lists are converted to the declared dtype. For a python servable:
                one JSON-able value (numpy arrays become lists), sent as is.
                Any input may be a :class:`~dlhub_sdk.Reference` (a URL the
                executor stages; docs/staging.md).
            parameters: the original SDK's run-time parameters (third, as there).
                This DLHub's servables take none: non-empty ones are refused
                (InvalidArgument) rather than ignored.
            asynchronous: return a :class:`TaskFuture` (a
                ``concurrent.futures.Future``) at once.
            timeout: the task's deadline in seconds from acceptance (default
                the client's ``timeout``): a synchronous call waits that long;
                a task without a result by then fails with DEADLINE_EXCEEDED,
                asynchronous or not.
            outputs_to: write the outputs under this ``s3://bucket/prefix``
                (allowed by the server's ``staging.output_prefixes``); their
                URLs come back instead of the data.
            labelled: for a servable that declares ``classes``: one
                ``{class: probability}`` per input row, highest first, instead
                of the arrays (dlhub_common.labels).

        Returns:
            Output arrays by name (tensor servables), the decoded JSON result
            (python servables), output URLs by name (``outputs_to``), or a TaskFuture.

        Warns:
            DeprecationWarning: the version that ran is deprecated (and why).
        """
        ref = parse_ref(name, version)
        if parameters:
            raise InvalidArgument(
                f"run-time parameters are not supported here (got {sorted(parameters)});"
                " a servable's options are part of its inputs",
                details={"parameters": sorted(parameters)},
            )
        wait_s = timeout or self.timeout
        _specs, servable_type = self._run_info(ref)
        tensor = servable_type in (*TENSOR_SERVABLE_TYPES, TENSOR_PIPELINE_RUN)
        request = tasks_pb2.RunServableRequest(
            servable=_ref_pb(ref),
            inputs=self._tensors(ref, inputs) if tensor else [],
            inputs_json="" if tensor else json.dumps(inputs, default=_json_default),
            wait=not asynchronous,
            timeout_s=wait_s,
            outputs=list(outputs),
            outputs_to=outputs_to,
        )
        resp = self._call("RunServable", request, timeout=wait_s + 30)
        for message in resp.task.warnings:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
        if asynchronous:
            return TaskFuture(self, resp.task.task_id)
        result = task_outputs(resp.task, wait_s)
        return self._labelled(ref, result) if labelled else result

    def get_task_status(self, task_id: str) -> dict[str, Any]:
        resp = self._call("GetTask", tasks_pb2.GetTaskRequest(task_id=task_id))
        return task_status(resp.task)

    def cancel_task(self, task_id: str) -> dict[str, Any]:
        """Cancel a queued or running task you submitted; returns its status (CANCELLED).

        Raises:
            FailedPrecondition: the task already finished.
            NotFound: no such task of yours.
        """
        resp = self._call("CancelTask", tasks_pb2.CancelTaskRequest(task_id=task_id))
        return task_status(resp.task)

    def get_result(self, task_id: str, *, wait: bool = True, timeout: float | None = None) -> Any:
        """Outputs of a finished task (waiting up to ``timeout`` when ``wait``):
        arrays by name, or the decoded JSON result of a python servable."""
        wait_s = timeout or self.timeout
        resp = self._call(
            "GetTask",
            tasks_pb2.GetTaskRequest(task_id=task_id, wait=wait, timeout_s=wait_s),
            timeout=wait_s + 30,
        )
        return task_outputs(resp.task, wait_s)
