"""The search page's facet lists: display labels, toggle links and the ``<li>`` rows.

A results page at 100,000 items lists up to 100 values for each of six facets, each a link
that toggles that value as a filter.  Working those links and rows out in a Jinja loop was
about half of the page's rendering time, so the rows are built here, once per value, from
escaped text only (:func:`markupsafe.escape`): the same bytes the template wrote.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from web import params
from web.templating import endpoint_path, toggle_url

Rows = dict[str, list[dict[str, Any]]]

#: Values a facet shows before "N more" (the rest, up to the engine's 100, fold away)
FACET_VALUES_SHOWN = 12


def display_facets(resp: Any) -> Rows:
    """Facet values for display: ``{value, label, count}``; labels that occur twice in one
    facet (two 'Cllr Smith's of different councils) get their council's name added (as the
    council facet labels it; its id when that facet does not list it)."""
    councils = {str(v.value): v.label for v in (resp.facets or {}).get("council", []) if v.label}
    out: Rows = {}
    for key, values in (resp.facets or {}).items():
        rows = [
            {"value": str(v.value), "label": v.label or str(v.value), "count": v.count}
            for v in values
        ]
        seen: dict[str, int] = {}
        for row in rows:
            seen[row["label"]] = seen.get(row["label"], 0) + 1
        for row in rows:
            if seen[row["label"]] > 1 and "/" in row["value"]:
                council = row["value"].split("/", 1)[0]
                row["label"] = f"{row['label']} ({councils.get(council, council)})"
        out[key] = rows
    return out


def facet_labels(resp: Any, shown: Rows | None = None) -> dict[str, dict[str, str]]:
    """facet → value → display label (see :func:`display_facets`; ``shown``: its answer for
    ``resp`` when the caller has it already)."""
    return {
        key: {row["value"]: row["label"] for row in rows}
        for key, rows in (display_facets(resp) if shown is None else shown).items()
    }


def link_facets(p: dict[str, Any], shown: Rows, page_size: int) -> None:
    """Add to each row of :func:`display_facets` ``on`` (the value is one of the filters of
    the search ``p``) and ``href`` (the search with that value toggled: exactly
    :func:`web.templating.toggle_url`).  A value not chosen yet — nearly every row — adds
    one ``key=value`` pair to the filter's own part of the query string, so its link is
    joined from parts encoded once per facet."""
    path = endpoint_path("search.search")
    parts = [params.segment(k, 1 if k == "page" else p.get(k), page_size) for k in params.KNOWN]
    for key, rows in shown.items():
        on = {str(v) for v in p.get(key) or []}
        if key not in params.KNOWN:  # not a filter links carry: toggle_url's own way
            for row in rows:
                row["on"] = row["value"] in on
                row["href"] = toggle_url(p, key, row["value"])
            continue
        # the query string with this facet's part left out, split around where it goes
        index = params.KNOWN.index(key)
        head = "&".join(x for x in parts[:index] if x)
        tail = "&".join(x for x in parts[index + 1 :] if x)
        own = params.segment(key, p.get(key) or [], page_size)
        for row in rows:
            value = row["value"]
            row["on"] = value in on
            if row["on"]:
                row["href"] = toggle_url(p, key, value)
                continue
            mine = params.segment(key, [value], page_size)
            qs = "&".join(x for x in (head, own, mine, tail) if x)
            row["href"] = path + ("?" + qs if qs else "")


def facet_items(key: str, rows: list[dict[str, Any]]) -> Markup:
    """The ``<li>`` rows of one facet's list (rows from :func:`link_facets`), each a toggle
    link with its count, ticked and ``aria-current`` when on; every value escaped.  The
    rows are joined by line breaks, with none after the last."""
    out = []
    facet = escape(key)
    for row in rows:
        on = row["on"]
        count = row["count"]
        link = _ON_LINK if on else _OFF_LINK
        out.append(
            f'        <li><a href="{escape(row["href"])}" {link} data-facet="{facet}">\n'
            f'          <span class="facet-box" aria-hidden="true">{_TICK if on else ""}</span>\n'
            f'          <span class="facet-label">{escape(row["label"] or row["value"])}</span>\n'
            f'          <span class="count">{escape(count)}<span class="visually-hidden"> '
            f"{'item' if count == 1 else 'items'}{_ON_NOTE if on else ''}</span></span>\n"
            "        </a></li>\n"
        )
    # the template's own line break follows the last row
    return Markup("".join(out).removesuffix("\n"))  # noqa: S704 - every value is escaped


def split_rows(
    rows: list[dict[str, Any]], shown: int = FACET_VALUES_SHOWN
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows listed openly, rows folded under "N more"): the first ``shown`` rows and every
    row that is on (a chosen filter always stays in sight), then the rest in their order."""
    first = [row for n, row in enumerate(rows) if n < shown or row["on"]]
    rest = [row for n, row in enumerate(rows) if n >= shown and not row["on"]]
    return first, rest


_ON_LINK = 'class="facet-link on" aria-current="true"'
_OFF_LINK = 'class="facet-link" '
_TICK = "\u2713"
_ON_NOTE = ", filter on; select to remove"
