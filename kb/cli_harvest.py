"""``kb harvest`` (keep the index up to date from a council's ModernGov site) and
``kb alerts`` (saved searches whose new results are emailed); registered on ``kb.cli.main``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb import config
from kb.cli_common import INDEX_HELP, parse_day


@click.group()
def harvest() -> None:
    """Fetch new minutes from a council's publishing system and ingest them."""


@harvest.command("moderngov")
@click.argument("base_url")
@click.option("--council", help="The council's name (needed once per site; remembered).")
@click.option(
    "--committee",
    multiple=True,
    metavar="NAME|ID",
    help="Only this committee (its title or ModernGov id); repeatable [default: every one].",
)
@click.option("--from", "date_from", help="Meetings on or after this date [default: a year ago].")
@click.option("--to", "date_to", help="Meetings on or before this date [default: today].")
@click.option(
    "--raw",
    type=click.Path(path_type=Path),
    default=Path("instance/raw"),
    show_default=True,
    help="Folder keeping every response as received (with a .json sidecar each).",
)
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--refresh", is_flag=True, help="Ask again for meetings already harvested.")
@click.option("--no-ingest", is_flag=True, help="Only fetch; do not ingest.")
@click.option("--no-alerts", is_flag=True, help="Do not send alert digests afterwards.")
def harvest_moderngov(
    base_url: str,
    council: str | None,
    committee: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    raw: Path,
    index: str | None,
    refresh: bool,
    no_ingest: bool,
    no_alerts: bool,
) -> None:
    """Harvest BASE_URL (e.g. https://democracy.luton.gov.uk) through its web service
    (mgWebService.asmx): committees, their meetings, each meeting's minutes (from the XML, else
    the linked minutes PDF/Word file), then ingest what changed and send alert digests.

    Polite by default: one request at a time with KB_HARVEST_DELAY seconds between, retries
    with backoff on timeouts, 429 and 5xx (Retry-After obeyed), conditional GETs, only the
    council's host and hosts its XML links to.  Meetings whose minutes are not published yet
    are asked for again next time; an interrupted harvest resumes.  Exit status 1 when a
    meeting could not be fetched or ingested (the rest is kept), 2 when the site's
    committees cannot be read.
    """
    from indexer.harvest.run import HarvestError, HarvestOptions
    from indexer.harvest.run import harvest as run_harvest

    options = HarvestOptions(
        base_url=base_url,
        raw=raw,
        index=config.index_dir(index),
        council=council,
        committees=committee,
        date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"),
        refresh=refresh,
        ingest=not no_ingest,
    )
    try:
        report = run_harvest(options, say=click.echo)
    except HarvestError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if report.new_sources and not no_alerts:
        from kb.cli_alerts import run_alerts_after_ingest

        run_alerts_after_ingest(options.index)
    if report.problems:
        sys.exit(1)
