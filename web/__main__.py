"""Serve the web app: ``python -m web --host 127.0.0.1 --port 8000 [--debug]``.

Production serving uses gunicorn with N forked worker processes, each with its own threads
(``--workers``, default ``auto``: one per CPU, at most 4), or waitress (threads in one
process) when N is 1: a search is Python work that holds the GIL, so more processes, not
more threads, use more cores.  Extra processes are cheap: each maps the index files (pages
shared through the OS page cache) and loads the per-segment facet arrays saved beside the
index.  The index is opened lazily in each process, after the fork.  ``--debug`` uses
Flask's development server with the reloader and debugger instead.
Defaults come from ``kb.config`` (``KB_HOST``, ``KB_PORT``, ``KB_INDEX``, ``KB_WEB_WORKERS`` …).
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from kb import config as kb_config
from web import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    settings = kb_config.load()
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings["host"], help="address to bind")
    parser.add_argument("--port", type=int, default=settings["port"], help="port to bind")
    parser.add_argument("--index", default=None, help="index folder (default KB_INDEX)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process")
    parser.add_argument(
        "--workers",
        type=workers_arg,
        default=settings["web_workers"],
        help="worker processes, a number or 'auto' (one per CPU, at most 4; default "
        "KB_WEB_WORKERS, else auto); more than 1 serves with gunicorn, 1 with waitress",
    )
    parser.add_argument("--debug", action="store_true", help="Flask dev server with debugger")
    args = parser.parse_args(argv)

    overrides = {"index": args.index} if args.index else {}
    app = create_app(overrides)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    workers = resolve_workers(args.workers)
    if workers > 1:
        timeout = float(app.config["KB"]["web_request_timeout"])
        serve_forked(
            app, args.host, args.port, workers=workers, threads=args.threads, timeout=timeout
        )
        return
    from waitress import serve

    serve(app, host=args.host, port=args.port, threads=args.threads, ident="minutes-kb")


#: most worker processes ``auto`` starts (searches are short; more mostly costs memory)
MAX_AUTO_WORKERS = 4


def workers_arg(text: str) -> str | int:
    """``--workers`` value: ``auto`` or a whole number of at least 1."""
    if str(text).strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 worker process")
    return value


def resolve_workers(value: str | int, cpus: int | None = None) -> int:
    """The number of web processes for a ``--workers``/``KB_WEB_WORKERS`` value: ``auto`` is
    one per CPU (at most :data:`MAX_AUTO_WORKERS`, 1 on a single CPU); a number is itself."""
    if value == "auto":
        count = cpus if cpus is not None else (os.cpu_count() or 1)
        return max(1, min(count, MAX_AUTO_WORKERS))
    return int(workers_arg(str(value)))


def serve_forked(  # noqa: PLR0913 - gunicorn's settings, each a keyword
    app: Any, host: str, port: int, *, workers: int, threads: int, timeout: float = 60
) -> None:
    """Serve ``app`` with gunicorn: ``workers`` forked processes of ``threads`` threads; a
    request running ``timeout`` seconds ends its worker, which gunicorn replaces
    (:mod:`web.watchdog`; gunicorn's own ``timeout`` covers a worker that stops answering)."""
    from gunicorn.app.base import BaseApplication

    from web.watchdog import RequestWatchdog

    if timeout > 0:
        app.wsgi_app = RequestWatchdog(app.wsgi_app, timeout)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            if timeout > 0:
                self.cfg.set("timeout", max(int(timeout), 1))
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "info")

        def load(self) -> Any:
            return app

    _Server().run()


if __name__ == "__main__":
    main()
