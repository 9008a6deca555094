"""Stream bindings: frames on a bus topic run through a servable (docs/streams.md).

- :mod:`.frames`: decoding frames (``.npy``, raw bytes with dtype/shape
  headers, JSON) and the ``{tag: probability}`` view of results;
- :mod:`.binding`: one binding's consumer, runs and ordered producer;
- :mod:`.runner`: one stream per stored binding, picked up while running.
"""

from dlhub_taskmanager.streams.runner import BindingRunner

__all__ = ["BindingRunner"]
