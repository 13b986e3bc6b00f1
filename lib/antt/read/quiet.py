"""Silencing what a reader prints on standard error, for the callers that choose to.

A calamine panic is caught by ``read_workbook`` (file_unreadable), but Rust has already printed
"thread '<unnamed>' panicked at ..." (and a whole backtrace when RUST_BACKTRACE is set) on file
descriptor 2, which Python's ``sys.stderr`` does not own.  Reading never redirects it itself: the
``antt`` commands that read wrap their reading in ``quiet_stderr()``, and the process pools that
read returns start their workers with ``silence_stderr`` (their own processes, for their life).
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager

_LOCK = threading.Lock()
_state = {"depth": 0, "saved": None}


def _to_devnull() -> int | None:
    """Point descriptor 2 at /dev/null; return a duplicate of what it was (None without one)."""
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2: nothing to protect
        return None
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
    finally:
        os.close(null)
    return saved


@contextmanager
def quiet_stderr():
    """Descriptor 2 goes to /dev/null inside the block and comes back after it.  Nested and
    concurrent blocks share one redirection (the last one out puts the descriptor back)."""
    with _LOCK:
        if _state["depth"] == 0:
            _state["saved"] = _to_devnull()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["saved"] is not None:
                try:
                    sys.stderr.flush()
                except (AttributeError, OSError, ValueError):
                    pass
                os.dup2(_state["saved"], 2)
                os.close(_state["saved"])
                _state["saved"] = None


def silence_stderr() -> None:
    """Descriptor 2 to /dev/null for the rest of this process: a pool worker's initializer."""
    saved = _to_devnull()
    if saved is not None:
        os.close(saved)
