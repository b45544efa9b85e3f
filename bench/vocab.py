"""A word model of real minutes, learned from the shared corpus, for the benchmark generator.

``learn(corpus_dir)`` counts words and adjacent-word pairs in the corpus's text and Markdown
files (HTML tags and Markdown markup stripped), plus the item titles, councillor surnames and
committee names it prints.  ``save``/``load`` keep the model as a small gzip JSON file
(``bench/vocab.json.gz``, committed) so that a machine without the corpus can still generate.

Rebuild the cached file with ``python -m bench.vocab [CORPUS_DIR]``.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: The committed model, beside this module.
VOCAB_PATH = Path(__file__).resolve().parent / "vocab.json.gz"
#: Default corpus location: ../shared/corpus beside the project.
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

MAX_WORDS = 20_000
MAX_BIGRAMS = 40_000
MAX_TITLES = 600

_TAG = re.compile(r"<[^>]{0,200}>")
_ENTITY = re.compile(r"&(amp|nbsp|lt|gt|quot|#\d+);")
_MARKUP = re.compile(r"[*_#`|>\[\]]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_SENTENCE_END = re.compile(r"[.!?;:]\s|\n\s*\n")
_TITLE = re.compile(
    r"^\s*(?:\*\*|<b>)?\s*(\d{1,3})[.)]?\s*(?:\*\*|</b>)?\s+(?:\*\*|<b>)?\s*"
    r"([A-Z][A-Z0-9 &,'’/()–-]{3,70}?)\s*(?:\*\*|</b>)?\s*$"
)
_COUNCILLOR = re.compile(r"\b(?:Councillors?|Cllrs?\.?)\s+(?:[A-Z]\.\s*)*([A-Z][a-z]{2,15})\b")


@dataclass
class Vocab:
    """Word frequencies (most frequent first), bigram counts and printed names.

    ``words`` and ``counts`` are parallel lists sorted by count, which is Zipf-shaped for real
    text.  ``bigrams`` maps a word to ``[[next, count], ...]`` (most frequent first).
    ``proper`` holds capitalised words (place and personal names) used to make council names.
    """

    words: list[str]
    counts: list[int]
    bigrams: dict[str, list[list[str | int]]]
    titles: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    committees: list[str] = field(default_factory=list)
    councils: list[str] = field(default_factory=list)
    proper: list[str] = field(default_factory=list)
    source: str = ""

    def to_json(self) -> dict[str, object]:
        """Return the model as a JSON-ready dict (the cached file's content)."""
        return dict(self.__dict__)


def _clean(text: str) -> str:
    text = _TAG.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    if text.startswith("---"):  # Markdown front matter
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end > 0 else text
    return text


def _corpus_files(corpus_dir: Path) -> list[Path]:
    suffixes = {".txt", ".md", ".php", ".htm", ".html"}
    return sorted(p for p in corpus_dir.rglob("*") if p.suffix.lower() in suffixes)


def learn(corpus_dir: Path) -> Vocab:
    """Count the corpus's words, bigrams, item titles, surnames, committees and councils.

    Raises FileNotFoundError when ``corpus_dir`` holds no text or Markdown files.
    """
    files = _corpus_files(corpus_dir)
    if not files:
        raise FileNotFoundError(f"no .txt/.md/.php files under {corpus_dir}")
    unigrams: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    titles: Counter[str] = Counter()
    surnames: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for path in files:
        raw = _clean(path.read_text(encoding="utf-8", errors="replace"))
        for line in raw.splitlines():
            m = _TITLE.match(line)
            if m and len(m.group(2).split()) <= 10:
                titles[re.sub(r"\s+", " ", m.group(2)).strip(" -–,")] += 1
        surnames.update(_COUNCILLOR.findall(raw))
        text = _MARKUP.sub(" ", raw)
        for sentence in _SENTENCE_END.split(text):
            tokens = _WORD.findall(sentence)
            for i, tok in enumerate(tokens):
                if i and tok[0].isupper() and not tok.isupper():
                    capital[tok] += 1
            lowered = [t.lower().replace("’", "'") for t in tokens]
            unigrams.update(lowered)
            pairs.update(zip(lowered, lowered[1:], strict=False))
    common = unigrams.most_common(MAX_WORDS)
    keep = {w for w, _ in common}
    bigrams: dict[str, list[list[str | int]]] = {}
    for (a, b), n in pairs.most_common(MAX_BIGRAMS):
        if n >= 2 and a in keep and b in keep:
            bigrams.setdefault(a, []).append([b, n])
    proper = [w for w, n in capital.most_common(3000) if n >= 3 and unigrams[w.lower()] <= 2 * n]
    committees, councils = _manifest_names(corpus_dir)
    return Vocab(
        words=[w for w, _ in common],
        counts=[n for _, n in common],
        bigrams=bigrams,
        titles=[t for t, _ in titles.most_common(MAX_TITLES)],
        surnames=[s for s, n in surnames.most_common(400) if n >= 1],
        committees=committees,
        councils=councils,
        proper=proper[:800],
        source=f"{len(files)} text/Markdown/HTML files of {corpus_dir.name}",
    )


def _manifest_names(corpus_dir: Path) -> tuple[list[str], list[str]]:
    manifest = corpus_dir / "MANIFEST.tsv"
    if not manifest.exists():
        return [], []
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    committees = sorted({re.sub(r"\s*\(.*?\)", "", r["committee"]).strip() for r in rows})
    councils = sorted({re.sub(r"\s*\(.*?\)", "", r["council"]).strip() for r in rows})
    return [c for c in committees if c], [c for c in councils if c]


def save(vocab: Vocab, path: Path = VOCAB_PATH) -> None:
    """Write ``vocab`` as gzip JSON (mtime 0, so the bytes depend only on the content)."""
    data = json.dumps(vocab.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)


def load(path: Path = VOCAB_PATH) -> Vocab:
    """Read a model written by ``save``; raises FileNotFoundError with the way to rebuild it."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; rebuild it with `python -m bench.vocab`")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return Vocab(**json.load(fh))


def main(argv: list[str]) -> int:
    """Learn from the corpus (argv[0] or ../shared/corpus) and rewrite bench/vocab.json.gz."""
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    vocab = learn(corpus)
    save(vocab)
    print(
        f"{VOCAB_PATH.name}: {len(vocab.words)} words, "
        f"{sum(len(v) for v in vocab.bigrams.values())} bigrams, {len(vocab.titles)} titles, "
        f"{len(vocab.surnames)} surnames, {VOCAB_PATH.stat().st_size:,} bytes ({vocab.source})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
