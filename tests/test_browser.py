"""Real-browser tests: Playwright drives Debian's headless Chromium against the real app.

The app runs in a werkzeug server thread on 127.0.0.1 (ephemeral port) over the seed index.
Screenshots go to tests/artifacts/.  Skipped with a reason where Chromium is absent.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def live_url(seed_index: Path) -> Iterator[str]:
    """Base URL of the real app served from a thread on an ephemeral port."""
    from web import create_app

    app = create_app({"index": str(seed_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def multi_url(multi_index: Path) -> Iterator[str]:
    """Base URL of the app over the three-committee index (``multi_index``)."""
    from web import create_app

    app = create_app({"index": str(multi_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (make browser-deps installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_facet_then_open_result(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/")
    page.get_by_label("Words, phrases or names").fill("CCTV")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=CCTV*")
    heading = page.locator("#results-heading").inner_text()
    assert "for “CCTV”" in heading and not heading.startswith("0 ")
    assert page.locator("mark").count() > 0
    shot(page, "search-cctv")

    facet = page.locator('a.facet-link[data-facet="committee"]').first
    facet.click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["CCTV"] and len(query["committee"]) == 1
    assert page.locator(".chips .chip").count() == 1
    shot(page, "search-cctv-committee")

    first = page.locator("ol.hits li.hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.startswith("/items/")
    assert page.url.endswith("#item-text")
    assert page.locator("h1").inner_text().endswith(title)
    assert page.evaluate("location.hash") == "#item-text"
    assert page.locator("#item-text mark").count() > 0
    shot(page, "item-page")
    assert page.console_errors == []  # no CSP violations or script errors


def test_keyboard_only_search(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("CCTV")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=CCTV*")
    assert "sort" not in parse_qs(urlparse(page.url).query)
    # the first result is reachable by tabbing and opens with Enter
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('li.hit h3') !== null"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused and focused.startswith("/items/")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    shot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/**")
    assert urlparse(page.url).path == focused.split("?")[0].split("#")[0]
    assert page.evaluate("location.hash") == "#item-text"


def test_meeting_anchor_and_chart_link(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/search?q=CCTV")
    bar = page.locator("svg.chart a.bar").first
    href = bar.get_attribute("href")
    assert href and "year=" in href
    page.goto(live_url + href)
    assert page.locator(".chips .chip").count() == 1
    page.goto(live_url + "/search?q=CCTV")
    crumb = page.locator("ol.hits .crumbs a").first
    crumb.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.startswith("/meetings/")
    assert page.locator("li.agenda-item[id^=item-]").count() >= 2
    shot(page, "meeting-page")


def facet_counts(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Committee facet label → count, as shown."""
    out = {}
    for link in page.locator('a.facet-link[data-facet="committee"]').all():
        label = link.locator(".facet-label").inner_text()
        out[label] = int(link.locator(".count").inner_text().split()[0])
    return out


def test_select_two_committees_then_remove_one(page, multi_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(multi_url + "/search?q=cctv")
    every = facet_counts(page)
    assert every == {
        "Licensing Committee (Luton)": 2,
        "Crime and Disorder Committee (Luton)": 1,
        "Planning Committee (Luton)": 1,
    }
    page.locator('a.facet-link[data-facet="committee"]', has_text="Licensing").click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("2 items")
    assert facet_counts(page) == every  # the other committees stay, with their counts
    page.locator('a.facet-link[data-facet="committee"]', has_text="Planning").click()
    page.wait_for_load_state()
    assert sorted(parse_qs(urlparse(page.url).query)["committee"]) == [
        "luton/licensing-committee",
        "luton/planning-committee",
    ]
    assert page.locator("#results-heading").inner_text().startswith("3 items")  # the union
    assert facet_counts(page) == every
    assert page.locator('a.facet-link.on[data-facet="committee"]').count() == 2
    crumbs = page.locator("ol.hits li.hit .crumbs li:nth-child(2)").all_inner_texts()
    assert sorted(crumbs) == ["Licensing Committee", "Licensing Committee", "Planning Committee"]
    chips = page.locator(".chips .chip")
    assert chips.count() == 2
    shot(page, "two-committees")
    chips.filter(has_text="Licensing").click()
    page.wait_for_load_state()
    assert parse_qs(urlparse(page.url).query)["committee"] == ["luton/planning-committee"]
    assert page.locator(".chips .chip").count() == 1
    assert page.locator("#results-heading").inner_text().startswith("1 item")
    assert page.console_errors == []


def test_asb_marks_anti_social_behaviour_on_the_item_page(page, multi_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(multi_url + "/")
    page.get_by_label("Words, phrases or names").fill("ASB")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=ASB*")
    first = page.locator("ol.hits li.hit h3 a").first
    snippet_marks = page.locator("ol.hits li.hit").first.locator(".snippet mark").all_inner_texts()
    first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.startswith("/items/")
    marks = page.locator("#item-text mark").all_inner_texts()
    assert set(snippet_marks) <= set(marks)
    # "anti-social behaviour" is marked word by word where the phrase occurs
    marked = page.evaluate(
        """() => [...document.querySelectorAll('#item-text p')].map(p => {
            const m = [...p.querySelectorAll('mark')];
            return m.length ? m.map(x => x.textContent).join(' ') : null;
        }).filter(Boolean)"""
    )
    assert any("anti social behaviour" in " ".join(m.lower().split()) for m in marked), marked
    shot(page, "item-asb")
    assert page.console_errors == []


def test_misspelt_speaker_suggests_horsford(page, multi_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(multi_url + "/")
    page.get_by_label("Words, phrases or names").fill("speaker:horsfrod")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "speaker:Horsford"
    suggestion.click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("1 item")
    assert page.locator("ol.hits li.hit").count() == 1
    shot(page, "did-you-mean-horsford")


def test_date_inputs_filter_and_stay_in_facet_links(page, multi_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(multi_url + "/search?q=cctv")
    page.locator("#date-from").fill("2019-01-01")
    page.locator("#date-to").fill("2019-12-31")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["date_from"] == ["2019-01-01"] and query["q"] == ["cctv"]
    assert page.locator("#results-heading").inner_text().startswith("3 items")
    page.locator('a.facet-link[data-facet="committee"]').first.click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["date_from"] == ["2019-01-01"] and query["date_to"] == ["2019-12-31"]


def test_item_page_prints_without_navigation(page, multi_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(multi_url + "/items/luton/crime-and-disorder-committee/2018-03-27/07?q=cctv")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.site-header', '.site-footer', '.prevnext', '.cite-formats', '.highlight-note']
            .map(s => document.querySelector(s))
            .filter(Boolean)
            .map(e => getComputedStyle(e).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    assert page.locator("#item-text").is_visible() and page.locator("#cite-text").is_visible()
    shot(page, "item-print")
