"""A reader for tests of :mod:`indexer.isolate`: a file whose name contains ``stuck`` sits in
C code (libc ``sleep`` through ctypes, where no Python signal handler runs until it
returns); a name containing ``crash`` kills the reader process; any other file is read by
the real :func:`indexer.read.read_file`."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
from pathlib import Path

from indexer.read import read_file as real_read_file
from kb.model import Document


def read_file(path: Path) -> Document:
    if "stuck" in path.name:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.sleep(600)
    if "crash" in path.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    return real_read_file(path)
