"""The ModernGov web service (``mgWebService.asmx``): URLs and the XML it answers.

Three calls are used, as a council's site serves them over plain GET:

- ``GetCommittees?lDays=0`` → ``<committees><committee><committeeid>…<committeetitle>…
  <committeedeleted>…<committeeexpired>…``;
- ``GetMeetings?lCommitteeId=ID&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy`` →
  ``<getmeetings><committee>…<committeemeetings><meeting><meetingid>…<meetingdate>…
  <meetingstatus>…``;
- ``GetMeeting?lMeetingId=ID`` → ``<meeting>`` with ``<agendaitems>`` (each item's minutes in
  ``<minutesnonemptyhtmlbody>`` and its ``<linkeddocuments>``), read for minutes by
  :mod:`indexer.read_moderngov`.

:func:`meeting_state` decides from a GetMeeting response whether the minutes are in the XML,
in a linked document, not published yet, or whether the meeting was cancelled.  Parsing goes
through :func:`indexer.read_moderngov.parse_xml` (no DTDs, entities or network).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from lxml import etree

from indexer.read_moderngov import parse_xml
from kb.model import IngestError

SERVICE = "mgWebService.asmx"
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Committee:
    id: str
    title: str
    deleted: bool = False
    expired: bool = False


@dataclass(frozen=True)
class MeetingRef:
    """A meeting as GetMeetings lists it."""

    id: str
    committee_id: str
    committee: str
    date: dt.date | None
    status: str


@dataclass(frozen=True)
class MeetingState:
    """What a GetMeeting response says about the minutes.

    ``kind`` is ``minutes`` (text in the XML), ``document`` (``document_url`` holds them),
    ``cancelled`` or ``pending`` (not published yet: ask again next time)."""

    kind: str
    document_url: str | None = None
    document_title: str = ""


def base_url(url: str) -> str:
    """The site root a user gave (``https://host/path``), without the service name or
    query; ValueError unless it is an http(s) URL with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL of a ModernGov site")
    path = parts.path
    cut = path.lower().find(SERVICE.lower())
    if cut >= 0:
        path = path[:cut]
    elif path.lower().endswith(".aspx"):  # a page of the site (mgCalendarMonthView.aspx …)
        path = path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"


def committees_url(base: str) -> str:
    return f"{base}/{SERVICE}/GetCommittees?lDays=0"


def meetings_url(base: str, committee_id: str, start: dt.date, end: dt.date) -> str:
    query = urlencode(
        {
            "lCommitteeId": committee_id,
            "sFromDate": start.strftime(DATE_FORMAT),
            "sToDate": end.strftime(DATE_FORMAT),
        }
    )
    return f"{base}/{SERVICE}/GetMeetings?{query}"


def meeting_url(base: str, meeting_id: str) -> str:
    return f"{base}/{SERVICE}/GetMeeting?{urlencode({'lMeetingId': meeting_id})}"


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def _root(data: bytes, tag: str, call: str) -> etree._Element:
    root = parse_xml(data)
    if root.tag.lower() != tag:
        raise IngestError(f"{call} answered <{root.tag}>, not <{tag}>")
    return root


def parse_committees(data: bytes) -> list[Committee]:
    """Committees from a GetCommittees response; IngestError if it is not one."""
    root = _root(data, "committees", "GetCommittees")
    found = []
    for c in root.iterfind("committee"):
        cid = _text(c, "committeeid")
        if cid:
            found.append(
                Committee(
                    id=cid,
                    title=_text(c, "committeetitle") or f"Committee {cid}",
                    deleted=_text(c, "committeedeleted").lower() == "true",
                    expired=_text(c, "committeeexpired").lower() == "true",
                )
            )
    return found


def parse_meetings(data: bytes) -> list[MeetingRef]:
    """Meetings from a GetMeetings response; IngestError if it is not one."""
    root = _root(data, "getmeetings", "GetMeetings")
    found = []
    for c in root.iterfind("committee"):
        cid, title = _text(c, "committeeid"), _text(c, "committeetitle")
        for m in c.iterfind("committeemeetings/meeting"):
            mid = _text(m, "meetingid")
            if mid:
                found.append(
                    MeetingRef(
                        mid, cid, title, _date(_text(m, "meetingdate")), _text(m, "meetingstatus")
                    )
                )
    return found


def check_xml(tag: str) -> object:
    """A fetch check: the body must be whole XML whose root is ``<tag>``."""

    def check(body: bytes, _content_type: str) -> str | None:
        try:
            _root(body, tag, tag)
        except IngestError as exc:
            return f"not a usable ModernGov answer: {exc}"
        return None

    return check


_MINUTES_WORD = re.compile(r"\bminutes?\b", re.I)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_TITLE_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?[-\s/.]+([A-Za-z]{3,9}|\d{1,2})[-\s/.,]+(\d{4})\b"
)


