"""Term analysis in the ingest worker: the postings of a file's text fields, made beside the
writer so that both CPUs work.

An ingest worker (:mod:`indexer.parallel`) reads and segments a file; :func:`analyse` then
runs, in that worker, each text field's own ``index`` method on the values the item
documents will carry, and the writing process hands the result to its session
(:meth:`kb.engine.whoosh.write.IndexWriterSession.offer_analysis`).  When the session builds
an item's document, :func:`attach` takes the postings whose ``(field, value)`` is exactly the
document's and puts them under :data:`~kb.engine.whoosh.bulk.POSTINGS_KEY`; the segment
writer uses them instead of calling ``field.index(value)`` again.

Which fields: every indexed, scorable field of the schema (the text fields, whatever their
class: a new one is analysed through its own ``index`` with no change here; a field may
offer ``portable_index``/``restore_index`` to send its postings in a compact form that
restores the very objects ``index`` gives, as :class:`~kb.engine.whoosh.textfield.KbText`
does).  A text field with a word-pair field (:mod:`kb.engine.whoosh.phrases`) has its
pairs' postings made here too, from the same term positions.  Values the
writer changes after the worker (people's names resolved, ids renamed) simply do not match
and are analysed by the writer as before, so the index is the same either way (tested).
"""

from __future__ import annotations

import contextlib
import io
import pickle
from operator import itemgetter
from typing import Any

from kb.engine.documents import item_document
from kb.engine.whoosh.bulk import POSTINGS_KEY
from kb.engine.whoosh.phrases import pair_postings, paired_fields
from kb.engine.whoosh.search import SCHEMA
from kb.engine.whoosh.textfield import term_positions
from kb.model import Meeting

#: a field value's postings, as :meth:`whoosh.fields.FieldType.index` gives them (a list)
Postings = list[tuple[bytes, int, float, Any]]


class Analysed(dict[tuple[str, str], tuple[Postings, Postings | None]]):
    """(field name, value) -> the postings ``SCHEMA[field].index(value)`` gives, in the
    field's ``portable_index`` form when it has one, and its pair field's postings (None
    when it has none).

    Pickled as one bytes object made without pickle's memo (nothing in it is shared, so
    the memo only costs: half the time to pickle), which a process pool ships as it is."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _unpickled, (_pickled(dict(self)),)


def _pickled(analysed: dict[tuple[str, str], Any]) -> bytes:
    """``pickle.dumps(analysed)`` without the memo (Pickler's ``fast`` mode: ``analysed``
    holds no object twice that must stay one, and no cycle)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(AttributeError):  # a Python without it: the memo, as dumps
        pickler.fast = True
    pickler.dump(analysed)
    return buffer.getvalue()


def _unpickled(data: bytes) -> Analysed:
    """The :class:`Analysed` ``_pickled`` made ``data`` of."""
    return Analysed(pickle.loads(data))  # noqa: S301 - made by _pickled in our own worker


def analysed_fields(schema: Any = SCHEMA) -> tuple[str, ...]:
    """The fields analysed ahead: indexed and scorable (the schema's text fields)."""
    return tuple(name for name, field in schema.items() if field.indexed and field.scorable)


_FIELDS = analysed_fields()
_WEIGHT = itemgetter(2)  # a posting's weight
_PAIRS = paired_fields(SCHEMA)


def analyse(meetings: list[Meeting]) -> Analysed:
    """The postings of every text field value of ``meetings``' item documents, and of the
    pair fields filled from them (run in the ingest worker; a module-level function so a
    process pool can call it by name).  A pair field's postings are what the writer's
    ``pair_postings`` gives for a document without boosts."""
    out = Analysed()
    for meeting in meetings:
        for item in meeting.items:
            doc = item_document(item, meeting, "")
            for name in _FIELDS:
                value = doc.get(name)
                if isinstance(value, str) and value and (name, value) not in out:
                    field = SCHEMA[name]
                    if name in _PAIRS:
                        positions = term_positions(value, stem=field.kb_stem)
                        words = field.portable_postings(positions)
                        weights = dict(zip(positions, map(_WEIGHT, words), strict=True))
                        out[(name, value)] = (words, pair_postings(positions, weights))
                        continue
                    portable = getattr(field, "portable_index", None)
                    words = portable(value) if portable is not None else list(field.index(value))
                    out[(name, value)] = (words, None)
    return out


def attach(doc: dict[str, Any], analysed: Analysed) -> None:
    """Give ``doc`` the postings ``analysed`` holds for its exact field values (under
    :data:`POSTINGS_KEY`, which Whoosh ignores), taking them out of ``analysed``; fields
    without them are left to the writer.  Each entry is used once: a value repeated in a
    file (an item's council name) is analysed again by the writer for the next document,
    so no two documents share posting objects, as with ``field.index`` (the codec's
    pickles share equal objects: shared objects would change the bytes written)."""
    ready = {}
    for name in _FIELDS:
        value = doc.get(name)
        if isinstance(value, str):
            given = analysed.pop((name, value), None)
            if given is not None:
                postings, pairs = given
                restore = getattr(SCHEMA[name], "restore_index", None)
                ready[name] = restore(postings) if restore is not None else postings
                if pairs is not None:
                    ready[_PAIRS[name]] = pairs
    if ready:
        doc[POSTINGS_KEY] = ready
