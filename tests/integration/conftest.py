"""Shared fixtures of the integration tests, each built once a session: Bình Phước's sample returns of
three cycles (whose figures were published), generated and ingested, opened over ``SCOPE``
(``sample_processed``); and the committed sample ``data/raw`` ingested as ``make report`` does, in a
project tree of its own (``sample_root``, ``processed``), which the tests only read."""

from __future__ import annotations

from pathlib import Path

import shutil

import pytest

from antt.core import config
from tests import published

SAMPLE_CYCLES = ["2022-H1", "2022", "2023-H1"]
SCOPE = published.PROVINCE


@pytest.fixture(scope="session")
def sample_processed(tmp_path_factory) -> Path:
    """``<tmp>/processed`` holding the processed sample cycles 2022-H1, 2022 and 2023-H1."""
    from antt.store.ingest import ingest
    from antt.make.sample import write_sample

    root = tmp_path_factory.mktemp("sample")
    write_sample(root / "raw", SAMPLE_CYCLES, province=SCOPE)
    ingest(root / "raw", root / "processed", scope=SCOPE)
    return root / "processed"


def make_root(base: Path) -> Path:
    """A project tree: data/processed from the committed data/raw, data/reference copied."""
    from antt.store.ingest import ingest

    shutil.copytree(config.REFERENCE_DIR, base / "data" / "reference")
    ingest(config.RAW_DIR, base / "data" / "processed")
    return base


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory) -> Path:
    if not any(config.RAW_DIR.glob("20*/*")):
        pytest.skip("no sample returns under data/raw")
    return make_root(tmp_path_factory.mktemp("root"))


@pytest.fixture(scope="session")
def processed(sample_root) -> Path:
    return sample_root / "data" / "processed"
