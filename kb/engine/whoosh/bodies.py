"""Where a long item's body lives in the Whoosh index: its opening in the stored fields,
the rest in a column of its own, so a search hit never loads a 10 MB body.

Whoosh keeps one document's stored fields together (one compressed record): a hit that
needs only the ``title`` and a snippet would still decompress the whole body.  So an item
whose body is longer than :data:`~kb.engine.documents.HIT_BODY_CHARS` stores just that
opening in ``body`` (what hits, snippets and reranking read: they look no further), and
the rest, UTF-8 encoded, in the ``body_rest`` column (``CompressedBytesColumn``: each
document's value compressed alone, read alone).  The indexed text is the whole body, so
searches match and score as before; :func:`whole_body` puts the body back together for
the item page.  A body within the limit (every seed and corpus item) is stored as before
and its column value is empty.
"""

from __future__ import annotations

from typing import Any

from kb.engine.documents import HIT_BODY_CHARS, REST_FIELDS, split_body

#: the column holding the rest of a long body
REST_FIELD = REST_FIELDS[0]


def stored_layout(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (an index document) as the Whoosh writer gets it: an item with a body over
    :data:`HIT_BODY_CHARS` stores only its opening (``_stored_body``) and puts the rest
    in :data:`REST_FIELD`; any other document is returned as it is."""
    body = doc.get("body")
    if doc.get("doctype") != "item" or not body or len(body) <= HIT_BODY_CHARS:
        return doc
    head, rest = split_body(body)
    return {**doc, "_stored_body": head, REST_FIELD: rest.encode("utf-8")}


def whole_body(searcher: Any, docnum: int, stored: dict[str, Any]) -> str:
    """The whole body of the item document ``docnum`` whose stored fields are ``stored``:
    the stored opening, plus the rest from its column when the opening is full."""
    head: str = stored.get("body") or ""
    if len(head) < HIT_BODY_CHARS or REST_FIELD not in searcher.schema:
        return head
    rest: bytes = searcher.reader().column_reader(REST_FIELD)[docnum]
    return head + rest.decode("utf-8")
