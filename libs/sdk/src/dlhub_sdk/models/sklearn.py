"""scikit-learn servables: converted to ONNX where skl2onnx can, else native.

:class:`ScikitLearnServable` takes a fitted estimator (or the joblib/pickle
file it was saved to), converts it with skl2onnx, checks that the converted
graph answers like the estimator, and then describes the ONNX file exactly as
:class:`~dlhub_sdk.models.onnx.OnnxServable` does. The servable's type is
``onnx``: services only ever see the ONNX graph, never a pickle.

When skl2onnx has no converter for the estimator (or one of its parts), or
with ``native=True``, it builds a :class:`NativeScikitLearnServable` instead:
servable type ``sklearn``, the estimator saved as the artifact
``model.joblib``, run by the executor in a worker process inside an
environment pinned to the scikit-learn, joblib, numpy and scipy versions of
this process. Only that worker ever unpickles it; DLHub's services never do.

Loading a pickle runs code from the file, so on the publisher's side it
happens here, in your own process, on your own file.

Needs ``scikit-learn``, ``skl2onnx`` and ``onnxruntime`` in the SDK's
environment (the fidelity check runs the converted model); a native servable
needs only ``scikit-learn`` (and its ``joblib``).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.models._sklearn_estimators import (
    DEFAULT_TOLERANCE,
    SYNTHETIC_ROWS,
    Array,
    _as_sample,
    _load_checked,
    _n_features,
    _output_folder,
    _require,
    _slug,
    _structure,
    public_name,
)
from dlhub_sdk.models._sklearn_onnx import (
    NATIVE_HINT,
    Unconvertible,
    _convert,
    _wants_raw_scores,
    check_fidelity,
)
from dlhub_sdk.models.onnx import OnnxServable, _tensor_specs
from dlhub_sdk.models.sklearn_native import NativeScikitLearnServable as NativeScikitLearnServable


class ScikitLearnServable(OnnxServable):
    """A fitted scikit-learn estimator (or pipeline), published as ONNX.

    The estimator is converted with skl2onnx (ZipMap disabled for classifiers,
    so the outputs are plain tensors such as ``label`` and ``probabilities``)
    to a graph with one float32 input ``X`` of shape ``[None, n_features]``.
    The converted model is run with ONNX Runtime next to the estimator on
    ``sample_input`` (or on synthetic rows) and refused when they disagree.
    Everything else is :class:`OnnxServable`: the signature is read from the
    converted graph and the servable type is ``onnx``.

    When skl2onnx has no converter for the estimator (or a part of it), the
    result is a :class:`NativeScikitLearnServable` instead (type ``sklearn``,
    the estimator as ``model.joblib``, run in an isolated worker); the reason
    is kept in ``method_details["onnx_conversion"]``. A conversion that runs
    but disagrees with the estimator is still refused.

    Args:
        estimator_or_path: a fitted estimator, or a ``.joblib``/``.pkl`` file
            holding one. A file is unpickled here, in this process only: load
            only files you trust (your own).
        name: servable name (default: the file stem, or the estimator's class).
        n_features: number of input columns, when the estimator does not
            record ``n_features_in_`` and no ``sample_input`` is given.
        sample_input: representative rows ``[rows, n_features]``; the
            fidelity check runs on them (default: 64 seeded normal rows).
        options: skl2onnx converter options, merged over ``{"zipmap": False}``.
        target_opset: ONNX opset to convert to (default: skl2onnx's newest).
        tolerance: allowed difference of probabilities (absolute) and of
            regression values (relative above 1), default 1e-4.
        output_dir: where to write ``<name>.onnx`` (default: a temporary
            folder removed with the builder).
        classes: names of the output's classes, in order (``set_classes``).
        native: ``None`` (default): ONNX when skl2onnx can convert, else
            native; ``True``: always native; ``False``: ONNX or an error.
        method: the estimator method a native servable calls (default
            ``predict``); native servables only.
    """

    def __new__(
        cls,
        estimator_or_path: Any,
        name: str | None = None,
        *,
        native: bool | None = None,
        method: str | None = None,
        n_features: int | None = None,
        sample_input: Any = None,
        options: dict[Any, Any] | None = None,
        target_opset: int | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        output_dir: str | Path | None = None,
        classes: Sequence[str] | None = None,
    ) -> Any:
        # ONNX where skl2onnx can convert; otherwise (or with native=True) the
        # native servable. The instance is built here so that the fallback can
        # hand the already loaded estimator on; __init__ then has nothing to do.
        native_args: dict[str, Any] = {
            "method": method,
            "n_features": n_features,
            "sample_input": sample_input,
            "output_dir": output_dir,
            "classes": classes,
        }
        if native:
            return NativeScikitLearnServable(estimator_or_path, name, **native_args)
        if method is not None:
            raise InvalidArgument("method= applies to native scikit-learn servables only")
        versions = _require()
        estimator, default_name, label = _load_checked(estimator_or_path)
        self = super().__new__(cls)
        try:
            self._build(
                estimator,
                label,
                name or default_name,
                versions,
                n_features=n_features,
                sample_input=sample_input,
                options=options,
                target_opset=target_opset,
                tolerance=tolerance,
                output_dir=output_dir,
            )
        except Unconvertible as exc:
            if native is False:
                raise
            built = NativeScikitLearnServable(
                estimator, name or default_name, label=label, **native_args
            )
            built.note_onnx_refusal(exc.message.replace(NATIVE_HINT, ""))
            return built
        if classes:
            self.set_classes(classes)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Built in ``__new__`` (see the class docstring for the arguments)."""

    def _build(
        self,
        estimator: Any,
        label: str,
        servable_name: str,
        versions: dict[str, str],
        *,
        n_features: int | None,
        sample_input: Any,
        options: dict[Any, Any] | None,
        target_opset: int | None,
        tolerance: float,
        output_dir: str | Path | None,
    ) -> None:
        sample = _as_sample(sample_input) if sample_input is not None else None
        features = _n_features(estimator, n_features, sample, label)
        if sample is None:
            rng = np.random.default_rng(0)
            check_x: Array = rng.standard_normal((SYNTHETIC_ROWS, features)).astype(np.float32)
        else:
            check_x = sample

        model = _convert(estimator, features, options, target_opset)
        _tensor_specs(model.graph.output, set())  # tensors only (e.g. no ZipMap), before running
        fidelity = check_fidelity(
            estimator, model, check_x, tolerance, probabilities=not _wants_raw_scores(options)
        )
        fidelity["input"] = "sample" if sample is not None else "synthetic"

        folder = _output_folder(self, output_dir)
        onnx_path = folder / f"{_slug(servable_name)}.onnx"
        onnx_path.write_bytes(model.SerializeToString())
        OnnxServable.__init__(self, onnx_path, name=servable_name)
        self.estimator = estimator
        self.onnx_path = onnx_path

        details: dict[str, Any] = {
            "converted_from": "scikit-learn",
            "estimator": public_name(estimator),
            "sklearn_version": versions["scikit-learn"],
            "skl2onnx_version": versions["skl2onnx"],
            "n_features": features,
            "fidelity_check": fidelity,
        }
        details.update(_structure(estimator))
        self._servable["methods"]["run"]["method_details"].update(details)
        for package in ("scikit-learn", "skl2onnx", "onnxruntime"):
            self.add_dependency(package, versions[package])
