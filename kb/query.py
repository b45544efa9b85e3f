"""The user query language, parsed into a small tree (pure Python; each engine compiles the
tree, through :mod:`kb.engine.plan`).

The syntax is described once, in :data:`SYNTAX` (rendered into ``kb search --help`` by
:func:`syntax_text`, the web page's search tips, and the README by :func:`syntax_markdown`).
Any other ``name:value`` is searched as the plain words ``name value``: the index's private
fields cannot be reached from a query.  Bad queries raise :class:`QueryError` whose message
can be shown to the user as-is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.config import MAX_QUERY_LENGTH

#: The query syntax, one (what you type, what it finds) row each: the one source of
#: ``kb search --help``, the web page's search tips and the README's table.  Examples in a
#: row are separated by two spaces; each field example finds items in the sample minutes.
SYNTAX: tuple[tuple[str, str], ...] = (
    (
        "cctv funding",
        "items with both words (AND); words are stemmed. When fewer than 10 items have every "
        "word, items with most (⅔) of the words, then any word, and the results say so; items "
        "with every word still come first. Words near each other, in the order typed or in the "
        "title rank higher",
    ),
    ('"sex trade"', "the exact phrase"),
    ("cctv OR cameras", "either word"),
    ("cctv -funding   cctv NOT funding", "leaves out items with the word"),
    ("(cctv OR cameras) parking", "brackets group"),
    ("safe*", 'words starting "safe" (at least two letters before *; no leading wildcards)'),
    (
        "council:luton  speaker:hawkes  topic:cctv  kind:agm",
        "one field only (a committee, council or person by id or any known form of the name; "
        "kind: a meeting kind)",
    ),
    ('committee:"crime and disorder"', "a quoted value matches as a phrase"),
    ("year:2018  year:2017..2019  year:2017..  year:..2019", "a year or a range of years"),
    (
        "ASB  vandalism",
        'also "anti-social behaviour"; "criminal damage", "vandalised" (acronyms, synonyms and '
        "council vocabulary from data/topics.toml and data/synonyms.toml, at 0.7 of the weight "
        'of the word typed, listed as "Also searched"; quoted phrases stay exact)',
    ),
)
#: What :data:`SYNTAX` does not show.
SYNTAX_NOTE = "Any other name:value is searched as its words side by side."


def syntax_text() -> str:
    """:data:`SYNTAX` as plain text, one example per line (``kb search --help``)."""
    return "\n".join(f"  {example}\n      {meaning}" for example, meaning in SYNTAX)


def syntax_markdown() -> str:
    """:data:`SYNTAX` as a Markdown table (the README's "Query syntax")."""
    rows = [f"| `{example}` | {meaning} |" for example, meaning in SYNTAX]
    return "\n".join(["| you type | finds |", "|---|---|", *rows])


#: Field names a query may use (``name:value``).
PUBLIC_FIELDS = ("committee", "council", "speaker", "topic", "year", "kind")

MAX_CLAUSES = 64
MAX_DEPTH = 16


class QueryError(ValueError):
    """The query cannot be run; ``str(error)`` is a message for the user."""


@dataclass(frozen=True)
class Term:
    """An unquoted word as typed (may expand to synonyms; may analyse to several terms)."""

    word: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Prefix:
    prefix: str


@dataclass(frozen=True)
class FieldQuery:
    """``name:value`` for a public field; ``phrase`` when the value was quoted."""

    name: str
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class YearRange:
    start: int | None
    end: int | None


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Not:
    part: Node


Node = Term | Phrase | Prefix | FieldQuery | YearRange | And | Or | Not

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<fphrase>(?P<fname>[A-Za-z_]+):"(?P<fval>[^"]*)"?)
  | (?P<phrase>"(?P<ptext>[^"]*)"?)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_YEAR_RE = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _lex(q: str) -> list[tuple[str, str, str]]:
    """(kind, text, extra) tokens; kinds: phrase, fphrase, lparen, rparen, word."""
    out: list[tuple[str, str, str]] = []
    for m in _TOKEN_RE.finditer(q):
        kind = m.lastgroup
        if kind == "space":
            continue
        if m.group("fphrase"):
            out.append(("fphrase", m.group("fval"), m.group("fname")))
        elif m.group("phrase") is not None:
            out.append(("phrase", m.group("ptext"), ""))
        elif m.group("lparen"):
            out.append(("lparen", "(", ""))
        elif m.group("rparen"):
            out.append(("rparen", ")", ""))
        else:
            out.append(("word", m.group("word"), ""))
    return out


def _field_node(name: str, value: str, phrase: bool) -> Node:
    if name == "year":
        m = _YEAR_RE.match(value.strip())
        if not m or (m.group(1) is None and m.group(3) is None):
            raise QueryError(
                f"year:{value} is not a year; use year:2018 or a range like year:2017..2019"
            )
        start = int(m.group(1)) if m.group(1) else None
        if m.group(2) is None:
            return YearRange(start, start)
        end = int(m.group(3)) if m.group(3) else None
        if start is not None and end is not None and start > end:
            start, end = end, start
        return YearRange(start, end)
    return FieldQuery(name, value, phrase)


