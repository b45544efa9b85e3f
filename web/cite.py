"""Citations of one agenda item: plain text, BibTeX-like and CSL-JSON, from the item's facts.

Each function takes the item as ``SearchService.get_item`` returns it and the item's
permanent URL, and promises a citation that names the council (the author), the committee,
the meeting date, the item number and title, and the URL.  Nothing here is HTML: templates
escape the text they show, and BibTeX special characters in values are escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kb.config import UNKNOWN_COUNCIL

#: The formats ``/cite/<item id>?format=`` serves: name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text/plain; charset=utf-8", "txt"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}
PUBLISHER = "Minutes KB"


def _facts(item: dict[str, Any]) -> dict[str, Any]:
    meeting = item.get("meeting") or {}
    day = item.get("date") or meeting.get("date")
    try:
        date = dt.date.fromisoformat(str(day)[:10]) if day else None
    except ValueError:
        date = None
    return {
        "council": str(item.get("council") or meeting.get("council") or UNKNOWN_COUNCIL),
        "committee": str(item.get("committee") or meeting.get("committee") or ""),
        "date": date,
        "number": str(item.get("number") or ""),
        "title": str(item.get("title") or "Untitled item"),
    }


def _long_date(date: dt.date | None) -> str:
    return f"{date.day} {date:%B %Y}" if date else "unknown date"


def plain(item: dict[str, Any], url: str, accessed: dt.date | None = None) -> str:
    """One line: council, committee, meeting date, item number and title, then the URL."""
    f = _facts(item)
    seen = f" (accessed {_long_date(accessed)})" if accessed else ""
    return (
        f"{f['council']}, {f['committee']}, minutes of the meeting of {_long_date(f['date'])}, "
        f"item {f['number']}: “{f['title']}”. {PUBLISHER}, {url}{seen}"
    )


def _bib_escape(value: str) -> str:
    return re.sub(r"([{}\\&%$#_^~])", r"\\\1", value)


def cite_key(item: dict[str, Any]) -> str:
    """A BibTeX key from the council, the meeting date and the item number
    (``luton2018-03-27item07``): letters, digits and hyphens only."""
    f = _facts(item)
    council = re.sub(r"[^a-z0-9]", "", f["council"].lower())[:20] or "council"
    day = f["date"].isoformat() if f["date"] else "undated"
    number = re.sub(r"[^A-Za-z0-9]", "", f["number"]) or "x"
    return f"{council}{day}item{number}"


def bibtex(item: dict[str, Any], url: str) -> str:
    """A BibTeX ``@misc`` entry (BibLaTeX-style ``date``/``url`` fields as well); no author
    when the council is not known (a reference manager would take the placeholder for one)."""
    f = _facts(item)
    date = f["date"]
    author = "" if f["council"] == UNKNOWN_COUNCIL else "{" + _bib_escape(f["council"]) + "}"
    fields = [
        ("author", author),  # a body: braced as one name
        ("title", _bib_escape(f"Item {f['number']}: {f['title']}")),
        ("howpublished", _bib_escape(f"Minutes of the {f['committee']}, {_long_date(date)}")),
        ("organization", _bib_escape(f["committee"])),
        ("year", str(date.year) if date else ""),
        ("date", date.isoformat() if date else ""),
        ("publisher", PUBLISHER),
        ("url", url),
    ]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
    return f"@misc{{{cite_key(item)},\n{body}\n}}\n"


def csl_json(item: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """A CSL-JSON list with one item of type ``document`` (what citation managers import);
    no author when the council is not known."""
    f = _facts(item)
    entry: dict[str, Any] = {
        "id": str(item.get("id") or cite_key(item)),
        "type": "document",
        "title": f"Item {f['number']}: {f['title']}",
        "container-title": f"Minutes of the {f['committee']}",
        "publisher": PUBLISHER,
        "URL": url,
    }
    if f["council"] != UNKNOWN_COUNCIL:
        entry["author"] = [{"literal": f["council"]}]
    if f["date"]:
        entry["issued"] = {"date-parts": [[f["date"].year, f["date"].month, f["date"].day]]}
    return [entry]
