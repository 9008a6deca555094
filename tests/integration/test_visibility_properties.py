"""Property: no servable version is ever returned to a caller who may not see it.

Hypothesis draws users' group memberships and servables of 1-3 versions,
each version visible to a random set of entries (public, users, local
groups); every example is published into one in-process mesh under fresh
names and checked through every door by tests/visibility_world.py. Bounded:
VISIBILITY_EXAMPLES examples (default 12), no per-example deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlhub_common.accounts import RECHECK_S, LocalAccounts
from tests.visibility_world import (
    Doors,
    Servable,
    Version,
    World,
    check_world,
    publish_world,
)

from .conftest import Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = ("ann", "ben", "cat", "dan")
GROUPS = ("g0", "g1")
EXAMPLES = int(os.environ.get("VISIBILITY_EXAMPLES", "12"))
X = np.random.default_rng(5).standard_normal((1, 4)).astype(np.float32)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def prop_mesh(
    tmp_path_factory: pytest.TempPathFactory, tiny: TinyModel
) -> AsyncIterator[Mesh]:
    async with running_mesh(Path(tmp_path_factory.mktemp("visibility-props")), tiny) as mesh:
        yield mesh


# A drawn world: memberships of GROUPS, and servables as (owner, [visible_to of
# each version]) whose entries name groups by index ("group:0"); fresh names
# are given when an example runs (shrinking runs one drawing several times).
Drawn = tuple[dict[int, set[str]], list[tuple[str, list[tuple[str, ...]]]]]
ENTRIES = ["public", *USERS, *(f"group:{i}" for i in range(len(GROUPS)))]


@st.composite
def worlds(draw: Any) -> Drawn:
    groups = {i: set(draw(st.lists(st.sampled_from(USERS), unique=True))) for i in range(2)}
    entries = st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=4, unique=True).map(tuple)
    servables = [
        (draw(st.sampled_from(USERS)), draw(st.lists(entries, min_size=1, max_size=3)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return groups, servables


def named(drawn: Drawn, n: int, tokens: dict[str, str]) -> World:
    groups, servables = drawn
    group_name = {i: f"{GROUPS[i]}x{n}" for i in groups}

    def entry(e: str) -> str:
        return f"group:{group_name[int(e[6:])]}" if e.startswith("group:") else e

    return World(
        tokens=tokens,
        groups={group_name[i]: set(m) for i, m in groups.items()},
        servables=[
            Servable(owner, f"p{n}-s{i}", tuple(Version(tuple(map(entry, v))) for v in versions))
            for i, (owner, versions) in enumerate(servables)
        ],
    )


async def test_no_version_reaches_a_caller_who_may_not_see_it(
    prop_mesh: Mesh, tiny: TinyModel
) -> None:
    accounts = LocalAccounts(prop_mesh.settings.tokens_file)  # type: ignore[arg-type]
    tokens = {u: accounts.ensure_user(u) for u in USERS}
    counter = itertools.count()
    checked: list[int] = []

    def run() -> None:
        doors = Doors(prop_mesh.grpc_address, prop_mesh.http_url)
        try:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(drawn=worlds())
            def one(drawn: Drawn) -> None:
                world = named(drawn, next(counter), tokens)
                for group, members in world.groups.items():
                    accounts.create_group(group)
                    if members:
                        accounts.add_members(group, sorted(members))
                edited = time.monotonic()
                publish_world(
                    doors,
                    world,
                    lambda name, visible: tiny.metadata(name, visible_to=visible),
                    tiny.data,
                )
                # the gateway rereads a known token's groups after RECHECK_S
                time.sleep(max(0.0, RECHECK_S + 0.05 - (time.monotonic() - edited)))
                check_world(doors, world, X)
                checked.append(world.counts["checks"])

            one()
        finally:
            doors.close()

    await asyncio.to_thread(run)
    print(f"\nvisibility: {len(checked)} worlds, {sum(checked)} (caller, servable) checks")
    assert len(checked) >= min(EXAMPLES, 5)
