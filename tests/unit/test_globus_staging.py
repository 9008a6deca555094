"""globus:// references: the Transfer look-up of a collection's HTTPS server, against
globus_sdk's canned responses (globus_sdk.testing + responses), in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from globus_sdk.testing import get_last_request, load_response_set

from dlhub_common.errors import FailedPrecondition, PermissionDenied, Unauthenticated
from dlhub_common.references import parse
from dlhub_executor.staging.fetch_globus import https_url

TOKEN = "globus-caller-token-123"
TRANSFER = "https://transfer.api.globus.org/v0.10/endpoint/"


@pytest.fixture(autouse=True)
def canned() -> Iterator[None]:
    responses.start()
    yield
    responses.stop()
    responses.reset()


def _ref(collection: str, path: str = "/data/frame 1.npy") -> object:
    return parse(f"globus://{collection}{path.replace(' ', '%20')}")


async def test_the_collection_https_server_and_the_callers_token() -> None:
    canned = load_response_set("transfer.get_endpoint").lookup("default")
    collection = canned.metadata["endpoint_id"]
    doc = {**canned.json, "https_server": "https://g-12ab.data.globus.org"}
    responses.replace(responses.GET, TRANSFER + collection, json=doc)
    target = await https_url(_ref(collection), TOKEN, 5.0)  # type: ignore[arg-type]
    assert target.url == "https://g-12ab.data.globus.org/data/frame%201.npy"
    assert get_last_request().headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_collection_without_https_access_is_named() -> None:
    canned = load_response_set("transfer.get_endpoint").lookup("default")  # a GCSv4 host
    collection = canned.metadata["endpoint_id"]
    with pytest.raises(FailedPrecondition, match="offers no HTTPS access"):
        await https_url(_ref(collection), TOKEN, 5.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "error", "problem"),
    [
        (404, FailedPrecondition, "no such Globus collection"),
        (403, PermissionDenied, "refused access"),
        (401, PermissionDenied, "refused access"),
    ],
)
async def test_transfer_refusals(status: int, error: type[Exception], problem: str) -> None:
    collection = "1b1e9a4c-55c5-4b4a-9b38-5a9d0d1f0e11"
    responses.add(
        responses.GET,
        TRANSFER + collection,
        status=status,
        json={"code": "X", "message": "no", "request_id": "r"},
    )
    with pytest.raises(error, match=problem) as info:
        await https_url(_ref(collection), TOKEN, 5.0)  # type: ignore[arg-type]
    assert TOKEN not in str(info.value)


async def test_no_token_no_call() -> None:
    with pytest.raises(Unauthenticated, match="needs your Globus token"):
        await https_url(_ref("1b1e9a4c-55c5-4b4a-9b38-5a9d0d1f0e11"), "", 5.0)  # type: ignore[arg-type]
    assert not responses.calls
