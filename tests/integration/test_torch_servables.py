"""PyTorch servables through the in-process mesh: TorchScript, torch.export and the ONNX path.

One tiny module (two inputs, two outputs) is built once per session with the
SDK's TorchServable; every run's outputs are compared with the module run
in this process.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
import torch

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import InvalidArgument
from dlhub_sdk.models import OnnxServable, TorchServable

from .conftest import Array, Mesh


class Tiny(torch.nn.Module):
    """scores = linear(x) + bias_in; label = argmax(scores)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x: torch.Tensor, bias_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = torch.relu(self.linear(x)) + bias_in
        return scores, scores.argmax(dim=1)


@pytest.fixture(scope="module")
def module() -> Tiny:
    return Tiny().eval()


def build(module: Tiny, name: str, kind: str, folder: Path) -> TorchServable:
    example = (torch.randn(2, 4), torch.randn(2, 3))
    return (
        TorchServable(
            module,
            example,
            name,
            kind=kind,
            output_names=["scores", "label"],
            output_dir=folder,
        )
        .set_title(f"Tiny {kind} model")
        .add_author("Tester, Alice")
        .set_domains(["testing"])
    )


@pytest.fixture(scope="module")
def servables(module: Tiny, tmp_path_factory: pytest.TempPathFactory) -> dict[str, TorchServable]:
    return {
        kind: build(module, f"tiny-{kind}", kind, tmp_path_factory.mktemp(kind))
        for kind in ("torchscript", "export")
    }


def files_of(servable: Any) -> dict[str, bytes]:
    return {path: src.read_bytes() for path, src in servable.files().items()}


def inputs(n: int = 7, seed: int = 1) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((n, 4)).astype(np.float32),
        "bias_in": rng.standard_normal((n, 3)).astype(np.float32),
    }


def outputs(task: tasks_pb2.Task) -> dict[str, Array]:
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    return {t.name: tensor_to_array(t) for t in task.outputs}


def test_builder_signature(servables: dict[str, TorchServable]) -> None:
    """forward()'s parameter names, batch axes null, dtypes from the run, torch pinned."""
    for kind, servable_type in (("torchscript", "torchscript"), ("export", "torch_export")):
        doc = servables[kind].to_dict()
        servable = doc["servable"]
        assert servable["type"] == servable_type
        assert servable["dependencies"]["torch"] == torch.__version__.split("+")[0]
        run = servable["methods"]["run"]
        assert run["input"]["properties"] == {
            "x": {"type": "ndarray", "shape": [None, 4], "item_type": {"type": "float32"}},
            "bias_in": {"type": "ndarray", "shape": [None, 3], "item_type": {"type": "float32"}},
        }
        assert run["output"]["properties"] == {
            "scores": {"type": "ndarray", "shape": [None, 3], "item_type": {"type": "float32"}},
            "label": {"type": "ndarray", "shape": [None], "item_type": {"type": "int64"}},
        }
        model_file = "model.pt" if kind == "torchscript" else "model.pt2"
        assert doc["dlhub"]["files"]["model"] == model_file