def _title_dates(title: str) -> list[dt.date]:
    """Dates written in a document title ('10th-Feb-2026', '25 Nov 2025', '10/02/2026')."""
    dates = []
    for day, month, year in _TITLE_DATE.findall(title):
        if month.isdigit():
            number = int(month)
        else:
            key = month[:3].lower()
            number = _MONTHS.index(key) + 1 if key in _MONTHS else 0
        try:
            dates.append(dt.date(int(year), number, int(day)))
        except ValueError:
            continue
    return dates


def _links(parent: etree._Element) -> list[tuple[str, str]]:
    links = []
    for doc in parent.iterfind("linkeddocuments/linkeddoc"):
        url, title = _text(doc, "url"), _text(doc, "title")
        if url and _text(doc, "isrestricted").lower() != "true":
            links.append((url, title))
    return links


def minutes_document(root: etree._Element) -> tuple[str, str] | None:
    """The (URL, title) of this meeting's own minutes document, if the XML links one.

    A linked document counts when its title says "minutes" and it is either linked to the
    meeting itself (``<linkeddocuments>`` outside any agenda item) or its title names this
    meeting's date.  A "Minutes" document on an agenda item that names another date is the
    previous meeting's minutes, up for approval, and never counts."""
    day = _date(_text(root, "meetingdate"))
    candidates = [(u, t, True) for u, t in _links(root)]
    for item in root.iterfind("agendaitems/agendaitem"):
        candidates += [(u, t, False) for u, t in _links(item)]
    for url, title, own in candidates:
        if not _MINUTES_WORD.search(title):
            continue
        dates = _title_dates(title)
        if (own and not dates) or (day is not None and day in dates):
            return url, title
    return None


def meeting_state(data: bytes) -> MeetingState:
    """Where this GetMeeting response's minutes are (see :class:`MeetingState`)."""
    root = _root(data, "meeting", "GetMeeting")
    if _text(root, "meetingstatus").lower() == "cancelled":
        return MeetingState("cancelled")
    if any(_text(i, "minutesnonemptyhtmlbody") for i in root.iterfind("agendaitems/agendaitem")):
        return MeetingState("minutes")
    doc = minutes_document(root)
    if doc is not None:
        return MeetingState("document", doc[0], doc[1])
    return MeetingState("pending")


def check_document(body: bytes, content_type: str) -> str | None:
    """A fetch check for a minutes document: a PDF or a Word (.docx) file, not an HTML
    error page or anything else served in its place."""
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return None
    if head.startswith(b"PK\x03\x04"):
        return None
    lower = head.lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        title = re.search(rb"<title[^>]*>(.*?)</title>", body[:8192], re.I | re.S)
        named = f" titled {title.group(1).decode('utf-8', 'replace').strip()!r}" if title else ""
        return f"expected a PDF or Word document but got an HTML page{named}"
    shown = content_type or "no content type"
    return f"expected a PDF or Word document but got something else ({shown})"


def document_suffix(body: bytes) -> str:
    """``.pdf`` or ``.docx`` for a body :func:`check_document` accepted."""
    return ".pdf" if body.lstrip()[:5] == b"%PDF-" else ".docx"
