"""The sheets about the returns themselves, in the summary workbook and the quality workbook:
completeness (unit × table, with the reporting rates), findings, files and timeliness. Units in
code order (``report_frames.in_code_order``); a finding's kind in words (``finding_kind``), never
its internal code.
"""

from __future__ import annotations

import re

from antt.analyse.report_frames import (file_statuses, findings_sorted, in_code_order, reporting_rates,
                                        severity_counts, timeliness)
from antt.analyse.view import CycleView
from antt.core import forms
from antt.core.findings import CODES, SEVERITY_LABEL
from antt.core.values import number_or_none
from antt.publish.house_style import COMPLETENESS_LABELS
from antt.publish.xlsx_kit import Col, Formats, sheet_head, write_cell, write_table


def finding_kind(code: str) -> str:
    """A finding's kind in Vietnamese: the first clause of its message template (``CODES``), each
    field left as "…", a leading field dropped ("Báo cáo ngày …, sau hạn …", "Số âm (…)"); the code
    itself if it is not registered."""
    if code not in CODES:
        return str(code)
    text = re.sub(r"^…:\s*", "", re.sub(r"\{[^}]*\}", "…", CODES[code][1]))
    text = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    return text[:1].upper() + text[1:]


def sheet_completeness(wb, fm: Formats, view: CycleView) -> None:
    """"Đầy đủ": district × table with Vietnamese statuses, and the reporting rate per table under it."""
    ws = wb.add_worksheet("Đầy đủ")
    top = sheet_head(ws, fm, view, "Tình hình nhận báo cáo theo đơn vị và biểu",
                     "Đã nhận: biểu có số liệu; Trống: có biểu nhưng chưa điền (tính là chưa nhận); "
                     "Thiếu: không có biểu; Bị từ chối: tệp không được tính.")
    tables = list(forms.TABLES)
    cols = ([Col("Mã đơn vị", width=10), Col("Đơn vị", width=16)]
            + [Col(forms.TABLES[t].title, "status", 22) for t in tables] + [Col("Số biểu đã nhận", "int", 12)])
    c = in_code_order(view.completeness)
    rows = [[r["unit_code"], r["unit_name"], *[COMPLETENESS_LABELS.get(r[t], str(r[t])) for t in tables],
             int(sum(r[t] == "received" for t in tables))] for _, r in c.iterrows()]
    status_of = {v: k for k, v in COMPLETENESS_LABELS.items()}

    def formats(i, j, value):
        if 2 <= j < 2 + len(tables):
            return fm.status.get(status_of.get(value), fm.text)
        return None
    nxt = write_table(ws, fm, top, cols, rows, cell_formats=formats) + 1     # a blank row: outside the filter
    rates = reporting_rates(view).set_index("table")
    write_cell(ws, fm, nxt, 1, "Số đơn vị đã nhận", bold=True)
    write_cell(ws, fm, nxt + 1, 1, "Tỷ lệ nhận", bold=True)
    for j, t in enumerate(tables, start=2):
        write_cell(ws, fm, nxt, j, int(rates.loc[t, "received"]), "int", bold=True)
        write_cell(ws, fm, nxt + 1, j, float(rates.loc[t, "rate"]) if rates.loc[t, "rate"] is not None else None,
                   "pct", bold=True)
    ws.freeze_panes(top + 1, 2)


def sheet_findings(wb, fm: Formats, view: CycleView) -> None:
    """"Phát hiện": every finding, errors first, with where it is (file › sheet › cell, row) and the message."""
    ws = wb.add_worksheet("Phát hiện")
    sev = severity_counts(view)
    top = sheet_head(ws, fm, view, "Phát hiện khi kiểm tra dữ liệu",
                     f"{sev['error']} lỗi, {sev['warning']} cảnh báo, {sev['info']} thông tin.")
    cols = [Col("Mức độ", width=11), Col("Loại phát hiện", width=36), Col("Mã đơn vị", width=10),
            Col("Đơn vị", width=14),
            Col("Tệp", width=40), Col("Trang tính", width=16), Col("Ô", width=7), Col("Dòng", "int", 7),
            Col("Nội dung", width=90)]
    f = findings_sorted(view)
    rows = [[SEVERITY_LABEL.get(r["severity"], r["severity"]), finding_kind(r["code"]), r["unit_code"], r["unit_name"],
             r["file"], r["sheet"], r["cell"], number_or_none(r["row"]), r["message"]] for _, r in f.iterrows()]
    sev_of = {v: k for k, v in SEVERITY_LABEL.items()}

    def formats(i, j, value):
        return fm.severity.get(sev_of.get(value)) if j == 0 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_files(wb, fm: Formats, view: CycleView) -> None:
    """"Tệp": every file of the cycle folder with its status and, if set aside, why."""
    ws = wb.add_worksheet("Tệp")
    top = sheet_head(ws, fm, view, "Tệp trong thư mục kỳ báo cáo")
    cols = [Col("Tệp", width=44), Col("Đơn vị", width=14), Col("Trạng thái", width=12), Col("Biểu", width=30),
            Col("Ngày báo cáo", "date", 13), Col("Định dạng", width=9), Col("Lý do", width=80)]
    fs = file_statuses(view)
    rows = [[r.file, r.unit_name, r.status_label, r.tables or None, r.report_date, r.format, r.reason or None]
            for r in fs.itertuples()]
    late_fmt = {"rejected": fm.status["rejected"], "superseded": fm.status["empty"]}
    statuses = list(fs["status"])

    def formats(i, j, value):
        return late_fmt.get(statuses[i]) if j == 2 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_timeliness(wb, fm: Formats, view: CycleView) -> None:
    """"Thời hạn": each district's report date against the deadline; late in red."""
    ws = wb.add_worksheet("Thời hạn")
    top = sheet_head(ws, fm, view, "Thời hạn nộp báo cáo", f"Hạn nộp: {view.cycle.deadline:%d/%m/%Y}.")
    cols = [Col("Mã đơn vị", width=10), Col("Đơn vị", width=16), Col("Ngày báo cáo", "date", 13),
            Col("Hạn nộp", "date", 13), Col("Số ngày muộn", "int", 10), Col("Tình trạng", width=22),
            Col("Tệp", width=50)]
    t = timeliness(view)
    rows = [[r.unit_code, r.unit_name, r.report_date, r.deadline, r.days_late, r.status, r.file]
            for r in t.itertuples()]
    late = [bool(x) for x in t["days_late"].fillna(0)]

    def formats(i, j, value):
        return fm.late if late[i] and j in (4, 5) else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)
