"""Keras 3 on the torch backend, imported once and as cheaply as it can be
(shared by the executor's Keras runner and the SDK's KerasModel).

``import keras`` loads every Keras module eagerly. Besides torch itself and
``torch._dynamo`` (which Keras's torch backend needs), it imports whatever
optional libraries happen to be installed although a DLHub servable never
uses them through Keras: scikit-learn (``keras.wrappers``), matplotlib
(``keras.visualization``) and JAX (the Orbax checkpoint callback), several
seconds together. :func:`import_keras` can hide those during the first import
only; they stay importable afterwards. ``KERAS_BACKEND`` is set to ``torch``
first, so Keras loads no other backend.

Only the public Keras API is used: ``keras.saving.load_model`` reads legacy
HDF5 under an ``.h5``/``.hdf5`` name only, so an ``.hd5`` file (the original
DLHub's suffix, the same format) is opened through an ``.h5`` symbolic link
(or copy) in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

BACKEND = "torch"
# Installed-but-unused libraries ``import keras`` would load: never needed to load
# or run a saved model on torch.
UNUSED_BY_SERVING = ("sklearn", "matplotlib", "jax")

_import_lock = threading.Lock()


def import_keras(*, hide_unused: bool = False) -> Any:
    """The ``keras`` module on the torch backend.

    Args:
        hide_unused: on the first import, make the :data:`UNUSED_BY_SERVING`
            libraries that are not imported yet look absent to Keras (its
            ``keras.wrappers`` scikit-learn wrappers then do not work in this
            process: for a serving process, not for a user's).

    Returns:
        the module; ``keras.backend.backend()`` says which backend it runs
        on (another one when Keras was imported before ``KERAS_BACKEND`` was
        set).

    Raises:
        ImportError: Keras (or torch) is not installed.
    """
    os.environ.setdefault("KERAS_BACKEND", BACKEND)
    with _import_lock:
        if "keras" in sys.modules or not hide_unused:
            import keras

            return keras
        hidden = [name for name in UNUSED_BY_SERVING if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
        try:
            import keras
        finally:
            for name in hidden:
                if sys.modules.get(name, 0) is None:
                    del sys.modules[name]
        return keras


def load_keras_model(keras: Any, path: Path) -> Any:
    """Load a Keras model file (not compiled) with the given ``keras`` module.

    A legacy ``.hd5`` file is read through an ``.h5`` link to it, since
    ``keras.saving.load_model`` takes HDF5 only by those suffixes.
    """
    if path.suffix.lower() != ".hd5":
        return keras.saving.load_model(str(path), compile=False)
    with tempfile.TemporaryDirectory(prefix="dlhub-hd5-") as tmp:
        alias = Path(tmp) / f"{path.stem}.h5"
        try:
            alias.symlink_to(path.resolve())
        except OSError:  # a filesystem without symbolic links
            shutil.copyfile(path, alias)
        try:
            return keras.saving.load_model(str(alias), compile=False)
        except Exception as exc:  # callers report the message: name their file
            raise ValueError(str(exc).replace(str(alias), str(path))) from None
