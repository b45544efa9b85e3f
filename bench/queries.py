"""The benchmark query set: 240 deterministic queries drawn from the corpus vocabulary.

Classes (the names used in every results table):

* ``term``   — one word, 20 from each frequency band (common, middling, rare);
* ``and``    — two words that co-occur in real minutes (a word and a word two steps on in a
  real bigram chain), both required;
* ``phrase`` — a quoted real bigram of two content words;
* ``filter`` — one word restricted to one committee;
* ``facets`` — one word plus counts by council, committee, year and topic and the per-year
  histogram.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.vocab import Vocab, load

CLASSES = ("term", "and", "phrase", "filter", "facets")

_STOP_TEXT = """a about above after again all also am an and any are as at be been before being
    below
    between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just may me
    might more most must my no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through th to too under until up upon very was we were what when where which while
    who whom why will with would you your yours st nd rd pm am re per via"""


def _stopwords() -> frozenset[str]:
    try:  # the engine's own list too, so no query is only words the engine drops
        from kb.analysis import STOPWORDS
    except ImportError:
        STOPWORDS = frozenset()
    return frozenset(_STOP_TEXT.split()) | STOPWORDS


#: Function words kept out of the query set (engines drop or down-weight them).
STOP = _stopwords()


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query: its class, its words and, for ``filter``, the committee."""

    kind: str
    words: tuple[str, ...]
    committee: str | None = None

    def user_text(self) -> str:
        """The query as a user types it into Minutes KB (AND is the default operator)."""
        if self.kind == "phrase":
            return '"' + " ".join(self.words) + '"'
        return " ".join(self.words)


def _content(vocab: Vocab) -> list[str]:
    return [w for w in vocab.words if w.isalpha() and w.isascii() and len(w) >= 3 and w not in STOP]


def build_queries(
    committees: list[str], seed: int = 7, vocab: Vocab | None = None
) -> list[BenchQuery]:
    """Return 240 queries (60 term, 50 and, 50 phrase, 40 filter, 40 facets), fixed by ``seed``.

    ``committees`` are the committee names the filter queries may use (those in the data).
    """
    vocab = vocab or load()
    rng = random.Random(f"{seed}:queries")
    content = _content(vocab)
    is_content = set(content)
    bands = [content[:100], content[100:1000], content[1000:4000] or content[100:1000]]
    out: list[BenchQuery] = []
    for band in bands:
        out += [BenchQuery("term", (w,)) for w in rng.sample(band, 20)]

    def successors(word: str) -> list[str]:
        return [str(s[0]) for s in vocab.bigrams.get(word, []) if str(s[0]) in is_content]

    # two-step chains a → (anything) → c: words that appear near each other in real text
    pairs: list[tuple[str, str]] = []
    for a in content[:1500]:
        for b, _ in vocab.bigrams.get(a, [])[:5]:
            pairs += [(a, c) for c in successors(str(b))[:3] if c != a]
    rng.shuffle(pairs)
    seen: set[tuple[str, str]] = set()
    for a, c in pairs:
        if len(seen) == 50:
            break
        if (a, c) not in seen and (c, a) not in seen:
            seen.add((a, c))
            out.append(BenchQuery("and", (a, c)))
    phrases = [(a, b) for a in content[:3000] for b in successors(a)[:4] if a != b]
    out += [BenchQuery("phrase", p) for p in rng.sample(phrases, 50)]
    mid = content[:1000]
    out += [
        BenchQuery("filter", (w,), committee=rng.choice(sorted(committees)))
        for w in rng.sample(mid, 40)
    ]
    out += [BenchQuery("facets", (w,)) for w in rng.sample(content[:600], 40)]
    return out


WARM_SEED_OFFSET = 1000


def warm_queries(committees: list[str], seed: int = 7) -> list[BenchQuery]:
    """A second query set (another seed) for warming up; ``measure_queries`` skips any query
    it shares with the timed set."""
    return build_queries(committees, seed=seed + WARM_SEED_OFFSET)
