"""How Keras is imported and legacy files are loaded (dlhub_common.keras_runtime).

* an ``.hd5`` file loads through public Keras API only (an ``.h5`` alias
  that does not outlive the load), and its load errors never name the alias;
* the executor pays for Keras only when a Keras servable is loaded: starting,
  and loading and running an ONNX model, import neither keras nor torch;
* the executor's first import of Keras skips the installed libraries serving
  never uses (scikit-learn, matplotlib), which stay importable afterwards.

The import checks run in fresh interpreters (this one may have Keras already).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dlhub_common.keras_runtime import UNUSED_BY_SERVING, import_keras, load_keras_model

pytestmark = pytest.mark.timeout(240)


def _python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_hd5_loads_through_public_keras_and_errors_name_the_file(tmp_path: Path) -> None:
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="out")])
    model.save(tmp_path / "model.h5")
    (tmp_path / "model.h5").rename(tmp_path / "model.hd5")
    loaded = load_keras_model(keras, tmp_path / "model.hd5")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), rtol=1e-6
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "model.hd5"]  # no alias left beside it

    (tmp_path / "broken.hd5").write_bytes(b"not an HDF5 file at all")
    with pytest.raises(ValueError, match="file signature not found") as failed:
        load_keras_model(keras, tmp_path / "broken.hd5")
    assert "dlhub-hd5-" not in str(failed.value)  # never the temporary alias


def test_executor_start_and_onnx_requests_do_not_import_keras_or_torch(tmp_path: Path) -> None:
    out = _python(
        f"""
        import sys
        from pathlib import Path

        import numpy as np
        import onnx
        from onnx import TensorProto, helper

        import dlhub_executor.main  # the service as assembled at start
        import dlhub_executor.runners.keras  # the runner module itself is cheap
        from dlhub_executor.devices import check_device
        from dlhub_executor.runners.onnx import OnnxRunner

        check_device("cpu")
        graph = helper.make_graph(
            [helper.make_node("Relu", ["x"], ["y"])], "tiny",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        onnx.save(model, {str(tmp_path / "m.onnx")!r})
        loaded = OnnxRunner(intra_op_threads=1).load(Path({str(tmp_path)!r}), "m.onnx")
        y = loaded.run({{"x": np.array([[-1.0, 2.0]], dtype=np.float32)}}, ["y"])["y"]
        assert y.tolist() == [[0.0, 2.0]], y
        print(sorted(m for m in ("keras", "torch", "h5py") if m in sys.modules))
        """
    )
    assert out.strip() == "[]"


def test_the_executors_keras_import_skips_unused_libraries_which_stay_importable() -> None:
    out = _python(
        """
        import sys
        from dlhub_executor.runners.keras import import_keras

        keras = import_keras()
        print(keras.backend.backend())
        print(sorted(m for m in ("sklearn", "matplotlib", "jax") if m in sys.modules))
        print(sorted(m for m in ("sklearn", "matplotlib", "jax") if sys.modules.get(m, 0) is None))
        import sklearn.linear_model  # still there for anything else in the process
        import matplotlib
        print("importable")
        """
    )
    assert out.split("\n")[:4] == ["torch", "[]", "[]", "importable"]
    assert {"sklearn", "matplotlib"} <= set(UNUSED_BY_SERVING)
