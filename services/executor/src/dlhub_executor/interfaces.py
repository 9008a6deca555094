"""The executor-servable interface versions this executor supports.

Every servable version records the interface version it was published for
(``interface_version`` in its record; the task manager copies it into
``WorkItem.interface_version``). Records written before versions were
recorded carry none and read as 1. An executor runs a version only when it
supports that interface version; an unknown (future) version is refused with
FAILED_PRECONDITION instead of being run under the wrong contract.

Version 1 is the contract of the first release: the bundle directory holds
the version's artifacts (plus ``dlhub.json`` and ``environment.lock`` from
this release on); ONNX servables run under ONNX Runtime, python servables in
their own environment through the worker frame protocol 1
(``runners/_worker.py``). A change either side must see becomes version 2,
added here next to version 1, so older bundles keep running.
"""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import FailedPrecondition

# interface version -> what it means (for messages and docs)
SUPPORTED_INTERFACES: dict[int, str] = {
    1: "bundle directory + ONNX Runtime / python worker frame protocol 1",
}


def interface_of(item: bus_pb2.WorkItem) -> int:
    """The work item's interface version; 0 (never set) reads as 1."""
    return int(item.interface_version) or 1


def check_interface(item: bus_pb2.WorkItem) -> int:
    """Return the supported interface version of ``item``.

    Raises:
        FailedPrecondition: this executor does not speak that version.
    """
    version = interface_of(item)
    if version not in SUPPORTED_INTERFACES:
        raise FailedPrecondition(
            f"{item.servable.owner}/{item.servable.name}:{item.servable.version} was published"
            f" for executor-servable interface version {version}; this executor supports"
            f" {sorted(SUPPORTED_INTERFACES)}. Upgrade the executors (a newer DLHub) to run it.",
            details={
                "interface_version": version,
                "supported_interface_versions": sorted(SUPPORTED_INTERFACES),
            },
        )
    return version
