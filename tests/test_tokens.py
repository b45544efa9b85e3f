"""Signed tokens (kb/tokens.py): round trip, tampering, expiry, one key per state folder."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kb import tokens

PAYLOAD = {"q": "cctv", "email": "a@example.org", "exp": 2_000_000_000}


def test_round_trip(tmp_path: Path) -> None:
    token = tokens.sign(PAYLOAD, tmp_path)
    assert tokens.verify(token, tmp_path, now=1_900_000_000) == PAYLOAD
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the MAC
        lambda t: (
            tokens.b64(b'{"email":"eve@example.org","exp":2000000000}') + "." + t.split(".")[1]
        ),
        lambda t: t.split(".")[0],  # no MAC at all
        lambda t: "",
    ],
    ids=["mac", "payload", "unsigned", "empty"],
)
def test_tampering_is_refused(tmp_path: Path, mangle) -> None:  # type: ignore[no-untyped-def]
    token = tokens.sign(PAYLOAD, tmp_path)
    with pytest.raises(ValueError, match="not valid"):
        tokens.verify(mangle(token), tmp_path, now=1_900_000_000)


def test_expired_and_other_folders(tmp_path: Path) -> None:
    token = tokens.sign(PAYLOAD, tmp_path / "a")
    with pytest.raises(ValueError, match="expired"):
        tokens.verify(token, tmp_path / "a", now=2_000_000_001)
    with pytest.raises(ValueError, match="not valid"):  # another folder, another key
        tokens.verify(token, tmp_path / "b", now=1)


def test_processes_racing_for_the_key_agree(tmp_path: Path) -> None:
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda: keys.append(tokens.signing_key(tmp_path)))
               for _ in range(8)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
