"""Server-rendered SVG charts: mentions per year, stacked by committee, bars as links.

The SVG uses presentation attributes only (no ``style``), so it passes a strict CSP, and
every label comes through ``markupsafe.escape``.  Each chart has a text equivalent: the
same numbers are returned by ``histogram_rows`` for a table beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from operator import itemgetter

from markupsafe import Markup, escape

#: Colour-blind-safe palette (Okabe–Ito, darkened for contrast on white).
PALETTE: tuple[str, ...] = (
    "#0b5fa5",
    "#c05a00",
    "#137a5b",
    "#a8327f",
    "#7a6a00",
    "#3d7fbf",
    "#8c3b2f",
    "#555555",
)
OTHER = "Other committees"


def series_names(histogram: Mapping[int, Mapping[str, int]], limit: int = 7) -> list[str]:
    """Committees in the chart, biggest first; beyond ``limit`` they are folded into 'Other'."""
    totals: dict[str, int] = {}
    for per_committee in histogram.values():
        for name, count in per_committee.items():
            totals[name] = totals.get(name, 0) + count
    ranked = sorted(totals, key=lambda n: (-totals[n], n))
    return ranked[:limit] + ([OTHER] if len(ranked) > limit else [])


def _folded(per: Mapping[str, int], names: list[str]) -> dict[str, int]:
    kept = {n: per.get(n, 0) for n in names if n != OTHER}
    if OTHER in names:  # counts are whole numbers: the rest is the total less those kept
        kept[OTHER] = sum(per.values()) - sum(kept.values())
    return kept


_LAST = threading.local()


def relabel(
    histogram: Mapping[int, Mapping[str, int]], labels: Mapping[str, str] | None
) -> dict[int, dict[str, int]]:
    """The histogram with committee keys replaced by display labels (counts merged).

    The chart and its table relabel the same histogram on one page: the last answer is
    kept per thread and given again for the very same (unchanged) objects."""
    last = getattr(_LAST, "entry", None)
    if last is not None and last[0] is histogram and last[1] is labels:
        return {year: dict(per) for year, per in last[2].items()}
    out = _relabel(histogram, labels)
    _LAST.entry = (histogram, labels, out)
    return {year: dict(per) for year, per in out.items()}


def _relabel(
    histogram: Mapping[int, Mapping[str, int]], labels: Mapping[str, str] | None
) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    label = (labels or {}).get
    for year, per in histogram.items():
        row = out.setdefault(int(year), {})
        for key, count in per.items():
            name = label(key, key)
            row[name] = row.get(name, 0) + count
    return out


_COUNT = itemgetter(1)


def histogram_rows(
    histogram: Mapping[int, Mapping[str, int]], labels: Mapping[str, str] | None = None
) -> list[tuple[int, int, str]]:
    """(year, total, 'committee: n; …') per year, oldest first — the chart as a table."""
    histogram = relabel(histogram, labels)
    rows = []
    for year in sorted(histogram):
        per = histogram[year]
        # most first; a stable sort keeps equal counts in the histogram's order
        ranked = sorted(per.items(), key=_COUNT, reverse=True)
        detail = "; ".join(f"{n}: {c}" for n, c in ranked if c)
        rows.append((year, sum(per.values()), detail))
    return rows


def year_chart(
    histogram: Mapping[int, Mapping[str, int]],
    link: Callable[[int], str] | None = None,
    *,
    title: str = "Mentions per year",
    labels: Mapping[str, str] | None = None,
    width: int = 640,
    height: int = 220,
) -> Markup:
    """An SVG bar per year (gaps filled), stacked by committee; each bar links to ``link(year)``.

    ``labels`` maps committee keys to the names shown.  Returns empty markup when there is
    nothing to draw.
    """
    counts = {y: v for y, v in relabel(histogram, labels).items() if sum(v.values()) > 0}
    if not counts:
        return Markup("")
    years = list(range(min(counts), max(counts) + 1))
    names = series_names(counts)
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    shown = {n: escape(n) for n in names}
    peak = max(sum(v.values()) for v in counts.values())
    left, right, top, bottom = 36, 8, 10, 28
    legend_h = 18 * ((len(names) + 1) // 2)
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(years)
    bar_w = max(4.0, min(48.0, slot * 0.7))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height + legend_h}" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    ticks = sorted({0, peak, peak // 2} if peak >= 4 else {0, peak})
    for tick in ticks:
        y = top + plot_h * (1 - tick / peak)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d4d9" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#3b4149">{tick}</text>'
        )
    label_every = max(1, len(years) // 12 + (1 if len(years) > 12 else 0))
    for i, year in enumerate(years):
        x = left + slot * i + (slot - bar_w) / 2
        per = _folded(counts.get(year, {}), names)
        total = sum(per.values())
        if total:
            tip = f"{year}: {total} " + ("mention" if total == 1 else "mentions")
            rects, y = [], top + plot_h
            for name in names:
                n = per.get(name, 0)
                if not n:
                    continue
                h = plot_h * n / peak
                y -= h
                rects.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colour[name]}"><title>{shown[name]} {year}: {n}</title></rect>'
                )
            body = "".join(rects)
            if link is not None:
                body = (
                    f'<a href="{escape(link(year))}" class="bar" '
                    f'aria-label="{escape(tip)}">{body}</a>'
                )
            out.append(body)
        if i % label_every == 0 or i == len(years) - 1:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                f'font-size="11" fill="#3b4149">{year}</text>'
            )
    for i, name in enumerate(names):
        lx = left + (i % 2) * (plot_w / 2)
        ly = height + 18 * (i // 2)
        out.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{colour[name]}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly + 11:.1f}" font-size="12" fill="#1f2328">'
            f"{escape(_short(name))}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def _short(name: str, limit: int = 44) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
