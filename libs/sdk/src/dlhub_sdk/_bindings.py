"""Stream bindings (docs/streams.md): part of :class:`dlhub_sdk.client.DLHubClient`."""

from __future__ import annotations

from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.names import parse_ref
from dlhub_common.views import binding_fields
from dlhub_sdk._manage import _ref_pb


class BindingsMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def bind_stream(
        self,
        topic: str,
        servable: str,
        output_topic: str,
        *,
        dead_letter_topic: str = "",
        key_field: str = "",
        input: str = "",
        max_in_flight: int = 0,
    ) -> dict[str, Any]:
        """Run every frame published on ``topic`` through ``servable`` (as you),
        with results on ``output_topic`` keyed by frame id; returns the binding."""
        resp = self._call(
            "CreateBinding",
            registry_pb2.CreateBindingRequest(
                topic=topic,
                servable=_ref_pb(parse_ref(servable)),
                output_topic=output_topic,
                dead_letter_topic=dead_letter_topic,
                key_field=key_field,
                input=input,
                max_in_flight=max_in_flight,
            ),
        )
        return binding_fields(resp.binding)

    def list_bindings(self, *, everyone: bool = False, topic: str = "") -> list[dict[str, Any]]:
        """Your stream bindings, oldest first (administrators: ``everyone``'s)."""
        resp = self._call(
            "ListBindings", registry_pb2.ListBindingsRequest(all=everyone, topic=topic)
        )
        return [binding_fields(b) for b in resp.bindings]

    def unbind_stream(self, binding_id: str) -> dict[str, Any]:
        """Remove one of your bindings; its stream stops shortly after."""
        resp = self._call("DeleteBinding", registry_pb2.DeleteBindingRequest(id=binding_id))
        return binding_fields(resp.binding)
