"""The house deck's python-pptx kit: text that fits its box, the slide title and subtitle, source line
and slide number, speaker notes, headline tiles, native tables, native editable charts (a series may be
drawn as a line over bars; data labels written as text, so the viewer's locale changes nothing) and
pictures with alt text, in the house font and colours on a 16:9 slide. Knows nothing of a cycle.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_MARK
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from antt.core.values import number_or_none
from antt.publish.house_style import HEADING, OFFICE_FONT, PALETTE

SLIDE_W_IN = 13.333
MARGIN_IN = 0.5
SLIDE_H_IN = 7.5
CONTENT_TOP_IN = 1.85
CONTENT_BOTTOM_IN = 6.95
DARK, SUBTLE = PALETTE["text"], PALETTE["subtle"]
#: The pale band of tables and the card of a headline tile.
PALE = "#EEF3F8"
WHITE = "#FFFFFF"


def rgb(hexstr: str) -> RGBColor:
    """"#1F4E79" as a python-pptx colour."""
    return RGBColor.from_string(hexstr.lstrip("#").upper())


#: The width of a character, in ems (regular, bold): see ``text_lines``.
_EM = {False: 0.53, True: 0.58}


def text_lines(text: str, width_in: float, size: float, bold: bool) -> int:
    """How many lines ``text`` takes at ``size`` pt in a box ``width_in`` wide. Arial (Liberation Sans when
    rendered by LibreOffice) averages about 0.50 em a character in Vietnamese text, 0.53 in bold; we
    count 0.53 and 0.58 so that a text judged to fit does fit."""
    per_line = max(1, int(width_in * 72 / (size * _EM[bold])))
    return sum(len(textwrap.wrap(p, per_line)) or 1 for p in text.split("\n"))


def fit_size(text: str, width_in: float, height_in: float, max_pt: float, min_pt: float, bold: bool = False,
              line_spacing: float = 1.2, max_lines: int | None = None) -> float:
    """The largest font size (pt, whole points from ``max_pt`` down to ``min_pt``) at which ``text`` fits
    the box (and takes at most ``max_lines`` lines)."""
    size = max_pt
    while size > min_pt:
        lines = text_lines(text, width_in, size, bold)
        if lines * size * line_spacing / 72 <= height_in and (max_lines is None or lines <= max_lines):
            return size
        size -= 1
    return min_pt


def style_runs(paragraph, size: float, bold: bool = False, colour: str = DARK, italic: bool = False):
    """Every run of ``paragraph`` in the house font, Vietnamese as its language."""
    for run in paragraph.runs:
        run.font.name = OFFICE_FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.color.rgb = rgb(colour)
        run.font.language_id = MSO_LANGUAGE_ID.VIETNAMESE


def set_text(frame, text: str, size: float, *, bold: bool = False, colour: str = DARK, italic: bool = False,
             align=None, anchor=None):
    """Replace the text of a text frame: one paragraph a line, in the house font at ``size`` pt."""
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE      # the size is chosen to fit; a rendering test checks it does
    frame.vertical_anchor = anchor if anchor is not None else MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, 0)
    for i, line in enumerate(text.split("\n")):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = line
        p.alignment = align if align is not None else PP_ALIGN.LEFT
        style_runs(p, size, bold, colour, italic)


def textbox(slide, left, top, width, height, text, *, max_pt, min_pt, bold=False, colour=DARK, italic=False,
            align=None, anchor=None, name=None, max_lines: int | None = None):
    """A text box (inches) whose text takes the largest size from ``max_pt`` down to ``min_pt`` that fits."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    size = fit_size(text, width, height, max_pt, min_pt, bold, max_lines=max_lines)
    set_text(box.text_frame, text, size, bold=bold, colour=colour, italic=italic, align=align, anchor=anchor)
    return box


def slide_title(slide, text: str, *, top=0.3, height=1.0, max_pt=28, min_pt=18):
    """The slide's title placeholder (so the outline and screen readers see it), placed and sized to fit:
    one line if it fits at 20 pt or more, otherwise at most two lines."""
    shape = slide.shapes.title
    width = SLIDE_W_IN - 2 * MARGIN_IN
    shape.left, shape.top = Inches(MARGIN_IN), Inches(top)
    shape.width, shape.height = Inches(width), Inches(height)
    size = fit_size(text, width, height, max_pt, 20, bold=True, max_lines=1)
    if text_lines(text, width, size, True) > 1:
        size = fit_size(text, width, height, max_pt, min_pt, bold=True, max_lines=2)
    set_text(shape.text_frame, text, size, bold=True, colour=HEADING, anchor=MSO_ANCHOR.BOTTOM)
    return shape


