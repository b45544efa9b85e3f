"""The HTML blueprint: search page, item, meeting, committee, person and topic pages.

Every page reads the index through ``kb.service.SearchService`` (``web.pool``); parameters
are validated by ``web.params`` so bad input is a 400 page, unknown ids a 404 page.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)

from kb.highlight import matcher_for_query
from kb.query import too_common_notice
from kb.ranking import MATCH_LABELS
from kb.service import SearchRequest
from kb.suggest import NAMED_FACETS
from web import alerts, cite, feeds
from web.errors import ParamError
from web.facetlist import display_facets, facet_items, facet_labels, link_facets, split_rows
from web.params import parse_search_args, query_string, replace
from web.parts import body_part
from web.templating import search_url, url_with

#: Items read to collect a person's roles (newest first); enough for a profile page.
MAX_ROLE_ITEMS = 30
#: Names per facet offered in the search box's datalist (the commonest first).
DATALIST_PER_FACET = 25

bp = Blueprint("search", __name__, template_folder="templates", static_folder="static")


def service() -> Any:
    """The process's SearchService (opened on first use)."""
    return current_app.extensions["kb_service"].get()


def settings() -> dict[str, Any]:
    return current_app.config["KB"]


def run_search(args: Any, **forced: Any) -> tuple[dict[str, Any], Any]:
    """Validate ``args``, run the search and return (params, SearchResponse).

    A query made only of words too common to search runs as a blank one (every item the
    filters match, newest first) and the response carries a ``notice`` saying so."""
    p = parse_search_args(args, settings())
    p.update(forced)
    notice = too_common_notice(p["q"])
    if not notice:
        return p, service().search(SearchRequest(**p))
    resp = service().search(SearchRequest(**{**p, "q": ""}))
    # a copy: the service may cache and share the response object
    return p, dataclasses.replace(resp, query=p["q"], notice=notice)


def corrections(p: dict[str, Any], resp: Any) -> list[dict[str, str]]:
    """Links for filter values that match nothing: ``{kind, typed, label, url}``, the url
    being this search with the value replaced by the closest name's (see
    ``SearchResponse.corrections``)."""
    fixes = getattr(resp, "corrections", None) or {}
    if not fixes:
        return []
    names = service().names()
    out = []
    for facet, pairs in fixes.items():
        known = {n.value: n for n in names.by_facet.get(facet, [])}
        for typed, meant in pairs.items():
            name = known.get(meant)
            values = [meant if str(v) == typed else v for v in p.get(facet) or []]
            out.append(
                {
                    "kind": name.kind if name else facet,
                    "typed": typed,
                    "label": name.label if name else meant,
                    "url": url_with(p, facet, list(dict.fromkeys(values))),
                }
            )
    return out


def over_budget(resp: Any) -> bool:
    """True when the search was cut short or took longer than the time budget."""
    if getattr(resp, "timed_out", False) or getattr(resp, "partial", False):
        return True
    elapsed = getattr(resp, "elapsed_ms", 0) or 0
    return bool(elapsed > settings()["time_budget_ms"])


