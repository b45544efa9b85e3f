"""Recognise pages that come from council web systems but are not minutes.

ModernGov and CMIS sites serve meeting lists, committee lists, calendars, document lists
and decision pages next to the minutes themselves.  They are easy to harvest by mistake
and would index as junk, so readers call these checks first:

* :func:`check_xml` for a parsed XML root (ModernGov web-service ``GetMeetings``,
  ``GetCommittees`` and other list responses; anything that is not ``GetMeeting``);
* :func:`check_html` for HTML text (CMIS listings, calendars and document lists; ModernGov
  decision pages, decision lists and calendars).

Both raise ``NotMinutesError("not a minutes document: <what it is>")`` and return None for
anything else.  They look for markers these systems always emit (element ids and classes),
never for words a real set of minutes could contain.
"""

from __future__ import annotations

import re
from typing import Any

from kb.model import NotMinutesError

#: ModernGov web-service roots that list things rather than record a meeting.
_XML_ROOTS = {
    "getmeetings": "a ModernGov meeting list (GetMeetings web-service XML)",
    "committees": "a ModernGov committee list (GetCommittees web-service XML)",
    "getcommittees": "a ModernGov committee list (GetCommittees web-service XML)",
    "councillors": "a ModernGov councillor list (web-service XML)",
    "councillorsbyward": "a ModernGov councillor list (web-service XML)",
    "wards": "a ModernGov ward list (web-service XML)",
    "getissues": "a ModernGov issue list (web-service XML)",
    "decisions": "a ModernGov decision list (web-service XML)",
    "rss": "an RSS feed",
    "feed": "an Atom feed",
}

#: (pattern, what it is), tried in order: the most specific page kinds come first.
_HTML_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), what)
    for pattern, what in (
        (r"MeetingCalendarPublicPrinter|SimpleCalendarDate", "a CMIS meeting calendar"),
        (r"MeetingCalendarPublicList|MeetingCalendarListView", "a CMIS meeting list"),
        (
            r"ModCMISMeetings.{0,2000}?<h1>\s*Meeting Details\s*</h1>",
            "a CMIS meeting details page (links to documents, not the minutes)",
        ),
        (
            r"CmisDocumentList|ViewMeetingPublic_cmisPdfDocuments",
            "a CMIS meeting's document list (links to the minutes, not the minutes)",
        ),
        (r"MeetingCalendarPublic", "a CMIS meeting calendar page"),
        (
            r'class="mgSectionTitle"\s*>\s*(?:Decisions published|Officer decisions|Decisions)',
            "a ModernGov list of decisions",
        ),
        (r'<table[^>]*summary="Table of decision summary data"', "a ModernGov list of decisions"),
        (
            r'class="mgMainTitleTxt"\s*>\s*Decision details'
            r'|class="mgLabel"\s*>\s*(?:Decision status|Date of decision|Decision Maker):',
            "a ModernGov decision page (one decision, not the minutes of a meeting)",
        ),
        (r"mgCalendarMonthView|mgCalendarWeekView|ieListMeetings", "a ModernGov meeting calendar"),
        (r"mgListCommittees|ieListCommittees", "a ModernGov committee list"),
    )
)


def _raise(what: str) -> None:
    raise NotMinutesError(f"not a minutes document: {what}")


def check_xml(root: Any) -> None:
    """Raise NotMinutesError unless ``root`` (an lxml/ElementTree element) is a GetMeeting.

    A ``<meeting>`` root passes; known ModernGov list responses are named in the message;
    any other root is refused as "XML with root <name>".
    """
    tag = root.tag if isinstance(root.tag, str) else ""
    name = tag.rsplit("}", 1)[-1].lower()
    if name == "meeting":
        return
    if name in _XML_ROOTS:
        _raise(_XML_ROOTS[name])
    _raise(f"XML with root <{name or '?'}>, not a ModernGov GetMeeting response")


def check_html(text: Any) -> None:
    """Raise NotMinutesError when HTML ``text`` is a CMIS/ModernGov listing or decision page.

    ``text`` is the page's HTML source (a BeautifulSoup object is accepted and turned back
    into HTML).  Returns None for anything else, including real minutes pages.
    """
    source = text if isinstance(text, str) else str(text)
    for pattern, what in _HTML_MARKERS:
        if pattern.search(source):
            _raise(what)
