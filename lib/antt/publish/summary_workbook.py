"""The summary workbook of a cycle, ``tong_hop_<cycle>.xlsx``: "Chỉ số chính" (the keys and ratios
of the province, with coverage and the like-for-like change since the comparable earlier cycle),
"Theo đơn vị" (one row per unit in code order, the province row and the units with data per
column), "Đầy đủ", "Phát hiện" and "Định nghĩa chỉ số" (what each indicator means and its source).
A value over fewer units than expected is marked " *", with a note under the table.
"""

from __future__ import annotations

from pathlib import Path

from antt.analyse.definitions import AGGREGATION, indicator_definitions
from antt.analyse.meta import MOVEMENT
from antt.analyse.report_frames import in_code_order
from antt.analyse.view import KEY_LABELS, CycleView, comparison
from antt.core import indicators
from antt.core.cycles import parse_cycle
from antt.core.values import is_missing, number_or_none
from antt.publish.quality_sheets import sheet_completeness, sheet_findings
from antt.publish.report_files import target_file, workbook_name
from antt.publish.xlsx_kit import (Col, Formats, SheetWriter, sheet_head, write_cell, write_notes, write_table,
                                   write_workbook)

INCOMPLETE = " *"
LEVEL_WORDS = {"district": "cấp huyện", "commune": "cấp xã"}


def _ratio_kind(name: str) -> str:
    return "pct" if name.endswith("_share") else "dec1"


def sheet_key_figures(wb, fm: Formats, view: CycleView) -> None:
    """"Chỉ số chính": the 15 keys and the ratios of the province, with coverage ("*" when short of the
    units expected) and the change since the comparable earlier cycle (``comparison``: like for like,
    over the units with a value in both, "10/11" of them; taken on today's communes across the
    reform, the new-rural ones not at all; the note says so)."""
    ws = wb.add_worksheet("Chỉ số chính")
    top = sheet_head(ws, fm, view, "Các chỉ số chính",
                     "Ô trống: không có số liệu. Định nghĩa và nguồn: trang “Định nghĩa chỉ số”.")
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    units = indicator_definitions().set_index("key")["unit"]
    cols = [Col("Chỉ số", width=48), Col("Giá trị", "int", 12), Col("Đơn vị tính", width=18),
            Col("Số đơn vị có số liệu", "int", 12), Col("Số đơn vị phải báo cáo", "int", 12),
            Col("Kỳ so sánh", width=22), Col("Giá trị kỳ so sánh", "int", 14), Col("Thay đổi", "int", 12),
            Col("Số đơn vị so sánh", width=12), Col("Ghi chú so sánh", width=48)]
    rows, kinds = [], []
    for name, label, covered, kind in (
            [(k.name, k.label, cov[k.name], "int") for k in indicators.SUMMARY_KEYS]
            + [(r.name, r.label, min(cov[r.numerator], cov[r.denominator]), _ratio_kind(r.name))
               for r in indicators.RATIOS]):
        c = comp.loc[name]
        change = number_or_none(c["change"])
        rows.append([label + (INCOMPLETE if covered < n else ""), p[name], units[name], covered, n,
                     parse_cycle(c["previous_cycle"]).label if isinstance(c["previous_cycle"], str) else None,
                     number_or_none(c["previous"]), change,
                     f"{c['common']}/{c['units']}" if change is not None else None, _note(c)])
        kinds.append(kind)

    def formats(i, j, value):
        return fm.for_kind(kinds[i]) if j in (1, 6) else fm.signed[kinds[i]] if j == 7 else None
    nxt = write_table(ws, fm, top, cols, rows, cell_formats=formats)
    notes = []
    if any(r[0].endswith(INCOMPLETE) for r in rows):
        notes.append(f"* Chưa đủ số liệu: giá trị chỉ tính trên các đơn vị có số liệu (cột “Số đơn vị có số liệu”), "
                     f"chưa phải của cả {n} đơn vị phải báo cáo.")
    if any(r[7] is not None for r in rows):
        notes.append("Thay đổi: so với kỳ so sánh, chỉ trên các đơn vị có số liệu ở cả hai kỳ (cột “Số đơn vị so "
                     "sánh”), nên có thể khác hiệu của hai giá trị.")
    write_notes(ws, fm, nxt + 1, notes)


