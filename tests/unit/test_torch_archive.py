"""The registry's torch-free archive checks, on hand-made zip layouts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from dlhub_registry.validators import torch_archive_problem


def archive(tmp_path: Path, members: list[str]) -> Path:
    path = tmp_path / "model.bin"
    with zipfile.ZipFile(path, "w") as out:
        for member in members:
            out.writestr(member, b"x")
    return path


@pytest.mark.parametrize(
    ("kind", "members"),
    [
        ("torchscript", ["m/data.pkl", "m/constants.pkl", "m/version"]),
        ("torchscript", ["m/data.pkl", "m/code/__torch__.py"]),
        ("torch_export", ["m/archive_format", "m/models/model.json"]),
        ("torch_export", ["m/models/model.json", "m/data/weights/weight_0"]),
        ("torch_export", ["serialized_exported_program.json", "version"]),  # torch 2.4
    ],
)
def test_accepted_layouts(tmp_path: Path, kind: str, members: list[str]) -> None:
    assert torch_archive_problem(kind, archive(tmp_path, members)) is None


@pytest.mark.parametrize(
    ("kind", "members", "problem"),
    [
        ("torchscript", ["archive/data.pkl", "archive/version"], "checkpoint"),  # torch.save
        ("torchscript", ["m/archive_format", "m/models/model.json"], "no data.pkl"),
        ("torch_export", ["m/data.pkl", "m/constants.pkl"], "no archive_format"),
        ("torch_export", ["a/archive_format", "b/models/model.json"], "no archive_format"),
    ],
)
def test_refused_layouts(tmp_path: Path, kind: str, members: list[str], problem: str) -> None:
    assert problem in (torch_archive_problem(kind, archive(tmp_path, members)) or "")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"\x80\x02 not a zip")
    assert torch_archive_problem("torchscript", path) == "it is not a zip archive"
