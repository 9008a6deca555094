"""SearchIndex contract: every adapter in SEARCH_INDEXES must pass."""

from __future__ import annotations

from typing import Any

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.ports import SearchIndex, SearchQuery
from dlhub_common.ports.search_index import KEYWORD_FIELDS

pytestmark = pytest.mark.contract


def servable(doc_id: str, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": doc_id,
        "title": f"Model {doc_id}",
        "description": "",
        "authors": [],
        "domains": [],
        "name": doc_id,
        "owner": "alice",
        "servable_type": "python",
        "readers": ["public"],
        "latest": True,
        "published_at": "2024-01-01T00:00:00Z",
    }
    doc.update(fields)
    return doc


CATALOG = [
    servable(
        "graphene",
        title="Graphene band gap predictor",
        description="Predicts the band gap of graphene nanoribbons.",
        authors=["Ward, Logan", "Chard, Kyle"],
        domains=["materials science", "physics"],
        owner="logan",
        published_at="2024-03-01T00:00:00Z",
    ),
    servable(
        "ribbon",
        title="Nanoribbon stability",
        description=(
            "A long description of a model that estimates the thermodynamic stability of "
            "carbon nanoribbons, trained on a large set of simulations, also mentioning "
            "graphene once among many other words about chemistry and structures."
        ),
        authors=["Blaiszik, Ben"],
        domains=["materials science"],
        owner="ben",
        servable_type="keras",
        published_at="2024-02-01T00:00:00Z",
    ),
    servable(
        "cifar",
        title="CIFAR-10 image classifier",
        description="Classifies small images into ten classes.",
        authors=["Chard, Kyle"],
        domains=["computer vision"],
        owner="kyle",
        servable_type="keras",
        readers=["public", "group:uchicago"],
        latest=False,
        published_at="2023-12-01T00:00:00Z",
    ),
    servable(
        "formation",
        title="Formation enthalpy",
        description="Predicts the formation enthalpy of inorganic crystals.",
        authors=["Ward, Logan"],
        domains=["materials science", "chemistry"],
        owner="logan",
        servable_type="sklearn",
        readers=["group:uchicago"],
        published_at="2024-01-15T00:00:00Z",
    ),
]


async def _load(index: SearchIndex, docs: list[dict[str, Any]] = CATALOG) -> None:
    for doc in docs:
        await index.upsert(doc["id"], doc)


async def _ids(index: SearchIndex, **query: Any) -> list[str]:
    return [hit["id"] for hit in (await index.search(SearchQuery(**query))).hits]


async def test_ping(search_index: SearchIndex) -> None:
    await search_index.ping()


async def test_empty_index(search_index: SearchIndex) -> None:
    result = await search_index.search(SearchQuery(facets=["owner"]))
    assert result.total == 0
    assert result.hits == []
    assert result.facets == {"owner": []}


async def test_empty_text_lists_all_newest_first(search_index: SearchIndex) -> None:
    await _load(search_index)
    result = await search_index.search(SearchQuery())
    assert result.total == 4
    assert [h["id"] for h in result.hits] == ["graphene", "ribbon", "formation", "cifar"]
    assert result.hits[0] == CATALOG[0]  # hits are the stored documents


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["graphene", "ribbon", "formation", "cifar", "undated"]),
        ("oldest", ["cifar", "formation", "ribbon", "graphene", "undated"]),
        ("title", ["cifar", "formation", "graphene", "ribbon", "undated"]),
    ],
)
async def test_sort_orders_hits_with_and_without_text(
    search_index: SearchIndex, sort: str, expected: list[str]
) -> None:
    undated = servable("undated", title="Zeolite pores", published_at=None)
    await _load(search_index, [*CATALOG, undated])
    assert await _ids(search_index, sort=sort) == expected
    # with text the order is still the one asked for, not relevance
    with_text = [i for i in expected if i in {"graphene", "ribbon"}]
    assert await _ids(search_index, text="graphene", sort=sort) == with_text


async def test_unknown_sort_is_rejected(search_index: SearchIndex) -> None:
    with pytest.raises(InvalidArgument, match="unknown sort 'cost'; allowed: relevance"):
        await search_index.search(SearchQuery(sort="cost"))


async def test_same_published_at_ties_broken_by_id(search_index: SearchIndex) -> None:
    await _load(search_index, [servable(i, published_at="2024-01-01T00:00:00Z") for i in "cab"])
    await search_index.upsert("d", servable("d", published_at="2025-01-01T00:00:00Z"))
    assert await _ids(search_index) == ["d", "a", "b", "c"]


async def test_text_is_case_insensitive_and_ranked_by_relevance(search_index: SearchIndex) -> None:
    await _load(search_index)
    result = await search_index.search(SearchQuery(text="GRAPHENE"))
    assert result.total == 2
    assert [h["id"] for h in result.hits] == ["graphene", "ribbon"]