async def test_publish_and_run_match_torch(mesh: Mesh, servables: dict[str, TorchServable]) -> None:
    """Both kinds publish, run (inputs given out of order) and equal the module in-process."""
    x = inputs()
    for kind, servable in servables.items():
        resp = await mesh.publish(servable.to_dict(), files_of(servable))
        assert resp.servable.summary.servable_type == servable.servable_type
        name = servable.to_dict()["dlhub"]["name"]
        got = outputs(await mesh.run(name, dict(reversed(x.items()))))
        expected = servable.predict(x["x"], x["bias_in"])
        assert list(got) == ["scores", "label"], kind
        np.testing.assert_allclose(got["scores"], expected["scores"], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(got["label"], expected["label"])
        assert got["label"].dtype == np.int64


async def test_oip_metadata_names_the_platform(
    mesh: Mesh, servables: dict[str, TorchServable]
) -> None:
    servable = servables["torchscript"]
    await mesh.publish(servable.to_dict(), files_of(servable))
    meta = (await mesh.http.get("/v2/models/alice.tiny-torchscript")).json()
    assert meta["platform"] == "pytorch_libtorch"
    assert {i["name"] for i in meta["inputs"]} == {"x", "bias_in"}


def _checkpoint() -> bytes:
    buf = io.BytesIO()
    torch.save({"weight": torch.zeros(2)}, buf)  # a zip, but no TorchScript inside
    return buf.getvalue()


def _rezip(data: bytes, drop: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for member in src.namelist():
            if not member.endswith(drop):
                out.writestr(member, src.read(member))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("torchscript", lambda s: b"not a zip at all", "not a TorchScript archive"),
        ("torchscript", lambda s: _checkpoint(), "not a TorchScript archive"),
        ("export", lambda s: _checkpoint(), "not a torch.export (.pt2) archive"),
        # a .pt2 without its format marker nor its program JSON
        (
            "export",
            lambda s: _rezip(_rezip(s, "archive_format"), ".json"),
            "not a torch.export (.pt2) archive",
        ),
    ],
)
async def test_bad_archive_rejected(
    mesh: Mesh, servables: dict[str, TorchServable], kind: str, payload: Any, message: str
) -> None:
    servable = servables[kind]
    ((path, data),) = files_of(servable).items()
    bad = payload(data)
    objects_before = mesh.object_files()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(servable.to_dict(), {path: bad})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert message in (info.value.details() or "")
    assert mesh.object_files() == objects_before


async def test_non_tensor_signature_rejected(
    mesh: Mesh, servables: dict[str, TorchServable]
) -> None:
    servable = servables["torchscript"]
    doc = servable.to_dict()
    doc["servable"]["methods"]["run"]["input"] = {"type": "list"}
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(doc, files_of(servable))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "takes and returns tensors" in (info.value.details() or "")


async def test_onnx_export_runs_on_onnxruntime(
    mesh: Mesh, servables: dict[str, TorchServable]
) -> None:
    """to_onnx: same names and batch axes, type onnx, same answers as torch."""
    servable = servables["torchscript"]
    onnx_servable = servable.to_onnx()
    assert isinstance(onnx_servable, OnnxServable)
    doc = onnx_servable.to_dict()
    assert doc["servable"]["type"] == "onnx"
    assert doc["dlhub"]["name"] == "tiny-torchscript-onnx"
    assert doc["datacite"]["titles"] == [{"title": "Tiny torchscript model"}]
    assert doc["servable"]["methods"]["run"]["method_details"]["converted_from"] == "pytorch"
    assert onnx_servable.input_names == ["x", "bias_in"]
    await mesh.publish(doc, files_of(onnx_servable))
    x = inputs(n=3, seed=4)
    got = outputs(await mesh.run("tiny-torchscript-onnx", x))
    expected = servable.predict(x["x"], x["bias_in"])
    np.testing.assert_allclose(got["scores"], expected["scores"], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(got["label"], expected["label"])


def test_builder_refuses_what_it_cannot_serve(module: Tiny) -> None:
    with pytest.raises(InvalidArgument, match="kind must be one of"):
        TorchServable(module, (torch.randn(2, 4), torch.randn(2, 3)), "x", kind="onnx")
    with pytest.raises(InvalidArgument, match="output_names"):
        TorchServable(module, (torch.randn(2, 4), torch.randn(2, 3)), "x", output_names=["a"])

    class Fixed(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.reshape(6)  # only a batch of 2 x 3 fits

    with pytest.raises(InvalidArgument, match="dynamic_batch=False"):
        TorchServable(Fixed(), torch.randn(2, 3), "fixed")
    fixed = TorchServable(Fixed(), torch.randn(2, 3), "fixed", dynamic_batch=False)
    run = fixed.to_dict(validate=False)["servable"]["methods"]["run"]
    assert run["input"]["properties"]["x"]["shape"] == [2, 3]
    assert run["output"]["properties"] == {
        "output_0": {"type": "ndarray", "shape": [6], "item_type": {"type": "float32"}}
    }
    assert json.dumps(run)  # JSON-ready
