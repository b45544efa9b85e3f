"""``python -m web`` serves the app with waitress (one process) or gunicorn (several; the
default on a machine with 2 or more CPUs) on the given port."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kb import config
from web.__main__ import resolve_workers, workers_arg

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
            "--workers",
            "1",
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


def test_workers_default_to_one_per_cpu_up_to_four(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_WEB_WORKERS", raising=False)
    assert config.load()["web_workers"] == "auto"
    assert [resolve_workers("auto", cpus=n) for n in (1, 2, 3, 8)] == [1, 2, 3, 4]
    assert resolve_workers(3, cpus=1) == 3 and resolve_workers("2") == 2
    assert workers_arg("AUTO") == "auto" and workers_arg("5") == 5
    for bad in ("0", "-1", "many"):
        with pytest.raises(argparse.ArgumentTypeError):
            workers_arg(bad)
