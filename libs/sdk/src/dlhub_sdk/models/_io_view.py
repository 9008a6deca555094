"""``model.input`` / ``model.output``: the run method's input and output, editable
in the original SDK's way: ``model.input['description'] = 'Image of a digit'``,
and for a named input or output ``model.output['probabilities']['description']``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any


class IOView(MutableMapping[str, Any]):
    """A live view of one input/output spec (a dict in the builder's metadata).

    Keys of the spec itself (``type``, ``description``, ``shape``...) read and
    write the spec; any other key names one of its ``properties`` (a named
    input or output of a ``dict`` spec) and returns that one's view.
    """

    def __init__(self, spec: Callable[[], dict[str, Any]]) -> None:
        self._spec = spec  # looked up on each access: builders may replace the spec

    def __getitem__(self, key: str) -> Any:
        spec = self._spec()
        if key in spec:
            return spec[key]
        props = spec.get("properties") or {}
        if key in props:
            return IOView(lambda: self._spec()["properties"][key])
        if key == "description":
            return ""
        raise KeyError(f"{key!r}: not a field of this spec nor one of its names {list(props)}")

    def __setitem__(self, key: str, value: Any) -> None:
        props = self._spec().get("properties") or {}
        if key in props and isinstance(value, dict):
            props[key].update(value)
        else:
            self._spec()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._spec()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spec())

    def __len__(self) -> int:
        return len(self._spec())

    def __repr__(self) -> str:
        return f"IOView({self._spec()!r})"
