"""The web catalogue in a real browser: Playwright driving Debian's Chromium.

One embedded ``dlhub up`` with three servables (the digits example, a second
public one in another domain, and a private one that declares its classes),
one browser for the module.
Screenshots go to tests/artifacts/web/ (printed at the end), e.g. for a review.
The browser comes from ``python -m deploy.local.browser`` (``make test`` runs it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from deploy.local.browser import CHROMIUM
from dlhub_sdk import DLHubClient, Pipeline

from ._support import USERNAME, Digits, Mesh
from .conftest import start_dlhub_up

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
TIMEOUT_MS = 15_000
CLASSES = [str(d) for d in range(10)]  # integer-like keys: a JS object would reorder them


@pytest.fixture(scope="module")
def web_mesh(
    tmp_path_factory: pytest.TempPathFactory, digits: Digits, digits_example: Any
) -> Iterator[Mesh]:
    process, mesh = start_dlhub_up(tmp_path_factory.mktemp("web"))
    try:
        with DLHubClient(mesh.address, mesh.token) as client:
            client.publish_servable(digits_example.describe(digits.path))
            client.publish_servable(
                digits_example.describe(digits.path)
                .set_name("glass-demo")
                .set_title("Metallic glass formation (demo)")
                .set_domains(["materials science"])
            )
            client.publish_servable(
                digits_example.describe(digits.path)
                .set_name("digits-private")
                .set_title("Private digit classifier")
                .set_visibility(users=[USERNAME])
                .set_classes(CLASSES)
            )
            client.publish_pipeline(
                Pipeline("digits-pipe")
                .set_title("Digits, twice")
                .add_author("DLHub Examples", "DLHub")
                .set_abstract("Two classifiers side by side.")
                .step("first", "digits", {"X": "$input.X"})
                .step("second", "digits", {"X": "$input.X"})
                .set_outputs({"a": "first.label", "b": "second.label"})
            )
        yield mesh
    finally:
        process.stop_cleanly()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
    print(f"\nweb screenshots in {ARTIFACTS}")


@pytest.fixture
def page(browser: Browser, web_mesh: Mesh) -> Iterator[Page]:
    context = browser.new_context(base_url=web_mesh.http, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda e: failed.append(str(e)))
    yield page
    context.close()
    assert not failed, f"errors in the page: {failed}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def titles(page: Page) -> list[str]:
    return page.locator(".hit-title").all_inner_texts()


def test_catalogue_search_and_facets(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#total")).to_have_text("3 servables")  # the private one is not shown
    assert sorted(titles(page)) == [
        "Digits, twice",
        "Handwritten digit classifier (8x8)",
        "Metallic glass formation (demo)",
    ]
    domains = page.locator("[data-facet=domains]")
    expect(domains).to_contain_text("materials science")
    expect(page.locator("[data-facet=owner]")).to_contain_text(USERNAME)
    shot(page, "catalogue")

    domains.get_by_label("materials science").check()  # a facet narrows the hits
    expect(page.locator("#total")).to_have_text("1 servable")
    assert titles(page) == ["Metallic glass formation (demo)"]
    domains.get_by_label("materials science").uncheck()
    expect(page.locator("#total")).to_have_text("3 servables")

    page.get_by_label("Sort").select_option("title")  # the search API's order, by title
    expect(page).to_have_url(re.compile(r"sort=title"))
    assert titles(page) == [
        "Digits, twice",
        "Handwritten digit classifier (8x8)",
        "Metallic glass formation (demo)",
    ]

    page.fill("#q", "metallic")  # search, by keyboard
    page.press("#q", "Enter")
    expect(page.locator("#total")).to_have_text("1 servable")
    assert titles(page) == ["Metallic glass formation (demo)"]
    page.set_viewport_size({"width": 390, "height": 800})  # phone width: no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "catalogue-phone")


def test_servable_page_shows_citation_signature_versions(page: Page, web_mesh: Mesh) -> None:
    page.goto("/")
    page.get_by_role("link", name="Handwritten digit classifier (8x8)").click()
    expect(page.locator("h1")).to_have_text("Handwritten digit classifier (8x8)")
    expect(page.locator(".authors")).to_have_text("By DLHub Examples")
    expect(page.locator(".cite-text")).to_contain_text("Handwritten digit classifier (8x8)")
    page.get_by_text("BibTeX", exact=True).click()
    expect(page.locator(".bibtex")).to_contain_text("@software{")
    expect(page.locator(".bibtex")).to_contain_text("author = {{DLHub Examples}}")
    signature = page.locator("table.signature").first
    expect(signature).to_contain_text("X")
    expect(signature).to_contain_text("ndarray float32 [?, 64]")
    expect(page.locator("table.versions")).to_contain_text("active")
    bundle = page.get_by_role("link", name="Download bundle (tar.gz)")
    expect(bundle).to_have_attribute(
        "href", f"/api/v1/servables/{USERNAME}/digits/bundle?version=1"
    )
    shot(page, "servable")


def test_run_from_the_form_shows_the_label_and_the_api_error(page: Page, digits: Digits) -> None:
    page.goto(f"/#/s/{USERNAME}/digits")
    page.fill("#in-X", "[[1, 2]]")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("run-error")).to_contain_text(
        "400 INVALID_ARGUMENT: input 'X' has size 2 on axis 1, expected 64"
    )
    row = digits.x_test[3]
    page.fill("#in-X", json.dumps([float(v) for v in row]))  # one example: sent as a batch of one
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("predicted")).to_have_text(str(int(digits.labels[3])))
    bars = page.locator(".bars .bar-label").all_inner_texts()
    assert len(bars) == 10
    assert bars[0] == str(int(digits.probabilities[3].argmax()))  # sorted, most likely first
    shot(page, "run")


def test_run_labelled_for_a_servable_that_declares_classes(
    page: Page, web_mesh: Mesh, digits: Digits
) -> None:
    page.goto(f"/#/s/{USERNAME}/digits")  # no classes: no labelled choice
    expect(page.locator("#in-X")).to_be_visible()
    expect(page.get_by_label("Labelled results")).to_have_count(0)
    sign_in(page, web_mesh.token)
    page.goto(f"/#/s/{USERNAME}/digits-private")
    expect(page.locator("h1")).to_have_text("Private digit classifier")
    page.fill("#in-X", json.dumps([float(v) for v in digits.x_test[3]]))
    labelled = page.get_by_label("Labelled results")
    expect(labelled).not_to_be_checked()  # raw tensors by default
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("predicted")).to_have_text(str(int(digits.labels[3])))
    expect(page.get_by_test_id("labelled")).to_have_count(0)

    labelled.check()
    with page.expect_response(re.compile(r"/run\?labelled=true$")) as answer:
        page.get_by_role("button", name="Run").click()
    [row] = answer.value.json()["labelled"]
    assert set(row) == set(CLASSES)
    table = page.get_by_test_id("labelled").locator("table.labelled-row")
    expect(table).to_have_count(1)
    shown = table.locator("tbody th").all_inner_texts()
    values = [float(v) for v in table.locator("tbody td").all_inner_texts()]
    probabilities = digits.probabilities[3]
    assert shown[:3] == [str(int(i)) for i in np.argsort(-probabilities)[:3]]  # most likely first
    assert sorted(shown) == CLASSES
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(float(probabilities.max()), rel=1e-3)
    assert values[0] == pytest.approx(row[shown[0]], rel=1e-3)
    expect(page.get_by_test_id("predicted")).to_have_text(str(int(digits.labels[3])))
    shot(page, "run-labelled")


def test_sign_in_shows_private_servables(page: Page, web_mesh: Mesh, digits: Digits) -> None:
    assert page.request.get("/api/v1/sign-in").json() == {"provider": "local"}
    page.goto("/#/account")
    expect(page.get_by_label("Access token")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Globus")).to_have_count(0)  # local tokens
    page.fill("#token", "dlh_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("401")
    page.fill("#token", web_mesh.token)
    page.press("#token", "Enter")
    expect(page.get_by_test_id("username")).to_have_text(USERNAME)
    expect(page.locator(".mine")).to_contain_text("Private digit classifier")
    # the publish jobs of this user, from the API, newest first; a job's log on demand
    jobs = page.get_by_test_id("my-jobs").get_by_test_id("publish-job")
    expect(jobs).to_have_count(4)
    expect(jobs.first).to_contain_text(f"SUCCEEDED {USERNAME}/digits-pipe v1")
    expect(jobs.last).to_contain_text(f"{USERNAME}/digits v1")
    jobs.first.locator("summary").click()
    expect(jobs.first.locator("pre")).to_contain_text(f"published {USERNAME}/digits-pipe:1")
    shot(page, "account")
    page.get_by_role("link", name="Catalogue").click()
    expect(page.locator("#total")).to_have_text("4 servables")
    assert "Private digit classifier" in titles(page)
    expect(page.locator(".hit", has_text="Private digit classifier")).to_contain_text("private")
    page.get_by_role("link", name="Private digit classifier").click()
    with page.expect_download() as download:  # sent with the token: the file is private
        page.get_by_role("link", name="digits.onnx").click()
    assert download.value.suggested_filename == "digits.onnx"
    path = download.value.path()
    assert path.read_bytes() == digits.path.read_bytes()


def test_pipeline_page_shows_its_graph(page: Page) -> None:
    page.goto(f"/#/s/{USERNAME}/digits-pipe")
    graph = page.locator(".pipeline svg")
    for node in ("$input", "first", "second", "$output"):
        expect(graph.locator(f'[data-node="{node}"]')).to_be_visible()
    assert graph.locator("line").count() == 4  # input -> each step -> output
    expect(graph).to_contain_text(f"{USERNAME}/digits:1 · active")
    shot(page, "pipeline")


def sign_in(page: Page, token: str) -> None:
    page.goto("/#/account")
    page.fill("#token", token)
    page.press("#token", "Enter")
    expect(page.get_by_test_id("username")).to_have_text(USERNAME)


def test_build_a_pipeline_from_the_page(page: Page, web_mesh: Mesh, digits: Digits) -> None:
    sign_in(page, web_mesh.token)
    builder = page.locator(".builder")
    page.fill("#pb-search", "handwritten")
    page.press("#pb-search", "Enter")
    add = builder.get_by_role("button", name=f"Add {USERNAME}/digits", exact=True)
    add.click()
    expect(builder.get_by_label("step1.X")).to_have_value("$input.X")
    add.click()  # a second step, wired to the first one's probabilities: refused
    builder.get_by_label("step2.X").select_option("step1.probabilities")
    page.fill("#pb-name", "built-pipe")
    page.fill("#pb-title", "Built on the page")
    builder.get_by_role("button", name="Publish pipeline").click()
    expect(page.get_by_test_id("pb-error")).to_contain_text(
        "400 INVALID_ARGUMENT: step 'step2': servable.pipeline.steps[1].inputs.X: type mismatch"
    )
    shot(page, "pipeline-builder")
    builder.get_by_role("button", name="Remove step2").click()
    builder.get_by_role("button", name="Publish pipeline").click()
    builder.get_by_role("link", name=f"{USERNAME}/built-pipe v1").click()
    expect(page.locator("h1")).to_have_text("Built on the page")
    graph = page.locator(".pipeline svg")
    expect(graph.locator('[data-node="step1"]')).to_be_visible()
    expect(graph).to_contain_text(f"{USERNAME}/digits:1 · active")
    page.fill("#in-X", json.dumps([float(v) for v in digits.x_test[5]]))
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("predicted")).to_have_text(str(int(digits.labels[5])))
