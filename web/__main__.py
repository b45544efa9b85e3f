"""Serve the web app: ``python -m web --host 127.0.0.1 --port 8000 [--debug]``.

Production serving uses waitress (threads; the index is opened lazily in the process);
``--debug`` uses Flask's development server with the reloader and debugger instead.
Defaults come from ``kb.config`` (``KB_HOST``, ``KB_PORT``, ``KB_INDEX`` …).
"""

from __future__ import annotations

import argparse
import logging

from kb import config as kb_config
from web import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    settings = kb_config.load()
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings["host"], help="address to bind")
    parser.add_argument("--port", type=int, default=settings["port"], help="port to bind")
    parser.add_argument("--index", default=None, help="index folder (default KB_INDEX)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--debug", action="store_true", help="Flask dev server with debugger")
    args = parser.parse_args(argv)

    overrides = {"index": args.index} if args.index else {}
    app = create_app(overrides)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return
    from waitress import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="minutes-kb")


if __name__ == "__main__":
    main()
