"""The engine-neutral index documents: what every backend stores for an item and a meeting.

Two kinds, told apart by ``doctype``:

* ``item`` — one agenda item: text fields ``title``/``body`` (resolutions are part of the
  body), ``council_text``/``committee_text``/``speaker_names``/``topic_text`` (names a
  field query matches), facet values ``council_id``, ``committee_key`` =
  ``council_id/committee_id``, ``year``, ``speaker``/``mentioned``/``topic``/
  ``topic_primary`` (comma-separated ids: :data:`LIST_FIELDS`), ``date`` (a datetime),
  ``order`` (agenda position) and ``data``, the item as JSON (the body left out).
* ``meeting`` — one per meeting, ``id`` = meeting id, ``data`` = the meeting as JSON with its
  ``item_ids`` in order, and ``words``: the unstemmed words for spelling suggestions.
  Never matched by a search.

A backend maps these onto its own fields (see each backend's schema/template); the text
analysis is always :mod:`kb.analysis`'s, so both engines index the same terms.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from kb import analysis
from kb.deadline import Deadline
from kb.highlight import Matches
from kb.model import Item, Meeting, slugify, to_json
from kb.results import Hit
from kb.snippets import make_snippet

# Every field a document may have, by kind (a backend maps each kind onto its own types;
# a test checks the documents below use only these):
#: one exact value each (ids, facet values)
KEYWORD_FIELDS = (
    "id",
    "doctype",
    "meeting_id",
    "source_key",
    "council_id",
    "committee_id",
    "committee_key",
    "year",
    "kind",
    "item_number",
    "ref",
)
#: several exact values, comma-separated
LIST_FIELDS = ("speaker", "mentioned", "topic", "topic_primary")
#: text analysed by :func:`kb.analysis.tokenize` (``title`` and ``body`` are also shown)
TEXT_FIELDS = ("title", "body", "council_text", "committee_text", "speaker_names", "topic_text")
#: unstemmed words, for spelling suggestions
WORDS_FIELDS = ("words",)
#: shown, never searched
STORED_FIELDS = ("council", "committee", "source", "data")
#: the rest of a body longer than :data:`HIT_BODY_CHARS`, where an engine stores it apart
#: from what a hit loads (Whoosh: ``kb.engine.whoosh.bodies``); never searched
REST_FIELDS = ("body_rest",)
#: whole numbers, a datetime, a flag
NUMBER_FIELDS = ("order", "page_start", "page_end")
DATE_FIELDS = ("date",)
FLAG_FIELDS = ("ocr",)
ALL_FIELDS = (
    *KEYWORD_FIELDS,
    *LIST_FIELDS,
    *TEXT_FIELDS,
    *WORDS_FIELDS,
    *STORED_FIELDS,
    *REST_FIELDS,
    *NUMBER_FIELDS,
    *DATE_FIELDS,
    *FLAG_FIELDS,
)
#: Characters of an item's body a search hit is given (its snippet, reranking): snippets
#: read at most ``kb.snippets.MAX_SCAN_CHARS`` (200,000) of a body plus the sentence
#: around a match, reranking ``kb.ranking.RERANK_BODY_CHARS`` (100,000).  An engine may
#: store a longer body's rest where a hit does not load it (``kb.engine.whoosh.bodies``).
HIT_BODY_CHARS = 220_000
#: Meeting documents of a rebuild that carry each spelling word (see :func:`meeting_words`).
SPELLING_HOLDERS = 3


def split_body(body: str) -> tuple[str, str]:
    """``body`` as (what a search hit is given, the rest): the first
    :data:`HIT_BODY_CHARS` characters and the others ("" for a body within them)."""
    return body[:HIT_BODY_CHARS], body[HIT_BODY_CHARS:]


def _date_time(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min) if day else None


def item_document(item: Item, meeting: Meeting, source_key: str) -> dict[str, Any]:
    """The index document for one item (see the module docstring)."""
    council_id, committee_id = slugify(meeting.council), slugify(meeting.committee)
    names = {n for p in item.speakers for n in (p.name, p.form) if n}
    topics = [t.topic for t in item.topics]
    doc: dict[str, Any] = {
        "id": item.id,
        "doctype": "item",
        "meeting_id": meeting.id,
        "source_key": source_key,
        "council": meeting.council,
        "council_id": council_id,
        "council_text": meeting.council,
        "committee": meeting.committee,
        "committee_id": committee_id,
        "committee_key": f"{council_id}/{committee_id}",
        "committee_text": " ".join(filter(None, [meeting.committee, meeting.parent_body])),
        "year": str(meeting.date.year) if meeting.date else "undated",
        "kind": meeting.kind,
        "item_number": item.number,
        "order": item.order,
        "title": item.title,
        "body": item.body,
        "speaker_names": "\n".join(sorted(names)),
        "topic_text": "\n".join(f"{t.topic.replace('-', ' ')} {t.label}" for t in item.topics),
        "source": item.source or meeting.source,
        "ocr": bool(item.ocr),
        "data": to_json(item, leave_out=("body",)),  # the body is stored once, in its field
    }
    optional = {
        "date": _date_time(meeting.date),
        "ref": item.ref,
        "speaker": ",".join(sorted({p.person_id for p in item.speakers if p.person_id})),
        "mentioned": ",".join(sorted({p.person_id for p in item.mentioned if p.person_id})),
        "topic": ",".join(topics),
        "topic_primary": ",".join(t.topic for t in item.topics if t.strength == "primary"),
        "page_start": item.page_start,
        "page_end": item.page_end,
    }
    doc.update({k: v for k, v in optional.items() if v not in (None, "")})
    return doc


@functools.lru_cache(maxsize=200_000)
def _spelling_terms(word: str) -> tuple[str, ...]:
    """The unstemmed terms of one raw word (a word's terms depend only on the word)."""
    if "-" in word or "\u2010" in word or "\u2011" in word:
        return tuple(t.text for t in analysis.tokenize(word, do_stem=False))
    term = analysis.unstemmed_term(word)  # the one term tokenize() would give, if any
    return () if term is None else (term,)


@dataclass
class SpellingHolders:
    """A rebuild's count of the meeting documents carrying each spelling word."""

    #: term -> meeting documents whose ``words`` carry it
    counts: dict[str, int] = field(default_factory=dict)
    #: raw words whose every term is carried :data:`SPELLING_HOLDERS` times already
    full: set[str] = field(default_factory=set)


def meeting_words(meeting: Meeting, holders: SpellingHolders | None = None) -> str:
    """The distinct unstemmed words of a meeting's item titles and bodies, for the spelling
    corrector (``words`` field).  Kept on the meeting document, once per meeting rather than
    once per item: the corrector needs each word in the lexicon, not per-item postings.

    With ``holders`` (updated here), a word is left out once :data:`SPELLING_HOLDERS`
    meetings carry it: the lexicon stays complete while the postings shrink from every
    (meeting, word) pair to a few per word.  Used by rebuilds."""
    raw: set[str] = set()
    for item in meeting.items:
        raw.update(analysis.WORD_RE.findall(item.title))
        raw.update(analysis.WORD_RE.findall(item.body))
    seen: set[str] = set()
    if holders is None:
        for word in raw:
            seen.update(_spelling_terms(word))
        return " ".join(sorted(seen))
    counts = holders.counts
    for word in raw - holders.full:
        terms = _spelling_terms(word)
        if all(counts.get(t, 0) >= SPELLING_HOLDERS for t in terms):
            holders.full.add(word)
        else:
            seen.update(terms)
    kept = []
    for term in seen:
        n = counts.get(term, 0)
        if n < SPELLING_HOLDERS:
            counts[term] = n + 1
            kept.append(term)
    return " ".join(sorted(kept))


def meeting_document(
    meeting: Meeting, source_key: str, holders: SpellingHolders | None = None
) -> dict[str, Any]:
    """The index document for a meeting: its facts as JSON, plus its item ids in order
    (``holders``: see :func:`meeting_words`)."""
    data = json.loads(to_json(meeting, leave_out=("items", "identity")))
    data["item_ids"] = [i.id for i in sorted(meeting.items, key=lambda i: i.order)]
    data["council_id"], data["committee_id"] = meeting.council_id, meeting.committee_id
    doc: dict[str, Any] = {
        "id": meeting.id,
        "doctype": "meeting",
        "meeting_id": meeting.id,
        "source_key": source_key,
        "council": meeting.council,
        "council_id": meeting.council_id,
        "committee": meeting.committee,
        "committee_id": meeting.committee_id,
        "year": str(meeting.date.year) if meeting.date else "undated",
        "kind": meeting.kind,
        "source": meeting.source,
        "words": meeting_words(meeting, holders),
        "data": json.dumps(data, ensure_ascii=False),
    }
    if meeting.date:
        doc["date"] = _date_time(meeting.date)
    return doc


def build_hit(
    stored: dict[str, Any],
    date: str | None,
    score: float,
    matches: Matches,
    deadline: Deadline | None = None,
) -> Hit:
    """A search result (:class:`kb.results.Hit`) from an item's stored document as either
    engine returns it (``date`` already as ``YYYY-MM-DD``, each engine stores dates its own
    way), with a snippet of its body around what ``matches`` (a :class:`kb.highlight.Matcher`)
    looks for, built within ``deadline``."""
    data = json.loads(stored.get("data") or "{}")
    plain, marked = make_snippet(stored.get("body") or "", matches, deadline=deadline)
    return Hit(
        id=stored["id"],
        meeting_id=stored.get("meeting_id", ""),
        council=stored.get("council", ""),
        council_id=stored.get("council_id", ""),
        committee=stored.get("committee", ""),
        committee_id=stored.get("committee_id", ""),
        date=date,
        item_number=stored.get("item_number", ""),
        item_title=stored.get("title", ""),
        speakers=[p.get("name", "") for p in data.get("speakers", [])],
        topics=[t.get("topic", "") for t in data.get("topics", [])],
        snippet=plain,
        snippet_html=marked,
        score=round(float(score), 4),
        url=f"/items/{stored['id']}",
    )
