"""Jinja filters and globals shared by the templates (links, highlighting, charts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g, has_request_context, url_for
from markupsafe import Markup

from kb.model import LANGUAGES, MEETING_KINDS
from kb.query import SYNTAX
from web import charts, feeds, highlight, params


def search_url(p: dict[str, Any], endpoint: str = "search.search") -> str:
    """The URL of the search page (or CSV/Atom) for params ``p``."""
    qs = params.query_string(p, current_app.config["KB"]["page_size"])
    return endpoint_path(endpoint) + ("?" + qs if qs else "")


def endpoint_path(endpoint: str) -> str:
    """``url_for(endpoint)``, worked out once per request (a results page links to its own
    path a hundred times or more: every facet value, chart bar and page number)."""
    paths: dict[str, str] | None = g.get("kb_paths") if has_request_context() else None
    if paths is None:
        if not has_request_context():
            return url_for(endpoint)
        paths = g.kb_paths = {}
    found = paths.get(endpoint)
    if found is None:
        found = paths[endpoint] = url_for(endpoint)
    return found


def toggle_url(p: dict[str, Any], key: str, value: Any) -> str:
    """Link that adds ``value`` to filter ``key`` — or removes it when it is already on
    (the URL of ``params.with_filter(p, key, value, on=…)``)."""
    values = [v for v in p.get(key) or [] if str(v) != str(value)]
    if len(values) == len(p.get(key) or []):
        values.append(value)
    return url_with(p, key, values)


def url_with(p: dict[str, Any], key: str, values: Any) -> str:
    """The search URL of ``p`` with ``key`` set to ``values`` and page 1, i.e.
    ``search_url(params.replace(p, **{key: values}))``: a results page builds one per facet
    value and chart bar, so the other params are encoded once per page."""
    size = current_app.config["KB"]["page_size"]
    memo = g.setdefault("kb_segments", {}) if has_request_context() else {}
    found = memo.get(id(p))
    if found is None or found[0] is not p:
        found = memo[id(p)] = (p, _around(p, size))
    head, tail = found[1].get(key) or (found[1][""][0], "")  # an unknown key goes last
    qs = "&".join(part for part in (head, params.segment(key, values, size), tail) if part)
    return endpoint_path("search.search") + ("?" + qs if qs else "")


def _around(p: dict[str, Any], size: int) -> dict[str, tuple[str, str]]:
    """For each parameter of ``params.KNOWN``: the encoded parameters of ``p`` (page 1)
    before it and after it, so a link changing that one parameter is three joined parts
    (under ``""``: all of them, for a parameter that is not in ``KNOWN``)."""
    parts = [params.segment(k, 1 if k == "page" else p.get(k), size) for k in params.KNOWN]
    out = {
        k: ("&".join(x for x in parts[:i] if x), "&".join(x for x in parts[i + 1 :] if x))
        for i, k in enumerate(params.KNOWN)
    }
    out[""] = ("&".join(x for x in parts if x), "")
    return out


def is_active(p: dict[str, Any], key: str, value: Any) -> bool:
    return str(value) in {str(v) for v in p.get(key) or []}


def nice_date(value: Any) -> str:
    """'27 March 2018' from a date or ISO string; '' for none; the text itself otherwise."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return ""


def install(app: Flask) -> None:
    """Register filters and globals on ``app``; autoescaping stays on for every template."""
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        nice_date=nice_date,
        names=feeds.names,
        kind_label=lambda kind: MEETING_KINDS.get(str(kind), str(kind)),
        language_label=lambda code: LANGUAGES.get(str(code), str(code)),
        highlight=lambda text, matcher: highlight.highlight(str(text or ""), matcher),
    )
    app.jinja_env.globals.update(
        search_url=search_url,
        toggle_url=toggle_url,
        url_with=url_with,
        is_active=is_active,
        with_params=params.replace,
        year_chart=charts.year_chart,
        histogram_rows=charts.histogram_rows,
        Markup=Markup,
        query_syntax=SYNTAX,
    )