def year_node(value: str) -> YearRange:
    """``year:value`` as a range (one year: start = end); QueryError when it is not one."""
    node = _field_node("year", value, False)
    assert isinstance(node, YearRange)
    return node


def _word_node(word: str) -> Node | None:
    if ":" in word:
        name, _, value = word.partition(":")
        if name.lower() in PUBLIC_FIELDS and value:
            return _field_node(name.lower(), value, False)
        return Term(word)  # not a public field: plain words
    if "*" in word or "?" in word:
        stem = word.rstrip("*")
        letters = re.sub(r"[^\w]", "", stem)
        if not word.endswith("*") or "*" in stem or "?" in stem or len(letters) < 2:
            raise QueryError(
                f"'{word}': wildcards are allowed only at the end of a word, after at least "
                "two letters (like safe*)"
            )
        return Prefix(stem)
    return Term(word)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, str]]) -> None:
        self.tokens = tokens
        self.i = 0
        self.clauses = 0

    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse_or(self, depth: int) -> Node | None:
        parts = [p for p in [self.parse_and(depth)] if p is not None]
        while (tok := self.peek()) and tok == ("word", "OR", ""):
            self.i += 1
            part = self.parse_and(depth)
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self, depth: int) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok[0] == "rparen" or tok == ("word", "OR", ""):
                break
            if tok == ("word", "AND", ""):
                self.i += 1
                continue
            part = self.parse_unary(depth)
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self, depth: int) -> Node | None:
        kind, text, extra = self.tokens[self.i]
        if (kind, text) == ("word", "NOT"):
            self.i += 1
            if self.peek() is None:
                return None
            inner = self.parse_unary(depth)
            return Not(inner) if inner is not None else None
        if kind == "word" and text.startswith("-") and len(text) > 1:
            self.tokens[self.i] = (kind, text[1:], extra)
            inner = self.parse_unary(depth)
            return Not(inner) if inner is not None else None
        self.i += 1
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"the query is too complex (more than {MAX_CLAUSES} parts)")
        if kind == "lparen":
            if depth >= MAX_DEPTH:
                raise QueryError("the query has too many nested brackets")
            inner = self.parse_or(depth + 1)
            if self.peek() is not None and self.peek()[0] == "rparen":  # type: ignore[index]
                self.i += 1
            return inner
        if kind == "rparen":  # a stray ')' at top level
            return None
        if kind == "phrase":
            return Phrase(text) if text.strip() else None
        if kind == "fphrase":
            if extra.lower() in PUBLIC_FIELDS:
                return _field_node(extra.lower(), text, True) if text.strip() else None
            return And((Term(extra), Phrase(text))) if text.strip() else Term(extra)
        return _word_node(text)


def parse(q: str, *, max_length: int = MAX_QUERY_LENGTH) -> Node | None:
    """Parse a user query into a tree; ``None`` for a blank query (match everything).

    Raises QueryError for a query that is too long, too complex, uses a leading or lone
    wildcard, or has no searchable content at all (such as ``((((``).
    """
    if len(q) > max_length:
        raise QueryError(
            f"the query is too long ({len(q):,} characters; the limit is {max_length})"
        )
    q = _CONTROL_RE.sub(" ", q).strip()
    if not q:
        return None
    parser = _Parser(_lex(q))
    nodes: list[Node] = []
    while parser.peek() is not None:
        node = parser.parse_or(0)
        if node is not None:
            nodes.append(node)
        if parser.peek() is not None and parser.peek()[0] == "rparen":  # type: ignore[index]
            parser.i += 1  # skip unbalanced ')'
    if not nodes:
        raise QueryError("the query has no words to search for")
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _plain_texts(node: Node) -> list[str] | None:
    """The words and phrases of a tree built only of words, phrases, AND, OR and NOT;
    None when it holds anything else (a field, a prefix, a year range)."""
    if isinstance(node, Term):
        return [node.word]
    if isinstance(node, Phrase):
        return [node.text]
    if isinstance(node, Not):
        return _plain_texts(node.part)
    if isinstance(node, And | Or):
        out: list[str] = []
        for part in node.parts:
            texts = _plain_texts(part)
            if texts is None:
                return None
            out.extend(texts)
        return out
    return None


def too_common_notice(q: str) -> str | None:
    """The notice for a query made only of words too common to search (stopwords and single
    letters such as ``the`` or ``x``), which on its own would match nothing; None for any
    other query (a blank or bad one included: :func:`parse` handles those).

    Callers run such a query as a blank one (filters still apply, newest first) and show
    this notice with the results."""
    try:
        tree = parse(q)
    except QueryError:
        return None
    texts = _plain_texts(tree) if tree is not None else None
    from kb import analysis  # here, not at the top: kb.config imports this module

    if not texts or any(analysis.terms(t) for t in texts):
        return None
    typed = " ".join(q.split())
    if len(analysis.WORD_RE.findall(typed)) > 1:
        return f"'{typed}' are too common words to search: {TOO_COMMON_TAIL}"
    return f"'{typed}' is too common a word to search: {TOO_COMMON_TAIL}"


#: how :func:`too_common_notice` ends: what is shown instead of the query's matches
TOO_COMMON_TAIL = "showing every item that matches the filters"
