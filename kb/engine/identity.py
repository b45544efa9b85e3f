"""Which meeting a newly read meeting is: the same as one already indexed, or another.

Duplicates are decided by content, never by id.  A meeting's *fingerprint* is one short
hash per agenda item (its number and the first words of its title, normalised), kept in the
ingest manifest; two meetings are the same meeting when their fingerprints mostly agree
(:data:`SAME_MEETING`), as the PDF and the text export of one set of minutes do.

When a meeting's id (:func:`kb.model.identity_id`) is held by another source with different
items, the meeting is kept under a qualified id: :func:`candidate_ids` tries the id, then
the id with its start time (``…-1900``), then a counter (``…-2``, ``…-3``).  The writer
(each engine's writer session, through :mod:`kb.engine.placing`) takes the first that is
free or holds the same meeting.  A file merged into a meeting is indexed as a small
``source`` document (see :func:`source_document`), so the meeting lists it and loses it
again when the file goes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from kb.model import Meeting, Source, to_json

#: Share of the larger meeting's items that must be found in the other for two meetings to
#: be one (the PDF and the text of one meeting differ in an item or two at most).
SAME_MEETING = 0.6
#: Estimated share of word 4-grams two texts must have in common to be one meeting's
#: minutes when their items were cut differently (a PDF's headings against a flat text).
SAME_TEXT = 0.5
#: Words of an item title that go into its fingerprint.
TITLE_WORDS = 6
#: Words of an item's body that go into its fingerprint.
BODY_WORDS = 12
#: Hashes kept in a text sketch (the smallest of all its word 4-grams' hashes).
SKETCH_SIZE = 24
#: Words in a shingle of the text sketch.
SHINGLE = 4
#: Words of a meeting read for its sketch (copies agree from the start; bounds the cost,
#: ~0.5 µs a word, for long minutes).
SKETCH_WORDS = 3000
#: Where a meeting date is only guessed (``Meeting.date_source``), not stated for it.
GUESSED_DATES = frozenset({"filename", "folder", "unknown"})
#: Most counter qualifiers tried before giving up (a corpus never comes near it).
MAX_COUNTER = 999
#: Formats by how much of the minutes their copy keeps (pages for links, structure):
#: a higher rank is the better source when two copies hold the same items.
FORMAT_RANK = {"moderngov": 5, "docx": 4, "pdf": 3, "html": 2, "markdown": 1, "text": 1}

_WORD = re.compile(r"[^\W_]+")
_MASK = np.uint64(0xFFFFFFFF)


def _words(text: str, limit: int | None = None) -> list[str]:
    found = (m.group(0).lower() for m in _WORD.finditer(text))
    return [w for _, w in zip(range(limit), found, strict=False)] if limit else list(found)


def item_print(number: str, title: str, body: str = "") -> str:
    """The fingerprint of one item: 8 hex digits of its number, first title words and
    first body words (normalised: case, punctuation and line breaks do not count)."""
    num = number.strip().rstrip(".").lower().lstrip("0") or "0"
    words = " ".join(_words(title, TITLE_WORDS))
    start = " ".join(_words(body, BODY_WORDS))
    return hashlib.sha1(f"{num}|{words}|{start}".encode()).hexdigest()[:8]


def fingerprint(meeting: Meeting) -> list[str]:
    """The fingerprint of ``meeting``: one :func:`item_print` per item, in agenda order."""
    return [item_print(i.number, i.title, i.body) for i in meeting.items]


def text_sketch(meeting: Meeting) -> list[int]:
    """A bottom-k sketch of the meeting's words: the :data:`SKETCH_SIZE` smallest 32-bit
    hashes of its word 4-grams (titles and bodies in agenda order, the first
    :data:`SKETCH_WORDS` words).  Two sketches estimate
    how much text two meetings share (:func:`shared_text`) whatever their item cuts."""
    text = "\n".join(f"{i.title}\n{i.body}" for i in meeting.items).lower()
    words = _sketch_words(text)
    if len(words) < SHINGLE:
        return []
    encoded = words if isinstance(words[0], bytes) else map(str.encode, words)
    hashes = np.fromiter(map(zlib.crc32, encoded), np.uint64, len(words))
    mixed = np.zeros(len(words) - SHINGLE + 1, np.uint64)
    for k in range(SHINGLE):
        part = hashes[k : len(hashes) - SHINGLE + 1 + k]
        mixed = ((mixed * np.uint64(0x9E3779B1)) ^ part) & _MASK
    return [int(v) for v in _smallest_unique(mixed, SKETCH_SIZE)]


def _smallest_unique(values: np.ndarray, k: int) -> np.ndarray:
    """``np.unique(values)[:k]`` (the ``k`` smallest distinct values, ascending), by one
    sort and a comparison with the neighbour: numpy 2's ``unique`` goes through a hash table
    first and costs ~10 times more on a sketch's few thousand hashes."""
    ordered = np.sort(values)
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first][:k]


