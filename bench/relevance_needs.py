"""How the judged set (``bench/relevance_judgments.toml``) was drafted, kept so it can be redone.

Each need has the query a user would type, its kind, the patterns that say an item answers
it (every pattern must occur in the item: title or body) and optionally a pattern for
"tempting but wrong" items (sharing the query's words, not answering it).  Patterns were
written after reading the corpus text around each topic (``python -m bench.relevance_dump
grep``), independently of the search under test.  Draft grades: 2 when a pattern is in the
title or the item is mostly about it (3+ matches, or a short item), 1 when the body mentions
it, 0 for tempting items.  ``python -m bench.relevance_needs > bench/relevance_judgments.toml``
writes the drafted rows; the file is then checked and corrected by hand.
"""

# ruff: noqa: E501 - NEEDS is a table of one need per line
from __future__ import annotations

import re
import sys
from pathlib import Path

from bench.relevance import INDEX_DIR, items

#: (query, kind, [patterns that must all occur], tempting pattern or "")
NEEDS: list[tuple[str, str, list[str], str]] = [
    ("allotments", "word", [r"allotment"], r"garden"),
    ("vandalism", "vague", [r"vandal|criminal damage|graffiti"], ""),
    ("sewage", "vague", [r"sewage|sewer|septic|foul water|treatment works"], r"water"),
    ("defibrillator", "word", [r"defib"], ""),
    ("footpaths", "word", [r"foot ?paths?|rights? of way|\bPROW\b"], ""),
    ("flooding", "word", [r"flood"], ""),
    ("precept", "word", [r"precept"], ""),
    ("broadband", "word", [r"broadband|superfast|fibre"], ""),
    ("litter", "word", [r"litter"], ""),
    (
        "dog fouling complaints",
        "vague",
        [r"dog ?foul|dog mess|dog waste|dog bin|dog poo|fouling"],
        r"complain",
    ),
    (
        "speeding traffic",
        "two-word",
        [r"speeding|speed limit|speed camera|speed ?watch|\b[23]0 ?mph|traffic calming"],
        r"traffic",
    ),
    ("potholes", "word", [r"pot ?holes?"], ""),
    ("playground", "word", [r"playground|play area|play equipment"], ""),
    ("cemetery", "word", [r"cemeter|burial|graveyard|churchyard"], ""),
    ("war memorial", "two-word", [r"war memorial|cenotaph"], r"memorial"),
    ("christmas lights", "two-word", [r"christmas (tree|lights)"], r"christmas"),
    ("bus shelter", "two-word", [r"bus shelter"], r"shelter|\bbus\b"),
    ("street lighting", "two-word", [r"street ?light|lamp ?post|street lamp"], r"street"),
    ("insurance", "word", [r"insurance|insurer"], ""),
    ("internal audit", "two-word", [r"internal audit"], r"audit"),
    ("co-option", "word", [r"co-?opt"], ""),
    ("solar farm", "vague", [r"solar"], r"\bfarm"),
    ("wind turbines", "two-word", [r"wind farm|wind turbine|turbine"], ""),
    (
        "grant to village hall",
        "vague",
        [r"village hall|community hall", r"grant|donation|funding"],
        r"village hall",
    ),
    (
        "overgrown trees",
        "vague",
        [r"\btrees?\b", r"overgrown|overhang|cut back|fell|lopp|prun"],
        r"\btrees?\b",
    ),
    ("A466", "place", [r"A466"], ""),
    ("Tintern Abbey", "place", [r"abbey"], r"tintern"),
    ("bridge repairs", "vague", [r"bridge", r"repair|damage|maint|work"], r"bridge"),
    ("drugs", "word", [r"\bdrugs?\b"], ""),
    ("burglary", "word", [r"burglar"], ""),
    ("anti-social behaviour", "acronym", [r"anti-?social|antisocial|\bASB\b"], ""),
    ("CCTV", "acronym", [r"cctv|closed circuit"], r"camera"),
    ("parking problems", "vague", [r"parking|parked"], ""),
    ("20mph", "acronym", [r"20 ?mph"], r"speed"),
    ("fly tipping", "two-word", [r"fly[- ]?tip|illegal dumping|dumped"], ""),
    ("website", "word", [r"website|web site"], ""),
    ("GDPR", "acronym", [r"GDPR|data protection"], ""),
    ("code of conduct", "two-word", [r"code of conduct"], r"conduct"),
    (
        "clerk salary",
        "two-word",
        [r"salary|salaries|pay scale|\bwages?\b|\bSCP\b", r"clerk"],
        r"clerk",
    ),
    ("recycling", "word", [r"recycl"], ""),
    ("speed watch", "two-word", [r"speed ?watch"], r"speed"),
    ("HGV lorries", "acronym", [r"\bHGVs?\b|lorr(y|ies)|heavy goods"], ""),
    ("quarry", "word", [r"quarr"], ""),
    ("affordable housing", "two-word", [r"affordable hous|social housing"], r"housing"),
    ("One Voice Wales", "acronym", [r"one voice wales|\bOVW\b"], ""),
    ("PCSO", "acronym", [r"\bPCSOs?\b|community support officer"], r"police"),
    ("bus service", "two-word", [r"bus service|bus route|bus timetable|bus stop"], r"\bbus"),
    ("post office", "two-word", [r"post office"], ""),
    ("telephone kiosk", "two-word", [r"kiosk|phone box|telephone box"], r"telephone"),
    ("notice board", "two-word", [r"notice ?boards?"], ""),
    (
        "grass cutting",
        "two-word",
        [r"grass cutting|grass-cutting|mowing|strimming|grass verge"],
        r"\bgrass",
    ),
    ("drainage", "word", [r"drain|gull(e|y)"], ""),
    ("covid", "word", [r"covid|coronavirus|pandemic|lockdown"], ""),
    (
        "remote meetings",
        "vague",
        [r"zoom|remote meeting|virtual meeting|online meeting|\bteams\b"],
        r"meetings",
    ),
    ("hedge cutting", "two-word", [r"hedge"], ""),
    ("planning enforcement", "two-word", [r"enforcement"], r"planning"),
    (
        "Welsh language",
        "two-word",
        [r"welsh language|bilingual|welsh translation|translat"],
        r"welsh",
    ),
    ("remembrance", "word", [r"remembrance|poppy|poppies|wreath|armistice"], ""),
    ("jubilee", "word", [r"jubilee"], ""),
    ("Brockweir", "place", [r"brockweir"], ""),
    ("Catbrook", "place", [r"catbrook"], ""),
    ("Stoke Ferry", "place", [r"stoke ferry"], r"\bferry\b"),
    ("Wretton", "place", [r"wretton"], ""),
    ("Kilmallock", "place", [r"kilmallock"], ""),
    ("Newcastle West", "place", [r"newcastle west"], r"newcastle"),
    ("Hoskins", "person", [r"hoskins"], ""),
    ("Mawdsley", "person", [r"mawdsley"], ""),
    ("Sheahan", "person", [r"sheahan"], ""),
    ("AGM", "acronym", [r"\bAGM\b|annual general meeting|annual meeting"], ""),
    ("risk assessment", "two-word", [r"risk assessment"], r"\brisk"),
    ("elections", "word", [r"election"], ""),
    ("domestic abuse", "two-word", [r"domestic (violence|abuse)"], r"domestic"),
    ("road safety", "two-word", [r"road safety"], r"\broad\b"),
]


