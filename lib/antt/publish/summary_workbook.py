"""The summary workbook of a cycle, ``tong_hop_<cycle>.xlsx``: "Chỉ số chính" (the keys and ratios
of the province, with coverage and the change since the comparable earlier cycle), "Theo đơn vị"
(one row per district and the province row), "Đầy đủ" and "Phát hiện".
"""

from __future__ import annotations

from pathlib import Path

from antt.analyse.meta import MOVEMENT
from antt.analyse.view import KEY_LABELS, CycleView, comparison
from antt.core import indicators
from antt.core.cycles import parse_cycle
from antt.core.values import number_or_none
from antt.publish.quality_sheets import sheet_completeness, sheet_findings
from antt.publish.report_files import target_file, workbook_name
from antt.publish.xlsx_kit import Col, Formats, SheetWriter, sheet_head, write_cell, write_table, write_workbook

_RATIO_UNITS = {"kdc_meeting_share": "%", "kdc_registered_share": "%", "ntm_share": "%",
                "cameras_per_kdc": "camera/khu dân cư", "members_per_group": "người/tổ, nhóm"}


def _ratio_kind(name: str) -> str:
    return "pct" if name.endswith("_share") else "dec1"


def sheet_key_figures(wb, fm: Formats, view: CycleView) -> None:
    """"Chỉ số chính": the 15 keys and the ratios of the province, with coverage and the change since the
    comparable earlier cycle."""
    ws = wb.add_worksheet("Chỉ số chính")
    top = sheet_head(ws, fm, view, "Các chỉ số chính", "Ô trống: không có số liệu.")
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    cols = [Col("Chỉ số", width=48), Col("Giá trị", "int", 12), Col("Đơn vị tính", width=18),
            Col("Số đơn vị có số liệu", "int", 12), Col("Số đơn vị phải báo cáo", "int", 12),
            Col("Kỳ so sánh", width=22), Col("Giá trị kỳ so sánh", "int", 14), Col("Thay đổi", "int", 12),
            Col("Mã chỉ số", width=24)]
    rows, kinds = [], []
    for k in indicators.SUMMARY_KEYS:
        c = comp.loc[k.name]
        rows.append([k.label, p[k.name], k.unit, cov[k.name], n,
                     parse_cycle(c["previous_cycle"]).label if isinstance(c["previous_cycle"], str) else None,
                     number_or_none(c["previous"]), number_or_none(c["change"]), k.name])
        kinds.append("int")
    for r in indicators.RATIOS:
        rows.append([r.label, p[r.name], _RATIO_UNITS.get(r.name, ""), min(cov[r.numerator], cov[r.denominator]), n,
                     None, None, None, r.name])
        kinds.append(_ratio_kind(r.name))

    def formats(i, j, value):
        return fm.for_kind(kinds[i]) if j == 1 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_units(wb, fm: Formats, view: CycleView) -> None:
    """"Theo đơn vị": one row per district (code, name, the 15 keys, the ratios) and the province row."""
    ws = wb.add_worksheet("Theo đơn vị")
    top = sheet_head(ws, fm, view, "Số liệu theo đơn vị cấp huyện", "Ô trống: không có số liệu.")
    keys = [k.name for k in indicators.SUMMARY_KEYS]
    ratios = [r.name for r in indicators.RATIOS]
    cols = ([Col("Mã đơn vị", width=10), Col("Đơn vị", width=16)]
            + [Col(KEY_LABELS[k], "int", 14) for k in keys] + [Col(KEY_LABELS[r], _ratio_kind(r), 14) for r in ratios])
    d = view.units
    rows = [[r["unit_code"], r["unit_name"], *[number_or_none(r[k]) for k in keys],
             *[number_or_none(r[x]) for x in ratios]] for _, r in d.iterrows()]
    nxt = write_table(ws, fm, top, cols, rows)
    ws.set_row(top, 62)
    p = view.province
    total = [None, "Toàn tỉnh", *[p[k] for k in keys], *[p[x] for x in ratios]]
    for j, (col, value) in enumerate(zip(cols, total)):
        write_cell(ws, fm, nxt, j, value, col.kind, bold=True)
    ws.freeze_panes(top + 1, 2)


WORKBOOK_SHEETS: tuple[SheetWriter, ...] = (sheet_key_figures, sheet_units, sheet_completeness, sheet_findings)


def export_workbook(view: CycleView, path: Path | str) -> Path:
    """``tong_hop_<cycle>.xlsx``: "Chỉ số chính", "Theo đơn vị", "Đầy đủ", "Phát hiện".
    ``path``: an .xlsx file or a folder."""
    return write_workbook(view, target_file(path, workbook_name(view)), WORKBOOK_SHEETS,
                          f"Tổng hợp — {MOVEMENT}")
