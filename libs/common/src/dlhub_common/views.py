"""Plain-dict views of task, publish-job, access-change and audit messages,
shared by the gateway's HTTP API and the SDK so both describe them the same way."""

from __future__ import annotations

import json
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2
from dlhub_common.records import summary_from_pb

TASK_STATES: dict[int, str] = {
    tasks_pb2.TASK_STATE_QUEUED: "QUEUED",
    tasks_pb2.TASK_STATE_RUNNING: "RUNNING",
    tasks_pb2.TASK_STATE_SUCCEEDED: "SUCCEEDED",
    tasks_pb2.TASK_STATE_FAILED: "FAILED",
    tasks_pb2.TASK_STATE_CANCELLED: "CANCELLED",
}
# States a task never leaves.
FINISHED_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


def task_state(task: tasks_pb2.Task) -> str:
    return TASK_STATES.get(task.state, "UNKNOWN")


def task_fields(task: tasks_pb2.Task) -> dict[str, Any]:
    """Id, state, times, warnings, timings and error of a task (no servable, no outputs)."""
    out: dict[str, Any] = {
        "task_id": task.task_id,
        "state": task_state(task),
        "created_at": task.created_at,
        "completed_at": task.completed_at or None,
        # e.g. that the servable version is deprecated, and why
        "warnings": list(task.warnings),
    }
    if task.HasField("timings"):
        out["timings"] = {
            "queue_ms": task.timings.queue_ms,
            "compute_ms": task.timings.compute_ms,
            "total_ms": task.timings.total_ms,
            # where the model ran ("cpu", "cuda:0"); None when not known
            "device": task.timings.device or None,
            # inputs by reference: staging time and staging-cache hits (docs/staging.md)
            "staging_ms": task.timings.staging_ms,
            "staging_cache_hits": task.timings.staging_cache_hits,
        }
    if task.HasField("error"):
        out["error"] = {
            "code": task.error.code,
            "message": task.error.message,
            "details": json.loads(task.error.details_json or "{}"),
        }
    if task.steps:  # a pipeline task (docs/pipelines.md)
        out["steps"] = [pipeline_step_fields(s) for s in task.steps]
    return out


def pipeline_step_fields(step: tasks_pb2.PipelineStep) -> dict[str, Any]:
    """One step of a pipeline task: its servable, state, own task, times and error."""
    out: dict[str, Any] = {
        "name": step.name,
        "servable": f"{step.servable.owner}/{step.servable.name}:{step.servable.version}",
        "state": TASK_STATES.get(step.state, "UNKNOWN"),
        "task_id": step.task_id or None,
        "started_at": step.started_at or None,
        "completed_at": step.completed_at or None,
    }
    if step.HasField("timings"):
        out["timings"] = {
            "total_ms": step.timings.total_ms,
            "compute_ms": step.timings.compute_ms,
            "cache_hit": step.timings.cache_hit,
        }
    if step.HasField("error"):
        out["error"] = {"code": step.error.code, "message": step.error.message}
    return out


def publish_job_fields(job: registry_pb2.PublishJob) -> dict[str, Any]:
    """A publish job: state, servable once known, times, log and error code."""
    ref = job.servable if job.HasField("servable") else None
    return {
        "id": job.id,
        "owner": job.owner,
        "state": job.state,
        "servable": (
            {"owner": ref.owner, "name": ref.name, "version": ref.version} if ref else None
        ),
        "started_at": job.started_at,
        "finished_at": job.finished_at or None,
        "log": list(job.log),
        "error_code": job.error_code or None,
    }


def access_change_fields(resp: registry_pb2.SetAccessResponse) -> dict[str, Any]:
    """An access change: the versions as they are now, per version ``visible_to``
    and ``co_owners`` before and after, and the audit entry's id."""
    return {
        "servables": [summary_from_pb(s) for s in resp.servables],
        "changes": [
            {
                "version": c.version,
                "visible_to": {
                    "before": list(c.visible_to_before),
                    "after": list(c.visible_to_after),
                },
                "co_owners": {"before": list(c.co_owners_before), "after": list(c.co_owners_after)},
            }
            for c in resp.changes
        ],
        "audit_id": resp.audit_id,
    }


def audit_entry_fields(entry: registry_pb2.AuditEntry) -> dict[str, Any]:
    """One audit entry with its details decoded."""
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": json.loads(entry.details_json or "{}"),
    }


def binding_fields(pb: registry_pb2.StreamBinding) -> dict[str, Any]:
    """A stream binding as JSON (HTTP answers, the SDK, ``dlhub stream list --json``)."""
    ref = pb.servable
    return {
        "id": pb.id,
        "topic": pb.topic,
        "servable": f"{ref.owner}/{ref.name}" + (f":{ref.version}" if ref.version else ""),
        "output_topic": pb.output_topic,
        "dead_letter_topic": pb.dead_letter_topic,
        "key_field": pb.key_field,
        "input": pb.input,
        "max_in_flight": pb.max_in_flight,
        "creator": pb.creator,
        "created_at": pb.created_at,
    }


def retrain_job_fields(job: registry_pb2.RetrainJob) -> dict[str, Any]:
    """A retrain job (docs/retraining.md): state, data, scores, result, log."""
    return {
        "id": job.id,
        "servable": {"owner": job.owner, "name": job.name, "version": job.base_version},
        "trigger": job.trigger,
        "state": job.state,
        "started_at": job.started_at,
        "finished_at": job.finished_at or None,
        "data": {"digest": job.data_digest or None, "objects": list(job.data_objects)},
        "score": (
            {
                "metric": job.metric,
                "candidate": job.score,
                "previous": job.previous_score,
                "reason": job.reason,
            }
            if job.has_score
            else None
        ),
        "candidate": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in job.candidate],
        "version": job.version or None,
        "publish_id": job.publish_id or None,
        "error_code": job.error_code or None,
        "error": job.error or None,
        "traceback": job.traceback or None,
        "log": list(job.log),
    }
