"""Retraining (docs/retraining.md): part of :class:`dlhub_sdk.client.DLHubClient`."""

from __future__ import annotations

import time
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.errors import DeadlineExceeded
from dlhub_common.names import parse_ref
from dlhub_common.views import retrain_job_fields
from dlhub_sdk._manage import _ref_pb

FINISHED = frozenset({"SUCCEEDED", "REJECTED", "FAILED"})


class RetrainMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def retrain(self, name: str) -> dict[str, Any]:
        """Retrain ``owner/name`` now (you must own or co-own it; its latest
        version must have a training recipe). Returns the job with ``merged``:
        True when a job was already running (this trigger then becomes one more
        job after it)."""
        ref = parse_ref(name)
        resp = self._call(
            "RetrainServable",
            registry_pb2.RetrainServableRequest(servable=_ref_pb(ref)),
        )
        return {**retrain_job_fields(resp.job), "merged": resp.merged}

    def get_retrain_job(self, job_id: str) -> dict[str, Any]:
        """One retrain job: state (RUNNING, SUCCEEDED, REJECTED, FAILED), the
        staged data, both scores, the published version, the error and the
        training traceback, the log.

        Raises:
            NotFound: no such job, or you neither own nor co-own its servable.
        """
        resp = self._call("GetRetrainJob", registry_pb2.GetRetrainJobRequest(job_id=job_id))
        return retrain_job_fields(resp.job)

    def list_retrain_jobs(self, name: str, limit: int = 50) -> list[dict[str, Any]]:
        """The retrain jobs of ``owner/name``, newest first."""
        resp = self._call(
            "ListRetrainJobs",
            registry_pb2.ListRetrainJobsRequest(servable=_ref_pb(parse_ref(name)), page_size=limit),
        )
        return [retrain_job_fields(j) for j in resp.jobs]

    def wait_retrain_job(
        self, job_id: str, timeout_s: float = 600.0, poll_s: float = 0.5
    ) -> dict[str, Any]:
        """Poll a job until it ends; returns it.

        Raises:
            DeadlineExceeded: it still runs after ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            job = self.get_retrain_job(job_id)
            if job["state"] in FINISHED:
                return job
            if time.monotonic() > deadline:
                raise DeadlineExceeded(f"retrain job {job_id} still runs after {timeout_s:g} s")
            time.sleep(poll_s)
