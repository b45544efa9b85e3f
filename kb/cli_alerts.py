"""placeholder"""

import click


@click.group()
def alerts() -> None:
    """Saved searches."""


def run_alerts_after_ingest(index) -> None:
    pass
