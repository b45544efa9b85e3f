"""The ``kb`` command line: ingest minutes, search them, show items, export.

The index folder is ``--index``, else ``$KB_INDEX``, else ``instance/index``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from kb import config
from kb.cli_common import INDEX_HELP
from kb.cli_common import parse_day as _parse_day
from kb.deadline import DeadlineExceeded
from kb.model import MEETING_KINDS
from kb.query import SYNTAX_NOTE, QueryError, syntax_text, too_common_notice
from kb.results import SORTS

#: Exit status of ``kb ingest`` when another ingest holds the index (sysexits EX_TEMPFAIL).
EX_TEMPFAIL = 75
#: exit status of `kb ingest` into an index another version built (`make index` rebuilds then)
EX_DATAERR = 65

SEARCH_HELP = f"""Search the minutes, item by item.

\b
QUERY syntax:
{syntax_text()}
{SYNTAX_NOTE}  Dates: --from/--to (YYYY-MM-DD) or --year; not both.  Filters of one kind
combine with OR, different kinds with AND; with --json, each facet's counts ignore that
facet's own filter (so the other committees keep their counts).  A search stops after
KB_SEARCH_DEADLINE_MS (default 10000): the results then say "partial", or it exits 1 saying
it took too long.
"""


def _service(index: str | None) -> Any:
    from kb.service import IndexMissingError, SearchService

    try:
        try:
            deadline = config.load()["search_deadline_ms"] or None
        except ValueError as exc:  # a malformed KB_* setting
            raise click.ClickException(str(exc)) from exc
        return SearchService(config.index_dir(index), deadline_ms=deadline)
    except IndexMissingError as exc:
        raise click.ClickException(str(exc)) from exc


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Minutes KB: a searchable knowledge base of council meeting minutes."""


# --------------------------------------------------------------------------- ingest


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--council", help="Council name for every file (overrides the text).")
@click.option(
    "--council-from-folder",
    is_flag=True,
    help="Use each file's folder name as the council when the document names none.",
)
@click.option("--prune", is_flag=True, help="Remove items whose source file is gone.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build a fresh index beside the old one and swap it in when done "
    "(searches keep working: a new generation folder, or a new OpenSearch index behind "
    "the alias). If it fails, the old index stays.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=50,
    show_default=True,
    help="Files per commit; a crash loses at most the batch in progress (not used by --rebuild).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes that read, parse and tag files while this one writes the index "
    "[default: KB_INGEST_WORKERS, else 1 when the machine has 2 or more CPUs and the "
    "1-minute load average leaves half a CPU idle, else 0].",
)
@click.option(
    "--wait",
    type=click.FloatRange(0),
    is_flag=False,
    flag_value=float("inf"),
    default=None,
    metavar="[SECONDS]",
    help="If another ingest holds the index, wait for it (up to SECONDS; write --wait=30 "
    "before PATHS) instead of exiting with status 75.",
)
def ingest(
    paths: tuple[Path, ...],
    index: str | None,
    council: str | None,
    council_from_folder: bool,
    prune: bool,
    rebuild: bool,
    batch_size: int,
    workers: int | None,
    wait: float | None,
) -> None:
    """Add minutes files (or folders of them) to the index.

    Unchanged files are skipped; changed files replace their items.  A council.toml
    (name = "…") beside the files names their council, over what the text says.  A file
    holding two meetings gives two; a copy of a meeting already indexed is "merged with
    <meeting id>" (listed as a further source, items kept once).  A file's bytes choose its
    reader (a .pdf that is an HTML page is refused, naming what it is); each file has
    KB_FILE_TIME_LIMIT seconds, and files over KB_MAX_ITEMS_PER_FILE, KB_MAX_ITEM_CHARS or
    KB_MAX_FILE_CHARS are cut with a warning.  Exit status 1 if any file failed; 75
    (EX_TEMPFAIL) if another ingest is updating the index (see --wait).
    """
    import time

    from tqdm import tqdm

    from indexer import parallel
    from indexer.pipeline import FileResult, discover, warm_up, worker_count
    from indexer.pipeline import ingest as run_ingest
    from kb.model import IngestError

    try:
        files = discover(paths)
        workers = worker_count(workers, len(files))
    except IngestError as exc:
        raise click.ClickException(str(exc)) from exc
    parallel.prestart(workers, warm_up)  # workers warm up while this process loads the writer
    from kb.engine import IndexLockedError, IndexVersionError

    bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=None, leave=False)

    def on_file(result: FileResult) -> None:
        bar.update(1)
        tqdm.write(result.line(), file=sys.stdout)
        for warning in result.warnings:
            tqdm.write(f"  warning: {warning}", file=sys.stdout)

    deadline = time.monotonic() + (wait or 0)
    waiting = False
    try:
        while True:
            try:
                report = run_ingest(
                    paths,
                    config.index_dir(index),
                    council=council,
                    council_from_folder=council_from_folder,
                    prune=prune,
                    rebuild=rebuild,
                    batch_size=batch_size,
                    on_file=on_file,
                    files=files,
                    workers=workers,
                )
                break
            except IndexVersionError as exc:  # raised before any work is done
                click.echo(f"Error: {exc}", err=True)
                sys.exit(EX_DATAERR)
            except IndexLockedError as exc:  # raised before any work is done
                if time.monotonic() >= deadline:
                    click.echo(f"Error: {exc}", err=True)
                    sys.exit(EX_TEMPFAIL)
                if not waiting:
                    click.echo(f"waiting: {str(exc).split(';')[0]}", err=True)
                    waiting = True
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    finally:
        bar.close()
        parallel.release_prestarted()
    for key in report.pruned:
        click.echo(f"pruned {key}")
    click.echo(report.summary())
    if report.counts["new"] or report.counts["changed"]:
        from kb.cli_alerts import run_alerts_after_ingest

        run_alerts_after_ingest(config.index_dir(index))
    if report.failed:
        sys.exit(1)


