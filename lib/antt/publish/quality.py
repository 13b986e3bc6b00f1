"""The data-quality report of a cycle: what arrived, when, which files counted, and every finding.

``write_quality_report(view, out_dir)`` writes two files beside each other:

- ``kiem_tra_du_lieu.html``: one self-contained page (UTF-8, ``lang="vi"``, inline CSS and script,
  nothing fetched, so it reads offline on an intranet) — units in code order
  (``report_frames.in_code_order``): completeness matrix (unit × table, coloured Vietnamese statuses; of many
  units, those with every table received folded in a ``<details>``),
  reporting rate per table (received / expected, never above 100 %), timeliness against the
  deadline (late highlighted), the files (đã nạp / bị thay thế / bị từ chối, with the reason), and
  the findings grouped by district: errors, then warnings, then the information items in an open
  ``<details>``; each finding with file › sheet › cell, its Vietnamese message and code.
  Every text from the data (file names, sheet names, messages) is HTML-escaped: they come from
  files people send; a path may break after each "/".
  Printed: A4 landscape, every finding shown, table headers repeated on each page. On screen, the
  inline script (``_SCRIPT``) sorts a table by a click on a heading (Vietnamese collation; numbers,
  dates and severities by their ``data-value``) and adds a filter box over each table; with
  scripts off the page reads the same, without the two.
- ``kiem_tra_du_lieu.xlsx``: the same tables as sheets, written by the sheet writers of ``antt.publish.quality_sheets``.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import pandas as pd

from antt.analyse.report_frames import (MAX_UNITS, file_statuses, findings_sorted, in_code_order, reporting_rates,
                                        timeliness)
from antt.analyse.view import CycleView
from antt.core import forms
from antt.core.atomic import atomic_path
from antt.core.findings import SEVERITY_LABEL, SEVERITY_ORDER
from antt.core.text import format_number, format_percent
from antt.publish.house_style import COMPLETENESS_COLORS, COMPLETENESS_LABELS
from antt.publish.quality_sheets import sheet_completeness, sheet_files, sheet_findings, sheet_timeliness
from antt.publish.xlsx_kit import write_workbook

HTML_NAME = "kiem_tra_du_lieu.html"
XLSX_NAME = "kiem_tra_du_lieu.xlsx"
TITLE = "Kiểm tra dữ liệu báo cáo"
QUALITY_SHEETS = (sheet_completeness, sheet_timeliness, sheet_files, sheet_findings)

_CSS = """
:root { --text:#262626; --subtle:#666; --line:#d9d9d9; --accent:#1F4E79; --bad:#B00020; --warn:#7F5F00; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--text);
       margin: 0 auto; padding: 24px 32px 48px; max-width: 1320px; line-height: 1.45; font-size: 15px; }
