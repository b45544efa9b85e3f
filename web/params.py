"""Request parameters → search arguments, with the limits from settings, and link building.

The HTML pages, the JSON API, CSV and Atom all read the same parameters:

    q, council*, committee*, speaker*, topic*, year*, kind*, date_from, date_to, sort, page,
    page_size

(* may repeat; ``from``/``to`` are accepted for ``date_from``/``date_to`` as in ``kb search``;
a year may be a range ``2017..2019``).  ``parse_search_args`` promises either a dict of
valid ``SearchRequest`` keyword arguments or a ``ParamError`` whose message says which
parameter is wrong and why.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from werkzeug.datastructures import MultiDict

from kb.results import FACETS, SORTS
from web.errors import ParamError

__all__ = ["FILTERS", "KNOWN", "SORTS"]

#: The request filters (the facets, kb.results.FACETS), in the order links list them.
FILTERS: tuple[str, ...] = ("council", "committee", "speaker", "topic", "year", "kind")
assert set(FILTERS) == set(FACETS), "every facet is a filter"
#: Parameters kept when building links; order fixes the order in URLs.
KNOWN: tuple[str, ...] = ("q", *FILTERS, "date_from", "date_to", "sort", "page", "page_size")
MAX_FILTER_VALUES = 20
MAX_VALUE_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _int(raw: str, name: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ParamError(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise ParamError(f"{name} must be between {low} and {high} (got {value})")
    return value


def _date(raw: str, name: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{4}", raw):
        raw = f"{raw}-01-01" if name == "date_from" else f"{raw}-12-31"
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ParamError(f"{name} must be a date like 2018-03-27, not {raw[:40]!r}") from None


def _year(raw: str) -> str:
    """A year filter as ``kb search --year`` takes it: 2018, 2017..2019, 2017.., ..2019, undated."""
    if raw == "undated":
        return raw
    if ".." in raw:
        low, _, high = raw.partition("..")
        if not (low or high):
            raise ParamError("year range needs at least one end, like 2017..2019")
        lo = _int(low, "year", 1000, 2999) if low else None
        hi = _int(high, "year", 1000, 2999) if high else None
        if lo is not None and hi is not None and lo > hi:
            raise ParamError(f"year range {lo}..{hi} runs backwards")
        return f"{lo or ''}..{hi or ''}"
    return str(_int(raw, "year", 1000, 2999))


def _text(raw: str, name: str, limit: int) -> str:
    raw = _CONTROL.sub(" ", raw).strip()
    if len(raw) > limit:
        raise ParamError(f"{name} is too long: {len(raw)} characters (the limit is {limit})")
    return raw


def parse_search_args(args: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``args`` (a MultiDict) and return SearchRequest keyword arguments.

    Raises ParamError for a query over ``max_query_length``, a page over ``max_page``, a page
    size over ``max_page_size``, an unknown sort, a malformed year or date.
    """
    multi = args if isinstance(args, MultiDict) else MultiDict(args)
    out: dict[str, Any] = {"q": _text(multi.get("q", ""), "q", settings["max_query_length"])}
    for name in FILTERS:
        values = [_text(v, name, MAX_VALUE_LENGTH) for v in multi.getlist(name)]
        values = [v for v in dict.fromkeys(values) if v]
        if len(values) > MAX_FILTER_VALUES:
            raise ParamError(f"too many {name} filters (the limit is {MAX_FILTER_VALUES})")
        out[name] = values
    out["year"] = [_year(v) for v in out["year"]]
    out["date_from"] = _date(multi.get("date_from") or multi.get("from", ""), "date_from")
    out["date_to"] = _date(multi.get("date_to") or multi.get("to", ""), "date_to")
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        raise ParamError("date_from is after date_to")
    sort = multi.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise ParamError(f"sort must be one of {', '.join(SORTS)} (got {sort[:40]!r})")
    out["sort"] = sort
    page = multi.get("page", "").strip()
    out["page"] = _int(page, "page", 1, settings["max_page"]) if page else 1
    size = multi.get("page_size", "").strip()
    max_size = settings["max_page_size"]
    out["page_size"] = _int(size, "page_size", 1, max_size) if size else settings["page_size"]
    return out


def parse_complete_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Validate autocomplete parameters: ``q`` (the start of a name, required), ``kind``
    (repeatable: council, committee, speaker, topic; default all) and ``limit``.

    Returns ``{"prefix", "facets", "limit"}`` for ``SearchService.complete``; raises
    ParamError for a missing or over-long ``q``, an unknown kind or a limit out of range."""
    from kb.suggest import MAX_COMPLETIONS, NAMED_FACETS

    multi = args if isinstance(args, MultiDict) else MultiDict(args)
    prefix = _text(multi.get("q", ""), "q", MAX_VALUE_LENGTH)
    if not prefix:
        raise ParamError("q is required: the start of a name, like q=hors")
    kinds = [k.strip() for k in multi.getlist("kind") if k.strip()]
    unknown = [k for k in kinds if k not in NAMED_FACETS]
    if unknown:
        raise ParamError(f"kind must be one of {', '.join(NAMED_FACETS)} (got {unknown[0][:40]!r})")
    limit = multi.get("limit", "").strip()
    return {
        "prefix": prefix,
        "facets": tuple(dict.fromkeys(kinds)) or NAMED_FACETS,
        "limit": _int(limit, "limit", 1, MAX_COMPLETIONS) if limit else 10,
    }


def query_string(params: Mapping[str, Any], default_page_size: int = 10) -> str:
    """Encode search params (lists repeat, empty/default values dropped) as a query string."""
    parts = (segment(key, params.get(key), default_page_size) for key in KNOWN)
    return "&".join(part for part in parts if part)


def segment(key: str, value: Any, default_page_size: int = 10) -> str:
    """The query-string part of one param (``''`` when empty or the default); the parts of
    :data:`KNOWN` in order, joined with ``&``, are :func:`query_string`."""
    if value in (None, "", []) or (key == "page" and value == 1):
        return ""
    if key == "page_size" and value == default_page_size:
        return ""
    if key == "sort" and value == "relevance":
        return ""
    values = value if isinstance(value, list) else [value]
    return "&".join(_pair(key, v.isoformat() if isinstance(v, dt.date) else str(v)) for v in values)


@functools.lru_cache(maxsize=8192)
def _pair(key: str, text: str) -> str:
    """``key=text`` form-encoded, as ``urlencode([(key, text)])`` writes it.  Memoised: a
    results page links every facet value (the same few thousand names on every page)."""
    return quote_plus(key) + "=" + quote_plus(text)


def with_filter(params: Mapping[str, Any], key: str, value: Any, *, on: bool) -> dict[str, Any]:
    """Copy of ``params`` with ``value`` added to (on) or removed from filter ``key``; page 1."""
    new = {k: (list(v) if isinstance(v, list) else v) for k, v in params.items()}
    values: list[Any] = new.get(key) or []
    values = [v for v in values if str(v) != str(value)]
    if on:
        values.append(value)
    new[key] = values
    new["page"] = 1
    return new


def replace(params: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """Copy of ``params`` with ``changes`` applied (page reset to 1 unless given)."""
    new = dict(params)
    new["page"] = 1
    new.update(changes)
    return new
