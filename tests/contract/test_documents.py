"""DocumentStore contract: every adapter in DOCUMENT_STORES must pass."""

from __future__ import annotations

import pytest

from dlhub_common.errors import AlreadyExists, InvalidArgument
from dlhub_common.ports import DocumentStore

pytestmark = pytest.mark.contract

SERVABLES = [
    {"name": "a", "owner": "alice", "state": "READY", "version": 3, "dlhub": {"domain": "chem"}},
    {"name": "b", "owner": "bob", "state": "FAILED", "version": 1, "dlhub": {"domain": "bio"}},
    {"name": "c", "owner": "alice", "state": "PENDING", "version": 2, "dlhub": {"domain": "bio"}},
    {"name": "d", "owner": "carol", "state": "READY", "version": 2, "dlhub": {"domain": "chem"}},
    {"name": "e", "owner": "alice", "state": "READY", "version": 5, "dlhub": {"domain": "phys"}},
]


async def _load(store: DocumentStore) -> None:
    for doc in SERVABLES:
        await store.insert("servables", f"id-{doc['name']}", doc)


def _names(docs: list[dict[str, object]]) -> list[object]:
    return [d["name"] for d in docs]


async def test_ping(documents: DocumentStore) -> None:
    await documents.ping()


async def test_insert_get_roundtrip_returns_fresh_copies(documents: DocumentStore) -> None:
    doc = {"name": "x", "tags": ["a", "b"], "meta": {"n": 1.5, "ok": True, "none": None}}
    await documents.insert("things", "t1", doc)

    got = await documents.get("things", "t1")
    assert got == doc
    assert "_id" not in got
    got["name"] = "changed"
    assert await documents.get("things", "t1") == doc
    assert await documents.get("things", "missing") is None
    assert await documents.get("never_used", "t1") is None


async def test_insert_duplicate_id_raises_already_exists(documents: DocumentStore) -> None:
    await documents.insert("things", "t1", {"v": 1})
    with pytest.raises(AlreadyExists):
        await documents.insert("things", "t1", {"v": 2})
    assert await documents.get("things", "t1") == {"v": 1}


async def test_same_id_in_two_collections_is_independent(documents: DocumentStore) -> None:
    await documents.insert("one", "x", {"v": 1})
    await documents.insert("two", "x", {"v": 2})
    assert await documents.get("one", "x") == {"v": 1}
    assert await documents.get("two", "x") == {"v": 2}


async def test_put_inserts_then_replaces_whole_document(documents: DocumentStore) -> None:
    await documents.put("things", "t1", {"a": 1, "b": 2})
    await documents.put("things", "t1", {"a": 3})
    assert await documents.get("things", "t1") == {"a": 3}
    assert await documents.count("things") == 1


async def test_update_sets_top_level_fields(documents: DocumentStore) -> None:
    await documents.insert("things", "t1", {"a": 1, "b": {"c": 2}})
    assert await documents.update("things", "t1", {"b": {"d": 3}, "e": [1]}) is True
    assert await documents.get("things", "t1") == {"a": 1, "b": {"d": 3}, "e": [1]}
    assert await documents.update("things", "missing", {"a": 2}) is False
    assert await documents.get("things", "missing") is None


async def test_delete(documents: DocumentStore) -> None:
    await documents.insert("things", "t1", {"a": 1})
    assert await documents.delete("things", "t1") is True
    assert await documents.delete("things", "t1") is False
    assert await documents.get("things", "t1") is None
    await documents.insert("things", "t1", {"a": 2})  # the id is free again
    assert await documents.get("things", "t1") == {"a": 2}


async def test_document_with_underscore_id_is_rejected(documents: DocumentStore) -> None:
    with pytest.raises(InvalidArgument):
        await documents.insert("things", "t1", {"_id": "x"})
    with pytest.raises(InvalidArgument):
        await documents.put("things", "t1", {"_id": "x"})
    assert await documents.count("things") == 0


async def test_unique_index_rejects_duplicates(documents: DocumentStore) -> None:
    await documents.ensure_index("servables", ["owner", "name"], unique=True)
    await documents.ensure_index("servables", ["owner", "name"], unique=True)  # idempotent
    await documents.insert("servables", "s1", {"owner": "alice", "name": "m"})
    await documents.insert("servables", "s2", {"owner": "bob", "name": "m"})

    with pytest.raises(AlreadyExists):
        await documents.insert("servables", "s3", {"owner": "alice", "name": "m"})
    with pytest.raises(AlreadyExists):
        await documents.put("servables", "s2", {"owner": "alice", "name": "m"})
    assert await documents.get("servables", "s2") == {"owner": "bob", "name": "m"}
    assert await documents.get("servables", "s3") is None
    # Re-putting a document with its own values is no violation.
    await documents.put("servables", "s1", {"owner": "alice", "name": "m", "x": 1})


async def test_unique_index_on_dotted_field(documents: DocumentStore) -> None:
    await documents.ensure_index("servables", ["dlhub.shorthand"], unique=True)
    await documents.insert("servables", "s1", {"dlhub": {"shorthand": "alice/m"}})
    with pytest.raises(AlreadyExists):
        await documents.insert("servables", "s2", {"dlhub": {"shorthand": "alice/m"}})
    await documents.insert("servables", "s3", {"dlhub": {"shorthand": "bob/m"}})


async def test_non_unique_index_allows_duplicates(documents: DocumentStore) -> None:
    await documents.ensure_index("servables", ["owner"])
    await _load(documents)
    assert await documents.count("servables", {"owner": "alice"}) == 3


