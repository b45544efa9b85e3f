"""Settings as documented data: each has a name, a default, an environment variable and help.

``kb settings`` and the README list them; the web app reads them through ``load()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Longest query accepted, in characters (defined here, where the setting is, so that a
#: process reading documents does not import the query parser to know it).
MAX_QUERY_LENGTH = 500

#: The council of a meeting whose document names none (when no ``--council`` or
#: ``council.toml`` gives one): shown as is in the web app, the API and ``kb`` output.
UNKNOWN_COUNCIL = "Council not stated"
#: The committee of a meeting of the council itself (any form: ordinary, annual, AGM …).
FULL_COUNCIL = "Full Council"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "KB_" + self.name.upper()


#: The search engines (``KB_ENGINE``), the default first: the embedded index in one folder
#: (one machine), or an OpenSearch cluster (see README, "Running at scale").
ENGINE_CHOICES = ("whoosh", "opensearch")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "engine",
        ENGINE_CHOICES[0],
        f"Search engine: {' or '.join(ENGINE_CHOICES)} (the embedded index in KB_INDEX, "
        "or the cluster at KB_OPENSEARCH_URL).",
    ),
    Setting("index", "instance/index", "Folder of the search index (KB_INDEX)."),
    Setting("data_dir", "data", "Folder with topics.toml, synonyms.toml and word lists."),
    Setting("page_size", 10, "Results per page in the web app and API."),
    Setting("max_page_size", 100, "Largest page size a client may ask for."),
    Setting("max_page", 1000, "Highest page number served; deeper pages get a 400."),
    Setting("max_query_length", MAX_QUERY_LENGTH, "Longest query accepted, in characters."),
    Setting("time_budget_ms", 3000, "A search slower than this is flagged to the user as slow."),
    Setting(
        "search_deadline_ms",
        10000,
        "A search stops at this many milliseconds: facets and snippets not built by then "
        "are left out (marked partial), or, before ranking ends, the user is told the search "
        "took too long (the API answers 503 with Retry-After). 0: no limit.",
    ),
    Setting(
        "web_request_timeout",
        60,
        "Seconds a gunicorn web worker may spend on one request before it is killed and "
        "replaced (a second line behind search_deadline_ms).",
    ),
    Setting("searcher_pool_size", 4, "Searchers kept open per web process."),
    Setting("file_time_limit", 120, "Seconds one file may take in kb ingest (0: no limit)."),
    Setting(
        "pdf_helper_pages",
        100,
        "A PDF of at least this many pages has its later pages read by a second process "
        "when a CPU is free (the same text either way; 0: never).",
    ),
    Setting(
        "max_items_per_file",
        20000,
        "Most agenda items kept from one file; the rest are left out with a warning (0: no limit).",
    ),
    Setting(
        "max_item_chars",
        2_000_000,
        "Longest item body kept, in characters; a longer one is truncated with a warning "
        "naming the item (0: no limit).",
    ),
    Setting(
        "max_file_chars",
        40_000_000,
        "Most characters of text kept from one file; the rest is cut with a warning (0: no limit).",
    ),
    Setting(
        "ingest_workers",
        "auto",
        "Worker processes that read, parse and tag files beside the ingest writer "
        "(auto: 1 when the machine has 2+ CPUs and half a CPU is idle, else 0).",
    ),
    Setting(
        "segment_items",
        100_000,
        "Index documents (items and their meetings) a rebuild writes into one segment "
        "before committing it and starting the next, so no single commit writes more "
        "(a 1,000,000-item rebuild leaves about 11 segments; 0: one segment, one commit).",
    ),
    Setting(
        "web_workers",
        "auto",
        "Web worker processes; more than 1 serves with gunicorn "
        "(auto: one per CPU, at most 4; 1 on a single CPU).",
    ),
    Setting(
        "opensearch_url",
        "http://127.0.0.1:9200",
        "OpenSearch cluster (KB_ENGINE=opensearch); https URLs verify certificates.",
    ),
    Setting(
        "opensearch_index",
        "kb",
        "Name of the alias readers search; each build is an index named after it.",
    ),
    Setting(
        "opensearch_user",
        "",
        "OpenSearch basic-auth user (password in KB_OPENSEARCH_PASSWORD).",
    ),
    Setting("opensearch_password", "", "OpenSearch basic-auth password."),
    Setting("opensearch_shards", 1, "Primary shards of a new OpenSearch index (see README)."),
    Setting("opensearch_replicas", 0, "Replicas of each shard of a new OpenSearch index."),
    Setting("opensearch_api_key", "", "OpenSearch API key (instead of user/password)."),
    Setting(
        "opensearch_ca_certs",
        "",
        "CA bundle for a cluster with a private certificate (verification stays on).",
    ),
    Setting("harvest_delay", 1.0, "Seconds between two requests to one host in kb harvest."),
    Setting("harvest_timeout", 30.0, "Seconds kb harvest waits for a server before retrying."),
    Setting("harvest_retries", 4, "Retries of a request that timed out or got 429/5xx."),
    Setting(
        "harvest_backoff",
        2.0,
        "Seconds before the first retry in kb harvest; doubled at each retry "
        "(a Retry-After header wins).",
    ),
    Setting("harvest_max_retry_after", 300, "Longest Retry-After, in seconds, kb harvest obeys."),
    Setting("harvest_max_bytes", 64 * 1024 * 1024, "Largest response kb harvest downloads."),
    Setting(
        "harvest_contact",
        "",
        "Contact (URL or email) named in kb harvest's User-Agent, for the council's admins.",
    ),
    Setting(
        "smtp_url",
        "",
        "Where alert digests are sent: smtp://user:password@host:587 (STARTTLS), "
        "smtps://… (TLS), smtp+plain://host:25 (a local relay, no TLS). Empty: no email.",
    ),
    Setting("smtp_from", "minutes-kb@localhost", "The From address of alert emails."),
    Setting(
        "smtp_ca_file",
        "",
        "CA certificates (PEM) to verify the SMTP server with, instead of the system's.",
    ),
    Setting(
        "public_url",
        "http://127.0.0.1:8000",
        "Base URL of the web app, for the permalinks in alert emails.",
    ),
    Setting(
        "state_dir",
        "",
        "Folder the web app may write: pending and confirmed email subscriptions and their "
        "signing key (never the index). Empty: the web app offers no email alerts.",
    ),
    Setting("host", "127.0.0.1", "Address `make serve` binds."),
    Setting("port", 8000, "Port `make serve` binds."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: str) -> Any:
    if isinstance(setting.default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(setting.default, float):
        try:
            return float(raw)
        except ValueError as exc:
            raise ValueError(f"{setting.env} must be a number, not {raw!r}") from exc
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"{setting.env} must be a whole number, not {raw!r}") from exc
    return raw


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return every setting: defaults, then ``KB_*`` environment variables, then overrides."""
    values = {s.name: s.default for s in SETTINGS}
    for s in SETTINGS:
        if s.env in os.environ:
            values[s.name] = _coerce(s, os.environ[s.env])
    for key, value in (overrides or {}).items():
        if key not in _BY_NAME:
            raise KeyError(f"unknown setting {key!r}")
        values[key] = value
    return values


def setting_default(name: str) -> Any:
    """The documented default of setting ``name``."""
    return _BY_NAME[name].default


def get(name: str) -> Any:
    """One setting: its ``KB_*`` environment variable, else its default (only this one is
    read, so a malformed other setting does not stop it)."""
    setting = _BY_NAME[name]
    if setting.env not in os.environ:
        return setting.default
    return _coerce(setting, os.environ[setting.env])


def index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The index folder: ``--index``, else ``KB_INDEX``, else ``instance/index``."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("KB_INDEX", _BY_NAME["index"].default))


def data_dir() -> Path:
    """The data folder: ``KB_DATA_DIR``, else ``data/`` beside the package, else ./data."""
    if "KB_DATA_DIR" in os.environ:
        return Path(os.environ["KB_DATA_DIR"])
    here = Path(__file__).resolve().parent.parent / "data"
    return here if here.exists() else Path("data")