def _note(c) -> str | None:
    """How the change of a ``comparison`` row was taken, or why there is none."""
    if isinstance(c["reason"], str):
        return c["reason"][0].upper() + c["reason"][1:]
    if c["basis"] == "current":
        return (f"Quy hai kỳ về {c['units']} xã, phường hiện nay qua bảng chuyển đổi đơn vị hành chính; "
                f"cộng trên {c['common']} xã, phường có số liệu cả hai kỳ")
    return None


def sheet_units(wb, fm: Formats, view: CycleView) -> None:
    """"Theo đơn vị": one row per unit in code order (code, name, the 15 keys, the ratios), the province
    row ("*" when a column is short of units) and, under it, the units with a value in each column."""
    ws = wb.add_worksheet("Theo đơn vị")
    top = sheet_head(ws, fm, view, f"Số liệu theo đơn vị {LEVEL_WORDS.get(view.level, '')}".rstrip(),
                     "Ô trống: không có số liệu.")
    names = [k.name for k in indicators.SUMMARY_KEYS] + [r.name for r in indicators.RATIOS]
    kinds = ["int"] * len(indicators.SUMMARY_KEYS) + [_ratio_kind(r.name) for r in indicators.RATIOS]
    cols = ([Col("Mã đơn vị", width=10), Col("Đơn vị", width=16)]
            + [Col(KEY_LABELS[x], kind, 14) for x, kind in zip(names, kinds)])
    d = in_code_order(view.units)
    rows = [[r["unit_code"], r["unit_name"], *[number_or_none(r[x]) for x in names]] for _, r in d.iterrows()]
    nxt = write_table(ws, fm, top, cols, rows)
    ws.set_row(top, 62)
    covered = [int(d[x].notna().sum()) for x in names]
    short = any(c < view.expected for c in covered)
    p = view.province
    total = [None, "Toàn tỉnh" + (INCOMPLETE if short else ""), *[p[x] for x in names]]
    for j, (col, value) in enumerate(zip(cols, total)):
        write_cell(ws, fm, nxt, j, value, col.kind, bold=True)
    for j, value in enumerate([None, "Số đơn vị có số liệu", *covered]):
        write_cell(ws, fm, nxt + 1, j, value, "int")
    notes = [AGGREGATION]
    if short:
        notes.insert(0, f"* Chưa đủ số liệu ở các cột có dưới {view.expected} đơn vị có số liệu (dòng “Số đơn vị có "
                        "số liệu”): số toàn tỉnh ở đó chỉ tính trên các đơn vị có số liệu.")
    write_notes(ws, fm, nxt + 3, notes)
    ws.freeze_panes(top + 1, 2)


def sheet_definitions(wb, fm: Formats, view: CycleView) -> None:
    """"Định nghĩa chỉ số": every key and ratio, what it means, numerator and denominator, unit, stock
    or flow, and the table and column of the form it comes from (``indicator_definitions``)."""
    ws = wb.add_worksheet("Định nghĩa chỉ số")
    top = sheet_head(ws, fm, view, "Định nghĩa các chỉ số", AGGREGATION)
    cols = [Col("Chỉ số", width=36), Col("Loại", width=8), Col("Định nghĩa", width=50), Col("Tử số", width=26),
            Col("Mẫu số", width=22), Col("Đơn vị tính", width=16), Col("Thời điểm", width=22),
            Col("Nguồn (biểu, cột của mẫu báo cáo)", width=60)]
    d = indicator_definitions()
    rows = [[r.label, r.kind, r.definition, None if is_missing(r.numerator) else r.numerator,
             None if is_missing(r.denominator) else r.denominator, r.unit, r.timing, r.source] for r in d.itertuples()]
    write_table(ws, fm, top, cols, rows)


WORKBOOK_SHEETS: tuple[SheetWriter, ...] = (sheet_key_figures, sheet_units, sheet_completeness, sheet_findings,
                                            sheet_definitions)


def export_workbook(view: CycleView, path: Path | str) -> Path:
    """``tong_hop_<cycle>.xlsx``: "Chỉ số chính", "Theo đơn vị", "Đầy đủ", "Phát hiện", "Định nghĩa chỉ số".
    ``path``: an .xlsx file or a folder."""
    return write_workbook(view, target_file(path, workbook_name(view)), WORKBOOK_SHEETS,
                          f"Tổng hợp — {MOVEMENT}")