async def test_relevance_beats_date_and_id(search_index: SearchIndex) -> None:
    filler = " ".join(f"word{i}" for i in range(40))
    await _load(
        search_index,
        [
            servable("a-new", description=f"{filler} perovskite {filler}", published_at="2025"),
            servable("b-old", title="Perovskite perovskite cells", published_at="2020"),
        ],
    )
    assert await _ids(search_index, text="perovskite") == ["b-old", "a-new"]
    assert await _ids(search_index) == ["a-new", "b-old"]


async def test_equal_relevance_ties_broken_by_id(search_index: SearchIndex) -> None:
    await _load(search_index, [servable(i, title="Same words here") for i in ("m2", "m1", "m3")])
    assert await _ids(search_index, text="same words") == ["m1", "m2", "m3"]


async def test_text_matches_every_text_field(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, text="nanoribbons") == ["graphene", "ribbon"]  # description
    assert await _ids(search_index, text="blaiszik") == ["ribbon"]  # authors
    assert await _ids(search_index, text="vision") == ["cifar"]  # domains
    assert sorted(await _ids(search_index, text="kyle")) == ["cifar", "graphene"]  # owner, authors
    assert await _ids(search_index, text="formation") == ["formation"]  # name and title


async def test_prefix_match_on_last_term_only(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, text="graph") == ["graphene", "ribbon"]
    assert await _ids(search_index, text="band gra") == ["graphene"]
    assert await _ids(search_index, text="graph band") == []  # "graph" is not a prefix here
    assert await _ids(search_index, text="enthalp") == ["formation"]


async def test_terms_are_anded_across_fields(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, text="graphene gap") == ["graphene"]
    assert await _ids(search_index, text="gap logan") == ["graphene"]  # title + owner
    assert await _ids(search_index, text="graphene cifar") == []


async def test_filters_or_within_field_and_across_fields(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, filters={"owner": ["logan"]}) == ["graphene", "formation"]
    assert await _ids(search_index, filters={"owner": ["ben", "kyle"]}) == ["ribbon", "cifar"]
    assert await _ids(
        search_index, filters={"servable_type": ["keras"], "domains": ["materials science"]}
    ) == ["ribbon"]
    assert await _ids(search_index, filters={"owner": ["nobody"]}) == []


async def test_filters_on_list_and_boolean_fields(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, filters={"readers": ["group:uchicago"]}) == [
        "formation",
        "cifar",
    ]
    assert await _ids(search_index, filters={"authors": ["Chard, Kyle"]}) == ["graphene", "cifar"]
    assert await _ids(search_index, filters={"latest": ["false"]}) == ["cifar"]
    assert len(await _ids(search_index, filters={"latest": ["true"]})) == 3


async def test_filters_combine_with_text(search_index: SearchIndex) -> None:
    await _load(search_index)
    ids = await _ids(search_index, text="graphene", filters={"servable_type": ["keras"]})
    assert ids == ["ribbon"]


async def test_keyword_filters_are_exact(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, filters={"domains": ["materials"]}) == []
    assert await _ids(search_index, filters={"owner": ["Logan"]}) == []


async def test_facets_count_all_matches_sorted(search_index: SearchIndex) -> None:
    await _load(search_index)
    result = await search_index.search(
        SearchQuery(facets=["domains", "servable_type", "latest"], limit=1)
    )
    assert len(result.hits) == 1
    assert result.facets["domains"] == [
        ("materials science", 3),
        ("chemistry", 1),
        ("computer vision", 1),
        ("physics", 1),
    ]
    assert result.facets["servable_type"] == [("keras", 2), ("python", 1), ("sklearn", 1)]
    assert result.facets["latest"] == [("true", 3), ("false", 1)]


async def test_facets_follow_text_and_filters(search_index: SearchIndex) -> None:
    await _load(search_index)
    result = await search_index.search(
        SearchQuery(text="predicts", filters={"owner": ["logan"]}, facets=["owner", "authors"])
    )
    assert result.total == 2
    assert result.facets["owner"] == [("logan", 2)]
    assert result.facets["authors"] == [("Ward, Logan", 2), ("Chard, Kyle", 1)]


async def test_pagination_beyond_first_page(search_index: SearchIndex) -> None:
    docs = [
        servable(f"m{i:02d}", title=f"Batch model {i}", published_at=f"2024-05-01T00:00:{i:02d}Z")
        for i in range(45)
    ]
    await _load(search_index, docs)

    for text in ("", "batch model"):
        pages = [await search_index.search(SearchQuery(text=text, offset=o)) for o in (0, 20, 40)]
        assert [p.total for p in pages] == [45, 45, 45]
        assert [len(p.hits) for p in pages] == [20, 20, 5]
        ids = [h["id"] for p in pages for h in p.hits]
        assert sorted(ids) == [d["id"] for d in docs]
    newest_first = [h["id"] for h in (await search_index.search(SearchQuery(limit=50))).hits]
    assert newest_first == [f"m{i:02d}" for i in range(44, -1, -1)]
    beyond = await search_index.search(SearchQuery(offset=60))
    assert (beyond.total, beyond.hits) == (45, [])