async def test_find_equality_filters_are_anded(documents: DocumentStore) -> None:
    await _load(documents)
    assert _names(await documents.find("servables", {"owner": "alice"})) == ["a", "c", "e"]
    assert _names(await documents.find("servables", {"owner": "alice", "state": "READY"})) == [
        "a",
        "e",
    ]
    assert await documents.find("servables", {"owner": "nobody"}) == []


async def test_find_in_filter(documents: DocumentStore) -> None:
    await _load(documents)
    found = await documents.find("servables", {"state": {"$in": ["FAILED", "PENDING"]}})
    assert _names(found) == ["b", "c"]
    assert await documents.find("servables", {"state": {"$in": []}}) == []


async def test_find_dotted_filter(documents: DocumentStore) -> None:
    await _load(documents)
    assert _names(await documents.find("servables", {"dlhub.domain": "bio"})) == ["b", "c"]
    in_filter = {"dlhub.domain": {"$in": ["phys", "chem"]}, "owner": "alice"}
    assert _names(await documents.find("servables", in_filter)) == ["a", "e"]


async def test_filter_values_match_by_type(documents: DocumentStore) -> None:
    await documents.insert("things", "int", {"v": 1})
    await documents.insert("things", "str", {"v": "1"})
    await documents.insert("things", "true", {"v": True})
    await documents.insert("things", "null", {"v": None})
    await documents.insert("things", "missing", {})

    assert [await documents.count("things", {"v": value}) for value in (1, "1", True)] == [1, 1, 1]
    assert await documents.count("things", {"v": None}) == 2  # null and missing
    assert await documents.count("things", {"v": {"$in": [1, "1"]}}) == 2
    assert await documents.count("things", {"v": 1.0}) == 1


async def test_array_field_matches_contained_value(documents: DocumentStore) -> None:
    await documents.insert("things", "t1", {"readers": ["alice", "bob"]})
    await documents.insert("things", "t2", {"readers": ["carol"]})
    await documents.insert("things", "t3", {"readers": "alice"})

    assert await documents.count("things", {"readers": "alice"}) == 2
    assert await documents.count("things", {"readers": {"$in": ["bob", "carol"]}}) == 2
    assert await documents.count("things", {"readers": ["alice", "bob"]}) == 1
    assert await documents.count("things", {"readers": "dave"}) == 0


async def test_nested_object_equality(documents: DocumentStore) -> None:
    await documents.insert("things", "t1", {"meta": {"a": 1, "b": "x"}})
    assert await documents.count("things", {"meta": {"a": 1, "b": "x"}}) == 1
    assert await documents.count("things", {"meta": {"a": 1}}) == 0


async def test_find_without_sort_orders_by_id(documents: DocumentStore) -> None:
    for doc_id in ["b", "c", "a"]:
        await documents.insert("things", doc_id, {"id": doc_id})
    assert [d["id"] for d in await documents.find("things")] == ["a", "b", "c"]
    assert [d["id"] for d in await documents.find("things", {})] == ["a", "b", "c"]


async def test_find_sort_with_ties_broken_by_id(documents: DocumentStore) -> None:
    await _load(documents)
    by_version = await documents.find("servables", sort=[("version", -1)])
    assert _names(by_version) == ["e", "a", "c", "d", "b"]  # c and d tie: id order
    two_keys = await documents.find("servables", sort=[("state", 1), ("version", -1)])
    assert _names(two_keys) == ["b", "c", "e", "a", "d"]
    nested = await documents.find("servables", sort=[("dlhub.domain", 1)])
    assert _names(nested) == ["b", "c", "a", "d", "e"]


async def test_find_paging(documents: DocumentStore) -> None:
    for i in range(25):
        await documents.insert("things", f"t{i:02d}", {"i": i, "even": i % 2 == 0})
    sort = [("i", -1)]

    pages = [
        await documents.find("things", sort=sort, offset=offset, limit=10)
        for offset in (0, 10, 20, 30)
    ]
    assert [len(p) for p in pages] == [10, 10, 5, 0]
    assert [d["i"] for page in pages for d in page] == list(range(24, -1, -1))

    evens = await documents.find("things", {"even": True}, sort=[("i", 1)], offset=3, limit=4)
    assert [d["i"] for d in evens] == [6, 8, 10, 12]
    assert len(await documents.find("things", offset=20)) == 5
    assert await documents.find("things", limit=0) == []


async def test_count(documents: DocumentStore) -> None:
    assert await documents.count("servables") == 0
    await _load(documents)
    assert await documents.count("servables") == 5
    assert await documents.count("servables", {"state": "READY"}) == 3
    assert await documents.count("servables", {"state": {"$in": ["READY", "FAILED"]}}) == 4


@pytest.mark.parametrize("name", ["bad name", "x;drop", "", "a.b", 'q"uote'])
async def test_bad_collection_name_is_rejected(documents: DocumentStore, name: str) -> None:
    with pytest.raises(InvalidArgument):
        await documents.insert(name, "t1", {"a": 1})
    with pytest.raises(InvalidArgument):
        await documents.find(name)


async def test_unsupported_operator_is_rejected(documents: DocumentStore) -> None:
    with pytest.raises(InvalidArgument):
        await documents.find("things", {"v": {"$gt": 1}})
    with pytest.raises(InvalidArgument, match="only equality"):
        await documents.find("things", {"v": {"$in": 5}})
