"""What every ``kb`` sub-command module shares: the --index help and date parsing."""

from __future__ import annotations

import datetime as dt

import click

INDEX_HELP = "Index folder (default: $KB_INDEX, else instance/index)."


def parse_day(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date (None when not given); a usage error naming the
    option otherwise."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date like 2018-03-27", param_hint=name
        ) from exc
