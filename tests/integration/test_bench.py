"""The benchmark's bound writes what ingest writes: the same frames and manifest, in the same place."""

from __future__ import annotations

import json

import pandas as pd

from antt.bench import bound, save_frames
from antt.store.processed import processed_cycles, read_frame
from antt.store.schema import FRAMES


def test_bound_writes_the_frames_ingest_wrote(sample_processed, tmp_path):
    raw, saved, out = sample_processed.parent / "raw", tmp_path / "frames.pickle", tmp_path / "bound"
    save_frames(str(sample_processed), str(saved))
    bound(str(raw), str(out), str(saved))
    assert [c.id for c in processed_cycles(out)] == ["2022-H1", "2022", "2023-H1"]
    for cycle in processed_cycles(out):
        for name in FRAMES:
            pd.testing.assert_frame_equal(read_frame(out, cycle, name), read_frame(sample_processed, cycle, name))
        manifest = json.loads((out / cycle.id / "manifest.json").read_text(encoding="utf-8"))
        ingested = json.loads((sample_processed / cycle.id / "manifest.json").read_text(encoding="utf-8"))
        assert (manifest["scope"], manifest["signatures"]) == (ingested["scope"], ingested["signatures"])
