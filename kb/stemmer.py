"""NLTK's Snowball English stemmer, loaded without importing the rest of NLTK.

``from nltk.stem.snowball import SnowballStemmer`` runs ``nltk/__init__.py``, which imports
most of NLTK (corpora, parsers, numpy): about 0.45 s of the 0.75 s a ``kb ingest`` process
or a worker needs to start, for one class.  :func:`english_stemmer` executes NLTK's own
``nltk/stem/snowball.py`` (the same code, so the same stems) with stand-ins for the modules
it imports but English stemming never uses (stopword corpus, Porter stemmer, Arabic regexes,
safe printing), then removes the stand-ins, so a later ``import nltk`` anywhere is the real
one.  If anything about NLTK's layout differs from what this expects, it falls back to the
ordinary import.  ``tests/test_stemmer.py`` checks the stems against NLTK's on a vocabulary.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from pathlib import Path
from typing import Any

_STANDINS = ("nltk", "nltk.stem", "nltk.corpus", "nltk.stem.porter", "nltk.redos", "nltk.termsec")
#: Real NLTK modules loaded under the stand-in package (removed again afterwards).
_LOADED = ("nltk.stem.api", "nltk.stem.util")


def _light_module() -> types.ModuleType:
    """``nltk/stem/snowball.py`` executed as a private module (see the module docstring)."""
    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nltk is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    saved = {name: sys.modules.get(name) for name in _STANDINS + _LOADED}
    try:
        package = types.ModuleType("nltk")
        package.__path__ = [str(root)]
        stem = types.ModuleType("nltk.stem")
        stem.__path__ = [str(root / "stem")]  # api.py and util.py load from here for real
        corpus = types.ModuleType("nltk.corpus")
        corpus.stopwords = None  # type: ignore[attr-defined]  # only for ignore_stopwords
        porter = types.ModuleType("nltk.stem.porter")
        porter.PorterStemmer = object  # type: ignore[attr-defined]  # base of its Porter class
        redos = types.ModuleType("nltk.redos")
        redos.compile = re.compile  # type: ignore[attr-defined]  # Arabic patterns only
        termsec = types.ModuleType("nltk.termsec")
        termsec.safe_print = print  # type: ignore[attr-defined]  # its demo only
        package.stem, package.redos, package.termsec = stem, redos, termsec  # type: ignore[attr-defined]
        stem.porter = porter  # type: ignore[attr-defined]
        for module in (package, stem, corpus, porter, redos, termsec):
            sys.modules[module.__name__] = module
        loaded = importlib.util.spec_from_file_location(
            "kb._nltk_snowball", root / "stem" / "snowball.py"
        )
        if loaded is None or loaded.loader is None:
            raise ImportError("nltk/stem/snowball.py not found")
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
        return module
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


def english_stemmer() -> Any:
    """An object whose ``stem(word)`` is NLTK's ``SnowballStemmer("english").stem``."""
    if "nltk" not in sys.modules:  # NLTK already imported: the ordinary import costs nothing
        try:
            return _light_module().EnglishStemmer()
        except Exception:  # noqa: BLE001 - a different NLTK layout: the ordinary way
            pass
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")
