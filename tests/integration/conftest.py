"""Shared fixture of the export and quality tests: Bình Phước's sample returns of three cycles (whose
figures were published), ingested once; the tests open them over ``SCOPE``."""

from __future__ import annotations

from pathlib import Path

import pytest

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