#: Every byte but an ASCII letter or digit → a space (for :func:`_sketch_words`).
_NOT_ALNUM = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))


def _sketch_words(text: str) -> list[str] | list[bytes]:
    """The first :data:`SKETCH_WORDS` words (``[^\\W_]+``) of lowercased ``text``: for ASCII
    text as UTF-8 bytes found by byte translation and split in C (the same words, in ASCII
    a letter or digit is exactly ``[^\\W_]``; their CRC-32 is the same), else by the regex."""
    if text.isascii():
        return text.encode("ascii").translate(_NOT_ALNUM).split()[:SKETCH_WORDS]
    return _WORD.findall(text)[:SKETCH_WORDS]


def shared_text(a: list[Any], b: list[Any]) -> float:
    """Estimated Jaccard share of word 4-grams between two :func:`text_sketch` results
    (or their hashes as 8-digit hex strings, which sort alike)."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(1 for v in union if v in both) / len(union)


def same_meeting(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when the two :func:`identity_record` s record one meeting: at least
    :data:`SAME_MEETING` of the larger one's items are in the other, or (items cut
    differently) their texts share :data:`SAME_TEXT` of their word 4-grams.  Two meetings
    without items (cancelled ones) are the same."""
    pa, pb = set(_chunks(a.get("items", ""))), set(_chunks(b.get("items", "")))
    if not pa or not pb:
        return not pa and not pb
    if len(pa & pb) >= SAME_MEETING * max(len(pa), len(pb)):
        return True
    return shared_text(_chunks(a.get("text", "")), _chunks(b.get("text", ""))) >= SAME_TEXT


def _chunks(packed: str) -> list[str]:
    """The 8-character hashes packed into one string by :func:`identity_record`."""
    return [packed[i : i + 8] for i in range(0, len(packed), 8)]


def identity_record(meeting: Meeting) -> dict[str, Any]:
    """What the manifest keeps of a meeting to recognise a copy of it later (compact: a
    manifest holds one per meeting): item fingerprint and text sketch, each packed into
    one string of 8-hex-digit hashes, rank (see :func:`better`), whether its date is only
    guessed (not from its text), its format and language."""
    return {
        "items": "".join(fingerprint(meeting)),
        "text": "".join(f"{v:08x}" for v in text_sketch(meeting)),
        "rank": rank(meeting),
        "weak_date": meeting.date_source in GUESSED_DATES,
        "format": meeting.format,
        "language": meeting.language,
    }


def rank(meeting: Meeting) -> list[int]:
    """How good a copy of the minutes ``meeting`` was read from, compared element by
    element: a date read from its text, then more items, then :data:`FORMAT_RANK`."""
    return [
        int(meeting.date_source not in GUESSED_DATES),
        len(meeting.items),
        FORMAT_RANK.get(meeting.format, 0),
    ]


def better(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when the copy recorded as ``new`` should hold the meeting's items instead of
    ``old`` (a higher :func:`rank`; on a tie the copy already indexed stays)."""
    return list(new.get("rank", [])) > list(old.get("rank", []))


def candidate_ids(meeting: Meeting) -> Iterator[str]:
    """The ids ``meeting`` may take, in order: its own id, then qualified by its start time
    (when it has one), then ``-2``, ``-3``, … (see the module docstring)."""
    yield meeting.id
    if meeting.start_time:
        yield f"{meeting.id}-{meeting.start_time.replace(':', '')}"
    for n in range(2, MAX_COUNTER + 1):
        yield f"{meeting.id}-{n}"


def held_source(source_key: str, record: dict[str, Any]) -> dict[str, Any]:
    """The source entry of a copy known only by its manifest key and identity record."""
    return {
        "path": source_key,
        "format": record.get("format", ""),
        "language": record.get("language", ""),
    }


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
