"""Shared fixture of the export and quality tests: the sample returns of three cycles, ingested once."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE_CYCLES = ["2022-H1", "2022", "2023-H1"]


@pytest.fixture(scope="session")
def sample_processed(tmp_path_factory) -> Path:
    """``<tmp>/processed`` holding the processed sample cycles 2022-H1, 2022 and 2023-H1."""
    from antt.store.ingest import ingest
    from antt.make.sample import write_sample

    root = tmp_path_factory.mktemp("sample")
    write_sample(root / "raw", SAMPLE_CYCLES)
    ingest(root / "raw", root / "processed")
    return root / "processed"
