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
    comparable earlier cycle (``comparison``: taken on today's communes across the reform, the new-rural
    ones not at all; the note says so)."""
    ws = wb.add_worksheet("Chỉ số chính")
    top = sheet_head(ws, fm, view, "Các chỉ số chính", "Ô trống: không có số liệu.")
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    cols = [Col("Chỉ số", width=48), Col("Giá trị", "int", 12), Col("Đơn vị tính", width=18),
            Col("Số đơn vị có số liệu", "int", 12), Col("Số đơn vị phải báo cáo", "int", 12),
            Col("Kỳ so sánh", width=22), Col("Giá trị kỳ so sánh", "int", 14), Col("Thay đổi", "int", 12),
            Col("Ghi chú so sánh", width=48), Col("Mã chỉ số", width=24)]
    rows, kinds = [], []
    for name, label, unit, covered, kind in (
            [(k.name, k.label, k.unit, cov[k.name], "int") for k in indicators.SUMMARY_KEYS]
            + [(r.name, r.label, _RATIO_UNITS.get(r.name, ""), min(cov[r.numerator], cov[r.denominator]),
                _ratio_kind(r.name)) for r in indicators.RATIOS]):
        c = comp.loc[name]
        rows.append([label, p[name], unit, covered, n,
                     parse_cycle(c["previous_cycle"]).label if isinstance(c["previous_cycle"], str) else None,
                     number_or_none(c["previous"]), number_or_none(c["change"]), _note(c), name])
        kinds.append(kind)

    def formats(i, j, value):
        return fm.for_kind(kinds[i]) if j in (1, 6, 7) else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def _note(c) -> str | None:
    """How the change of a ``comparison`` row was taken, or why there is none."""
    if isinstance(c["reason"], str):
        return c["reason"][0].upper() + c["reason"][1:]
    if c["basis"] == "current":
        return (f"Quy hai kỳ về {c['units']} xã, phường hiện nay qua bảng chuyển đổi đơn vị hành chính; "
                f"cộng trên {c['common']} xã, phường có số liệu cả hai kỳ")
    return None


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
