"""Optional DOI minting through DataCite, against a local stand-in of its REST API.

The in-process mesh runs with ``datacite`` settings pointing at
:mod:`tests.integration.datacite_standin`, which checks every JSON:API payload
and the basic-auth header, records the calls and can be told to fail.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from dlhub_common.identity import Principal
from dlhub_common.metadata import compute_digest
from dlhub_common.names import Ref
from dlhub_common.records import SERVABLES, record_id
from dlhub_common.settings import DataCiteSettings
from dlhub_registry.core import Registry
from dlhub_registry.datacite import DataCiteClient
from tests.integration.conftest import Mesh, TinyModel, running_mesh
from tests.integration.datacite_standin import FakeDataCite, running_datacite

REPOSITORY = "DLHUB.TEST"
PASSWORD = "Sup3r-s3cret-Pa55w0rd-do-not-log"
PREFIX = "10.12345"
LANDING = "https://dlhub.example.org/servables/{owner}/{name}/v{version}"
SECRETS = (
    PASSWORD,
    base64.b64encode(f"{REPOSITORY}:{PASSWORD}".encode()).decode(),
)


def datacite_settings(fake: FakeDataCite, **overrides: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "api_url": fake.url,
        "repository_id": REPOSITORY,
        "password": PASSWORD,
        "prefix": PREFIX,
        "landing_url": LANDING,
        "timeout_s": 5.0,
        **overrides,
    }


@pytest.fixture
async def fake() -> AsyncIterator[FakeDataCite]:
    async with running_datacite(REPOSITORY, PASSWORD, PREFIX) as f:
        yield f


@pytest.fixture
async def doi_mesh(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, fake: FakeDataCite
) -> AsyncIterator[Mesh]:
    async with running_mesh(tmp_path, tiny, datacite=datacite_settings(fake)) as m:
        yield m


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def stored(mesh: Mesh, name: str, version: int = 1) -> dict[str, Any]:
    docs = await mesh.backends.documents()
    record = await docs.get(SERVABLES, record_id("alice", name, version))
    assert record is not None
    return record


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


async def core_of(mesh: Mesh, *, minting: bool = True) -> Registry:
    """A second registry core on the mesh's backends, to call ``mint_doi`` directly
    (no RPC exposes it yet)."""
    b = mesh.backends
    return Registry(
        await b.documents(),
        await b.objects(),
        await b.bus(),
        max_artifact_bytes=mesh.settings.max_artifact_bytes,
        datacite=DataCiteClient(mesh.settings.datacite) if minting else None,
    )


# ------------------------------------------------------------------ off by default


async def test_minting_is_off_by_default(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, fake: FakeDataCite
) -> None:
    async with running_mesh(tmp_path, tiny) as mesh:
        assert mesh.settings.datacite.enabled is False
        name = unique("nodoi")
        resp = await mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
        assert resp.servable.summary.doi == ""
        assert "identifier" not in json.loads(resp.servable.metadata_json)["datacite"]
        record = await stored(mesh, name)
        assert "doi" not in record
        assert "doi_error" not in record
        # mint_doi says why it cannot help
        core = await core_of(mesh, minting=False)
        with pytest.raises(FailedPrecondition, match="DLHUB_DATACITE__ENABLED"):
            await core.mint_doi(Principal("alice"), Ref("alice", name, 1))
    assert fake.calls == []


# ------------------------------------------------------------------ the happy path


async def test_draft_then_findable(doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel) -> None:
    name = unique("Minted").lower()
    metadata = TinyModel.metadata(name)
    metadata["datacite"]["creators"] = [
        {
            "name": "Tester, Alice",
            "givenName": "Alice",
            "familyName": "Tester",
            "affiliation": ["University of Testing"],
            "nameIdentifiers": [{"nameIdentifier": "https://orcid.org/0000-0002-1825-0097"}],
        }
    ]
    metadata["datacite"]["rightsList"] = [{"rights": "CC-BY-4.0"}]
    metadata["datacite"]["fundingReferences"] = [{"funderName": "NSF", "awardNumber": "42"}]
    metadata["datacite"]["relatedIdentifiers"] = [{"relatedIdentifier": "10.1000/paper"}]
    resp = await doi_mesh.publish(metadata, {"model.onnx": tiny.data})

    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    assert resp.servable.summary.doi == doi
    assert json.loads(resp.servable.metadata_json)["datacite"]["identifier"] == {
        "identifier": doi,
        "identifierType": "DOI",
    }
    assert fake.writes() == [("POST", "/dois"), ("PUT", f"/dois/{doi}")]
    assert fake.problems == []
    assert fake.dois[doi]["state"] == "findable"

    post, put = (c for c in fake.calls if c.method in ("POST", "PUT"))
    for call in (post, put):
        assert call.headers["content-type"] == "application/vnd.api+json"
        assert call.headers["authorization"] == f"Basic {SECRETS[1]}"
        assert call.body is not None
        assert call.body["data"]["type"] == "dois"
    assert "event" not in post.attributes
    assert "id" not in post.body["data"]  # type: ignore[index]
    assert put.attributes["event"] == "publish"
    assert put.body["data"]["id"] == doi  # type: ignore[index]

    a = post.attributes
    assert (a["doi"], a["prefix"]) == (doi, PREFIX)
    assert a["url"] == f"https://dlhub.example.org/servables/alice/{name}/v1"
    assert a["types"] == {"resourceTypeGeneral": "Software", "resourceType": "Model"}
    assert a["titles"] == [{"title": f"Tiny linear model {name}"}]
    assert a["publisher"] == "DLHub"
    assert a["publicationYear"] == datetime.now(UTC).year
    assert a["descriptions"] == [
        {"description": "Y = X @ W + B for integration tests", "descriptionType": "Abstract"}
    ]
    assert a["creators"] == [
        {
            "name": "Tester, Alice",
            "nameType": "Personal",
            "givenName": "Alice",
            "familyName": "Tester",
            "affiliation": [{"name": "University of Testing"}],
            "nameIdentifiers": [
                {
                    "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ],
        }
    ]
    assert a["rightsList"] == [{"rights": "CC-BY-4.0"}]
    assert a["fundingReferences"] == [{"funderName": "NSF", "awardNumber": "42"}]
    assert a["relatedIdentifiers"] == [
        {
            "relatedIdentifier": "10.1000/paper",
            "relatedIdentifierType": "DOI",
            "relationType": "IsDescribedBy",
        }
    ]
    assert a["alternateIdentifiers"] == [
        {"alternateIdentifier": f"dlhub:alice/{name}:1", "alternateIdentifierType": "DLHub"}
    ]
    assert a["subjects"] == [{"subject": "testing"}]
    assert a["version"] == "1"
    assert {k: v for k, v in put.attributes.items() if k != "event"} == a

    # stored on the record, shown by describe (gRPC and HTTP)
    record = await stored(doi_mesh, name)
    assert record["doi"] == doi
    assert record["doi_error"] == ""
    got = await doi_mesh.get(name)
    assert got.servable.summary.doi == doi
    assert json.loads(got.servable.metadata_json)["datacite"]["identifier"]["identifier"] == doi
    http = await doi_mesh.http.get(f"/api/v1/servables/alice/{name}")
    assert http.status_code == 200, http.text
    body = http.json()
    assert body["metadata"]["datacite"]["identifier"] == {
        "identifier": doi,
        "identifierType": "DOI",
    }
    assert body["summary"]["doi"] == doi


async def test_the_doi_reaches_search_through_an_updated_event(
    doi_mesh: Mesh, tiny: TinyModel
) -> None:
    name = unique("searchdoi")
    await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    hits = (await doi_mesh.wait_searchable(name)).hits
    deadline = 50
    while not hits[0].doi and deadline:
        await asyncio.sleep(0.05)
        hits = (await doi_mesh.search(name=[name])).hits
        deadline -= 1
    assert hits[0].doi == f"{PREFIX}/dlhub.alice.{name}.v1"
    assert hits[0].latest


async def test_the_digest_does_not_change_with_the_doi(
    doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel
) -> None:
    name = unique("digest")
    first = await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    second = await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    one, two = first.servable.summary, second.servable.summary
    assert (one.doi, two.doi) == (
        f"{PREFIX}/dlhub.alice.{name}.v1",
        f"{PREFIX}/dlhub.alice.{name}.v2",
    )
    # same bytes and metadata: same digest, whatever DOI each version got
    assert one.digest == two.digest
    metadata = json.loads(first.servable.metadata_json)
    assert metadata["datacite"]["identifier"]["identifier"] == one.doi
    assert metadata["dlhub"]["digest"] == one.digest
    assert compute_digest(metadata, {"model.onnx": tiny.sha256}) == one.digest
    record = await stored(doi_mesh, name)
    assert record["digest"] == one.digest
    # and minting off gives the same digest for the same content
    without = json.loads(first.servable.metadata_json)
    del without["datacite"]["identifier"]
    assert compute_digest(without, {"model.onnx": tiny.sha256}) == one.digest


# ------------------------------------------------------------------ drafts


async def test_publish_false_keeps_the_doi_a_draft(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, fake: FakeDataCite
) -> None:
    settings = datacite_settings(fake, publish=False)
    async with running_mesh(tmp_path, tiny, datacite=settings) as mesh:
        name = unique("draft")
        resp = await mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    assert resp.servable.summary.doi == doi
    assert fake.writes() == [("POST", "/dois")]
    assert fake.dois[doi]["state"] == "draft"
    assert fake.problems == []


# ------------------------------------------------------------------ failures


FAILURES = {
    "server-error-on-draft": ("POST", 500, {"errors": [{"status": "500", "title": "boom"}]}),
    "server-error-on-publish": ("PUT", 503, {"errors": [{"title": "maintenance"}]}),
    "metadata-rejected": (
        "POST",
        422,
        {"errors": [{"source": "creators", "title": "can't be blank"}]},
    ),
    # a hostile or buggy server echoing the secret back must not leak it
    "echoes-the-password": (
        "POST",
        400,
        {"errors": [{"title": f"bad request for {REPOSITORY}:{PASSWORD}"}]},
    ),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
async def test_a_datacite_failure_leaves_the_version_published(
    case: str,
    doi_mesh: Mesh,
    fake: FakeDataCite,
    tiny: TinyModel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    method, status, body = FAILURES[case]
    fake.fail[method] = (status, body)
    name = unique("failing")
    resp = await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})

    # published, immutable and usable; no DOI
    summary = resp.servable.summary
    assert (summary.name, summary.version, summary.doi) == (name, 1, "")
    assert "identifier" not in json.loads(resp.servable.metadata_json)["datacite"]
    await doi_mesh.wait_searchable(name)
    got = await doi_mesh.get(name)
    assert got.servable.summary.doi == ""
    x = np.ones((1, 4), dtype=np.float32)
    task = await doi_mesh.run(name, {"X": x})
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED

    record = await stored(doi_mesh, name)
    assert "doi" not in record
    error = record["doi_error"]
    assert f"HTTP {status}" in error
    assert f"{PREFIX}/dlhub.alice.{name}.v1" in error
    if case == "echoes-the-password":
        assert "***" in error
    assert_no_secret(error, caplog.text, json.dumps(record))
    assert any(
        r.levelno == logging.WARNING and "no DOI for" in r.getMessage() for r in caplog.records
    )
    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    if method == "PUT":  # the draft was made, publishing it failed
        assert fake.dois[doi]["state"] == "draft"
    else:
        assert doi not in fake.dois


async def test_wrong_credentials_name_the_settings_not_the_password(
    tmp_path: Path,
    tiny: TinyModel,
    hermetic_env: None,
    fake: FakeDataCite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-but-st1ll-secret"
    settings = datacite_settings(fake, password=wrong)
    async with running_mesh(tmp_path, tiny, datacite=settings) as mesh:
        name = unique("badauth")
        resp = await mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
        assert resp.servable.summary.doi == ""
        error = (await stored(mesh, name))["doi_error"]
    assert "HTTP 401" in error
    assert "DLHUB_DATACITE__PASSWORD" in error
    for text in (error, caplog.text):
        assert wrong not in text
        assert base64.b64encode(f"{REPOSITORY}:{wrong}".encode()).decode() not in text


async def test_an_unreachable_datacite_leaves_the_version_published(
    tmp_path: Path,
    tiny: TinyModel,
    hermetic_env: None,
    fake: FakeDataCite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # a port nothing listens on (the OS picked it free and it was closed again)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = datacite_settings(fake, api_url=closed)
    async with running_mesh(tmp_path, tiny, datacite=settings) as mesh:
        name = unique("offline")
        resp = await mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
        assert resp.servable.summary.version == 1
        error = (await stored(mesh, name))["doi_error"]
    assert "failed" in error
    assert "ConnectError" in error
    assert_no_secret(error, caplog.text)
    assert fake.calls == []


# ------------------------------------------------------------------ retry: mint_doi


async def test_mint_doi_retries_after_a_failure(
    doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel
) -> None:
    fake.fail["POST"] = (500, {"errors": [{"title": "boom"}]})
    name = unique("retry")
    await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    assert (await stored(doi_mesh, name))["doi_error"]
    await doi_mesh.wait_searchable(name)

    fake.fail.clear()
    fake.calls.clear()
    core = await core_of(doi_mesh)
    with pytest.raises(NotFound):
        await core.mint_doi(Principal("alice"), Ref("alice", name, 7))
    record = await core.mint_doi(Principal("alice"), Ref("alice", name, 0))
    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    assert record["doi"] == doi
    assert fake.writes() == [("POST", "/dois"), ("PUT", f"/dois/{doi}")]
    assert fake.dois[doi]["state"] == "findable"
    again = await stored(doi_mesh, name)
    assert (again["doi"], again["doi_error"]) == (doi, "")
    assert (await doi_mesh.get(name)).servable.summary.doi == doi
    # idempotent: a version with a DOI is returned as it is
    fake.calls.clear()
    assert (await core.mint_doi(Principal("alice"), Ref("alice", name, 1)))["doi"] == doi
    assert fake.calls == []


async def test_mint_doi_is_for_the_owner(doi_mesh: Mesh, tiny: TinyModel) -> None:
    name = unique("owned")
    await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    core = await core_of(doi_mesh)
    with pytest.raises(PermissionDenied):
        await core.mint_doi(Principal("bob"), Ref("alice", name, 1))
    with pytest.raises(Unauthenticated):
        await core.mint_doi(Principal(None), Ref("alice", name, 1))


async def test_a_retry_reuses_the_draft_an_earlier_attempt_left(
    doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel
) -> None:
    fake.fail["PUT"] = (503, {"errors": [{"title": "maintenance"}]})
    name = unique("halfway")
    await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    assert fake.dois[doi]["state"] == "draft"

    fake.fail.clear()
    fake.calls.clear()
    record = await (await core_of(doi_mesh)).mint_doi(Principal("alice"), Ref("alice", name))
    assert record["doi"] == doi
    # POST answers "taken", the draft is read, updated and published
    assert [(c.method, c.path) for c in fake.calls] == [
        ("POST", "/dois"),
        ("GET", f"/dois/{doi}"),
        ("PUT", f"/dois/{doi}"),
        ("PUT", f"/dois/{doi}"),
    ]
    assert fake.dois[doi]["state"] == "findable"
    assert fake.problems == []


async def test_a_registered_doi_is_adopted_when_it_resolves_here_and_never_overwritten(
    doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel
) -> None:
    name = unique("taken")
    doi = f"{PREFIX}/dlhub.alice.{name}.v1"
    # someone else's findable DOI with our name: refused, not rewritten
    fake.dois[doi] = {"doi": doi, "state": "findable", "url": "https://elsewhere.example"}
    await doi_mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
    record = await stored(doi_mesh, name)
    assert "already registered" in record["doi_error"]
    assert fake.dois[doi]["url"] == "https://elsewhere.example"
    assert [c.method for c in fake.calls] == ["POST", "GET"]

    core = await core_of(doi_mesh)
    with pytest.raises(AlreadyExists):
        await core.mint_doi(Principal("alice"), Ref("alice", name, 1))
    # the same DOI resolving to this version (an earlier attempt's lost result): adopted
    fake.dois[doi]["url"] = f"https://dlhub.example.org/servables/alice/{name}/v1"
    fake.calls.clear()
    record = await core.mint_doi(Principal("alice"), Ref("alice", name, 1))
    assert record["doi"] == doi
    assert [c.method for c in fake.calls] == ["POST", "GET"]
    assert fake.dois[doi]["state"] == "findable"


async def test_a_doi_in_the_submitted_metadata_is_kept(
    doi_mesh: Mesh, fake: FakeDataCite, tiny: TinyModel
) -> None:
    name = unique("ownid")
    metadata = TinyModel.metadata(name)
    metadata["datacite"]["identifier"] = {"identifier": "10.5555/mine", "identifierType": "DOI"}
    resp = await doi_mesh.publish(metadata, {"model.onnx": tiny.data})
    assert json.loads(resp.servable.metadata_json)["datacite"]["identifier"] == {
        "identifier": "10.5555/mine",
        "identifierType": "DOI",
    }
    assert fake.calls == []


async def test_unavailable_is_retryable_and_the_error_is_typed(fake: FakeDataCite) -> None:
    client = DataCiteClient(DataCiteSettings.model_validate(datacite_settings(fake)))
    fake.fail["POST"] = (502, {})
    record = {
        "owner": "alice",
        "name": "direct",
        "version": 3,
        "metadata": TinyModel.metadata("direct")
        | {
            "datacite": {
                **TinyModel.metadata("direct")["datacite"],
                "publicationYear": "2025",
            }
        },
    }
    with pytest.raises(Unavailable) as info:
        await client.mint(record)
    assert info.value.retryable
    assert "HTTP 502" in info.value.message
    assert_no_secret(info.value.message, repr(info.value))
