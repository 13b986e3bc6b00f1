"""The notebooks of ``antt report`` executed side by side, each in a worker process of its own.

Workers are *spawned* interpreters: the notebook machinery (papermill, nbclient, nbconvert,
IPython) is imported only there, one notebook at a time per worker, never in the process that
draws the charts. Threads were tried first and failed about one run in eight: matplotlib looks at
``sys.modules["IPython"]`` when it creates its first canvas, and saw it half imported by a thread.
A kernel's own log (start-up warnings, the interrupt it logs when it is shut down) goes to a file
and is shown only with the error of a notebook that failed.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from importlib import import_module
from pathlib import Path

from antt.core import config


def notebook_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (default: one per core) that run notebooks."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("spawn"))


def warm_kernels(pool: ProcessPoolExecutor, workers: int | None = None,
                 notebooks_dir: Path | None = None) -> list[Future]:
    """Start a kernel in each of the pool's ``workers`` (default: one per core, as ``notebook_pool``;
    one task a worker) and import what the notebooks import, while this process ingests: the
    notebooks then start at once. Kernels start in ``notebooks_dir`` (default: the project's), as
    ``start_notebooks`` runs them."""
    cwd = str(notebooks_dir or config.NOTEBOOKS_DIR)
    return [pool.submit(_in_worker, "antt.notebook_job", "warm", cwd) for _ in range(workers or os.cpu_count() or 1)]


def start_notebooks(pool: ProcessPoolExecutor, books: list[Path], out_dir: Path, cycle: str, scope: str,
                    notebooks_dir: Path | None = None) -> list[Future]:
    """Submit each notebook for ``cycle`` over ``scope``: a future per notebook, whose result is the
    executed copy in ``out_dir`` (an .html beside it). Kernels start in ``notebooks_dir`` (default: the project's)."""
    cwd = str(notebooks_dir or config.NOTEBOOKS_DIR)
    return [pool.submit(_in_worker, "antt.notebook_job", "execute", str(book), str(out_dir), cycle, scope, cwd)
            for book in books]


def _in_worker(module: str, function: str, *args):
    """Call ``module.function(*args)``: the worker imports the notebook machinery, this process never
    does (each worker is a process of one thread, where a first import races with nothing)."""
    return getattr(import_module(module), function)(*args)
