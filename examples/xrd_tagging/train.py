"""Train the beamline tagger: a small multi-label CNN on synthetic 64x64 frames.

    uv run --frozen python examples/xrd_tagging/train.py

takes about a minute on 2 CPU cores.

Writes ``out/xrd_tagger.onnx`` (input ``frames`` float32 [N, 1, 64, 64],
output ``probabilities`` float32 [N, 12], one sigmoid per tag of
``synth.TAGS``) and prints per-tag held-out accuracy. Needs torch (installed
with the workspace: the executor's ``torch`` extra).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

OUT = Path(__file__).resolve().parent / "out"
MODEL = OUT / "xrd_tagger.onnx"
TRAIN, HELD_OUT, EPOCHS, BATCH = 4000, 800, 6, 64


class Tagger(nn.Module):
    """Three conv blocks and a small head; sigmoid per tag (multi-label)."""

    def __init__(self, tags: int) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(1, 8), block(8, 16), block(16, 32), nn.MaxPool2d(2))
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, tags)
        )

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(torch.log1p(torch.clamp(x, min=0.0) * 8.0)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(x))


def main() -> int:
    torch.manual_seed(0)
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    x, y = synth.dataset(TRAIN + HELD_OUT, seed=1)
    print(f"made {len(x)} synthetic frames in {time.perf_counter() - t0:.1f} s")
    xt, yt = torch.from_numpy(x[:TRAIN]), torch.from_numpy(y[:TRAIN])
    xv, yv = torch.from_numpy(x[TRAIN:]), y[TRAIN:]
    model = Tagger(len(synth.TAGS))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    t1 = time.perf_counter()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(TRAIN)
        total = 0.0
        for start in range(0, TRAIN, BATCH):
            idx = order[start : start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model.logits(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = ((model(xv).numpy() > 0.5) == (yv > 0.5)).mean()
        print(
            f"epoch {epoch + 1}/{EPOCHS}: loss {total / TRAIN:.4f}, held-out tag accuracy {acc:.3f}"
        )
    print(f"trained in {time.perf_counter() - t1:.1f} s")
    with torch.no_grad():
        pred = model(xv).numpy() > 0.5
    for i, tag in enumerate(synth.TAGS):
        print(f"  {tag:20s} accuracy {(pred[:, i] == (yv[:, i] > 0.5)).mean():.3f}")
    OUT.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (xv[:1],),
        str(MODEL),
        dynamo=False,
        input_names=["frames"],
        output_names=["probabilities"],
        dynamic_axes={"frames": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=17,
    )
    np.save(OUT / "held_out_frames.npy", x[TRAIN : TRAIN + 64])
    print(f"wrote {MODEL} ({MODEL.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
