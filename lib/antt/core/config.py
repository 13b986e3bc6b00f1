"""Paths and settings, anchored at the repository root (never the current directory)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

ROOT = Path(os.environ.get("ANTT_ROOT", Path(__file__).resolve().parents[3]))
RAW_DIR = ROOT / "data" / "raw"
PROCESSED_DIR = ROOT / "data" / "processed"
REFERENCE_DIR = ROOT / "data" / "reference"
TEMPLATES_DIR = ROOT / "data" / "templates"
REPORTS_DIR = ROOT / "reports"
NOTEBOOKS_DIR = ROOT / "notebooks"

#: The configured province (the one place to change it). "all" means the whole country.
PROVINCE_CODE = os.environ.get("ANTT_PROVINCE", "75")


@cache
def reference() -> dict:
    """The reference settings in data/reference/targets.json (targets and deadlines per cycle)."""
    return json.loads((REFERENCE_DIR / "targets.json").read_text(encoding="utf-8"))
