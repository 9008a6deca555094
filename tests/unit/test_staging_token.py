"""The gateway passes the caller's token on only for runs whose references may need it."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_gateway.staging_token import bearer, with_caller_token

GLOBUS = "globus://0c8a6a2e-8d4e-4f3b-9a51-3f6f2f3b5c11/x.npy"


def request(**fields: object) -> tasks_pb2.RunServableRequest:
    return tasks_pb2.RunServableRequest(**fields)  # type: ignore[arg-type]


def test_token_only_for_globus_and_https_references() -> None:
    auth = "Bearer tok-1"
    tensor = types_pb2.Tensor(name="X", datatype="FP32", shape=[1], ref=GLOBUS)
    assert with_caller_token(request(inputs=[tensor]), auth).caller_token == "tok-1"
    assert with_caller_token(request(inputs_json='{"ref": "https://h/x"}'), auth).caller_token
    for plain in (
        request(inputs_json='{"ref": "http://h/x"}'),
        request(inputs_json='{"ref": "s3://b/k"}'),
        request(inputs=[types_pb2.Tensor(name="X", data=b"\0\0\0\0")]),
    ):
        assert with_caller_token(plain, auth).caller_token == ""


def test_a_client_sent_token_is_always_replaced() -> None:
    forged = request(inputs_json='{"ref": "s3://b/k"}', caller_token="someone-elses")
    assert with_caller_token(forged, "Bearer mine").caller_token == ""
    forged = request(inputs_json=f'{{"ref": "{GLOBUS}"}}', caller_token="someone-elses")
    assert with_caller_token(forged, None).caller_token == ""
    assert with_caller_token(forged, "Bearer mine").caller_token == "mine"


def test_bearer() -> None:
    assert bearer("Bearer abc ") == "abc"
    assert bearer("bearer abc") == "abc"
    assert bearer("Basic abc") == ""
    assert bearer(None) == ""
