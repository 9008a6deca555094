"""A benchmark's data set: the examples' inputs and their reference outputs.

The format shared by benchmark publishing, scoring and retraining's
acceptance check. A benchmark bundle holds one of:

* tensor data: ``inputs.npz`` (one array per model input, keyed by the input's
  name, first axis = examples) and ``references.npy`` (one array, first axis
  = examples), both loaded with ``allow_pickle=False``;
* JSON data (for servables that take one JSON value, e.g. python servables
  and pipelines): ``data.json`` = ``{"inputs": [...], "references": [...]}``,
  one input value and one reference per example. A batch of examples is sent
  as one JSON list, so the servable's input and output are lists.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from dlhub_common.errors import InvalidArgument

INPUTS_FILE = "inputs.npz"
REFERENCES_FILE = "references.npy"
JSON_FILE = "data.json"
# The data set's files, by kind; a bundle holds exactly one kind's files.
FILES: dict[str, tuple[str, ...]] = {
    "tensor": (INPUTS_FILE, REFERENCES_FILE),
    "json": (JSON_FILE,),
}


@dataclass(frozen=True)
class BenchmarkData:
    kind: Literal["tensor", "json"]
    # tensor: input name -> array; json: one value per example.
    inputs: dict[str, np.ndarray] | list[Any]
    references: np.ndarray | list[Any]

    def __len__(self) -> int:
        return len(self.references)

    def batches(self, size: int) -> Iterator[tuple[Any, Any]]:
        """(inputs, references) of consecutive examples, ``size`` at a time."""
        if size < 1:
            raise InvalidArgument("batch size must be at least 1")
        for start in range(0, len(self), size):
            end = start + size
            if isinstance(self.inputs, dict):
                yield {k: v[start:end] for k, v in self.inputs.items()}, self.references[start:end]
            else:
                yield self.inputs[start:end], self.references[start:end]


def kind_of(paths: Any) -> Literal["tensor", "json"]:
    """Which kind of data set the artifact paths hold, or InvalidArgument."""
    present = set(paths)
    if JSON_FILE in present and not present & set(FILES["tensor"]):
        return "json"
    if set(FILES["tensor"]) <= present and JSON_FILE not in present:
        return "tensor"
    raise InvalidArgument(
        "a benchmark's data set is either inputs.npz and references.npy (tensors)"
        " or data.json (JSON values), not "
        + (", ".join(sorted(present & {JSON_FILE, *FILES["tensor"]})) or "neither"),
        details={"field": "artifacts"},
    )


def _npy(raw: bytes, path: str) -> Any:
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InvalidArgument(
            f"{path} is not a numpy file without pickled objects: {exc}",
            details={"field": path},
        ) from None


def parse(artifacts: Mapping[str, bytes]) -> BenchmarkData:
    """Load and check a data set from its files' bytes (path -> bytes).

    Raises:
        InvalidArgument: naming the file and the problem (wrong files, not
            loadable, no examples, inputs and references of different lengths).
    """
    kind = kind_of(artifacts)
    if kind == "json":
        try:
            doc = json.loads(artifacts[JSON_FILE])
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidArgument(
                f"{JSON_FILE} is not JSON: {exc}", details={"field": JSON_FILE}
            ) from None
        if (
            not isinstance(doc, dict)
            or not isinstance(doc.get("inputs"), list)
            or not isinstance(doc.get("references"), list)
        ):
            raise InvalidArgument(
                f'{JSON_FILE} must be {{"inputs": [...], "references": [...]}}',
                details={"field": JSON_FILE},
            )
        inputs: dict[str, np.ndarray] | list[Any] = doc["inputs"]
        references: np.ndarray | list[Any] = doc["references"]
        counts = {"inputs": len(doc["inputs"])}
    else:
        archive = _npy(artifacts[INPUTS_FILE], INPUTS_FILE)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise InvalidArgument(
                f"{INPUTS_FILE} must be an .npz archive (numpy.savez), one array per input",
                details={"field": INPUTS_FILE},
            )
        with archive:
            inputs = {name: archive[name] for name in archive.files}
        references = _npy(artifacts[REFERENCES_FILE], REFERENCES_FILE)
        if not isinstance(references, np.ndarray) or references.ndim == 0:
            raise InvalidArgument(
                f"{REFERENCES_FILE} must hold one array with one row per example",
                details={"field": REFERENCES_FILE},
            )
        if not inputs:
            raise InvalidArgument(f"{INPUTS_FILE} holds no arrays", details={"field": INPUTS_FILE})
        counts = {}
        for name, array in inputs.items():
            if array.ndim == 0:
                raise InvalidArgument(
                    f"{INPUTS_FILE}: input {name!r} is a scalar; its first axis must be the"
                    " examples",
                    details={"field": f"{INPUTS_FILE}:{name}"},
                )
            counts[f"input {name!r}"] = len(array)
    n = len(references)
    if n == 0:
        raise InvalidArgument("the benchmark's data set has no examples", details={"field": kind})
    wrong = {what: count for what, count in counts.items() if count != n}
    if wrong:
        listing = ", ".join(f"{what} has {count}" for what, count in wrong.items())
        raise InvalidArgument(
            f"the data set has {n} references but {listing} examples",
            details={"field": "references"},
        )
    return BenchmarkData(kind=kind, inputs=inputs, references=references)


def load_dir(directory: str | Path) -> BenchmarkData:
    """Load a data set from a directory holding its files."""
    root = Path(directory)
    return parse({p.name: p.read_bytes() for p in root.iterdir() if p.is_file()})


def write_tensor(directory: str | Path, inputs: Mapping[str, Any], references: Any) -> list[Path]:
    """Write a tensor data set; returns the files written."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in inputs.items()})  # type: ignore[arg-type]
    (root / INPUTS_FILE).write_bytes(buf.getvalue())
    np.save(root / REFERENCES_FILE, np.asarray(references), allow_pickle=False)
    return [root / INPUTS_FILE, root / REFERENCES_FILE]


def write_json(directory: str | Path, inputs: list[Any], references: list[Any]) -> list[Path]:
    """Write a JSON data set; returns the file written."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    path = root / JSON_FILE
    path.write_text(json.dumps({"inputs": list(inputs), "references": list(references)}))
    return [path]