# --------------------------------------------------------------------------- search


@main.command(help=SEARCH_HELP)
@click.argument("query", nargs=-1)
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--council", multiple=True, help="Only this council (id or name); repeat for OR.")
@click.option(
    "--committee", multiple=True, help="Only this committee (key or name); repeat for OR."
)
@click.option("--speaker", multiple=True, help="Only items where this person spoke; repeat for OR.")
@click.option("--topic", multiple=True, help="Only items with this topic id; repeat for OR.")
@click.option("--year", multiple=True, help="Only this year (or range 2017..2019); repeat for OR.")
@click.option(
    "--kind",
    multiple=True,
    type=click.Choice(list(MEETING_KINDS)),
    help="Only meetings of this kind (annual, agm, extraordinary…); repeat for OR.",
)
@click.option("--from", "date_from", help="Meetings on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Meetings on or before this date (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(SORTS), default=SORTS[0])
@click.option(
    "--limit",
    type=click.IntRange(1, config.setting_default("max_page_size")),
    default=config.setting_default("page_size"),
    help="Results per page.",
)
@click.option("--page", type=click.IntRange(1, config.setting_default("max_page")), default=1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (results, facets).")
def search(
    query: tuple[str, ...],
    index: str | None,
    council: tuple[str, ...],
    committee: tuple[str, ...],
    speaker: tuple[str, ...],
    topic: tuple[str, ...],
    year: tuple[str, ...],
    kind: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    sort: str,
    limit: int,
    page: int,
    as_json: bool,
) -> None:
    from kb.service import SearchRequest

    if year and (date_from or date_to):
        raise click.UsageError("use either --year or --from/--to, not both")
    req = SearchRequest(
        q=" ".join(query),
        council=list(council),
        committee=list(committee),
        speaker=list(speaker),
        topic=list(topic),
        year=list(year),
        kind=list(kind),
        date_from=_parse_day(date_from, "--from"),
        date_to=_parse_day(date_to, "--to"),
        sort=sort,
        page=page,
        page_size=limit,
    )
    service = _service(index)
    # words too common to search: run as a blank query (filters apply) and say so
    notice = too_common_notice(req.q)
    try:
        res = service.search(dataclasses.replace(req, q="") if notice else req)
    except QueryError as exc:
        raise click.UsageError(f"bad query: {exc}") from exc
    except DeadlineExceeded as exc:
        raise click.ClickException(str(exc)) from exc
    if notice:
        res = dataclasses.replace(res, query=req.q, notice=notice)
    if as_json:
        _echo_json(res.to_json())
        return
    first = (res.page - 1) * res.page_size
    shown = f"{first + 1}–{first + len(res.results)} of " if res.results else ""
    click.echo(f"{shown}{res.total} items for {res.query!r}")
    if res.notice:
        click.echo(f"({res.notice})")
    if res.partial:
        click.echo("(partial: the search ran past its time limit; some counts are missing)")
    if res.match and res.match != "all":
        from kb.ranking import MATCH_LABELS  # here: numpy is not every kb process's to import

        click.echo(f"Few items have every word: showing items with {MATCH_LABELS[res.match]}")
    if res.also_searched:
        click.echo(f"Also searched: {', '.join(res.also_searched)}")
    if res.suggestion:
        click.echo(f"Did you mean: {res.suggestion}")
    for facet, fixes in res.corrections.items():
        for typed, meant in fixes.items():
            click.echo(f"No {facet} matches {typed!r}; did you mean: --{facet} {meant}")
    for n, hit in enumerate(res.results, start=first + 1):
        click.echo("")
        click.echo(click.style(f"{n}. {hit.item_title}", bold=True) + f"  (item {hit.item_number})")
        click.echo(f"   {hit.council} · {hit.committee} · {hit.date or 'undated'}")
        for line in textwrap.wrap(hit.snippet, 96):
            click.echo(f"   {line}")
        click.echo(f"   {hit.url}")


# --------------------------------------------------------------------------- browse


def _why(tag: dict[str, Any]) -> str:
    evidence = ", ".join(
        f"'{e['term']}' ×{e['count']} in {e['where']}" for e in tag.get("evidence", [])
    )
    return f"{tag['label']} [{tag['topic']}] ({tag['strength']}, score {tag['score']:.2f}): " + (
        evidence or "no evidence recorded"
    )


def page_span(start: int | None, end: int | None) -> str:
    """'page 2' for one page, 'pages 2–3' for several, '' when the page is not known."""
    if not start:
        return ""
    if not end or end == start:
        return f"page {start}"
    return f"pages {start}–{end}"


@main.command()
@click.argument("item_id")
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def show(item_id: str, index: str | None, as_json: bool) -> None:
    """Show one item: meeting, source and pages, speakers, decisions, and why each topic
    tag is there."""
    item = _service(index).get_item(item_id)
    if item is None:
        raise click.ClickException(f"no item {item_id!r}")
    if as_json:
        _echo_json(item)
        return
    m = item.get("meeting", {})
    click.echo(click.style(f"{item['number']}. {item['title']}", bold=True))
    kind = MEETING_KINDS.get(m.get("kind") or "ordinary", m.get("kind"))
    click.echo(f"{m.get('council')} · {m.get('committee')} · {m.get('date') or 'undated'} · {kind}")
    where = page_span(item.get("page_start"), item.get("page_end"))
    where = f", {where}" if where else ""
    click.echo(f"source: {item.get('source')}{where}{' (OCR)' if item.get('ocr') else ''}")
    for src in m.get("sources", [])[1:]:
        click.echo(f"also from: {src.get('path')} ({src.get('format')}, {src.get('language')})")
    if item.get("speakers"):
        names = ", ".join(f"{p['name']} [{p['person_id']}]" for p in item["speakers"])
        click.echo(f"speakers: {names}")
    for r in item.get("resolutions", []):
        label = f"{r['label']} " if r.get("label") else ""
        click.echo(f"{r['kind']}: {label}{r['text']}")
    if item.get("topics"):
        click.echo("topics:")
        for tag in item["topics"]:
            click.echo(f"  - {_why(tag)}")
    click.echo("")
    click.echo(item.get("body", ""))
    nav = [f"previous: {item['prev_id']}"] if item.get("prev_id") else []
    nav += [f"next: {item['next_id']}"] if item.get("next_id") else []
    if nav:
        click.echo("\n" + "   ".join(nav))


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def stats(index: str | None, as_json: bool) -> None:
    """Counts of items, meetings, councils, committees, people and topics."""
    data = _service(index).stats()
    if as_json:
        _echo_json(data)
        return
    for key, value in data.items():
        click.echo(f"{key:>12}: {value}")


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
def export(index: str | None) -> None:
    """Print every meeting with its items as JSON lines (one meeting a line)."""
    service = _service(index)
    for meeting_id in service.meeting_ids():
        meeting = service.get_meeting(meeting_id)
        if meeting is not None:
            click.echo(json.dumps(meeting, ensure_ascii=False, default=str))


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--council", help="Only this council (id or name).")
@click.option("--json", "as_json", is_flag=True)
def people(index: str | None, council: str | None, as_json: bool) -> None:
    """People who spoke, with the number of items they spoke in."""
    rows = _service(index).people(council)
    if as_json:
        _echo_json(rows)
        return
    for p in rows:
        click.echo(f"{p['items']:>5}  {p['name']}  [{p['id']}]")


@main.command()
@click.argument("person_id")
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def person(person_id: str, index: str | None, as_json: bool) -> None:
    """One person: the forms of their name and the items they spoke in."""
    data = _service(index).person(person_id)
    if data is None:
        raise click.ClickException(f"no person {person_id!r}")
    if as_json:
        _echo_json(data)
        return
    click.echo(click.style(data["name"], bold=True) + f"  [{data['id']}]")
    if data["forms"]:
        click.echo("printed as: " + "; ".join(data["forms"]))
    for label, key in (("spoke in", "spoke_in"), ("mentioned in", "mentioned_in")):
        if data[key]:
            click.echo(f"{label}:")
            for it in data[key]:
                click.echo(f"  {it['date'] or 'undated'}  {it['title']}  {it['url']}")


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def topics(index: str | None, as_json: bool) -> None:
    """Topics with item counts per year."""
    rows = _service(index).topics_summary()
    if as_json:
        _echo_json(rows)
        return
    for t in rows:
        years = ", ".join(f"{y}: {n}" for y, n in t["by_year"].items())
        click.echo(f"{t['items']:>5}  {t['label']} [{t['topic']}]  ({years})")


# --------------------------------------------------------------------------- check


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--no-sources", is_flag=True, help="Do not check that source files still exist.")
def check(index: str | None, no_sources: bool) -> None:
    """Verify the index (either engine): read every stored document, compare item counts
    with the ingest manifest, find items whose source file is gone.  Exit status 1 on a
    problem."""
    from kb.engine import check as check_index

    report = check_index(config.index_dir(index), sources=not no_sources)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


# --------------------------------------------------------------------------- harvest, alerts

from kb.cli_alerts import alerts as _alerts  # noqa: E402  (sub-commands live in their modules)
from kb.cli_harvest import harvest as _harvest  # noqa: E402

main.add_command(_harvest)
main.add_command(_alerts)