def subtitle(slide, text: str):
    """A small line under the title (what the chart shows), on one line."""
    return textbox(slide, MARGIN_IN, 1.36, SLIDE_W_IN - 2 * MARGIN_IN, 0.36, text, max_pt=16, min_pt=10,
                   colour=SUBTLE, name="subtitle", max_lines=1)


def footer(slide, text: str):
    """The source line at the foot of the slide (left of the slide number)."""
    return textbox(slide, MARGIN_IN, 7.02, SLIDE_W_IN - 2 * MARGIN_IN - 0.8, 0.36, text, max_pt=11, min_pt=8,
                   colour=SUBTLE, name="source")


def slide_number(slide, number: int):
    """The slide's number, bottom right."""
    return textbox(slide, SLIDE_W_IN - MARGIN_IN - 0.6, 7.02, 0.6, 0.3, str(number), max_pt=12, min_pt=12,
                   colour=SUBTLE, align=PP_ALIGN.RIGHT, name="slide_number")


def alt_text(shape, text: str):
    """The description (alt text) a screen reader says for ``shape``."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def tile(slide, left, top, width, height, value: str, label: str, change: str, *, colour: str = HEADING,
         name: str | None = None):
    """A headline tile: a big number, its label and a small change line, on a pale card."""
    card = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height))
    card.fill.solid()
    card.fill.fore_color.rgb = rgb(PALE)
    card.line.fill.background()
    card.shadow.inherit = False
    if name:
        card.name = name
    pad = 0.2
    inner = width - 2 * pad
    textbox(slide, left + pad, top + 0.12, inner, 0.85, value, max_pt=44, min_pt=24, bold=True, colour=colour,
            name=f"{name}_value" if name else None, max_lines=1)
    textbox(slide, left + pad, top + 1.0, inner, 0.68, label, max_pt=16, min_pt=11, colour=DARK,
            name=f"{name}_label" if name else None, max_lines=2)
    if change:
        textbox(slide, left + pad, top + 1.72, inner, height - 1.8, change, max_pt=15, min_pt=11, colour=SUBTLE,
                name=f"{name}_change" if name else None)
    return card


def set_notes(slide, *lines: str):
    """The speaker notes of ``slide``: the lines that are not empty."""
    slide.notes_slide.notes_text_frame.text = "\n".join(line for line in lines if line)


def content_box() -> tuple[float, float, float, float]:
    """Left, top, width, height (inches) of the space between the takeaway and the footer."""
    return MARGIN_IN, CONTENT_TOP_IN, SLIDE_W_IN - 2 * MARGIN_IN, CONTENT_BOTTOM_IN - CONTENT_TOP_IN


def native_table(slide, rows: list[list[str]], left, top, width, height, col_widths: Sequence[float], *,
                 size: float = 12, align_right: Sequence[int] = (), bold_rows: Sequence[int] = (), name=None):
    """A native table; the first row is the header. ``col_widths`` are fractions of ``width``."""
    nrows, ncols = len(rows), len(rows[0])
    gf = slide.shapes.add_table(nrows, ncols, Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        gf.name = name
    table = gf.table
    total = sum(col_widths)
    for j, w in enumerate(col_widths):
        table.columns[j].width = Inches(width * w / total)
    row_h = height / nrows
    for i, row in enumerate(rows):
        table.rows[i].height = Inches(row_h)
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            tf.text = str(value)
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.RIGHT if (j in align_right and i > 0) else PP_ALIGN.LEFT
            header = i == 0
            style_runs(p, size, bold=header or i in bold_rows, colour=WHITE if header else DARK)
            if not header:
                cell.fill.solid()
                cell.fill.fore_color.rgb = rgb(WHITE if i % 2 else PALE)
            else:
                cell.fill.solid()
                cell.fill.fore_color.rgb = rgb(HEADING)
    return gf


def point_labels(series, texts: Sequence[str | None], *, size: float = 11, position=None, colour: str = DARK,
                 bold: bool = False) -> None:
    """Each point of ``series`` labelled with its text (None: no label), written as text so that the
    viewer's locale changes nothing ("100,0 %", "2.126")."""
    for i, text in enumerate(texts):
        if text is None:
            continue
        dl = series.points[i].data_label
        tf = dl.text_frame
        tf.text = text
        for run in tf.paragraphs[0].runs:
            run.font.name = OFFICE_FONT
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = rgb(colour)
        if position is not None:
            dl.position = position


