"""Topic tagging: a user-editable taxonomy (``data/topics.toml``) matched on stemmed words.

:meth:`Taxonomy.load` reads the taxonomy (format documented at the top of the TOML file);
:func:`tag_item` returns an item's :class:`~kb.model.Tag` list, each with its evidence (matched
terms, counts, title or body), a strength and a score; :func:`tag_meeting` tags every item;
:func:`explain` says in one line why a tag is there (for ``kb show``).

Matching works on word stems (``kb.analysis.stem``, the index's Snowball English stemmer), so
"hate crimes" matches "hate crime".  Hyphenated and spaced forms are one phrase:
"anti-social", "anti social" and "antisocial" all match.  Acronyms match case-sensitively.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from kb.analysis import fold, stem
from kb.analysis import phrase_variants as variants
from kb.config import data_dir
from kb.model import Evidence, IngestError, Item, Meeting, Tag

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
#: _WORD for an ASCII text (the same words: an ASCII letter or digit is exactly ``[^\W_]``,
#: and ``’`` is not ASCII), found by the regex engine a third faster.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
#: Every byte but an ASCII letter, digit or apostrophe → a space (for :func:`_ascii_words`).
_NOT_WORD_BYTE = bytes(
    c if chr(c).isascii() and (chr(c).isalnum() or chr(c) == "'") else 32 for c in range(256)
)
#: An apostrophe without an ASCII letter or digit on both sides (it starts with the
#: apostrophe, so the regex engine skips ahead to each one in C).
_OUTER_APOSTROPHE = re.compile(rb"'(?<![A-Za-z0-9]')|'(?![A-Za-z0-9])")


def _ascii_words(text: str) -> list[str]:
    """``_ASCII_WORD.findall(text)`` for an ASCII ``text``, found by byte translation and
    split in C: no match crosses a character outside ``[A-Za-z0-9']``, and an apostrophe is
    inside a match exactly when a letter or digit is on both sides of it, so the matches are
    the runs left when every other apostrophe is a space too."""
    spaced = text.encode("ascii").translate(_NOT_WORD_BYTE)
    if "'" in text:
        spaced = _OUTER_APOSTROPHE.sub(b" ", spaced)
    return spaced.decode("ascii").split()


#: A body with fewer words than this needs only 2 matches for a primary tag.
SHORT_BODY = 120
PRIMARY_BODY_COUNT = 3


#: word → stem(fold(word)); a plain dict is cheaper per lookup than ``lru_cache``.  Cleared
#: when it reaches _STEM_CACHE_MAX words, so memory stays bounded on any vocabulary.
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


def _stem_word(word: str) -> str:
    """``stem(fold(word))``, cached by word."""
    cached = _STEM_CACHE.get(word)
    if cached is None:
        if len(_STEM_CACHE) >= _STEM_CACHE_MAX:
            _STEM_CACHE.clear()
        cached = _STEM_CACHE[word] = stem(fold(word))
    return cached


def stems(text: str) -> list[str]:
    """The stemmed words of ``text`` in order; hyphens split words ("anti-social": anti, social)."""
    return [stem(fold(w)) for w in _WORD.findall(text)]


@dataclass
class Topic:
    """One taxonomy entry, with its phrases compiled to stem sequences."""

    id: str
    label: str
    description: str = ""
    synonyms: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    title_phrases: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    _patterns: list[tuple[tuple[str, ...], str]] = field(default_factory=list, repr=False)
    _excludes: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    _title_patterns: list[tuple[tuple[str, ...], str]] = field(default_factory=list, repr=False)
    #: first stem → indices (ascending) of the body / title patterns that start with it
    _by_first: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _title_by_first: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def compile(self) -> None:
        """Build the stem patterns (longest first so "knife crime" wins over "knife")."""
        # weak terms first: a synonym with the same stems ("policing"/"police") stays weak
        self._patterns = _patterns(self.weak + self.synonyms + self.phrases)
        self._title_patterns = _patterns(
            self.weak + self.synonyms + self.phrases + self.title_phrases
        )
        self._excludes = [v for p in self.exclude for v in variants(p) if v]
        self._by_first = _by_first(self._patterns)
        self._title_by_first = _by_first(self._title_patterns)

    @property
    def first_stems(self) -> frozenset[str]:
        """First stems of every pattern (title patterns include the body ones): a text with
        none of them and none of the acronyms gets no match from this topic."""
        return frozenset(p[0] for p, _ in self._title_patterns)

    def weight(self, term: str) -> float:
        """How much one match of ``term`` counts: 0.5 for a ``weak`` term, else 1."""
        return 0.5 if term in self.weak else 1.0

    def count(
        self, text: Words, *, title: bool = False, live: list[int] | None = None
    ) -> dict[str, int]:
        """Matches per taxonomy term in a text (non-overlapping, exclusions removed).

        Only patterns whose first stem is in the text are tried (most topics match nothing
        in a given item), longest first, as listed; ``live`` lists their indices when the
        caller has found them (:meth:`Taxonomy.live`).
        """
        positions = text.positions
        patterns, by_first = (
            (self._title_patterns, self._title_by_first)
            if title
            else (self._patterns, self._by_first)
        )
        counts: dict[str, int] = {}
        if live is None:
            present = by_first.keys() & positions.keys()
            live = sorted(i for first in present for i in by_first[first])
        if live:
            taken: set[int] = set()  # word positions already matched or excluded
            for ex in self._excludes:
                if ex[0] in positions:
                    for i in text.find(ex):
                        taken.update(range(i, i + len(ex)))
            for pattern, phrase in (patterns[k] for k in live):
                n = len(pattern)
                for i in text.find(pattern):
                    if taken.isdisjoint(range(i, i + n)):
                        taken.update(range(i, i + n))
                        counts[phrase] = counts.get(phrase, 0) + 1
        for acronym in self.acronyms:
            n = text.raw_count(acronym) + text.raw_count(acronym + "s")
            if n:
                counts[acronym] = counts.get(acronym, 0) + n
        return counts


def _by_first(patterns: list[tuple[tuple[str, ...], str]]) -> dict[str, list[int]]:
    """First stem → the indices of ``patterns`` that start with it, ascending."""
    index: dict[str, list[int]] = {}
    for k, (pattern, _) in enumerate(patterns):
        index.setdefault(pattern[0], []).append(k)
    return index


class Words:
    """A text as its raw words and stems, with stem positions for fast phrase lookup."""

    def __init__(self, text: str, keep: frozenset[str] | None = None) -> None:
        """``keep``: the only stems whose positions are wanted (every stem when None)."""
        self.text = text
        raw = _ascii_words(text) if text.isascii() else _WORD.findall(text)
        self.raw = raw
        stems = list(map(_STEM_CACHE.get, raw))  # cached stems in C; the rest stemmed
        if None in stems:
            stems = [s if s is not None else _stem_word(w) for s, w in zip(stems, raw, strict=True)]
        self.stems = stems
        positions: dict[str, list[int]]
        if keep is None:
            # every key first, then one append per word: no test per word
            positions = {w: [] for w in stems}
            for i, w in enumerate(stems):
                positions[w].append(i)
        else:
            have = keep.intersection(stems)
            positions = {w: [] for w in have}
            if have:  # the indices of kept stems picked in C, then one append each
                for i in compress(range(len(stems)), map(have.__contains__, stems)):
                    positions[stems[i]].append(i)
        self.positions = positions
        self._all: Collection[str] | None = positions.keys() if keep is None else None
        self._counts: Counter[str] | None = None

    @property
    def all_stems(self) -> Collection[str]:
        """Every stem of the text (a set, made on first need when positions are kept for
        some stems only)."""
        if self._all is None:
            self._all = set(self.stems)
        return self._all

    def raw_count(self, word: str) -> int:
        """How many of the raw words are exactly ``word`` (counted once, on first need: a
        word that is no substring of the text needs no count)."""
        if word not in self.text:
            return 0
        if self._counts is None:
            self._counts = Counter(self.raw)
        return self._counts[word]

    def find(self, pattern: tuple[str, ...]) -> list[int]:
        """Start positions where the stem sequence ``pattern`` occurs."""
        n, words, positions = len(pattern), self.stems, self.positions
        starts = positions.get(pattern[0], [])
        if n == 1 or not starts:
            return starts
        every = self.all_stems
        for later in pattern[1:]:  # a stem the text lacks: no occurrence (most often)
            if later not in every:
                return []
        return [i for i in starts if tuple(words[i : i + n]) == pattern]


def _patterns(phrases: list[str]) -> list[tuple[tuple[str, ...], str]]:
    seen: set[tuple[str, ...]] = set()
    pats: list[tuple[tuple[str, ...], str]] = []
    for phrase in phrases:
        for v in variants(phrase):
            if v and v not in seen:
                seen.add(v)
                pats.append((v, phrase))
    return sorted(pats, key=lambda p: -len(p[0]))


#: first stem → (topic index, pattern index, the pattern's later stems) triples, in taxonomy
#: and pattern order
_LeadIndex = dict[str, list[tuple[int, int, frozenset[str]]]]


@dataclass
class Taxonomy:
    """The topics, in file order."""

    topics: list[Topic]

    @property
    def prefilter(self) -> list[tuple[Topic, frozenset[str]]]:
        """(topic, its first stems) per topic, cached until ``topics`` is replaced or grows."""
        key = (id(self.topics), len(self.topics))
        cached = self.__dict__.get("_prefilter")
        if cached is None or cached[0] != key:
            pairs = [(t, t.first_stems) for t in self.topics]
            union = frozenset().union(*(f for _, f in pairs))
            cached = self.__dict__["_prefilter"] = (key, pairs, union)
        return cached[1]

    @property
    def _leads(self) -> tuple[frozenset[str], _LeadIndex, _LeadIndex]:
        """(every first stem of a pattern or an exclusion, first stem → (topic index, body
        pattern index, later stems) triples, the same for title patterns), cached like
        :attr:`prefilter`."""
        key = (id(self.topics), len(self.topics))
        cached = self.__dict__.get("_lead_index")
        if cached is None or cached[0] != key:
            body: _LeadIndex = {}
            title: _LeadIndex = {}
            for k, topic in enumerate(self.topics):
                for index, by_first, patterns in (
                    (body, topic._by_first, topic._patterns),
                    (title, topic._title_by_first, topic._title_patterns),
                ):
                    for first, js in by_first.items():
                        later = ((k, j, frozenset(patterns[j][0][1:])) for j in js)
                        index.setdefault(first, []).extend(later)
            excluded = {ex[0] for topic in self.topics for ex in topic._excludes}
            leads = frozenset(body) | frozenset(title) | frozenset(excluded)
            cached = self.__dict__["_lead_index"] = (key, leads, body, title)
        return cached[1], cached[2], cached[3]

    @property
    def lead_stems(self) -> frozenset[str]:
        """The stems whose positions matching needs: first stems of every pattern and
        exclusion (pass to :class:`Words`)."""
        return self._leads[0]

    def live(self, words: Words, *, title: bool = False) -> dict[int, list[int]]:
        """Topic index → the indices (ascending) of its body (or ``title``) patterns whose
        every stem is in ``words``: of the patterns :meth:`Topic.count` would try (first
        stem present), those that may match (one whose later stem is missing finds
        nothing, so leaving it out changes no count); topics with none are left out."""
        _, body, titles = self._leads
        index = titles if title else body
        every: Collection[str] | None = None
        out: dict[int, list[int]] = {}
        for first in index.keys() & words.positions.keys():
            for k, j, later in index[first]:
                if later:
                    if every is None:
                        every = words.all_stems
                    if not later <= every:
                        continue
                out.setdefault(k, []).append(j)
        for js in out.values():
            js.sort()
        return out

    @property
    def acronym_topics(self) -> list[tuple[int, tuple[str, ...]]]:
        """(topic index, acronyms) of the topics with acronyms, cached like
        :attr:`prefilter`."""
        key = (id(self.topics), len(self.topics))
        cached = self.__dict__.get("_acronym_topics")
        if cached is None or cached[0] != key:
            pairs = [(k, tuple(t.acronyms)) for k, t in enumerate(self.topics) if t.acronyms]
            cached = self.__dict__["_acronym_topics"] = (key, pairs)
        return cached[1]

    @property
    def first_stems(self) -> frozenset[str]:
        """Every topic's first stems together (see :attr:`Topic.first_stems`)."""
        self.prefilter  # noqa: B018 - builds the cache
        return self.__dict__["_prefilter"][2]

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read ``path`` (default ``<data_dir>/topics.toml``).

        Raises IngestError naming the file and the problem for a missing file, bad TOML, a
        topic without ``id``/``label`` or a repeated id.
        """
        path = Path(path) if path else data_dir() / "topics.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IngestError(f"topic taxonomy not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise IngestError(f"{path}: not valid TOML: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, object], source: str = "taxonomy") -> Taxonomy:
        """Build from parsed TOML (``{"topic": [ {...}, ... ]}``), checking every entry."""
        topics: list[Topic] = []
        raw = data.get("topic", [])
        if not isinstance(raw, list):
            raise IngestError(f"{source}: 'topic' must be an array of tables ([[topic]])")
        known = {"id", "label", "description", "synonyms", "acronyms", "phrases", "exclude"}
        known |= {"title_phrases", "weak"}
        for n, entry in enumerate(raw, 1):
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("label"):
                raise IngestError(f"{source}: topic #{n} needs an 'id' and a 'label'")
            unknown = set(entry) - known
            if unknown:
                raise IngestError(f"{source}: topic {entry['id']!r} has unknown keys {unknown}")
            if any(t.id == entry["id"] for t in topics):
                raise IngestError(f"{source}: topic id {entry['id']!r} is used twice")
            topic = Topic(**entry)
            if not (topic.synonyms or topic.phrases or topic.acronyms):
                raise IngestError(f"{source}: topic {topic.id!r} has nothing to match")
            topic.compile()
            topics.append(topic)
        return cls(topics)

    def get(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def tag_item(item: Item, taxonomy: Taxonomy) -> list[Tag]:
    """The item's tags, strongest first.

    A tag is ``primary`` when a topic term is in the title, or the body's matches weigh at
    least 3 (2 when the body is under 120 words; see :meth:`Topic.weight`); else
    ``mentioned``.  The score is 5 per title match plus the body weight, so ordering favours
    what the item is about.
    """
    leads = taxonomy.lead_stems
    title, body = Words(item.title, leads), Words(item.body, leads)
    live_title, live_body = taxonomy.live(title, title=True), taxonomy.live(body)
    # the other topics find nothing in the item: no pattern that may match, and no acronym
    # as a substring of the title or body (count() counts an acronym only where it is one)
    ks = live_title.keys() | live_body.keys()
    for k, acronyms in taxonomy.acronym_topics:
        if k not in ks and any(a in item.title or a in item.body for a in acronyms):
            ks.add(k)
    tags: list[Tag] = []
    for k in sorted(ks):
        topic = taxonomy.topics[k]
        in_t, in_b = live_title.get(k), live_body.get(k)
        in_title = topic.count(title, title=True, live=in_t or [])
        in_body = topic.count(body, live=in_b or [])
        if not in_title and not in_body:
            continue
        t = sum(in_title.values())
        b = sum(n * topic.weight(term) for term, n in in_body.items())
        needed = 2 if len(body.stems) < SHORT_BODY else PRIMARY_BODY_COUNT
        strength = "primary" if t or b >= needed else "mentioned"
        evidence = [Evidence(term, n, "title") for term, n in sorted(in_title.items())]
        evidence += [Evidence(term, n, "body") for term, n in sorted(in_body.items())]
        tags.append(Tag(topic.id, topic.label, strength, 5.0 * t + b, evidence))
    tags.sort(key=lambda tag: (tag.strength != "primary", -tag.score, tag.topic))
    return tags


def tag_meeting(meeting: Meeting, taxonomy: Taxonomy) -> None:
    """Set ``item.topics`` on every item of the meeting."""
    for item in meeting.items:
        item.topics = tag_item(item, taxonomy)


def explain(tag: Tag) -> str:
    """One line for ``kb show``: strength, score and the matched terms with counts and place."""
    parts = [f'"{e.term}" ×{e.count} in {e.where}' for e in tag.evidence]
    return f"{tag.label} ({tag.strength}, score {tag.score:g}): " + ", ".join(parts)
