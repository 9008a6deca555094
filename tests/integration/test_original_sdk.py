"""The original DLHub SDK's documented examples (its README and docs/client.rst),
written as there and run against an in-process mesh; only the address differs
(DLHUB_ADDRESS, and DLHUB_TOKEN for the login the original does through Globus)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import numpy as np
import pytest

from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_sdk.client import DLHubClient

from .conftest import Mesh, TinyModel

PAPER = "10.1021/acs.chemmater.0c00001"


def _models(tiny: TinyModel) -> list[dict[str, Any]]:
    chem = tiny.metadata("enthalpy", title="Deep learning of formation enthalpy")
    chem["dlhub"]["domains"] = ["chemistry"]
    chem["datacite"]["creators"] = [{"name": "Ward, Logan"}, {"name": "Chard, Ryan"}]
    chem["datacite"]["relatedIdentifiers"] = [
        {
            "relatedIdentifier": PAPER,
            "relatedIdentifierType": "DOI",
            "relationType": "IsDescribedBy",
        }
    ]
    other = tiny.metadata("noop", title="A linear model")
    other["datacite"]["creators"] = [{"name": "Ward, Logan"}]
    return [chem, other]


@pytest.fixture
async def published(mesh: Mesh, tiny: TinyModel, monkeypatch: pytest.MonkeyPatch) -> Mesh:
    for metadata in _models(tiny):
        await mesh.publish(metadata, {"model.onnx": tiny.data})
    await mesh.publish(_models(tiny)[1], {"model.onnx": tiny.data})  # noop v2
    await mesh.wait_searchable("noop", version=2)
    await mesh.wait_searchable("enthalpy")
    monkeypatch.setenv("DLHUB_ADDRESS", mesh.grpc_address)
    monkeypatch.setenv("DLHUB_TOKEN", mesh.token)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(mesh.data_dir / "config"))
    return mesh


async def test_the_original_documented_examples_run(published: Mesh, tiny: TinyModel) -> None:
    x = np.arange(8, dtype=np.float32).reshape(2, 4)

    def examples() -> dict[str, Any]:
        client = DLHubClient()
        out: dict[str, Any] = {"servables": client.get_servables()}
        out["names"] = client.list_servables()
        out["text"] = client.search('"deep learning"')
        out["advanced"] = client.search(
            'servable.type:"Keras Model" AND dlhub.domains:"chemistry"', advanced=True
        )
        out["advanced_onnx"] = client.search(
            'servable.type:"onnx" AND dlhub.domains:"chemistry"', advanced=True
        )
        out["authors_all"] = client.search_by_authors(["Ward, Logan", "Chard, Ryan"])
        out["authors_any"] = client.search_by_authors(
            ["Ward, Logan", "Chard, Ryan"], match_all=False
        )
        out["doi"] = client.search_by_related_doi(PAPER)
        out["by_servable"] = client.search_by_servable("noop", owner="alice")
        out["by_servable_all"] = client.search_by_servable("noop", only_latest=False)
        out["by_version"] = client.search_by_servable("noop", version=1)
        out["helper"] = (
            client.query.match_term("servable.type", '"Keras Model"')
            .match_domains("chemistry")
            .search()
        )
        out["helper_onnx"] = client.query.match_domains("chemistry").search()
        out["described"] = client.describe_servable("alice/enthalpy")
        out["methods"] = client.describe_methods("alice/enthalpy")
        out["run_method"] = client.describe_methods("alice/enthalpy", "run")
        out["ran"] = client.run("alice/noop", x)
        out["ran_kw"] = client.run("alice/noop", inputs=x)
        out["serial"] = client.run_serial(["alice/noop"], x)
        out["username"] = client.get_username()
        client.logout()
        return out

    out = await asyncio.to_thread(examples)
    assert sorted(out["names"]) == ["alice/enthalpy", "alice/noop"]
    assert {s["name"] for s in out["servables"]} == {"enthalpy", "noop"}
    assert [h["name"] for h in out["text"]] == ["enthalpy"]
    assert out["advanced"] == []  # no Keras model here
    assert out["helper"] == []
    assert [h["name"] for h in out["advanced_onnx"]] == ["enthalpy"]
    assert [h["name"] for h in out["helper_onnx"]] == ["enthalpy"]
    assert [h["name"] for h in out["authors_all"]] == ["enthalpy"]
    assert {h["name"] for h in out["authors_any"]} == {"enthalpy", "noop"}
    assert [h["name"] for h in out["doi"]] == ["enthalpy"]
    assert [(h["name"], h["version"]) for h in out["by_servable"]] == [("noop", 2)]
    assert sorted(h["version"] for h in out["by_servable_all"]) == [1, 2]
    assert [h["version"] for h in out["by_version"]] == [1]
    assert out["described"]["datacite"]["titles"][0]["title"].startswith("Deep learning")
    assert set(out["methods"]) == {"run"}
    assert out["run_method"] == out["methods"]["run"]
    np.testing.assert_allclose(out["ran"]["Y"], tiny.expected(x), rtol=1e-5)
    np.testing.assert_allclose(out["ran_kw"]["Y"], tiny.expected(x), rtol=1e-5)
    np.testing.assert_allclose(out["serial"], tiny.expected(x), rtol=1e-5)
    assert out["username"] == "alice"


async def test_run_takes_parameters_third_and_futures_are_futures(
    published: Mesh, tiny: TinyModel
) -> None:
    x = np.ones((1, 4), dtype=np.float32)

    def use() -> dict[str, Any]:
        client = DLHubClient()
        out: dict[str, Any] = {}
        # the original's third positional argument is `parameters`: old code calling
        # run(name, x, {}) runs synchronously, as it did there
        out["third"] = client.run("alice/noop", x, {})
        with pytest.raises(InvalidArgument, match="parameters are not supported"):
            client.run("alice/noop", x, {"threshold": 0.5})
        future = client.run("alice/noop", x, None, True)
        out["is_future"] = isinstance(future, concurrent.futures.Future)
        called: list[Any] = []
        future.add_done_callback(lambda f: called.append(f.result()["Y"]))
        done, _ = concurrent.futures.wait([future], timeout=30)
        out["waited"] = future in done
        out["future"] = future.result(timeout=30)
        out["exception"] = future.exception()
        out["called"] = called
        with pytest.raises(NotFound, match="its methods: run"):
            client.describe_methods("alice/noop", "predict")
        return out

    out = await asyncio.to_thread(use)
    np.testing.assert_allclose(out["third"]["Y"], tiny.expected(x), rtol=1e-5)
    assert out["is_future"]
    assert out["waited"]
    assert out["exception"] is None
    np.testing.assert_allclose(out["future"]["Y"], tiny.expected(x), rtol=1e-5)
    assert len(out["called"]) == 1
