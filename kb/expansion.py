"""Query-time expansion of synonyms and acronyms (used by the query
compilers on unquoted terms).

Groups come from ``data/synonyms.toml`` (``[[group]] terms = [...]``) and from each topic's
``synonyms`` + ``acronyms`` in ``data/topics.toml``.  A term belongs to a group when its
stemmed, case-folded words equal a member's, with hyphens and spaces alike, so ``ASB``,
``anti-social behaviour``, ``anti social behaviour`` and ``antisocial behaviour`` all expand to
the same group.  Unknown terms expand to themselves.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from kb.analysis import phrase_variants as variants
from kb.config import data_dir
from kb.model import IngestError


def _keys(term: str) -> list[tuple[str, ...]]:
    return [v for v in variants(term) if v]


class Expander:
    """Maps a query term to the list of terms it should also search for."""

    def __init__(self, groups: list[list[str]]) -> None:
        self.groups: list[list[str]] = []
        self._index: dict[tuple[str, ...], list[int]] = {}
        for group in groups:
            self.add(group)

    def add(self, group: list[str]) -> None:
        """Add one group of equivalent terms (merged into any group sharing a term)."""
        terms = [t.strip() for t in group if t and t.strip()]
        if len(terms) < 2:
            return
        gid = len(self.groups)
        self.groups.append(terms)
        for term in terms:
            for key in _keys(term):
                ids = self._index.setdefault(key, [])
                if gid not in ids:
                    ids.append(gid)

    @classmethod
    def load(cls, data_dir_: str | Path | None = None) -> Expander:
        """Build from ``<data_dir>/synonyms.toml`` and ``<data_dir>/topics.toml``.

        A missing file contributes nothing; a malformed one raises IngestError naming it.
        """
        folder = Path(data_dir_) if data_dir_ else data_dir()
        groups: list[list[str]] = []
        for name in ("synonyms.toml", "topics.toml"):
            path = folder / name
            if not path.exists():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise IngestError(f"{path}: not valid TOML: {exc}") from exc
            for entry in data.get("group", []):
                groups.append([str(t) for t in entry.get("terms", [])])
            for topic in data.get("topic", []):
                groups.append(
                    [str(t) for t in topic.get("acronyms", []) + topic.get("synonyms", [])]
                )
        return cls(groups)

    def expand(self, term: str) -> list[str]:
        """``term`` first, then every other term of its groups (no duplicates, by key).

        Phrases are returned as strings with spaces; a term in no group gives ``[term]``.
        """
        out = [term]
        seen = set(_keys(term))
        for key in _keys(term):
            for gid in self._index.get(key, []):
                for other in self.groups[gid]:
                    other_keys = set(_keys(other))
                    if not other_keys & seen:
                        out.append(other.replace("-", " ") if " " in other else other)
                        seen |= other_keys
        return out

    def spans(self, words: list[str], longest: int = 6) -> list[tuple[int, int, list[str]]]:
        """Runs of query words that name a known term, as ``(start, end, alternatives)``.

        For unquoted multi-word queries: ``["anti-social", "behaviour", "in", "Luton"]`` gives
        ``[(0, 2, ["ASB", …])]`` so a search can OR the run with its alternatives.  Longest
        runs win and runs never overlap; ``alternatives`` excludes the run itself.
        """
        out: list[tuple[int, int, list[str]]] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + longest), i, -1):
                run = " ".join(words[i:j])
                alternatives = self.expand(run)[1:]
                if alternatives:
                    out.append((i, j, alternatives))
                    i = j
                    break
            else:
                i += 1
        return out
