"""Task control against real processes (embedded and distributed): the CLI,
HTTP and SDK refuse to cancel finished and unknown tasks with the right codes.

In distributed mode the cancel travels gateway -> task manager over gRPC
(``RemoteTasks.cancel_task``); cancelling queued and running tasks is covered
in-process (tests/integration/test_task_cancel.py), where a run can be held.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from dlhub_common.errors import FailedPrecondition, NotFound
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

from ._support import USERNAME, CliResult, Digits, Mesh

pytestmark = pytest.mark.e2e

Cli = Callable[..., CliResult]


@pytest.fixture(scope="module")
def sdk(mesh: Mesh) -> Iterator[DLHubClient]:
    with DLHubClient(mesh.address, mesh.token) as client:
        yield client


@pytest.fixture(scope="module")
def published(sdk: DLHubClient, digits: Digits) -> str:
    model = OnnxServable(digits.path, name="digits-control").set_title("digits for task control")
    sdk.publish_servable(model.add_author("Ada Lovelace", "Analytical Engines"))
    return f"{USERNAME}/digits-control"


def test_cancel_of_finished_and_unknown_tasks(
    cli: Cli, sdk: DLHubClient, mesh: Mesh, digits: Digits, published: str
) -> None:
    task_id = sdk.run(published, digits.x_test[:2], asynchronous=True).task_id
    sdk.get_result(task_id, timeout=60)  # finished

    finished = cli("cancel", task_id, check=False)
    assert finished.returncode == 1
    assert json.loads(finished.stderr)["error"]["code"] == "FAILED_PRECONDITION"
    unknown = cli("cancel", "0" * 32, check=False)
    assert unknown.returncode == 1
    assert json.loads(unknown.stderr)["error"]["code"] == "NOT_FOUND"

    with httpx.Client(base_url=mesh.http, timeout=60.0) as http:
        response = http.post(f"/api/v1/tasks/{task_id}/cancel", headers=mesh.auth_headers)
        assert response.status_code == 409
        assert response.json()["details"]["state"] == "SUCCEEDED"
        response = http.post(f"/api/v1/tasks/{'0' * 32}/cancel", headers=mesh.auth_headers)
        assert response.status_code == 404
    with pytest.raises(FailedPrecondition):
        sdk.cancel_task(task_id)
    with pytest.raises(NotFound):
        sdk.cancel_task("0" * 32)
    assert sdk.get_task_status(task_id)["state"] == "SUCCEEDED"
