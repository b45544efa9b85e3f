"""Accessibility checks that need no browser: colour contrast of the stylesheet's palette,
labelled form controls and a text equivalent for every chart."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "web" / "static" / "style.css"


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def palette() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        ("ink", "paper"),
        ("muted", "paper"),
        ("link", "paper"),
        ("link-visited", "paper"),
        ("ink", "wash"),
        ("muted", "wash"),
        ("link", "wash"),
        ("ink", "mark"),
        ("ink", "chip"),
        ("paper", "brand"),
    ],
)
def test_text_colours_meet_wcag_aa(fg: str, bg: str) -> None:
    colours = palette()
    assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)


def test_focus_is_visible() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"a:focus-visible[^{]*\{[^}]*outline: 3px solid", css)


class Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in {"input", "select", "textarea"} and a.get("type") != "hidden":
            self.inputs.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])


@pytest.mark.parametrize("url", ["/", "/search?q=CCTV", "/search?q=zzzzqqq", "/nope"])
def test_every_control_is_labelled(client, url: str) -> None:  # type: ignore[no-untyped-def]
    parser = Controls()
    parser.feed(client.get(url).get_data(as_text=True))
    assert parser.inputs
    for control in parser.inputs:
        assert control.get("id") in parser.labels or control.get("aria-label"), control


def test_chart_has_a_title_and_a_table(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search?q=CCTV").get_data(as_text=True)
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="chart-title"', html)
    assert '<title id="chart-title">' in html
    assert "<caption" in html and '<th scope="col">Year</th>' in html
