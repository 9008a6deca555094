"""Keras model files read without Keras: their architecture and whether it is
all built-in Keras (used by the registry at publish and by the SDK's KerasModel).

* ``.keras`` (Keras 3): a zip archive with ``config.json`` and
  ``model.weights.h5``;
* ``.h5`` / ``.hd5`` / ``.hdf5`` (legacy HDF5): an HDF5 file whose
  ``model_config`` attribute holds the architecture (read with h5py, imported
  only for these; a weights-only file has none).

Layers that are not part of Keras (a ``registered_name`` such as
``Mine>Twice``, or a module outside ``keras``) are named, so a servable that
needs custom code is refused with the file and the layer.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KERAS_SUFFIXES = (".keras", ".h5", ".hd5", ".hdf5")
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def _architecture(path: Path) -> dict[str, Any]:
    """The model's config (architecture) JSON; raises ValueError saying why not."""
    suffix = path.suffix.lower()
    if suffix not in KERAS_SUFFIXES:
        raise ValueError(f"its suffix is not one of {', '.join(KERAS_SUFFIXES)}")
    if suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "config.json" not in names or "model.weights.h5" not in names:
                    raise ValueError("the archive has no config.json and model.weights.h5")
                config: dict[str, Any] = json.loads(archive.read("config.json"))
                return config
        except zipfile.BadZipFile:
            raise ValueError("it is not a zip archive (a .keras file is one)") from None
    with path.open("rb") as fh:
        if fh.read(8) != HDF5_MAGIC:
            raise ValueError("it is not an HDF5 file")
    import h5py  # type: ignore[import-untyped,unused-ignore]

    with h5py.File(path, "r") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError("it holds no model_config (a weights-only file is not a model)")
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
    legacy: dict[str, Any] = json.loads(text)
    return legacy


def _layers(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "class_name" in node:
            yield node
        for value in node.values():
            yield from _layers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _layers(value)


def custom_layers(config: dict[str, Any]) -> list[str]:
    """Names of the classes in ``config`` that are not part of Keras."""
    found = []
    for node in _layers(config):
        name, module = str(node["class_name"]), node.get("module")
        registered = node.get("registered_name")
        custom = (
            ">" in name
            or (registered is not None and module is None)
            or (isinstance(module, str) and not module.startswith("keras"))
        )
        if custom:
            label = str(registered or name)
            if label not in found:
                found.append(label)
    return found


def keras_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a Keras model DLHub can serve; None when it is."""
    try:
        config = _architecture(path)
    except (ValueError, OSError) as exc:
        return f"it is not a Keras model: {exc}"
    custom = custom_layers(config)
    if custom:
        return (
            f"it uses layers or objects that are not part of Keras: {', '.join(custom)}"
            " (custom code is not shipped with a Keras servable; use built-in layers, or"
            " publish it as a python servable)"
        )
    return None
