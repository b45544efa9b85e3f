"""kb.stemmer's light loading of NLTK's Snowball English stemmer gives NLTK's stems, leaves no
stand-in module behind, and falls back to the ordinary import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer

from kb import stemmer

ROOT = Path(__file__).resolve().parent.parent
NLTK = SnowballStemmer("english")
LIGHT = stemmer._light_module().EnglishStemmer()


def _vocabulary(folder: Path, pattern: str = "*.t*") -> set[str]:
    words: set[str] = set()
    for path in folder.rglob(pattern):
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(w.lower() for w in re.findall(r"[^\W_]+", text))
    return words | {"generously", "dying", "skies", "news", "proceed", "exceeding", "ionization"}


def test_light_stemmer_equals_nltk_on_the_vocabulary() -> None:
    words = sorted(_vocabulary(ROOT / "data"))
    assert len(words) > 1000
    assert [LIGHT.stem(w) for w in words] == [NLTK.stem(w) for w in words]


@pytest.mark.corpus
def test_light_stemmer_equals_nltk_on_the_corpus(corpus_dir: Path) -> None:
    words = sorted(_vocabulary(corpus_dir, "*.*[dt]"))  # .txt, .md, .html
    assert len(words) > 10_000
    assert [LIGHT.stem(w) for w in words] == [NLTK.stem(w) for w in words]


@settings(max_examples=300, deadline=None)
@given(word=st.text(alphabet="abcdefghijklmnopqrstuvwxyzéy'", min_size=1, max_size=14))
def test_light_stemmer_equals_nltk_on_random_words(word: str) -> None:
    assert LIGHT.stem(word) == NLTK.stem(word)


def test_no_stand_in_is_left_and_nltk_still_imports() -> None:
    code = (
        "import sys, kb.analysis; assert 'nltk' not in sys.modules, sorted(sys.modules);"
        "import nltk; from nltk.stem.snowball import SnowballStemmer;"
        "assert hasattr(nltk, 'word_tokenize');"
        "assert kb.analysis.stem('policing') == SnowballStemmer('english').stem('policing')"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_falls_back_to_the_ordinary_import(monkeypatch) -> None:
    def broken() -> None:
        raise ImportError("layout changed")

    monkeypatch.delitem(sys.modules, "nltk", raising=False)
    monkeypatch.setattr(stemmer, "_light_module", broken)
    assert isinstance(stemmer.english_stemmer(), SnowballStemmer)
