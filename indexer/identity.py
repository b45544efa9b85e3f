"""Which meeting a newly read meeting is: the same as one already indexed, or another.

Duplicates are decided by content, never by id.  A meeting's *fingerprint* is one short
hash per agenda item (its number and the first words of its title, normalised), kept in the
ingest manifest; two meetings are the same meeting when their fingerprints mostly agree
(:data:`SAME_MEETING`), as the PDF and the text export of one set of minutes do.

When a meeting's id (:func:`kb.model.identity_id`) is held by another source with different
items, the meeting is kept under a qualified id: :func:`candidate_ids` tries the id, then
the id with its start time (``…-1900``), then a counter (``…-2``, ``…-3``).  The writer
(:class:`indexer.write.IndexWriterSession`) takes the first that is free or holds the same
meeting.  A file merged into a meeting is indexed as a small ``source`` document (see
:func:`source_document`), so the meeting lists it and loses it again when the file goes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from kb.model import Meeting, Source, to_json

#: Share of the larger meeting's items that must be found in the other for two meetings to
#: be one (the PDF and the text of one meeting differ in an item or two at most).
SAME_MEETING = 0.6
#: Words of an item title that go into its fingerprint.
TITLE_WORDS = 6
#: Most counter qualifiers tried before giving up (a corpus never comes near it).
MAX_COUNTER = 999

_WORD = re.compile(r"[^\W_]+")


def item_print(number: str, title: str) -> str:
    """The fingerprint of one item: 8 hex digits of its number and first title words."""
    num = number.strip().rstrip(".").lower().lstrip("0") or "0"
    words = " ".join(w.lower() for w in _WORD.findall(title)[:TITLE_WORDS])
    return hashlib.sha1(f"{num}|{words}".encode()).hexdigest()[:8]


def fingerprint(meeting: Meeting) -> list[str]:
    """The fingerprint of ``meeting``: one :func:`item_print` per item, in agenda order."""
    return [item_print(i.number, i.title) for i in meeting.items]


def same_meeting(a: list[str], b: list[str]) -> bool:
    """True when fingerprints ``a`` and ``b`` record one meeting: at least
    :data:`SAME_MEETING` of the larger one's items are in the other (two meetings without
    items, cancelled ones, are the same)."""
    if not a or not b:
        return not a and not b
    shared = len(set(a) & set(b))
    return shared >= SAME_MEETING * max(len(set(a)), len(set(b)))


def candidate_ids(meeting: Meeting) -> Iterator[str]:
    """The ids ``meeting`` may take, in order: its own id, then qualified by its start time
    (when it has one), then ``-2``, ``-3``, … (see the module docstring)."""
    yield meeting.id
    if meeting.start_time:
        yield f"{meeting.id}-{meeting.start_time.replace(':', '')}"
    for n in range(2, MAX_COUNTER + 1):
        yield f"{meeting.id}-{n}"


def source_record(meeting: Meeting) -> dict[str, Any]:
    """``meeting``'s own source (the file it was read from) as a JSON-ready dict."""
    if meeting.sources:
        src = meeting.sources[0]
        return {"path": src.path, "format": src.format, "language": src.language}
    return {"path": meeting.source, "format": meeting.format, "language": meeting.language}


def source_doc_id(source_key: str, meeting_id: str) -> str:
    """The id of the document recording ``source_key`` as a source of ``meeting_id``."""
    return f"{meeting_id}#source={source_key}"


def source_document(source_key: str, meeting_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """The index document saying that ``source_key`` is a further source of ``meeting_id``
    (``doctype`` ``source``; never matched by a search)."""
    return {
        "id": source_doc_id(source_key, meeting_id),
        "doctype": "source",
        "meeting_id": meeting_id,
        "source_key": source_key,
        "source": record.get("path", ""),
        "data": to_json(Source(**record)),
    }