async def test_delete(search_index: SearchIndex) -> None:
    await _load(search_index)
    await search_index.delete("graphene")
    await search_index.delete("graphene")  # absent: no error
    await search_index.delete("never-indexed")
    assert await _ids(search_index, text="graphene") == ["ribbon"]
    result = await search_index.search(SearchQuery(facets=["owner"]))
    assert result.total == 3
    assert result.facets["owner"] == [("ben", 1), ("kyle", 1), ("logan", 1)]


async def test_reupsert_replaces_text_and_keywords(search_index: SearchIndex) -> None:
    await _load(search_index)
    renamed = servable("graphene", title="Renamed", name="renamed", owner="zed")
    await search_index.upsert("graphene", renamed)
    assert await _ids(search_index, text="graphene") == ["ribbon"]
    assert await _ids(search_index, text="renamed") == ["graphene"]
    assert await _ids(search_index, filters={"owner": ["logan"]}) == ["formation"]
    result = await search_index.search(SearchQuery(facets=["owner"]))
    assert result.total == 4
    assert ("zed", 1) in result.facets["owner"]


async def test_extra_keys_are_stored_not_indexed(search_index: SearchIndex) -> None:
    doc = servable("x", extra={"nested": [1, 2]}, notes="zebra")
    await search_index.upsert("x", doc)
    assert (await search_index.search(SearchQuery())).hits == [doc]
    assert await _ids(search_index, text="zebra") == []


async def test_exclude_drops_documents_holding_a_refused_value(
    search_index: SearchIndex,
) -> None:
    """Per-version visibility: a version shadowed for a reader is left out, and
    totals and facets count only what is left."""
    docs = [
        servable("v1", name="m", readers=["public", "alice"], shadowed_by=["alice", "group:x"]),
        servable("v2", name="m", readers=["alice", "group:x"], shadowed_by=[]),
        servable("other", name="o", owner="bob", readers=["public"], shadowed_by=[]),
    ]
    await _load(search_index, docs)
    # an anonymous caller: v1 (v2 is not theirs to see) and bob's
    anonymous = SearchQuery(
        filters={"readers": ["public"]}, exclude={"shadowed_by": ["public"]}, facets=["owner"]
    )
    result = await search_index.search(anonymous)
    assert sorted(h["id"] for h in result.hits) == ["other", "v1"]
    assert result.total == 2
    assert dict(result.facets["owner"]) == {"alice": 1, "bob": 1}
    # a member of group:x sees v2 only, once
    member = SearchQuery(
        filters={"readers": ["public", "carol", "group:x"]},
        exclude={"shadowed_by": ["public", "carol", "group:x"]},
        facets=["owner"],
    )
    result = await search_index.search(member)
    assert sorted(h["id"] for h in result.hits) == ["other", "v2"]
    assert dict(result.facets["owner"]) == {"alice": 1, "bob": 1}
    # an empty list of refused values does not constrain
    assert len(await _ids(search_index, exclude={"shadowed_by": []})) == 3
    with pytest.raises(InvalidArgument, match="colour"):
        await search_index.search(SearchQuery(exclude={"colour": ["red"]}))


@pytest.mark.parametrize("where", ["filters", "facets"])
async def test_unknown_field_is_rejected_with_allowed_list(
    search_index: SearchIndex, where: str
) -> None:
    query = (
        SearchQuery(filters={"colour": ["red"]})
        if where == "filters"
        else SearchQuery(facets=["colour"])
    )
    with pytest.raises(InvalidArgument) as info:
        await search_index.search(query)
    assert "colour" in info.value.message
    assert all(name in info.value.message for name in KEYWORD_FIELDS)


@pytest.mark.parametrize(
    "text",
    [
        '"foo* OR (bar',
        "NEAR(a b)",
        "AND",
        "OR NOT",
        "*",
        '"',
        "-graphene",
        "title:graphene",
        "^graphene",
        "a'b;--",
        "{x}",
        "   ",
        "ünïcödé ∑ 图",
    ],
)
async def test_query_text_syntax_never_raises(search_index: SearchIndex, text: str) -> None:
    await _load(search_index)
    result = await search_index.search(SearchQuery(text=text))
    assert result.total >= 0


async def test_operator_words_are_plain_terms(search_index: SearchIndex) -> None:
    await _load(search_index)
    assert await _ids(search_index, text="graphene OR cifar") == []
    assert await _ids(search_index, text="title:graphene") == []  # no field syntax either
