"""References: the wire form (parse, redact, normal form) and which ones a server fetches."""

from __future__ import annotations

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import IOSpec
from dlhub_common.references import needs_token, normalize_json, parse, redact
from dlhub_common.staging_settings import StagingSettings
from dlhub_common.url_policy import UrlPolicy

COLLECTION = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


def policy(**settings: object) -> UrlPolicy:
    return UrlPolicy(StagingSettings(**settings))  # type: ignore[arg-type]


def test_redact_drops_credentials_and_query() -> None:
    shown = redact("https://ada:hunter2@data.example.org:8443/a/b.npy?X-Amz-Signature=s3cr3t#x")
    assert shown == "https://data.example.org:8443/a/b.npy?..."
    assert "hunter2" not in shown
    assert "s3cr3t" not in shown
    assert "ada" not in shown


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("ftp://example.org/x", "scheme 'ftp' is not allowed"),
        ("no-scheme", "is not allowed"),
        ("s3://bucket", "names no key"),
        ("globus://not-a-uuid/x", "collection's UUID"),
        (f"globus://{COLLECTION}", "names no path"),
        ("https:///path", "names no host"),
    ],
)
def test_malformed_references_are_named(url: str, problem: str) -> None:
    with pytest.raises(InvalidArgument, match=problem):
        parse(url)


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://127.0.0.1:9/x", "loopback"),
        ("http://[::1]:9/x", "loopback"),
        ("http://10.1.2.3/x", "private"),
        ("http://192.168.0.1/x", "private"),
        ("http://[::ffff:127.0.0.1]/x", "loopback"),
        ("http://localhost:9/x", "loopback"),  # a name: resolved, then refused as 127.0.0.1
    ],
)
async def test_internal_addresses_are_refused(url: str, what: str) -> None:
    with pytest.raises(InvalidArgument, match=what) as info:
        await policy().check(url)
    assert "staging.private_hosts" in info.value.message


async def test_private_hosts_allow_a_literal_but_not_a_name_resolving_to_it() -> None:
    allowed = policy(private_hosts=["127.0.0.1"])
    await allowed.check("http://127.0.0.1:9/x")
    with pytest.raises(InvalidArgument, match="loopback"):
        await allowed.check("http://localhost:9/x")
    by_range = policy(private_hosts=["127.0.0.0/8"])
    await by_range.check("http://localhost:9/x")  # the resolved address is in the range


async def test_allow_list_schemes_and_buckets() -> None:
    only = policy(allowed_hosts=["*.example.org", "192.0.2.0/24"], private_hosts=["192.0.2.0/24"])
    only.check_static(parse("https://data.example.org/x"))
    only.check_static(parse("http://192.0.2.7/x"))
    with pytest.raises(InvalidArgument, match="allow-list"):
        only.check_static(parse("https://example.com/x"))
    with pytest.raises(InvalidArgument, match="http:// is not allowed"):
        policy(schemes=["https"]).check_static(parse("http://example.org/x"))
    with pytest.raises(InvalidArgument, match="bucket 'other' is not allowed"):
        policy(s3_buckets=["data"]).check_static(parse("s3://other/k"))
    with pytest.raises(InvalidArgument, match="off on this DLHub"):
        policy(enabled=False).check_static(parse("s3://data/k"))
    with pytest.raises(ValueError, match="unknown"):
        StagingSettings(schemes=["file"])


def test_only_globus_and_token_hosts_get_the_caller_token() -> None:
    hosts = ["*.data.globus.org"]
    assert needs_token(parse(f"globus://{COLLECTION}/a"), hosts)
    assert needs_token(parse("https://g-1.data.globus.org/a"), hosts)
    assert not needs_token(parse("https://evil.example.org/a"), hosts)
    assert not needs_token(parse("http://g-1.data.globus.org/a"), hosts)  # never in clear
    assert not needs_token(parse("s3://bucket/a"), hosts)


def test_normal_form_takes_the_decode_kind_from_the_declared_type() -> None:
    spec = IOSpec.model_validate(
        {
            "type": "dict",
            "properties": {
                "image": {"type": "file"},
                "grid": {"type": "ndarray", "shape": [None, 2], "item_type": {"type": "float"}},
                "note": {"type": "string"},
                "other": {"type": "file"},
            },
        }
    )
    value = {
        "image": "https://example.org/a.png",
        "grid": {"ref": "s3://b/g.npy"},
        "note": {"ref": "https://example.org/n.txt"},
        "other": "/local/path/stays",
    }
    out, count = normalize_json(spec, value)
    assert count == 3
    assert out["image"] == {"ref": "https://example.org/a.png", "as": "path"}
    assert out["grid"] == {"ref": "s3://b/g.npy", "as": "ndarray"}
    assert out["note"] == {"ref": "https://example.org/n.txt", "as": "text"}
    assert out["other"] == "/local/path/stays"
    with pytest.raises(InvalidArgument, match=r"input\.grid: 'as' must be one of"):
        normalize_json(spec, {**value, "grid": {"ref": "s3://b/g", "as": "pickle"}})
