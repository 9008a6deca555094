"""Citing servables and labelling results: :class:`CiteMixin` is part of
:class:`dlhub_sdk.client.DLHubClient`.

The version is described through the gateway as the caller (so what they may
not see is NOT_FOUND), then formatted here by :mod:`dlhub_common.citations`,
the same code the gateway's ``GET /api/v1/servables/{owner}/{name}/cite`` uses.
"""

from __future__ import annotations

import json
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.citations import cite
from dlhub_common.errors import InvalidArgument
from dlhub_common.labels import labelled
from dlhub_common.names import Ref, parse_ref
from dlhub_common.records import summary_from_pb


class CiteMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def _get(self, ref: Ref) -> Any:
        return self._call(
            "GetServable",
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
            ),
        )

    def cite(
        self,
        name: str,
        version: int | str | None = None,
        format: str = "text",
        style: str = "apa",
    ) -> str:
        """The citation of ``owner/name[:version]`` (latest by default).

        Args:
            format: ``text`` (a CSL style, ``style``), ``bibtex``, ``ris``,
                ``datacite-json`` or ``datacite-xml``.
            style: the CSL style of ``text`` (e.g. ``apa``, ``ieee``).
        """
        resp = self._get(parse_ref(name, version))
        summary = summary_from_pb(resp.servable.summary)
        return cite(summary, json.loads(resp.servable.metadata_json), format, style).text

    def _labelled(self, ref: Ref, outputs: Any) -> list[dict[str, float]]:
        """``{class: probability}`` per row, from the servable's declared classes."""
        resp = self._get(ref)
        metadata = json.loads(resp.servable.metadata_json)
        classes = (metadata.get("servable") or {}).get("classes") or []
        if not isinstance(outputs, dict):
            raise InvalidArgument("only tensor results can be labelled")
        return labelled(classes, outputs)
