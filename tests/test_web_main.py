"""``python -m web`` serves the app with waitress (production mode) on the given port."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_waitress_serves_the_app(seed_index: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--index",
            str(seed_index),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = None
        for line in proc.stdout:
            found = re.search(r"Serving on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "waitress did not report its port"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=CCTV", timeout=30) as r:
            assert r.status == 200 and r.headers["Server"] == "minutes-kb"
            assert b'"total"' in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_help_lists_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "web", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--host", "--port", "--index", "--debug"):
        assert option in out.stdout


def test_workers_serve_with_gunicorn_processes(seed_index: Path) -> None:
    cmd = [sys.executable, "-m", "web", "--host", "127.0.0.1", "--port", "0"]
    cmd += ["--index", str(seed_index), "--workers", "2", "--threads", "2"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        port, booted = None, 0
        for line in proc.stdout:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
            booted += "Booting worker with pid" in line
            if port and booted == 2:
                break
        assert port, "gunicorn did not report its port"
        for _ in range(4):
            url = f"http://127.0.0.1:{port}/api/search?q=CCTV"
            with urllib.request.urlopen(url, timeout=30) as r:
                assert r.status == 200 and b'"total":1' in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()
