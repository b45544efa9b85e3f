"""Signed tokens for the links in alert emails (confirm a subscription, unsubscribe).

The key is made once in the state folder (``KB_STATE_DIR/secret.key``, mode 0600), by
whichever process needs it first (a web worker or ``kb alerts``); a token is the payload as
base64url JSON, a dot, and its HMAC-SHA256.  Every payload carries ``exp`` (Unix seconds).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Any


def signing_key(state: Path) -> bytes:
    """The state folder's signing key, made on first use."""
    path = Path(state) / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32).hex().encode())
    for _ in range(50):  # another process may be writing it this very moment
        key = path.read_bytes().strip()
        if len(key) == 64:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is not a signing key")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(payload: dict[str, Any], state: Path) -> str:
    """A token carrying ``payload`` that only this state folder's key can have made."""
    body = b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    mac = hmac.new(signing_key(state), body.encode(), hashlib.sha256).digest()
    return f"{body}.{b64(mac)}"


def verify(token: str, state: Path, now: float | None = None) -> dict[str, Any]:
    """The payload of a good, unexpired token; ValueError (a message for the user) else."""
    body, _, mac = token.partition(".")
    want = b64(hmac.new(signing_key(state), body.encode(), hashlib.sha256).digest())
    if not mac or not hmac.compare_digest(mac, want):
        raise ValueError("This link is not valid (was it copied in full?).")
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if float(payload.get("exp", 0)) < (now if now is not None else time.time()):
        raise ValueError("This link has expired.")
    return payload
