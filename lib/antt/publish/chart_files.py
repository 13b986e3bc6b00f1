"""The charts of a cycle as files: every chart of the catalogue (``figures.FIGURES``; a uniform one as the
card of its sentence, under the same name) as
``NN_<name>.png`` (200 dpi) and ``NN_<name>.svg``, each written under a temporary name and renamed
into place (``atomic_path``), so a reader never sees half a file and re-running replaces the files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.style

from antt.analyse.view import CycleView
from antt.core.atomic import atomic_path
from antt.publish import figures
from antt.publish.house_style import STYLE

CHART_DPI = 200


def save_figure(spec: figures.FigureSpec, view: CycleView, out_dir: Path, dpi: int = CHART_DPI) -> list[Path]:
    """Chart ``spec`` of this cycle (``figures.draw``: the chart or the card of its uniform sentence) as
    ``out_dir/<stem>.png`` and ``.svg``; the paths written."""
    fig = figures.draw(spec.name, view)
    paths = []
    try:
        with matplotlib.style.context(STYLE, after_reset=True), \
                matplotlib.rc_context({"svg.hashsalt": spec.stem, "svg.fonttype": "path"}):
            for ext, kw in (("png", {"dpi": dpi, "metadata": {"Software": None}}),
                            ("svg", {"metadata": {"Date": None, "Creator": None}})):
                final = out_dir / f"{spec.stem}.{ext}"
                with atomic_path(final) as tmp:
                    fig.savefig(tmp, format=ext, facecolor="white", **kw)
                paths.append(final)
    finally:
        fig.clear()           # Figure objects (no pyplot): free the artists now
        del fig
    return paths


def save_charts(view: CycleView, out_dir: Path | str, dpi: int = CHART_DPI) -> list[Path]:
    """Every chart of the catalogue as ``out_dir/NN_<name>.png`` (``dpi``) and ``.svg``; the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for spec in figures.FIGURES:
        paths += save_figure(spec, view, out_dir, dpi)
    return paths