def native_chart(slide, kind, categories: Sequence[str], series: Sequence[tuple[str, Sequence]], *,
                 colours: Sequence[str], box=None, value_max: float | None = None, number_format: str = "0",
                 overlap: int | None = None, gap: int | None = None, legend: bool | None = None,
                 category_size: float = 12, name: str | None = None):
    """A native, editable chart; ``None``/NaN values are left blank (never drawn as zero). The value axis
    is hidden (every point carries its label, ``point_labels``); ``number_format`` is that of the
    embedded workbook only."""
    data = CategoryChartData(number_format=number_format)
    data.categories = list(categories)
    for sname, values in series:
        data.add_series(sname, [number_or_none(v) for v in values])
    left, top, width, height = box or content_box()
    gf = slide.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width), Inches(height), data)
    if name:
        gf.name = name
    chart = gf.chart
    chart.font.name = OFFICE_FONT
    chart.font.size = Pt(12)
    chart.font.color.rgb = rgb(DARK)
    chart.has_title = False
    chart.has_legend = len(series) > 1 if legend is None else legend
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    plot = chart.plots[0]
    if gap is not None:
        plot.gap_width = gap
    if overlap is not None:
        plot.overlap = overlap
    line = kind in (XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.LINE)
    for s, colour in zip(plot.series, colours):
        if line:
            s.format.line.color.rgb = rgb(colour)
            s.format.line.width = Pt(2.5)
            s.smooth = False
            s.marker.style = XL_MARKER_STYLE.CIRCLE
            s.marker.size = 8
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = rgb(colour)
            s.marker.format.line.color.rgb = rgb(colour)
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = rgb(colour)
    va = chart.value_axis
    va.minimum_scale = 0
    if value_max is not None:
        va.maximum_scale = value_max
    va.has_major_gridlines = False
    va.visible = False
    ca = chart.category_axis
    ca.tick_labels.font.size = Pt(category_size)
    ca.format.line.color.rgb = rgb(SUBTLE)
    ca.major_tick_mark = XL_TICK_MARK.NONE
    # every category named, on one line: LibreOffice skips every other name that would wrap
    skip = OxmlElement("c:tickLblSkip")
    skip.set("val", "1")
    ca._element.find(qn("c:noMultiLvlLbl")).addprevious(skip)
    if kind in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED):
        ca._element.find(qn("c:txPr")).find(qn("a:bodyPr")).set("wrap", "none")
    if kind in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED):
        ca.reverse_order = True          # first category at the top, as read ...
        # ... and the value axis stays at the bottom: it crosses the category axis at its maximum
        # (set in the XML: python-pptx 1.0.2's ``crosses`` setter leaves "autoZero")
        for el in chart._chartSpace.chart.plotArea.find(qn("c:valAx")).findall(qn("c:crosses")):
            el.set("val", "max")
    return chart


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width (inches) ``text`` takes on one line at ``size`` pt (the measure of ``text_lines``)."""
    return len(text) * size * _EM[bold] / 72


def fix_plot_area(chart, x: float, y: float, w: float, h: float) -> None:
    """Fix the inner plot area of ``chart`` (fractions of the chart's frame), so that a shape drawn over
    the chart (``value_rule``) lands on the value it marks in PowerPoint and LibreOffice alike."""
    plot_area = chart._chartSpace.chart.plotArea
    for old in plot_area.findall(qn("c:layout")):
        plot_area.remove(old)
    layout, manual = OxmlElement("c:layout"), OxmlElement("c:manualLayout")
    for tag, val in (("c:layoutTarget", "inner"), ("c:xMode", "edge"), ("c:yMode", "edge"),
                     ("c:x", x), ("c:y", y), ("c:w", w), ("c:h", h)):
        el = OxmlElement(tag)
        el.set("val", str(val))
        manual.append(el)
    layout.append(manual)
    plot_area.insert(0, layout)


def value_rule(slide, box, inner: tuple[float, float, float, float], value: float, value_max: float, label: str,
               colour: str, name: str):
    """A dashed vertical rule at ``value`` across the inner plot area ``inner`` (``fix_plot_area``) of a
    horizontal bar chart in ``box`` whose value axis runs from 0 to ``value_max``, its label above it: the
    target or average line of the pictures (a bar chart cannot hold a line series)."""
    left, top, width, height = box
    x, y, w, h = inner
    at = left + width * (x + w * value / value_max)
    y0, y1 = top + height * y, top + height * (y + h)
    rule = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(at), Inches(y0), Inches(at), Inches(y1))
    rule.name = name
    rule.line.color.rgb = rgb(colour)
    rule.line.width = Pt(1.75)
    rule.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    wide = text_width(label, 12, True) + 0.2
    textbox(slide, at - wide / 2, y0 - 0.34, wide, 0.3, label, max_pt=12, min_pt=10, bold=True, colour=colour,
            align=PP_ALIGN.CENTER, name=f"{name}_label")
    return rule


def series_as_line(chart, index: int, colour: str, dash: bool = True, marker: bool = False):
    """Move series ``index`` of a clustered column chart into a line chart on the same axes (a combo chart),
    e.g. the target as a dashed line across the bars, or a running total with ``marker``s. The series
    stays in the embedded workbook."""
    plot_area = chart._chartSpace.chart.plotArea
    bar = plot_area.find(qn("c:barChart"))
    ser = bar.findall(qn("c:ser"))[index]
    bar.remove(ser)
    for tag in ("c:invertIfNegative", "c:dLbls", "c:shape"):
        for el in ser.findall(qn(tag)):
            ser.remove(el)
    sp = OxmlElement("c:spPr")
    ln = OxmlElement("a:ln")
    ln.set("w", str(int(2.25 * 12700)))
    fill = OxmlElement("a:solidFill")
    clr = OxmlElement("a:srgbClr")
    clr.set("val", colour.lstrip("#").upper())
    fill.append(clr)
    ln.append(fill)
    if dash:
        dash_el = OxmlElement("a:prstDash")
        dash_el.set("val", "dash")
        ln.append(dash_el)
    sp.append(ln)
    for el in ser.findall(qn("c:spPr")):
        ser.remove(el)
    mk = OxmlElement("c:marker")
    symbol = OxmlElement("c:symbol")
    symbol.set("val", "circle" if marker else "none")
    mk.append(symbol)
    if marker:
        size = OxmlElement("c:size")
        size.set("val", "8")
        mk.append(size)
        msp = OxmlElement("c:spPr")
        mfill = OxmlElement("a:solidFill")
        mclr = OxmlElement("a:srgbClr")
        mclr.set("val", colour.lstrip("#").upper())
        mfill.append(mclr)
        msp.append(mfill)
        mk.append(msp)
    anchor = ser.find(qn("c:tx"))
    anchor.addnext(sp)
    sp.addnext(mk)
    smooth = OxmlElement("c:smooth")
    smooth.set("val", "0")
    ser.append(smooth)

    line = OxmlElement("c:lineChart")
    for tag, val in (("c:grouping", "standard"), ("c:varyColors", "0")):
        el = OxmlElement(tag)
        el.set("val", val)
        line.append(el)
    line.append(ser)
    m = OxmlElement("c:marker")
    m.set("val", "1")
    line.append(m)
    for ax in bar.findall(qn("c:axId")):
        el = OxmlElement("c:axId")
        el.set("val", ax.get("val"))
        line.append(el)
    bar.addnext(line)


#: Figures' header (title and subtitle) is the top 14 % of the picture; the slide has its own title.
_PICTURE_HEADER = 0.14


def picture(slide, png: Path, descr: str, box=None):
    """A chart's PNG in ``box`` (default the content box), as large as it fits, its own header cropped
    off, ``descr`` its alt text."""
    left, top, width, height = box or content_box()
    with Image.open(png) as im:
        w, h = im.size
    aspect = w / (h * (1 - _PICTURE_HEADER))
    pw, ph = (width, width / aspect) if width / aspect <= height else (height * aspect, height)
    pic = slide.shapes.add_picture(str(png), Inches(left + (width - pw) / 2), Inches(top + (height - ph) / 2),
                                   Inches(pw), Inches(ph))
    pic.crop_top = _PICTURE_HEADER
    alt_text(pic, descr)
    return pic
