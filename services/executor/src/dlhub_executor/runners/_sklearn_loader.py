"""The built-in loader of native scikit-learn servables (servable type ``sklearn``).

Imported only by ``_worker.py``, inside the servable's own worker process and
environment (its venv pins the scikit-learn, joblib, numpy and scipy the
publisher used). This is the one place in DLHub's services that unpickles a
user's file: a pickle runs arbitrary code, so it may be loaded only here, in
that servable's isolated worker, never in a service process (executor,
registry, task manager, gateway). ``tests/unit/test_sklearn_servable.py``
scans the services for pickle/joblib loads and exempts exactly this file.

The model is loaded once; every call turns the JSON input (rows of numbers,
``[rows, n_features]``, or one row) into a float64 array and returns
``getattr(model, method)(x)`` (the worker turns numpy results into lists).
"""

import os


def make_function(bundle, model_path, method):
    """``model_path`` (relative to ``bundle``) loaded with joblib; returns the call."""
    import joblib  # the servable's own environment
    import numpy

    path = os.path.join(bundle, *model_path.split("/"))
    model = joblib.load(path)
    bound = getattr(model, method, None)
    if not callable(bound):
        raise AttributeError(f"the model in {model_path} has no method {method!r}")

    def call(value):
        x = numpy.asarray(value, dtype=numpy.float64)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2:
            raise ValueError(f"expected rows of features [rows, n_features], got shape {x.shape}")
        return bound(x)

    return call
