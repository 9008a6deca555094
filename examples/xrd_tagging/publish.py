"""Publish the beamline tagger and bind a stream to it.

    uv run --frozen python examples/xrd_tagging/publish.py [--topic detector.frames]
        [--output detector.tags]

Publishes ``out/xrd_tagger.onnx`` (run train.py first) with its tag names as
``servable.classes`` and dynamic batching (up to 32 frames per model call,
waiting at most 5 ms), runs it once on held-out frames (the original DLHub
table: tags sorted by probability), then binds ``--topic`` to it with results
on ``--output``. The address and token come from DLHUB_ADDRESS / DLHUB_TOKEN
or from the ``.dlhub/client.json`` that ``dlhub up`` writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from train import MODEL, OUT  # noqa: E402


def describe() -> OnnxServable:
    model = OnnxServable(MODEL, name="xrd-tagger")
    model.set_title("X-ray detector frame tagger (synthetic beamline images)")
    model.add_author("DLHub Examples", "DLHub")
    model.set_abstract(
        "A small multi-label CNN that tags 64x64 X-ray detector frames (Beam Off, Halo,"
        " Strong scattering, ...), after the original DLHub beamline example. Trained on"
        " SYNTHETIC frames (examples/xrd_tagging/synth.py), for demonstration only."
    )
    model.set_domains(["x-ray scattering", "beamline"])
    model.set_classes(list(synth.TAGS))
    model.set_batching(32, 5.0)
    return model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topic", default="detector.frames")
    parser.add_argument("--output", default="detector.tags")
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"{MODEL} is missing: run examples/xrd_tagging/train.py first", file=sys.stderr)
        return 1
    with DLHubClient() as client:
        summary = client.publish_servable(describe())
        ref = f"{summary['owner']}/{summary['name']}"
        print(f"published {ref} version {summary['version']} ({summary['digest'][:19]}...)")
        frames = np.load(OUT / "held_out_frames.npy")[:3]
        probs = client.run(ref, frames)["probabilities"]
        for i, row in enumerate(probs):
            top = sorted(zip(synth.TAGS, row.tolist(), strict=True), key=lambda p: -p[1])[:4]
            print(f"  frame {i}: " + ", ".join(f"{t} {p:.4f}" for t, p in top))
        for old in client.list_bindings(topic=args.topic):
            if old["servable"] == ref and old["output_topic"] == args.output:
                client.unbind_stream(old["id"])  # publish again: bind the same topics anew
        binding = client.bind_stream(args.topic, ref, args.output)
        print(
            f"bound {binding['topic']} -> {ref} -> {binding['output_topic']}"
            f" (binding {binding['id']}; dead letters: {binding['dead_letter_topic']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