h1 { color: var(--accent); margin: 0 0 4px; font-size: 28px; }
h2 { color: var(--accent); border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-top: 36px; font-size: 21px; }
h3 { margin: 22px 0 6px; font-size: 17px; }
.sub { color: var(--subtle); margin: 0 0 12px; font-size: 16px; }
.note { color: var(--subtle); font-size: 13.5px; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 0; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; background: #fafafa; }
.summary b { font-size: 20px; display: block; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
th { background: #DDEBF7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.wrap { overflow-wrap: anywhere; min-width: 15em; }
.matrix td.st { text-align: center; min-width: 110px; }
.st-received { background: %(received)s; }
.st-empty { background: %(empty)s; font-weight: 600; }
.st-missing { background: %(missing)s; font-weight: 600; }
.st-rejected { background: %(rejected)s; color: #fff; font-weight: 600; }
.bar { background: #eee; width: 160px; height: 12px; display: inline-block; vertical-align: middle; margin-left: 8px; }
.bar span { display: block; height: 12px; background: #009E73; }
tr.late td { background: #FBE3D6; }
tr.late td.status { color: var(--bad); font-weight: 700; }
.f-loaded { color: #00704F; }
.f-superseded { color: #9C5700; font-weight: 600; }
.f-rejected { color: var(--bad); font-weight: 700; }
.sev { font-weight: 700; white-space: nowrap; }
.sev-error { color: var(--bad); background: #FDE7E9; }
.sev-warning { color: var(--warn); background: #FFF4CE; }
.sev-info { color: var(--subtle); font-weight: 400; }
.files td:nth-child(3), .files td:nth-child(4), .files td:nth-child(5) { white-space: nowrap; }
.where { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere;
         min-width: 15em; }
code { font-size: 12.5px; color: var(--subtle); }
details { margin: 6px 0 0; }
summary { cursor: pointer; color: var(--subtle); }
.findings { width: 100%%; }
.findings td:nth-child(1) { width: 90px; }
.findings td:nth-child(2) { width: 34%%; }
th[aria-sort] { cursor: pointer; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
input.filter { display: block; margin: 10px 0 2px; padding: 4px 8px; width: 22em; font: inherit; font-size: 14px; }
@page { size: A4 landscape; margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  table { font-size: 11px; }
  .where, code { font-size: 10px; }
  thead { display: table-header-group; }
  tr, .summary li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  input.filter { display: none; }
  th[aria-sort]::after { content: none; }
}
""" % COMPLETENESS_COLORS


#: Sorting by a click on a heading and a filter box over each table; inline, nothing fetched.
_SCRIPT = r"""
(function () {
  "use strict";
  function fold(s) {                       // lower case, no diacritics: "dong xoai" finds "Đồng Xoài"
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return "";
    return cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
  }
  function compare(a, b) {
    if (a === "" || b === "") return a === b ? 0 : (a === "" ? 1 : -1);   // no value: last
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, "vi", {numeric: true});
  }
  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      th.title = "Bấm để sắp xếp";
      function sort() {
        var down = th.getAttribute("aria-sort") === "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var kept = rows.filter(function (r) { return r.hasAttribute("data-keep"); });
        rows = rows.filter(function (r) { return !r.hasAttribute("data-keep"); });
        rows.sort(function (a, b) {
          var ka = key(a, col), kb = key(b, col), c = compare(ka, kb);
          return ka === "" || kb === "" ? c : (down ? -c : c);
        });
        rows.concat(kept).forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }
  function filterable(table) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.placeholder = "Lọc bảng (gõ tên đơn vị, tệp, nội dung…)";
    box.setAttribute("aria-label", "Lọc các dòng của bảng");
    box.addEventListener("input", function () {
      var q = fold(box.value.trim());
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = !r.hasAttribute("data-keep") && q !== "" && fold(r.textContent).indexOf(q) < 0;
      });
    });
    table.parentNode.insertBefore(box, table);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (t) {
    sortable(t);
    filterable(t);
  });
})();
"""


def _e(value) -> str:
    """Escaped text of a value ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value) is True):
        return ""
    return escape(str(value), quote=True)


def _date(d) -> str:
    return f"{d:%d/%m/%Y}" if isinstance(d, date) else "–"


def _path(value) -> str:
    """Escaped text of a file path (or a location starting with one) that may break after each "/"."""
    return "/<wbr>".join(_e(part) for part in str(value).split("/")) if _e(value) else ""


def _v(value) -> str:
    """The ``data-value`` attribute the table script sorts a cell by ("" sorts last)."""
    if isinstance(value, date):
        value = f"{value:%Y%m%d}"
    return f' data-value="{_e(value)}"'


def location(row) -> str:
    """``file › sheet › cell`` (or ``dòng N`` when only the row is known), the parts that are known."""
    cell = row.get("cell")
    r = row.get("row")
    has = lambda v: v is not None and not (not isinstance(v, str) and pd.isna(v) is True) and str(v) != ""
    where = cell if has(cell) else (f"dòng {int(r)}" if has(r) else None)
    return " › ".join(str(p) for p in (row.get("file"), row.get("sheet"), where) if has(p))


def _table(head: str, rows: list[str], cls: str = "", foot: str = "") -> str:
    """An HTML table from its heading cells and body rows (both already escaped)."""
    return f'<table class="{(cls + " data").strip()}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>{foot}</table>'


def _matrix(view: CycleView) -> str:
    c = view.completeness
    tables = list(forms.TABLES)
    rates = reporting_rates(view).set_index("table")
    head = "".join(f"<th>{_e(forms.TABLES[t].title)}</th>" for t in tables)
    rows, complete = [], []
    for _, r in in_code_order(c).iterrows():
        cells = "".join(
            f'<td class="st st-{_e(r[t])}">{_e(COMPLETENESS_LABELS.get(r[t], r[t]))}</td>' for t in tables)
        row = f"<tr><th scope=\"row\">{_e(r['unit_name'])} <code>{_e(r['unit_code'])}</code></th>{cells}</tr>"
        # of many units (communes) those with every table received are folded away under the others
        (complete if len(c) > MAX_UNITS and (r[tables] == "received").all() else rows).append(row)
    foot = "".join(f'<td class="num">{int(rates.loc[t, "received"])}/{int(rates.loc[t, "expected"])}</td>' for t in tables)
    if complete:
        rows.append(f'<tr data-keep><td colspan="{len(tables) + 1}"><details><summary>{len(complete)} đơn vị khác đã nhận đủ '
                    f'{len(tables)} biểu</summary>{_table(f"<th>Đơn vị</th>{head}", complete, "matrix")}</details>'
                    '</td></tr>')
    legend = " · ".join(f'<span class="st st-{k}" style="padding:1px 8px">{_e(v)}</span>'
                        for k, v in COMPLETENESS_LABELS.items())
    return (_table(f"<th>Đơn vị</th>{head}", rows, "matrix", f"<tfoot><tr><th>Đã nhận</th>{foot}</tr></tfoot>") +
            f'<p class="note">{legend}. “Trống”: có biểu nhưng chưa điền số liệu, tính là chưa nhận; '
            f'“Bị từ chối”: tệp của đơn vị không được tính.</p>')


def _rates(view: CycleView) -> str:
    rows = []
    for r in reporting_rates(view).itertuples():
        rate = r.rate if r.rate is not None else 0.0
        rows.append(f'<tr><td>{_e(r.title)}</td><td class="num"{_v(r.received)}>{r.received}</td>'
                    f'<td class="num"{_v(r.expected)}>{r.expected}</td>'
                    f'<td class="num"{_v(r.rate)}>{_e(format_percent(r.rate))}'
                    f'<span class="bar"><span style="width:{min(100.0, rate * 100):.1f}%"></span></span></td></tr>')
    return _table('<th>Biểu</th><th class="num">Đã nhận</th><th class="num">Phải báo cáo</th>'
                  '<th class="num">Tỷ lệ nhận</th>', rows)


def _timeliness(view: CycleView) -> str:
    t = timeliness(view)
    rows = []
    for r in t.itertuples():
        late = bool(r.days_late) if r.days_late is not None and not pd.isna(r.days_late) else False
        cls = ' class="late"' if late else ""
        rows.append(f'<tr{cls}><td>{_e(r.unit_name)}</td>'
                    f'<td class="num"{_v(r.report_date)}>{_date(r.report_date)}</td>'
                    f'<td class="num"{_v(r.deadline)}>{_date(r.deadline)}</td>'
                    f'<td class="status"{_v(r.days_late)}>{_e(r.status)}</td><td class="wrap">{_path(r.file)}</td></tr>')
    n_late = int((t["days_late"].fillna(0) > 0).sum())
    return (f'<p>Hạn nộp: <b>{_date(view.cycle.deadline)}</b>. Nộp muộn: <b>{n_late}</b> đơn vị. '
            f'Ngày báo cáo là ngày ghi trong khối tiêu đề của tệp được tính.</p>' +
            _table('<th>Đơn vị</th><th class="num">Ngày báo cáo</th><th class="num">Hạn nộp</th>'
                   '<th>Tình trạng</th><th>Tệp</th>', rows))


def _files(view: CycleView) -> str:
    fs = file_statuses(view)
    rows = []
    for r in fs.itertuples():
        rows.append(f'<tr><td class="wrap">{_path(r.file)}</td><td>{_e(r.unit_name) or "–"}</td>'
                    f'<td class="f-{_e(r.status)}">{_e(r.status_label)}</td><td>{_e(r.tables)}</td>'
                    f'<td class="num"{_v(r.report_date)}>{_date(r.report_date)}</td><td>{_e(r.format)}</td>'
                    f'<td class="wrap">{_e(r.reason)}</td></tr>')
    counts = fs["status_label"].value_counts()
    summary = ", ".join(f"{int(n)} {_e(k)}" for k, n in counts.items())
    return (f'<p>{len(fs)} tệp: {summary}.</p>' +
            _table('<th>Tệp</th><th>Đơn vị</th><th>Trạng thái</th><th>Biểu</th><th class="num">Ngày báo cáo</th>'
                   '<th>Định dạng</th><th>Lý do</th>', rows, "files"))


def _finding_rows(f: pd.DataFrame) -> str:
    rows = []
    for _, r in f.iterrows():
        sev = str(r["severity"])
        rows.append(f'<tr><td class="sev sev-{_e(sev)}"{_v(SEVERITY_ORDER.get(sev, ""))}>'
                    f'{_e(SEVERITY_LABEL.get(sev, sev))}</td><td class="where">{_path(location(r))}</td>'
                    f'<td>{_e(r["message"])} <code>[{_e(r["code"])}]</code></td></tr>')
    return _table("<th>Mức độ</th><th>Vị trí (tệp › trang tính › ô)</th><th>Nội dung</th>", rows, "findings")


def _findings(view: CycleView) -> str:
    f = findings_sorted(view)
    if f.empty:
        return "<p>Không có phát hiện nào.</p>"
    key = f["unit_code"].astype("object").where(f["unit_code"].notna(), None)
    units = in_code_order(view.completeness)
    order = list(units["unit_code"])
    groups = [c for c in order if (key == c).any()] + ([None] if key.isna().any() else [])
    sent = (units[list(forms.TABLES)] != "missing").any(axis=1)
    clean = [n for c, n, s in zip(order, units["unit_name"], sent) if s and not (key == c).any()]
    absent = [n for n, s in zip(units["unit_name"], sent) if not s]
    parts = []
    for code in groups:
        mine = f[key.isna()] if code is None else f[key == code]
        name = "Không xác định được đơn vị" if code is None else mine["unit_name"].iloc[0]
        counts = mine["severity"].value_counts()
        count_text = " · ".join(f"{int(counts.get(s, 0))} {SEVERITY_LABEL[s].lower()}" for s in SEVERITY_LABEL)
        main = mine[mine["severity"] != "info"]
        info = mine[mine["severity"] == "info"]
        html = [f'<h3>{_e(name)} <span class="note">{_e(count_text)}</span></h3>']
        if len(main):
            html.append(_finding_rows(main))
        if len(info):
            html.append(f"<details open><summary>{len(info)} thông tin (đã xử lý, để biết)</summary>"
                        f"{_finding_rows(info)}</details>")
        parts.append(f'<section class="district">{"".join(html)}</section>')
    if clean:
        parts.append(f'<p class="note">Không có phát hiện: {_e(", ".join(clean))}.</p>')
    if absent:
        parts.append(f'<p class="note">Chưa có báo cáo (không có tệp để kiểm tra): {_e(", ".join(absent))}.</p>')
    return "".join(parts)


def render_html(view: CycleView, made: date | None = None) -> str:
    """The report page as a string."""
    made = made or date.today()
    sev = view.findings["severity"].value_counts()
    files = view.files["status"].value_counts()
    heading = f"{view.scope_name} · {view.cycle.label} ({view.cycle.period_text})"
    summary = [
        (f"{view.reporting}/{view.expected}", "đơn vị có báo cáo"),
        (format_number(int(sev.get("error", 0))), "lỗi"),
        (format_number(int(sev.get("warning", 0))), "cảnh báo"),
        (format_number(int(sev.get("info", 0))), "thông tin"),
        (format_number(len(view.files)), f"tệp ({int(files.get('loaded', 0))} đã nạp, "
                                         f"{int(files.get('superseded', 0))} bị thay thế, "
                                         f"{int(files.get('rejected', 0))} bị từ chối)"),
    ]
    items = "".join(f"<li><b>{_e(a)}</b>{_e(b)}</li>" for a, b in summary)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(TITLE)} — {_e(view.scope_name)}, {_e(view.cycle.label)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(TITLE)}</h1>
<p class="sub">{_e(heading)}</p>
<p class="note">Lập ngày {made:%d/%m/%Y}. {_e(view.source)}. Hạn nộp báo cáo: {_date(view.cycle.deadline)}.</p>
<ul class="summary">{items}</ul>
</header>
<main>
<section id="day-du"><h2>1. Tình hình nhận biểu theo đơn vị</h2>{_matrix(view)}</section>
<section id="ty-le"><h2>2. Tỷ lệ nhận theo biểu</h2>{_rates(view)}</section>
<section id="thoi-han"><h2>3. Thời hạn nộp báo cáo</h2>{_timeliness(view)}</section>
<section id="tep"><h2>4. Tệp trong thư mục kỳ báo cáo</h2>{_files(view)}</section>
<section id="phat-hien"><h2>5. Phát hiện khi kiểm tra, theo đơn vị</h2>
<p class="note">Lỗi: số liệu không được tính; cảnh báo: đã tính nhưng cần xem lại; thông tin: đã xử lý.</p>
{_findings(view)}</section>
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_quality_report(view: CycleView, out_dir: Path | str, made: date | None = None) -> tuple[Path, Path]:
    """``out_dir/kiem_tra_du_lieu.html`` and ``out_dir/kiem_tra_du_lieu.xlsx``; returns both paths."""
    out_dir = Path(out_dir)
    html_path, xlsx_path = out_dir / HTML_NAME, out_dir / XLSX_NAME
    page = render_html(view, made)
    with atomic_path(html_path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    write_workbook(view, xlsx_path, QUALITY_SHEETS, TITLE)
    return html_path, xlsx_path
