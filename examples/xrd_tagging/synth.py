"""Synthetic X-ray detector frames (64x64) with multi-label tags.

THE IMAGES ARE SYNTHETIC: each is a sum of made-up ingredients (rings,
amorphous halos, Bragg spots, diffuse low-q scattering, a beamstop shadow,
background, hot pixels) with Poisson-like noise, labelled by which
ingredients went in, like the tags of the original DLHub beamline example
("Beam Off", "Halo", "Strong scattering", ...). Standard numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

SIZE = 64
TAGS = (
    "Beam Off",
    "Halo",
    "Strong scattering",
    "Weak scattering",
    "Powder rings",
    "Textured rings",
    "Bragg spots",
    "Diffuse scattering",
    "Beamstop shadow",
    "High background",
    "Saturated pixels",
    "Off-center beam",
)
Array = npt.NDArray[Any]


def _grid(cx: float, cy: float) -> tuple[Array, Array]:
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    r = np.hypot(x - cx, y - cy)
    phi = np.arctan2(y - cy, x - cx)
    return r, phi


def frame(rng: np.random.Generator) -> tuple[Array, Array]:
    """One frame (float32 [64, 64], counts scaled to about [0, 1]) and its tag vector."""
    tags = np.zeros(len(TAGS), dtype=np.float32)
    on = lambda name: tags.__setitem__(TAGS.index(name), 1.0)  # noqa: E731
    if rng.random() < 0.1:  # beam off: dark current and read noise only
        on("Beam Off")
        image = rng.normal(0.01, 0.005, (SIZE, SIZE)).astype(np.float32)
        return np.clip(image, 0, None), tags
    off_center = rng.random() < 0.2
    if off_center:
        on("Off-center beam")
    cx, cy = (
        (SIZE / 2 + rng.uniform(-12, 12, 2)) if off_center else (SIZE / 2 + rng.normal(0, 1, 2))
    )
    r, phi = _grid(cx, cy)
    image = np.zeros((SIZE, SIZE), np.float32)
    if rng.random() < 0.4:
        on("Halo")
        r0, width = rng.uniform(12, 22), rng.uniform(4, 7)
        image += rng.uniform(0.3, 0.6) * np.exp(-((r - r0) ** 2) / (2 * width**2))
    if rng.random() < 0.45:
        on("Powder rings")
        textured = rng.random() < 0.4
        if textured:
            on("Textured rings")
        for _ in range(rng.integers(2, 5)):
            r0 = rng.uniform(6, 30)
            ring = np.exp(-((r - r0) ** 2) / (2 * 0.8**2))
            if textured:
                ring *= (0.5 + 0.5 * np.cos(rng.integers(2, 5) * (phi - rng.uniform(0, 6)))) ** 4
            image += rng.uniform(0.3, 0.9) * ring
    if rng.random() < 0.25:
        on("Bragg spots")
        yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
        for _ in range(rng.integers(4, 12)):
            sx, sy = rng.uniform(4, SIZE - 4, 2)
            image += rng.uniform(0.5, 1.0) * np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / 2.0)
    if rng.random() < 0.35:
        on("Diffuse scattering")
        image += rng.uniform(0.3, 0.7) * np.exp(-r / rng.uniform(4, 8))
    total = float(image.sum())
    if total > 0:
        on("Strong scattering" if total > 220 else "Weak scattering")
    background = rng.random() < 0.25
    if background:
        on("High background")
    image += rng.uniform(0.12, 0.25) if background else rng.uniform(0.0, 0.04)
    if rng.random() < 0.4:
        on("Beamstop shadow")
        stop = r < rng.uniform(3, 5)
        arm_angle = rng.uniform(0, 2 * np.pi)
        arm = (np.abs(np.sin(phi - arm_angle)) * r < 1.6) & (np.cos(phi - arm_angle) > 0)
        image[stop | arm] *= 0.05
    image = rng.poisson(image * 200).astype(np.float32) / 200.0  # counting noise
    if rng.random() < 0.2:
        on("Saturated pixels")
        idx = rng.integers(0, SIZE, (rng.integers(3, 10), 2))
        image[idx[:, 0], idx[:, 1]] = 4.0
    return image, tags


def dataset(n: int, seed: int = 0) -> tuple[Array, Array]:
    """``n`` frames as float32 [n, 1, 64, 64] and tags [n, 12]."""
    rng = np.random.default_rng(seed)
    images, labels = zip(*(frame(rng) for _ in range(n)), strict=True)
    return np.stack(images)[:, None], np.stack(labels)
