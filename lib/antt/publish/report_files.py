"""The names of a cycle's report files, and the file a writer writes when given a folder."""

from __future__ import annotations

from pathlib import Path

from antt.analyse.view import CycleView


def deck_name(view: CycleView) -> str:
    """``bao_cao_<cycle>.pptx``."""
    return f"bao_cao_{view.cycle.id}.pptx"


def workbook_name(view: CycleView) -> str:
    """``tong_hop_<cycle>.xlsx``."""
    return f"tong_hop_{view.cycle.id}.xlsx"


def written_report_name(view: CycleView) -> str:
    """``bao_cao_<cycle>.docx``."""
    return f"bao_cao_{view.cycle.id}.docx"


def target_file(path: Path | str, default_name: str) -> Path:
    """``path`` itself when it names a file, else ``default_name`` inside the folder ``path``."""
    path = Path(path)
    return path / default_name if path.is_dir() or not path.suffix else path
