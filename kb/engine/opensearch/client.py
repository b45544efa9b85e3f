"""The OpenSearch connection and the index template whose analysis equals the project's.

The project analyses text itself (:func:`kb.analysis.tokenize`: folding, stopwords, Snowball
stems, hyphen parts and joined words) and indexes the resulting terms, space-separated, in
``t_<field>`` fields with a whitespace-only analyzer: both engines index exactly the same
terms, so their matches agree.  A term's position is its word position; the joined form of
a hyphenated word (indexed at the first part's position by the embedded engine) goes in a
second value of the field, which OpenSearch keeps 100 positions away, so phrases match as
they do there.  Facet fields are keywords; ``labels`` holds ``facet␟value␟label`` entries
for the facet labels.

Readers search the alias (``KB_OPENSEARCH_INDEX``, default ``kb``); each build is an index
``<alias>-<stamp>`` made from the template ``<alias>-template``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from opensearchpy import OpenSearch

from kb import analysis
from kb.config import load, setting_default
from kb.engine.documents import (
    DATE_FIELDS,
    FLAG_FIELDS,
    HIT_BODY_CHARS,
    KEYWORD_FIELDS,
    LIST_FIELDS,
    NUMBER_FIELDS,
    REST_FIELDS,
    STORED_FIELDS,
    TEXT_FIELDS,
    WORDS_FIELDS,
    split_body,
)

#: the deepest result the app serves (its last page's end): the index's result window
DEEPEST = int(setting_default("max_page")) * int(setting_default("max_page_size"))
#: separates the parts of a ``labels`` entry
SEP = "\x1f"
#: keyword fields: the documents' exact-value fields, the batch token, the facet labels
KEYWORDS = (*KEYWORD_FIELDS, *LIST_FIELDS, "batch", "labels")
#: fields kept for display only (the shown copies of ``title`` and ``body`` included)
STORED = ("title", "body", *STORED_FIELDS)
#: text fields holding analysed terms: ``t_<name>``
TERM_FIELDS = (*TEXT_FIELDS, *WORDS_FIELDS)


def settings() -> dict[str, Any]:
    """The ``opensearch_*`` settings (``KB_OPENSEARCH_*`` environment variables)."""
    return {k: v for k, v in load().items() if k.startswith("opensearch_")}


def connect(conf: dict[str, Any] | None = None) -> OpenSearch:
    """A client for ``KB_OPENSEARCH_URL``: basic auth from ``KB_OPENSEARCH_USER``/``_PASSWORD``
    or ``KB_OPENSEARCH_API_KEY``; certificates always verified (``KB_OPENSEARCH_CA_CERTS``
    for a private CA)."""
    conf = settings() | (conf or {})
    options: dict[str, Any] = {
        "hosts": [conf["opensearch_url"]],
        "verify_certs": True,
        "timeout": 60,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if conf.get("opensearch_ca_certs"):
        options["ca_certs"] = conf["opensearch_ca_certs"]
    if conf.get("opensearch_api_key"):
        options["headers"] = {"Authorization": f"ApiKey {conf['opensearch_api_key']}"}
    elif conf.get("opensearch_user"):
        options["http_auth"] = (conf["opensearch_user"], conf.get("opensearch_password", ""))
    return OpenSearch(**options)


def alias_name(conf: dict[str, Any] | None = None) -> str:
    """The alias readers search."""
    return str((settings() | (conf or {}))["opensearch_index"]).strip().lower() or "kb"


def new_index_name(alias: str) -> str:
    """A fresh index name for a build behind ``alias``."""
    return f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}"


def template(alias: str, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """The index template for ``<alias>-*`` (see the module docstring)."""
    props: dict[str, Any] = {k: {"type": "keyword"} for k in KEYWORDS}
    props.update({k: {"type": "text", "index": False} for k in (*STORED, *REST_FIELDS)})
    props.update({f"t_{k}": {"type": "text", "analyzer": "kb_terms"} for k in TERM_FIELDS})
    props.update({k: {"type": "date"} for k in DATE_FIELDS})
    props.update({k: {"type": "integer"} for k in NUMBER_FIELDS})
    props.update({k: {"type": "boolean"} for k in FLAG_FIELDS})
    return {
        "index_patterns": [f"{alias}-*"],
        "template": {
            "settings": {
                "max_result_window": DEEPEST,
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "analysis": {
                    "analyzer": {"kb_terms": {"type": "custom", "tokenizer": "whitespace"}}
                },
            },
            "mappings": {"dynamic": "strict", "properties": props},
        },
    }


def ensure_template(client: OpenSearch, alias: str) -> None:
    """Create or update the template (shards/replicas: ``KB_OPENSEARCH_SHARDS``/``_REPLICAS``)."""
    conf = load()
    body = template(alias, int(conf["opensearch_shards"]), int(conf["opensearch_replicas"]))
    client.indices.put_index_template(name=f"{alias}-template", body=body)


def term_values(text: str, *, stem: bool = True) -> list[str]:
    """``text``'s terms for a ``t_`` field: the terms by position, then (a second value) the
    joined forms of hyphenated words."""
    first: list[str] = []
    extra: list[str] = []
    seen: set[int] = set()
    for tok in analysis.tokenize(text or "", do_stem=stem):
        if tok.pos in seen:
            extra.append(tok.text)
        else:
            seen.add(tok.pos)
            first.append(tok.text)
    return [" ".join(first), " ".join(extra)] if extra else [" ".join(first)]


def _labels(doc: dict[str, Any]) -> list[str]:
    """``facet␟value␟label`` entries of an item document (the facet labels)."""
    out = [
        f"council{SEP}{doc['council_id']}{SEP}{doc.get('council') or doc['council_id']}",
        f"committee{SEP}{doc['committee_key']}{SEP}"
        f"{doc.get('committee') or doc['committee_key']} ({doc.get('council') or '?'})",
    ]
    data = json.loads(doc.get("data") or "{}")
    for ref in data.get("speakers", []) + data.get("mentioned", []):
        if ref.get("person_id"):
            out.append(f"speaker{SEP}{ref['person_id']}{SEP}{ref.get('name') or ref['person_id']}")
    for tag in data.get("topics", []):
        if tag.get("topic"):
            out.append(f"topic{SEP}{tag['topic']}{SEP}{tag.get('label') or tag['topic']}")
    return sorted(set(out))


def to_source(doc: dict[str, Any], batch: str) -> dict[str, Any]:
    """An engine-neutral document (:mod:`kb.engine.documents`) as an OpenSearch source."""
    out: dict[str, Any] = {"batch": batch}
    for key, value in doc.items():
        if value is None:
            continue
        if key in LIST_FIELDS:
            out[key] = [v for v in str(value).split(",") if v]
        elif key in WORDS_FIELDS:
            out[f"t_{key}"] = term_values(value, stem=False)
        elif key in TEXT_FIELDS:
            out[f"t_{key}"] = term_values(value)
            if key in STORED:
                out[key] = value
        elif key in DATE_FIELDS:
            out[key] = value.isoformat() if hasattr(value, "isoformat") else value
        else:
            out[key] = value
    if doc.get("doctype") == "item":
        out["labels"] = _labels(doc)
        if len(doc.get("body") or "") > HIT_BODY_CHARS:  # the rest apart: hits never ask for it
            out["body"], out[REST_FIELDS[0]] = split_body(doc["body"])
    return out
