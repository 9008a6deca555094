"""Signed internal tokens: what an internal port accepts and refuses."""

from __future__ import annotations

import base64
import json
import stat
import threading
from pathlib import Path

import pytest

from dlhub_common.errors import FailedPrecondition, Unauthenticated
from dlhub_common.identity import Principal
from dlhub_common.internal_auth import (
    LEGACY_USER_KEY,
    PRINCIPAL_METADATA_KEY,
    InternalSigner,
    load_secret_file,
)

SECRET = b"unit-test-secret-0123456789"
CAROL = Principal(
    "carol",
    frozenset({"group:physics", "urn:globus:groups:id:0b3d1a44-8f0e-4c5f-9a53-0e5f9d1c2b7a"}),
    frozenset({"urn:globus:auth:identity:5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}),
    frozenset({"admin"}),
)


def test_a_signed_principal_round_trips_whole() -> None:
    signer = InternalSigner(SECRET)
    assert signer.verify(signer.sign(CAROL)) == CAROL
    assert signer.verify(signer.sign(Principal(None))) == Principal(None)


def test_another_secret_cannot_sign_for_the_mesh() -> None:
    forged = InternalSigner(b"some-other-secret-xyz").sign(CAROL)
    with pytest.raises(Unauthenticated, match="bad signature"):
        InternalSigner(SECRET).verify(forged)


def test_a_changed_payload_breaks_the_signature() -> None:
    signer = InternalSigner(SECRET)
    payload, mac = signer.sign(Principal("bob")).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["u"] = "alice"
    body["r"] = ["admin"]
    changed = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthenticated, match="bad signature"):
        signer.verify(f"{changed}.{mac}")


def test_an_expired_token_is_refused() -> None:
    signer = InternalSigner(SECRET, ttl_s=10)
    token = signer.sign(CAROL, now=1000.0)
    assert signer.verify(token, now=1030.0) == CAROL  # within the skew allowance
    with pytest.raises(Unauthenticated, match="expired internal token"):
        signer.verify(token, now=1100.0)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 70000, "....", "e30.e30"])
def test_malformed_tokens_are_unauthenticated(token: str) -> None:
    with pytest.raises(Unauthenticated) as info:
        InternalSigner(SECRET).verify(token)
    assert token[:20] not in info.value.message or token == ""


async def test_an_internal_port_refuses_missing_legacy_and_forged_callers() -> None:
    signer = InternalSigner(SECRET)
    with pytest.raises(Unauthenticated, match="without a x-dlhub-principal token"):
        await signer.authenticate({})
    with pytest.raises(Unauthenticated, match="x-dlhub-user is not trusted"):
        await signer.authenticate({LEGACY_USER_KEY: "alice"})
    with pytest.raises(Unauthenticated, match="x-dlhub-user is not trusted"):
        # a legacy header beside a valid token is still a forgery attempt
        await signer.authenticate(
            {LEGACY_USER_KEY: "alice", PRINCIPAL_METADATA_KEY: signer.sign(Principal("bob"))}
        )
    forged = InternalSigner(b"attacker-secret-0000").sign(Principal("alice"))
    with pytest.raises(Unauthenticated, match="bad signature"):
        await signer.authenticate({PRINCIPAL_METADATA_KEY: forged})
    who = await signer.authenticate({PRINCIPAL_METADATA_KEY: signer.sign(CAROL)})
    assert who == CAROL


def test_the_secret_file_is_created_once_0600_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "internal-secret"
    secrets: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: secrets.append(load_secret_file(path))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(secrets)) == 1
    assert len(secrets[0]) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["internal-secret"]  # no temp files left


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_text("abc\n")
    with pytest.raises(FailedPrecondition, match="shorter than 16 bytes"):
        load_secret_file(path)
    with pytest.raises(FailedPrecondition, match="at least 16 bytes"):
        InternalSigner(b"short")
