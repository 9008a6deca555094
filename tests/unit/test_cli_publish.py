"""``dlhub publish`` for every kind of model: type from the suffix, per-kind options."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_sdk import cli
from dlhub_sdk.models import PythonStaticMethodServable

REPO = Path(__file__).resolve().parents[2]
GLASS = REPO / "examples" / "glass"


def args(*argv: str) -> Any:
    return cli.build_parser().parse_args(["publish", *argv, "--author", "Ada"])


def test_type_from_the_suffix() -> None:
    expected = {
        "m.onnx": "onnx",
        "m.joblib": "sklearn",
        "m.pkl": "sklearn",
        "m.pt": "torchscript",
        "m.PT2": "torch_export",
        "glass.py": "python",
        "m.bin": "onnx",
        "model.keras": "keras",
        "model.hd5": "keras",
        "model.h5": "keras",
    }
    for name, kind in expected.items():
        assert cli._model_type(args(name)) == kind, name
    assert cli._model_type(args("m.bin", "--type", "torchscript")) == "torchscript"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["m.onnx", "--input-shape", "1,4"], "--input-shape: these options apply to --type"),
        (["m.onnx", "--file", "x.csv"], "--file: these options apply to --type python only"),
        (["m.joblib", "--function", "f"], "--function: these options apply to --type python"),
        (
            ["m.pt", "--function", "f", "--python", "3.11"],
            "--function, --python: these options apply to --type python only"
            " (this model is --type torchscript)",
        ),
        (["m.py", "--input-dtype", "int64"], "apply to --type torchscript/torch_export only"),
        (["m.py", "--n-features", "3"], "apply to --type sklearn only"),
        (["m.pt"], "needs --input-shape"),
        (["m.pt", "--input-shape", "1,a"], "give sizes like 1,1,8,8"),
        ([str(GLASS / "glass.py")], "needs --function"),
        (
            [str(GLASS / "glass.py"), "--function", "predict", "--file", "nope.csv"],
            "nope.csv is not a readable file",
        ),
    ],
)
def test_options_that_do_not_apply_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        cli._model_builder(args(*argv))


def test_python_function(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# none needed\nnumpy==2.1.0\n")
    builder = cli._model_builder(
        args(
            str(GLASS / "glass.py"),
            "--function",
            "predict",
            "--input-type",
            json.dumps({"type": "list", "item_type": {"type": "string"}}),
            "--output-type",
            "number",
            "--requirements",
            str(tmp_path / "requirements.txt"),
            "--python",
            "3.11",
            "--file",
            str(GLASS / "glass_data.csv"),
            "--file",
            f"data/copy.csv={GLASS / 'glass_data.csv'}",
            "--name",
            "glass-cli",
        )
    )
    assert isinstance(builder, PythonStaticMethodServable)
    doc = builder.to_dict(validate=False)
    run = doc["servable"]["methods"]["run"]
    assert run["input"] == {"type": "list", "item_type": {"type": "string"}}
    assert run["output"] == {"type": "number"}
    assert run["method_details"]["function"] == "predict"
    assert doc["servable"]["python"] == "3.11"
    assert doc["servable"]["dependencies"] == {"numpy": "2.1.0"}
    assert doc["dlhub"]["name"] == "glass-cli"
    assert set(builder.files()) == {"glass.py", "glass_data.csv", "data/copy.csv"}
    with pytest.raises(InvalidArgument, match="--requirements"):
        cli._model_builder(
            args(str(GLASS / "glass.py"), "--function", "predict", "--requirements", "nope.txt")
        )


def test_torchscript_and_export_archives(tmp_path: Path) -> None:
    import torch

    from dlhub_sdk.models import TorchServable

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3)).eval()
    example = torch.zeros(2, 1, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit is deprecated in favour of torch.export
        torch.jit.save(torch.jit.trace(module, example), str(tmp_path / "net.pt"))
    builder = cli._model_builder(
        args(str(tmp_path / "net.pt"), "--input-shape", "1,1,8,8", "--input-name", "image")
    )
    assert isinstance(builder, TorchServable)
    doc = builder.to_dict(validate=False)
    assert doc["servable"]["type"] == "torchscript"
    assert doc["dlhub"]["name"] == "net"
    run = doc["servable"]["methods"]["run"]
    assert run["input"]["properties"]["image"]["shape"] == [None, 1, 8, 8]
    assert run["output"]["properties"]["output_0"]["shape"] == [None, 3]
    assert run["method_details"]["source_file"] == "net.pt"
    x = torch.rand(4, 1, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit.load is deprecated too
        loaded = torch.jit.load(str(builder.model_path))
    torch.testing.assert_close(loaded(x), module(x))

    # a torch.export program exported with a fixed batch of 1 stays fixed
    program = torch.export.export(module, (torch.zeros(1, 1, 8, 8),))
    torch.export.save(program, str(tmp_path / "fixed.pt2"))
    exported = cli._model_builder(args(str(tmp_path / "fixed.pt2"), "--input-shape", "1,1,8,8"))
    doc = exported.to_dict(validate=False)
    assert doc["servable"]["type"] == "torch_export"
    [spec] = doc["servable"]["methods"]["run"]["input"]["properties"].values()
    assert spec["shape"] == [1, 1, 8, 8]

    (tmp_path / "junk.pt").write_bytes(b"not a zip")
    with pytest.raises(InvalidArgument, match="not a loadable torchscript archive"):
        cli._model_builder(args(str(tmp_path / "junk.pt"), "--input-shape", "1,4"))


def test_a_savedmodel_folder_is_tensorflow_and_its_options_are_its_own(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "saved_model.pb").write_bytes(b"")
    assert cli._model_type(args(str(saved))) == "tensorflow"
    assert cli._model_type(args(str(tmp_path))) == "onnx"  # a folder without saved_model.pb
    with pytest.raises(
        InvalidArgument, match="--signature: these options apply to --type tensorflow"
    ):
        cli._model_builder(args("m.onnx", "--signature", "serving_default"))
    with pytest.raises(InvalidArgument, match="--native: these options apply to --type tensorflow"):
        cli._model_builder(args("m.keras", "--native"))
