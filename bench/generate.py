"""Synthetic council minutes for benchmarks: deterministic, streamed, shaped like the corpus.

The text comes from a word model learned from the real corpus (``bench.vocab``): a bigram
chain over a Zipf-shaped vocabulary.  Meetings are spread over many councils, committees and
years (2000-2025); items have a log-normal length (median ~180 words, long tail), speakers
from the meeting's attendance, topic terms at realistic rates and ``Resolved: That …``
decisions.  Everything is derived from ``(seed, meeting number)`` so the stream is the same on
every run and never needs more than one meeting in memory.

Two outputs:

* ``iter_meetings(cfg)`` / ``iter_items(cfg)`` yield ``kb.model.Meeting`` / ``Item`` objects
  (ids, meeting facts, speakers and topic tags filled) for the index-write benchmark;
* ``write_minutes(cfg, folder)`` writes one minutes text file per meeting, in a folder per
  council (``--council-from-folder``), for the end-to-end read→segment→tag→index benchmark.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bench.vocab import Vocab, load
from kb.model import Item, Meeting, PersonRef, Resolution, Tag, item_id, meeting_id, slugify

#: Topic id → terms that signal it, the way council minutes word them.
TOPICS: dict[str, tuple[str, ...]] = {
    "planning": ("planning application", "planning permission", "development", "dwelling"),
    "highways": ("highways", "potholes", "road", "footpath", "verges"),
    "crime": ("crime", "anti-social behaviour", "police", "garda", "drugs"),
    "finance": ("budget", "precept", "accounts", "payment", "reserves", "grant"),
    "housing": ("housing", "affordable housing", "tenants", "homelessness"),
    "environment": ("litter", "waste", "recycling", "flooding", "trees", "climate"),
    "transport": ("traffic", "speeding", "parking", "bus", "speed limit"),
    "community": ("village hall", "play area", "community", "volunteers", "events"),
    "licensing": ("licence", "licensing", "alcohol", "premises"),
    "health": ("health", "wellbeing", "covid", "social care"),
    "education": ("school", "children", "pupils", "youth"),
    "governance": ("standing orders", "code of conduct", "declarations of interest", "audit"),
}

GENERIC_COMMITTEES = (
    "Full Council",
    "Cabinet",
    "Planning Committee",
    "Licensing Committee",
    "Overview and Scrutiny Committee",
    "Audit and Governance Committee",
    "Health and Wellbeing Board",
    "Crime and Disorder Committee",
    "Finance and Resources Committee",
    "Environment and Transport Committee",
    "Housing Committee",
    "Joint Policing Committee",
    "Children and Young People Scrutiny Panel",
    "Parish Council Meeting",
)
COUNCIL_KINDS = (
    "Parish Council",
    "Town Council",
    "Community Council",
    "District Council",
    "Borough Council",
    "County Council",
    "City Council",
)
STANDARD_TITLES = (
    "APOLOGIES FOR ABSENCE",
    "DECLARATIONS OF INTEREST",
    "MINUTES OF THE PREVIOUS MEETING",
    "MATTERS ARISING",
    "PUBLIC QUESTIONS",
    "CORRESPONDENCE",
    "FINANCE AND ACCOUNTS FOR PAYMENT",
    "PLANNING APPLICATIONS",
    "HIGHWAYS AND FOOTPATHS",
    "CHAIR'S ANNOUNCEMENTS",
    "ANY OTHER BUSINESS",
    "DATE OF NEXT MEETING",
)
SAY = ("said that", "asked whether", "reported that", "noted that", "explained that", "proposed")
MONTHS = tuple(dt.date(2000, m, 1).strftime("%B") for m in range(1, 13))
FIRST_YEAR, LAST_YEAR = 2000, 2025


@dataclass(frozen=True)
class GenConfig:
    """What to generate: ``items`` agenda items in total, from ``seed``.

    ``councils`` defaults to one per 400 items (at least 12); meetings hold 3-15 items
    (mean ~8); ``median_words`` is the median item body length.
    """

    items: int = 10_000
    seed: int = 7
    councils: int | None = None
    median_words: int = 180
    length_sigma: float = 0.75
    resolved_rate: float = 0.55

    @property
    def council_count(self) -> int:
        return self.councils or max(12, self.items // 400)


class TextModel:
    """Samples words: a bigram chain over the learned vocabulary, falling back to Zipf draws."""

    def __init__(self, vocab: Vocab, follow: float = 0.65) -> None:
        self.words = vocab.words
        self.cum = list(itertools.accumulate(vocab.counts))
        self.follow = follow
        self.next: dict[str, tuple[list[str], list[int]]] = {}
        for word, succ in vocab.bigrams.items():
            names = [str(s[0]) for s in succ]
            self.next[word] = (names, list(itertools.accumulate(int(s[1]) for s in succ)))

    def unigram(self, rng: random.Random) -> str:
        """One word drawn by corpus frequency (so draws follow the corpus's Zipf curve)."""
        return self.words[bisect.bisect(self.cum, rng.random() * self.cum[-1])]

    def sentence(self, rng: random.Random, n: int) -> list[str]:
        """``n`` words, each following the last by a real bigram when one is known."""
        out = [self.unigram(rng)]
        for _ in range(n - 1):
            nxt = self.next.get(out[-1])
            if nxt is not None and rng.random() < self.follow:
                names, cum = nxt
                out.append(names[bisect.bisect(cum, rng.random() * cum[-1])])
            else:
                out.append(self.unigram(rng))
        return out


@lru_cache(maxsize=2)
def _model(vocab_key: str = "default") -> tuple[Vocab, TextModel]:
    vocab = load()
    return vocab, TextModel(vocab)


@dataclass(frozen=True)
class Council:
    name: str
    committees: tuple[str, ...]
    members: tuple[str, ...]
    running_numbers: bool


def councils(cfg: GenConfig) -> list[Council]:
    """The councils of this configuration (names, committees, members), fixed by the seed."""
    vocab, _ = _model()
    rng = random.Random(f"{cfg.seed}:councils")
    stop = {m for m in MONTHS} | {"Council", "Councillor", "Councillors", "Parish", "Mr", "Mrs"}
    places = [p for p in vocab.proper if p not in stop and len(p) > 3]
    surnames = [s for s in vocab.surnames if s.lower() not in set(vocab.words[:1500])]
    surnames = surnames or ["Smith", "Jones", "Evans"]
    committees = sorted(set(GENERIC_COMMITTEES) | set(vocab.committees))
    out: list[Council] = []
    names: set[str] = set()
    for _ in range(cfg.council_count):
        while True:
            place = rng.choice(places)
            if rng.random() < 0.3:
                place = f"{place} {rng.choice(['Valley', 'Vale', 'Heath', 'Bridge', 'Green'])}"
            name = f"{place} {rng.choice(COUNCIL_KINDS)}"
            if name not in names:
                names.add(name)
                break
        n_comm = rng.randint(2, 8)
        comm = tuple(["Full Council"] + rng.sample(committees, n_comm - 1))
        members = tuple(rng.sample(surnames, min(len(surnames), rng.randint(9, 30))))
        out.append(Council(name, comm, members, running_numbers=rng.random() < 0.25))
    return out


def _zipf_pick(rng: random.Random, n: int, s: float = 1.1) -> int:
    """An index in [0, n) with P(i) ∝ 1/(i+1)^s (some councils publish far more than others)."""
    u = rng.random()
    # inverse CDF of the continuous approximation, clamped
    if s == 1.0:
        return min(n - 1, int(math.exp(u * math.log(n + 1))) - 1)
    a = 1 - s
    x = ((n + 1) ** a - 1) * u + 1
    return min(n - 1, max(0, int(x ** (1 / a)) - 1))


def _body(rng: random.Random, model: TextModel, words: int, extras: list[str]) -> list[str]:
    """Paragraphs totalling about ``words`` words; ``extras`` are phrases woven in."""
    sentences: list[str] = []
    total = 0
    while total < words:
        n = max(4, min(40, int(rng.gauss(17, 7))))
        toks = model.sentence(rng, n)
        if extras and rng.random() < 0.5:
            toks.insert(rng.randrange(len(toks) + 1), extras.pop())
        total += n
        text = " ".join(toks)
        sentences.append(text[0].upper() + text[1:] + ".")
    for phrase in extras:
        sentences.insert(rng.randrange(len(sentences) + 1), phrase[0].upper() + phrase[1:] + ".")
    paras: list[str] = []
    while sentences:
        k = rng.randint(2, 6)
        paras.append(" ".join(sentences[:k]))
        sentences = sentences[k:]
    return paras


def _meeting(cfg: GenConfig, index: int, pool: list[Council], first_item: int) -> Meeting:
    vocab, model = _model()
    rng = random.Random(f"{cfg.seed}:meeting:{index}")
    council = pool[_zipf_pick(rng, len(pool), 0.8)]
    committee = rng.choice(council.committees)
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    # the meeting number keeps ids unique when a committee meets twice on one day
    mid = meeting_id(council.name, committee, date) + f"-{index}"
    meeting = Meeting(
        id=mid,
        council=council.name,
        committee=committee,
        date=date,
        date_source="text",
        start_time=rng.choice(["18:30", "19:00", "19:30", "10:00", "14:00"]),
        source=f"synthetic:{index}",
        format="synthetic",
    )
    present = rng.sample(council.members, min(len(council.members), rng.randint(5, 14)))
    meeting.attendance.chair = present[0]
    meeting.attendance.present = list(present)
    n_items = max(3, min(15, int(rng.gauss(8, 3))))
    taken: set[str] = set()
    for order in range(n_items):
        number = str(first_item + order + 1) if council.running_numbers else str(order + 1)
        topic_ids = rng.sample(sorted(TOPICS), k=min(3, int(rng.expovariate(0.55))))
        if order < 2 and rng.random() < 0.7:
            title = STANDARD_TITLES[order + rng.choice([0, 1])]
        elif rng.random() < 0.35:
            title = rng.choice(vocab.titles or STANDARD_TITLES)
        else:
            head = TOPICS[topic_ids[0]][0] if topic_ids else model.unigram(rng)
            title = " ".join([head, *model.sentence(rng, rng.randint(1, 4))]).upper()
        words = int(math.exp(math.log(cfg.median_words) + cfg.length_sigma * rng.gauss(0, 1)))
        words = max(12, min(6000, words))
        speakers = rng.sample(present, k=min(len(present), int(rng.expovariate(0.6))))
        extras = [f"Councillor {s} {rng.choice(SAY)}" for s in speakers]
        for t in topic_ids:
            extras += [rng.choice(TOPICS[t]) for _ in range(rng.randint(1, 4))]
        rng.shuffle(extras)
        body = "\n\n".join(_body(rng, model, words, extras))
        resolutions = []
        if rng.random() < cfg.resolved_rate:
            text = "That " + " ".join(model.sentence(rng, rng.randint(6, 25))) + "."
            resolutions.append(Resolution(text=text))
        item = Item(
            id=item_id(mid, number, taken),
            meeting_id=mid,
            number=number,
            title=title,
            body=body,
            order=order,
            resolutions=resolutions,
            speakers=[
                PersonRef(f"{slugify(council.name)}/{slugify(s)}", f"Councillor {s}", s)
                for s in speakers
            ],
            topics=[
                Tag(t, t.title(), "primary" if i == 0 else "mentioned", 1.0 / (i + 1))
                for i, t in enumerate(topic_ids)
            ],
            council=council.name,
            committee=committee,
            date=date,
            source=meeting.source,
        )
        meeting.items.append(item)
    return meeting


def iter_meetings(cfg: GenConfig) -> Iterator[Meeting]:
    """Yield meetings until ``cfg.items`` items have been produced (the last is trimmed)."""
    pool = councils(cfg)
    produced = 0
    index = 0
    while produced < cfg.items:
        meeting = _meeting(cfg, index, pool, produced)
        meeting.items = meeting.items[: cfg.items - produced]
        produced += len(meeting.items)
        index += 1
        yield meeting


def iter_items(cfg: GenConfig) -> Iterator[Item]:
    """Yield the items of ``iter_meetings(cfg)`` one by one."""
    for meeting in iter_meetings(cfg):
        yield from meeting.items


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def minutes_text(meeting: Meeting) -> str:
    """The meeting as a minutes text file: heading, attendance, numbered bold items."""
    assert meeting.date is not None
    d = meeting.date
    when = f"{d.strftime('%A')} {_ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    att = meeting.attendance
    others = ", ".join(att.present[1:])
    lines = [
        f"{meeting.council.upper()}",
        "",
        f"MINUTES OF THE MEETING OF THE {meeting.committee.upper()} HELD ON {when.upper()} "
        f"AT {meeting.start_time}",
        "",
        f"PRESENT: Councillor {att.chair} (Chair), Councillors {others}",
        "",
    ]
    for item in meeting.items:
        lines += [f"**{item.number}. {item.title}**", "", item.body, ""]
        for res in item.resolutions:
            lines += [f"**Resolved:** {res.text}", ""]
    return "\n".join(lines)


def write_minutes(cfg: GenConfig, folder: Path) -> tuple[int, int]:
    """Write one ``<council>/<committee>-<date>-<n>.txt`` file per meeting under ``folder``.

    Returns (files, items) written.  Files are streamed: one meeting in memory at a time.
    """
    files = items = 0
    for index, meeting in enumerate(iter_meetings(cfg)):
        sub = folder / slugify(meeting.council)
        sub.mkdir(parents=True, exist_ok=True)
        assert meeting.date is not None
        name = f"{slugify(meeting.committee)}-{meeting.date.isoformat()}-{index}.txt"
        (sub / name).write_text(minutes_text(meeting), encoding="utf-8")
        files += 1
        items += len(meeting.items)
    return files, items