def grade(patterns: list[re.Pattern[str]], title: str, body: str) -> int | None:
    """The draft grade of one item for a need (None: not judged)."""
    if not all(p.search(title) or p.search(body) for p in patterns):
        return None
    if all(p.search(title) for p in patterns[:1]):
        return 2
    hits = min(len(p.findall(body)) for p in patterns)
    if hits >= 3 or len(body) < 800:
        return 2
    return 1


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    """Print the drafted judgments as TOML."""
    all_items = list(items(Path(INDEX_DIR)))
    print("# Judged needs over ../shared/corpus (see bench/relevance.py and relevance_needs.py).")
    print("# Rows: [source file relative to the corpus, item number, item title, grade]")
    print("# grade 2: about the need; 1: mentions it substantially; 0: tempting but wrong.\n")
    for query, kind, pats, tempting in NEEDS:
        compiled = [re.compile(p, re.I) for p in pats]
        rows = []
        for it in all_items:
            g = grade(compiled, it["title"], it["body"])
            if g is not None:
                rows.append((g, it))
        if tempting:
            tp = re.compile(tempting, re.I)
            wrong = [
                it
                for it in all_items
                if (tp.search(it["title"]) or tp.search(it["body"]))
                and grade(compiled, it["title"], it["body"]) is None
            ]
            wrong.sort(key=lambda it: -len(tp.findall(it["title"] + " " + it["body"])))
            rows += [(0, it) for it in wrong[:6]]
        rows.sort(key=lambda r: (-r[0], r[1]["file"], r[1]["item_number"]))
        print(f"[[need]]\nquery = {_q(query)}\nkind = {_q(kind)}\njudged = [")
        for g, it in rows:
            print(f"  [{_q(it['file'])}, {_q(it['item_number'])}, {_q(it['title'])}, {g}],")
        print("]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
