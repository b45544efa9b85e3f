"""Reference engines on the same items and queries: SQLite FTS5 (stdlib) and Tantivy.

Each baseline builds an index from a stream of ``kb.model.Item`` and answers a
``bench.queries.BenchQuery`` the way Minutes KB's search does: top 10 hits by relevance with
their ids and titles, plus (class ``facets``) the hit count, counts by council, committee,
year and topic, and the per-year histogram.  Both use English stemming (FTS5 ``porter``,
Tantivy ``en_stem``) like Minutes KB's Snowball analyser.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bench.measure import dir_size
from bench.queries import BenchQuery
from kb.model import Item

TOP_K = 10
BATCH = 2000


@dataclass
class BuildResult:
    """What building an index cost: items, seconds, bytes on disk."""

    items: int
    seconds: float
    size_bytes: int

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("nan")


class Engine(Protocol):
    name: str

    def build(self, items: Iterable[Item]) -> BuildResult: ...

    def query(self, q: BenchQuery) -> Any: ...

    def close(self) -> None: ...


def _year(item: Item) -> int:
    return item.date.year if item.date else 0


def _fts_match(q: BenchQuery) -> str:
    quoted = [f'"{w}"' for w in q.words]
    if q.kind == "phrase":
        return '"' + " ".join(q.words) + '"'
    return " AND ".join(quoted)


class Fts5Engine:
    """SQLite FTS5 with the porter stemmer; facets are SQL GROUP BYs over the hit rowids."""

    name = "FTS5"

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.path = folder / "fts.sqlite"
        self.db = sqlite3.connect(self.path, check_same_thread=False)

    def build(self, items: Iterable[Item]) -> BuildResult:
        """Index ``items`` in batches inside one transaction; measure wall time and file size."""
        db = self.db
        t0 = time.perf_counter()
        db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
            CREATE TABLE meta(rowid INTEGER PRIMARY KEY, item_id TEXT, council TEXT,
                              committee TEXT, year INTEGER);
            CREATE TABLE topic(rowid INTEGER, topic TEXT);
            """
        )
        n = 0
        batch: list[Item] = []

        def flush() -> None:
            start = n - len(batch)
            db.executemany(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                [(start + i, it.title, it.body) for i, it in enumerate(batch)],
            )
            db.executemany(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                [
                    (start + i, it.id, it.council, it.committee, _year(it))
                    for i, it in enumerate(batch)
                ],
            )
            db.executemany(
                "INSERT INTO topic VALUES (?, ?)",
                [(start + i, t.topic) for i, it in enumerate(batch) for t in it.topics],
            )
            batch.clear()

        for item in items:
            batch.append(item)
            n += 1
            if len(batch) >= BATCH:
                flush()
        flush()
        db.executescript(
            """
            CREATE INDEX meta_committee ON meta(committee);
            CREATE INDEX topic_rowid ON topic(rowid);
            INSERT INTO fts(fts) VALUES ('optimize');
            """
        )
        db.commit()
        return BuildResult(n, time.perf_counter() - t0, dir_size(self.path))

    def query(self, q: BenchQuery) -> Any:
        """Top hits (and facets for class ``facets``) for ``q``."""
        match = _fts_match(q)
        if q.kind == "filter":
            return self.db.execute(
                "SELECT meta.item_id, fts.title FROM fts JOIN meta ON meta.rowid = fts.rowid "
                "WHERE fts MATCH ? AND meta.committee = ? ORDER BY rank LIMIT ?",
                (match, q.committee, TOP_K),
            ).fetchall()
        top = self.db.execute(
            "SELECT meta.item_id, fts.title FROM fts JOIN meta ON meta.rowid = fts.rowid "
            "WHERE fts MATCH ? ORDER BY rank LIMIT ?",
            (match, TOP_K),
        ).fetchall()
        if q.kind != "facets":
            return top
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.hits")
        db.execute(
            "CREATE TEMP TABLE hits AS SELECT rowid AS r FROM fts WHERE fts MATCH ?", (match,)
        )
        facets = {"total": db.execute("SELECT count(*) FROM hits").fetchone()[0]}
        for col in ("council", "committee"):
            facets[col] = db.execute(
                f"SELECT {col}, count(*) c FROM meta JOIN hits ON meta.rowid = hits.r "
                f"GROUP BY {col} ORDER BY c DESC LIMIT 10"
            ).fetchall()
        facets["year"] = db.execute(
            "SELECT year, count(*) FROM meta JOIN hits ON meta.rowid = hits.r "
            "GROUP BY year ORDER BY year"
        ).fetchall()  # the per-year histogram, which is also the year facet
        facets["topic"] = db.execute(
            "SELECT topic, count(*) c FROM topic JOIN hits ON topic.rowid = hits.r "
            "GROUP BY topic ORDER BY c DESC"
        ).fetchall()
        return top, facets

    def close(self) -> None:
        self.db.close()


class TantivyEngine:
    """Tantivy (Rust) through its Python binding; facets by the aggregation API on fast fields."""

    name = "Tantivy"

    def __init__(self, folder: Path, threads: int = 2) -> None:
        import tantivy

        self.t = tantivy
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.threads = threads
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("body", stored=False, tokenizer_name="en_stem")
        for name in ("council", "committee", "topic"):
            sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
        sb.add_unsigned_field("year", stored=False, indexed=True, fast=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema, path=str(folder))
        self.searcher: Any = None

    def build(self, items: Iterable[Item]) -> BuildResult:
        """Add every item with one writer (``threads`` indexing threads), commit, merge-wait."""
        t0 = time.perf_counter()
        writer = self.index.writer(heap_size=256_000_000, num_threads=self.threads)
        n = 0
        for item in items:
            doc = self.t.Document(
                id=item.id,
                title=item.title,
                body=item.body,
                council=item.council,
                committee=item.committee,
            )
            doc.add_unsigned("year", _year(item))  # a bare int would be taken as i64
            for tag in item.topics:
                doc.add_text("topic", tag.topic)
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return BuildResult(n, time.perf_counter() - t0, dir_size(self.folder))

    def _text_query(self, q: BenchQuery) -> Any:
        if q.kind == "phrase":
            text = '"' + " ".join(q.words) + '"'
        else:
            text = " ".join(f"+{w}" for w in q.words)
        return self.index.parse_query(text, ["title", "body"])

    def query(self, q: BenchQuery) -> Any:
        """Top hits (and aggregations for class ``facets``) for ``q``."""
        t = self.t
        query = self._text_query(q)
        if q.kind == "filter":
            query = t.Query.boolean_query(
                [
                    (t.Occur.Must, query),
                    (t.Occur.Must, t.Query.term_query(self.schema, "committee", q.committee)),
                ]
            )
        result = self.searcher.search(query, TOP_K, count=q.kind == "facets")
        top = [
            (self.searcher.doc(addr)["id"][0], self.searcher.doc(addr)["title"][0])
            for _score, addr in result.hits
        ]
        if q.kind != "facets":
            return top
        aggs = {
            "council": {"terms": {"field": "council", "size": 10}},
            "committee": {"terms": {"field": "committee", "size": 10}},
            "topic": {"terms": {"field": "topic", "size": 20}},
            "year": {"histogram": {"field": "year", "interval": 1}},
        }
        facets = self.searcher.aggregate(query, aggs)
        facets["total"] = result.count
        return top, facets

    def close(self) -> None:
        self.searcher = None
