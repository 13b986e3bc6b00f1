"""The check that a drawn chart's text can be read: no two texts overlap, no text crosses a drawn line
(a series, a target or average line; a text with a halo, a map's names, may), no text leaves the figure.

``overlaps(fig)`` draws the figure at its own size (16:9, 100 dpi: a slide) and returns one sentence
per problem; the tests assert it is empty for every chart of the catalogue.
"""

from __future__ import annotations

from itertools import combinations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import LineString, box

_SLACK = 1.0          # pixels two boxes may share (anti-aliased edges touching)


def _tick_labels(ax) -> list[Text]:
    """The tick labels drawn: ticks inside the axis' view interval, labels switched on."""
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        eps = (hi - lo) * 1e-9
        for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
            loc = tick.get_loc()
            if loc is None or not lo - eps <= loc <= hi + eps:
                continue
            out += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return out


def _texts(fig: Figure) -> list[Text]:
    """Every text artist that is drawn: the figure's, each visible axes' (title, labels, annotations,
    tick labels) and the legends'."""
    texts = list(fig.texts)
    if fig._suptitle is not None:                          # not among fig.texts
        texts.append(fig._suptitle)
    legends = list(fig.legends)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.axison:
            texts += [ax.xaxis.label, ax.yaxis.label, *_tick_labels(ax)]
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for leg in legends:
        if leg.get_visible():
            texts += [leg.get_title(), *leg.get_texts()]
    return [t for t in dict.fromkeys(texts) if t.get_visible() and t.get_text().strip()]


def _lines(fig: Figure) -> list[Line2D]:
    """The lines drawn in the axes (series, reference lines), not grid lines or legend handles."""
    return [ln for ax in fig.axes if ax.get_visible() for ln in ax.get_lines()
            if ln.get_visible() and ln.get_linestyle() not in ("None", "none", "", " ") and len(ln.get_xydata()) > 1]


def _name(t: Text) -> str:
    return repr(t.get_text().replace("\n", " ")[:40])


def overlaps(fig: Figure) -> list[str]:
    """Draw ``fig`` and say which texts overlap each other or a line, or lie outside the figure."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = _texts(fig)
    boxes = {t: t.get_window_extent(renderer) for t in texts}
    page = fig.bbox
    problems = []
    for t, b in boxes.items():
        if b.x0 < page.x0 - _SLACK or b.y0 < page.y0 - _SLACK or b.x1 > page.x1 + _SLACK or b.y1 > page.y1 + _SLACK:
            problems.append(f"{_name(t)} ra ngoài hình")
    for (a, ba), (b, bb) in combinations(boxes.items(), 2):
        inner = Bbox.intersection(ba, bb)
        if inner is not None and inner.width > _SLACK and inner.height > _SLACK:
            problems.append(f"{_name(a)} chồng lên {_name(b)}")
    for line in _lines(fig):
        path = LineString(line.get_transform().transform(line.get_xydata()))
        for t, b in boxes.items():
            if t.get_path_effects():
                continue                     # a name with a white halo (a map's) stays readable over a line
            if path.intersects(box(b.x0 + _SLACK, b.y0 + _SLACK, b.x1 - _SLACK, b.y1 - _SLACK)):
                problems.append(f"đường {line.get_gid() or line.get_label()!r} cắt qua {_name(t)}")
    return problems
