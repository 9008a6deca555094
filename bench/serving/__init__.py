"""Serving benchmark (issue #7): DLHub vs MLServer, KServe and onnxruntime in-process.

Run it with ``make bench`` or ``python -m bench.serving [--quick]``; docs/bench.md
says what each table measures.
"""
