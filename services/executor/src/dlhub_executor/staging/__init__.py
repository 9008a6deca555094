"""Inputs and outputs by reference (docs/staging.md): the executor's side.

``stager`` stages a work item's references (``fetch_http``, ``fetch_s3``,
``fetch_globus``) into the bounded ``cache`` and ``decode``s them by the
declared type; ``outputs`` writes outputs by reference.
"""

from dlhub_executor.staging.stager import Staged, Stager, has_references

__all__ = ["Staged", "Stager", "has_references"]
