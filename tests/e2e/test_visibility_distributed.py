"""One fixed case of the visibility property, in distributed mode (issue 9).

The same check as tests/integration/test_visibility_properties.py, on one
world chosen to cover every rule: a version per kind of entry (public, a
user, a local group), a servable whose newest version is private while an
older one is public, a group member who is not the owner, and a stranger.
It runs on `dlhub serve` processes (Kafka, FerretDB, OpenSearch, S3), where
the caller's groups reach the registry and the search service only inside
the signed internal token.
"""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest

from dlhub_common.accounts import RECHECK_S, LocalAccounts
from tests.integration.conftest import TinyModel, _make_tiny
from tests.visibility_world import Doors, Servable, Version, World, check_world, publish_world

from ._support import Mesh


@pytest.mark.parametrize("mesh", ["distributed"], indirect=True)
async def test_the_fixed_visibility_case_holds_on_real_engines(mesh: Mesh) -> None:
    tiny: TinyModel = _make_tiny(1.0)
    run = uuid.uuid4().hex[:6]
    accounts = LocalAccounts(mesh.data_dir / "tokens.json")
    tokens = {u: accounts.ensure_user(f"{u}{run}") for u in ("ann", "ben", "cat")}
    tokens = {f"{u}{run}": t for u, t in tokens.items()}
    ann, ben, cat = tokens
    group = f"team{run}"
    accounts.create_group(group)
    accounts.add_members(group, [ben])
    world = World(
        tokens=tokens,
        groups={group: {ben}},
        servables=[
            Servable(ann, f"open-{run}", (Version(("public",)),)),
            Servable(ann, f"mine-{run}", (Version((ann,)),)),
            Servable(ann, f"team-{run}", (Version((f"group:{group}",)), Version((cat,)))),
            Servable(ann, f"later-{run}", (Version(("public",)), Version((ann,)))),
            Servable(cat, f"cats-{run}", (Version((ben, f"group:{group}")),)),
        ],
    )
    x = np.random.default_rng(1).standard_normal((1, 4)).astype(np.float32)

    def check() -> int:
        doors = Doors(mesh.address, mesh.http)
        try:
            publish_world(doors, world, lambda n, v: TinyModel.metadata(n, visible_to=v), tiny.data)
            check_world(doors, world, x)
        finally:
            doors.close()
        return world.counts["checks"]

    await asyncio.sleep(RECHECK_S + 0.05)  # the gateway sees the new group
    assert await asyncio.to_thread(check) == len(world.callers()) * len(world.servables)