@bp.get("/")
@bp.get("/search")
def search() -> str:
    """The search page: query box, facets, chips, results, chart, pagination."""
    browsing = not request.args.get("q") and not request.args.get("sort")
    p, resp = run_search(request.args, **({"sort": "newest"} if browsing else {}))
    has_query = bool(p["q"]) or any(p[k] for k in ("council", "committee", "speaker", "topic"))
    has_query = has_query or bool(p["year"] or p["date_from"] or p["date_to"])
    last_page = max(1, -(-resp.total // p["page_size"])) if resp.total else 1
    facets = display_facets(resp)
    link_facets(p, facets, settings()["page_size"])
    return render_template(
        "search/search.html",
        p=p,
        resp=resp,
        facets=facets,
        facet_items=facet_items,
        split_rows=split_rows,
        labels=facet_labels(resp, facets),
        has_query=has_query,
        last_page=min(last_page, settings()["max_page"]),
        names=datalist(),
        corrections=corrections(p, resp),
        permalink=request.host_url.rstrip("/") + search_url(replace(p, page=1)),
        over_budget=over_budget(resp),
        stats=None if has_query else service().stats(),
        qs=query_string(p, settings()["page_size"]),
        chart_link=lambda year: url_with(p, "year", [year]),
        alerts_enabled=has_query and alerts.enabled(settings()),
        match_labels=MATCH_LABELS,
    )


@bp.get("/search.csv")
def search_csv() -> Response:
    """The current page of results as CSV (formula cells neutralised)."""
    _p, resp = run_search(request.args)
    body = feeds.search_csv(resp.results, request.host_url)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="minutes-search.csv"'},
    )


@bp.get("/search.atom")
def search_atom() -> Response:
    """Results as an Atom feed, newest first whatever sort was asked for."""
    p, resp = run_search(request.args, sort="newest")
    title = f"Minutes KB: {p['q']}" if p["q"] else "Minutes KB: latest items"
    body = feeds.search_atom(
        list(resp.results), title=title, feed_url=request.url, base_url=request.host_url
    )
    return Response(body, mimetype="application/atom+xml")


def _attr(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


@bp.get("/items/<path:item_id>")
def item(item_id: str) -> str:
    """One item: full text (query terms marked), resolutions, people, topics, neighbours."""
    svc = service()
    found = svc.get_item(item_id)
    if found is None:
        abort(404)
    q = request.args.get("q", "")[: settings()["max_query_length"]]
    try:  # the search this item was opened from: kept in "back" and prev/next links
        came_from = parse_search_args(request.args, settings())
    except ParamError:
        came_from = {"q": q}
    search_qs = query_string(came_from, settings()["page_size"])
    part = body_part(_attr(found, "body") or "", _part_number(request.args.get("part")))
    prev_id, next_id = _attr(found, "prev_id"), _attr(found, "next_id")
    permalink = url_for("search.item", item_id=item_id, _external=True)
    try:
        related = list(svc.more_like_this(item_id, 5, body=_attr(found, "body") or "") or [])
    except Exception:  # related items are a nicety; never fail the page over them
        current_app.logger.exception("more_like_this failed for %s", item_id)
        related = []
    return render_template(
        "search/item.html",
        item=found,
        meeting=_attr(found, "meeting") or {},
        q=q,
        search_qs=search_qs,
        back_url=search_url(came_from),
        matcher=matcher_for_query(q, svc.expander),
        part=part,
        prev_item=svc.get_item(prev_id) if prev_id else None,
        next_item=svc.get_item(next_id) if next_id else None,
        related=related,
        permalink=permalink,
        citations={
            "text": cite.plain(found, permalink),
            "bibtex": cite.bibtex(found, permalink),
            "csl-json": json.dumps(cite.csl_json(found, permalink), indent=2, ensure_ascii=False),
        },
    )


@bp.get("/cite/<path:item_id>")
def cite_item(item_id: str) -> Response:
    """The citation of one item as a file: ``?format=`` text (default), bibtex or csl-json."""
    found = service().get_item(item_id)
    if found is None:
        abort(404)
    fmt = request.args.get("format", "text")
    if fmt not in cite.FORMATS:
        raise ParamError(f"format must be one of {', '.join(cite.FORMATS)} (got {fmt[:40]!r})")
    permalink = url_for("search.item", item_id=item_id, _external=True)
    if fmt == "text":
        body = cite.plain(found, permalink) + "\n"
    elif fmt == "bibtex":
        body = cite.bibtex(found, permalink)
    else:
        body = json.dumps(cite.csl_json(found, permalink), indent=2, ensure_ascii=False) + "\n"
    mimetype, ext = cite.FORMATS[fmt]
    name = cite.cite_key(found)
    return Response(
        body,
        content_type=mimetype,
        headers={"Content-Disposition": f'inline; filename="{name}.{ext}"'},
    )


def datalist() -> list[Any]:
    """Names for the search box's ``<datalist>``: the commonest people, committees,
    councils and topics (a browser filters them as the user types; no script needed)."""
    names = service().names()
    return [n for facet in NAMED_FACETS for n in names.top(facet, DATALIST_PER_FACET)]


def _part_number(raw: str | None) -> int:
    """``?part=`` as a number (1 when missing or not a number; clamped by ``body_part``)."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else 1


@bp.get("/meetings/<path:meeting_id>")
def meeting(meeting_id: str) -> str:
    """A meeting: attendance and every item, each with an anchor ``#item-<number>``."""
    found = service().get_meeting(meeting_id)
    if found is None:
        abort(404)
    return render_template("search/meeting.html", meeting=found)


#: How original documents are sent: markup formats as plain text, never as live HTML.
SOURCE_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".markdown": "text/plain",
    ".htm": "text/plain",
    ".html": "text/plain",
    ".php": "text/plain",
    ".xml": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.get("/sources/<path:meeting_id>")
def source(meeting_id: str) -> Response:
    """The original minutes file of a meeting as ingested (``?n=K``: its K-th source, 0
    being the one its items were read from): only a file the index names, only minutes
    formats, and HTML/XML sent as plain text so it cannot run in our origin."""
    found = service().get_meeting(meeting_id)
    raw = request.args.get("n", "0")
    n = int(raw) if raw.isdigit() and len(raw) < 4 else -1
    sources = list(_attr(found, "sources") or []) if found else []
    chosen = sources[n].get("path") if 0 < n < len(sources) else None
    if n == 0:
        chosen = _attr(found, "source") if found else None
    path = Path(str(chosen or "")) if chosen else None
    if path is None or not path.is_file() or path.suffix.lower() not in SOURCE_TYPES:
        abort(404)
    mimetype = SOURCE_TYPES[path.suffix.lower()]
    return send_file(
        path.resolve(),
        mimetype=mimetype,
        as_attachment=path.suffix.lower() == ".docx",
        download_name=path.name,
    )


@bp.get("/committees")
def committees() -> str:
    """Every committee in the index, grouped by council."""
    return render_template("search/committees.html", committees=service().list_committees())


@bp.get("/committees/<council_id>/<committee_id>")
def committee(council_id: str, committee_id: str) -> str:
    """A committee's meetings grouped by year, newest first."""
    meetings = service().committee_meetings(council_id, committee_id)
    if not meetings:
        abort(404)
    by_year: dict[str, list[Any]] = {}
    for m in meetings:
        day = _attr(m, "date")
        year = str(day)[:4] if day else "Undated"
        by_year.setdefault(year, []).append(m)
    ordered = [(y, ms[::-1]) for y, ms in sorted(by_year.items(), reverse=True)]
    first = meetings[0]
    return render_template(
        "search/committee.html",
        council_id=council_id,
        committee_id=committee_id,
        council=_attr(first, "council", council_id),
        name=_attr(first, "committee", committee_id),
        by_year=ordered,
        count=len(meetings),
    )


@bp.get("/people")
def people() -> str:
    """Everyone the index knows, optionally for one council (``?council=``, an id or name);
    each with their council's name when the list spans several councils."""
    council = request.args.get("council") or None
    found = service().people(council)
    councils = {n.value: n.label for n in service().names().by_facet.get("council", [])}
    return render_template(
        "search/people.html",
        people=found,
        council=councils.get(council or "", council),
        councils=councils,
        several=len({p.get("council_id") for p in found}) > 1,
    )


@bp.get("/people/<path:person_id>")
def person(person_id: str) -> str:
    """A person: names seen, committees, items spoken in, a timeline by year."""
    found = service().person(person_id)
    if found is None:
        abort(404)
    resp = service().search(SearchRequest(speaker=[person_id], sort="newest", page_size=1))
    p = {"speaker": [person_id]}
    roles: dict[str, None] = {}
    for link in found.get("spoke_in", [])[:MAX_ROLE_ITEMS]:
        item = service().get_item(link["id"]) or {}
        for ref in item.get("speakers", []):
            if ref.get("person_id") == person_id and ref.get("role"):
                roles[ref["role"]] = None
    return render_template(
        "search/person.html",
        person=found,
        roles=list(roles),
        resp=resp,
        labels=facet_labels(resp),
        p=p,
        chart_link=lambda year: search_url({"speaker": [person_id], "year": [year]}),
    )


@bp.get("/topics")
def topics() -> str:
    """Every topic with its item count."""
    return render_template("search/topics.html", topics=service().topics_summary())


@bp.get("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    """A topic: mentions over the years, top committees, latest items."""
    summary = {t["topic"]: t for t in service().topics_summary() or []}
    if topic_id not in summary:
        abort(404)
    resp = service().search(SearchRequest(topic=[topic_id], sort="newest", page_size=10))
    return render_template(
        "search/topic.html",
        topic=summary[topic_id],
        topic_id=topic_id,
        resp=resp,
        labels=facet_labels(resp),
        p={"topic": [topic_id]},
        chart_link=lambda year: search_url({"topic": [topic_id], "year": [year]}),
    )
