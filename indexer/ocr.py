"""OCR fallback for PDFs whose text layer is missing or garbage.

Two jobs, kept apart so each can be tested on its own:

* :func:`text_layer_problem` judges the text pdfium extracted: no letters, ``(cid:NN)``
  placeholders, private-use glyphs, or words that do not look like words.  It returns the
  reason (for the warning/error) or None when the text is usable.
* :func:`ocr_page_images` runs the ``tesseract`` command line tool on rendered page images
  (grayscale PGM, which Tesseract reads natively, so Pillow is not needed) and returns the
  text of each page.  :func:`tesseract_path` says whether Tesseract is installed.

The PDF reader (``indexer/read_pdf.py``) renders pages with pypdfium2 and calls these.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

from kb.model import IngestError

#: Resolution pages are rendered at for OCR (Tesseract works best at about 300 dpi).
OCR_DPI = 300

#: Seconds one page may take in Tesseract before the file is given up.
PAGE_TIMEOUT_S = 120.0

#: Below this many letters per page on average, a PDF is taken to have no text layer.
MIN_LETTERS_PER_PAGE = 40

#: Short, very common English and Welsh words: real minutes text is full of them.
_COMMON_TEXT = """a an and are as at be by for from had has have he her his in is it its of on or
    that the their this to was were which will with not no all any been but can if may
    council meeting minutes item members member report noted agreed resolved chair clerk
    y yr ac ar am gan ei o i yn cyngor cyfarfod"""
_COMMON_WORDS = frozenset(_COMMON_TEXT.split())

_CID = re.compile(r"\(cid:\d+\)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_VOWELS = frozenset("aeiouywàáâäèéêëìíîïòóôöùúûüŵŷ")


def _wordlike(word: str) -> bool:
    """True for a word with a vowel (English/Welsh, accents allowed), an acronym or a short word."""
    return len(word) <= 4 or word.isupper() or not _VOWELS.isdisjoint(word.lower())


def count_wordlike(words: list[str]) -> int:
    """How many of ``words`` are :func:`_wordlike`: the short ones counted in C, only the
    longer ones (a third of minutes' words) asked one by one."""
    lengths = list(map(len, words))
    short = len(lengths) - sum(map((4).__lt__, lengths))
    longer = compress(words, map((4).__lt__, lengths))
    return short + sum(map(_wordlike, longer))


def count_common(words: list[str]) -> int:
    """How many of ``words``, lowered, are common English/Welsh words (counted in C)."""
    return sum(map(_COMMON_WORDS.__contains__, map(str.lower, words)))


def _is_private_use(ch: str) -> bool:
    code = ord(ch)
    return 0xE000 <= code <= 0xF8FF or 0xF0000 <= code <= 0x10FFFF


#: private-use characters (:func:`_is_private_use`) and whitespace (``str.isspace``), counted
#: in C by ``findall`` rather than a character at a time in Python
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_SPACE = re.compile(r"\s")
#: runs of characters that are not letters (``str.isalpha``: the complement of letters is
#: non-word characters, digits and underscores, plus the numeric and mark characters
#: ``\w`` also takes, which :func:`count_letters` checks one by one)
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def count_letters(text: str) -> int:
    """How many characters of ``text`` are letters (``str.isalpha``; private-use glyphs are
    not letters), counted in C for the common case: the same answer as a loop over every
    character, without the loop."""
    words = _NOT_LETTERS.split(text)
    return sum(len(w) if w.isalpha() else sum(ch.isalpha() for ch in w) for w in words)


def text_layer_problem(page_texts: Sequence[str]) -> str | None:
    """Return why the extracted text of a PDF is unusable, or None if it reads as text.

    The checks, in order: no pages; fewer than :data:`MIN_LETTERS_PER_PAGE` letters per page
    ("no text layer"); ``(cid:NN)`` placeholders making up over 2 % of the text; private-use
    glyphs over 10 % of the non-space characters; fewer than half of the words looking like
    words (letters with a vowel, or a short acronym) or, over 200 words, under 3 % of them
    being common English/Welsh words.  Thresholds are deliberately lax: a false alarm costs an
    OCR run, a miss loses the document's text.
    """
    if not page_texts:
        return "the PDF has no pages"
    text = "\n".join(page_texts)
    letters = count_letters(text)
    if letters < MIN_LETTERS_PER_PAGE * len(page_texts):
        return f"no text layer ({letters} letters on {len(page_texts)} page(s))"
    cid_chars = sum(len(m) for m in _CID.findall(text))
    if cid_chars > 0.02 * len(text):
        return "the text layer is unreadable glyph codes ('(cid:NN)')"
    visible = len(text) - len(_SPACE.findall(text))
    private = len(_PRIVATE_USE.findall(text))
    if visible and private > 0.10 * visible:
        return f"the text layer is mostly private-use glyphs ({private} of {visible})"
    words = _WORD.findall(text)
    if words:
        wordlike = count_wordlike(words)
        if wordlike < 0.5 * len(words):
            return f"the text layer is garbage (only {wordlike} of {len(words)} words look real)"
        common = count_common(words)
        if len(words) > 200 and common < 0.03 * len(words):
            return f"the text layer is garbage (only {common} of {len(words)} common words)"
    return None


def tesseract_path() -> str | None:
    """The path of the ``tesseract`` executable, or None when it is not installed."""
    return shutil.which("tesseract")


def pgm_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """A binary PGM (P5) image from 8-bit grayscale ``pixels`` laid out row by row."""
    if len(pixels) != width * height:
        raise ValueError(f"expected {width * height} pixel bytes, got {len(pixels)}")
    return b"P5\n%d %d\n255\n" % (width, height) + pixels


@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read, with its box in pixels (origin top left)."""

    text: str
    left: int
    top: int
    width: int
    height: int


def ocr_lines(tsv: str) -> list[list[OcrWord]]:
    """The words of Tesseract's TSV output grouped into printed lines, in reading order."""
    lines: dict[tuple[str, str, str], list[OcrWord]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = (cols[2], cols[3], cols[4])  # block, paragraph, line
        left, top, width, height = (int(v) for v in cols[6:10])
        lines.setdefault(key, []).append(OcrWord(cols[11].strip(), left, top, width, height))
    return list(lines.values())


def ocr_page_images(images: Sequence[bytes], *, deadline: float | None = None) -> list[str]:
    """Run Tesseract (English) on each image (PGM/PNG bytes); return each page's TSV output.

    The TSV has one row per word with its box; :func:`ocr_lines` groups it into lines.

    Raises IngestError when Tesseract is not installed, fails on a page, or runs past
    ``deadline`` (a ``time.monotonic()`` value) or :data:`PAGE_TIMEOUT_S` for one page.
    Tesseract runs single-threaded so it does not starve other work on a small machine.
    """
    exe = tesseract_path()
    if exe is None:
        raise IngestError("OCR is unavailable (install tesseract-ocr)")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as tmp:
        for number, image in enumerate(images, start=1):
            timeout = PAGE_TIMEOUT_S
            if deadline is not None:
                timeout = min(timeout, deadline - time.monotonic())
                if timeout <= 0:
                    raise IngestError(f"OCR ran out of time before page {number}")
            src = Path(tmp) / f"page-{number}.pgm"
            src.write_bytes(image)
            try:
                done = subprocess.run(
                    [exe, str(src), "stdout", "-l", "eng", "--psm", "3", "tsv"],
                    capture_output=True,
                    timeout=timeout,
                    env=env,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise IngestError(f"OCR of page {number} took longer than {timeout:.0f}s") from exc
            if done.returncode != 0:
                reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                raise IngestError(f"OCR failed on page {number}: {reason[0]}")
            texts.append(done.stdout.decode("utf-8", "replace"))
    return texts
