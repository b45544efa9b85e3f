"""Serve the web app: ``python -m web --host 127.0.0.1 --port 8000 [--debug]``.

Production serving uses waitress (threads in one process) or, with ``--workers N`` (N > 1),
gunicorn with N forked worker processes, each with its own threads: a search is Python work
that holds the GIL, so more processes, not more threads, use more cores.  The index is
opened lazily in each process, after the fork.  ``--debug`` uses Flask's development server
with the reloader and debugger instead.
Defaults come from ``kb.config`` (``KB_HOST``, ``KB_PORT``, ``KB_INDEX`` …).
"""

from __future__ import annotations

import argparse
import logging
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
        type=int,
        default=settings["web_workers"],
        help="worker processes (default KB_WEB_WORKERS); more than 1 serves with gunicorn",
    )
    parser.add_argument("--debug", action="store_true", help="Flask dev server with debugger")
    args = parser.parse_args(argv)

    overrides = {"index": args.index} if args.index else {}
    app = create_app(overrides)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.workers > 1:
        serve_forked(app, args.host, args.port, workers=args.workers, threads=args.threads)
        return
    from waitress import serve

    serve(app, host=args.host, port=args.port, threads=args.threads, ident="minutes-kb")


def serve_forked(app: Any, host: str, port: int, *, workers: int, threads: int) -> None:
    """Serve ``app`` with gunicorn: ``workers`` forked processes of ``threads`` threads."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "info")

        def load(self) -> Any:
            return app

    _Server().run()


if __name__ == "__main__":
    main()
