"""Hand-made commune returns for tests (return-form.md, "After the 2025 reform: the commune return").

The standard return is Xã Lộc Ninh's (Đồng Nai, code 25270) for 2026-H1: Biểu 1 per residential
area, grouped under the former communes whose area the xã took (Thị trấn Lộc Ninh, Xã Lộc Thái), Biểu 2
its own row, Biểu 3 three models (Địa bàn an area, the xã, blank), Biểu 4 per area with one missing
value, Biểu 5 one row for the xã. Every number is typed here; the tests work their expectations out
by hand from these rows. ``write`` writes .xlsx (openpyxl), .xls (xlwt) or .ods (odfpy).
"""

from __future__ import annotations

from pathlib import Path

from tests.returns_builder import TITLE, SheetSpec, write_xlsx

PERIOD_H1_2026 = "Kỳ báo cáo: 6 tháng đầu năm 2026 (số liệu từ ngày 15/12/2025 đến ngày 14/6/2026)"
PERIOD_H1_2025 = "Kỳ báo cáo: 6 tháng đầu năm 2025 (số liệu từ ngày 15/12/2024 đến ngày 14/6/2025)"
LOC_NINH = "25270"


def title_rows(unit: str = "CÔNG AN XÃ LỘC NINH", province: str = "CÔNG AN TỈNH ĐỒNG NAI",
               place: str = "Lộc Ninh, ngày 16 tháng 6 năm 2026", period: str = PERIOD_H1_2026,
               table_title: str = "") -> list[list]:
    return [
        [province, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [unit, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [None, None, None, None, place],
        [],
        [TITLE],
        [period],
        [table_title],
        [],
    ]


TITLE_ROWS = len(title_rows())      # the header is on the next row (9)

# Biểu 1, counts per area (layout C) under the former communes: 4 areas, 3 registered, 2 meeting.
KDC_ROWS = [
    ["STT", "Khu dân cư (ấp, khu phố)", "Tổng số khu dân cư", 'Số KDC đăng ký "An toàn về ANTT"',
     'Số KDC đạt chuẩn "An toàn về ANTT"'],
    ["I", "Thị trấn Lộc Ninh (cũ)"],
    [1, "Khu phố Ninh Thịnh", 1, 1, 1],
    [2, "KP. Ninh Phú", 1, 1, 0],
    ["II", "Xã Lộc Thái (cũ)"],
    [3, "Ấp 3", 1, 1, 1],
    [4, "Ấp Thạnh Phú", 1, 0, 0],
    ["", "Tổng cộng", 4, 3, 2],
]
NTM_ROWS = [
    ["STT", "Xã", "Số tiêu chí đã đạt (/19)", "Đạt chuẩn NTM", "Năm được công nhận", "Tiêu chí 19.2 (An ninh, trật tự)"],
    [1, "Xã Lộc Ninh", 19, "Đạt", 2024, "x"],
]
MODEL_ROWS = [
    ["STT", "Tên mô hình", "Loại mô hình", "Địa bàn", "Nơi triển khai", "Năm thành lập", "Số thành viên", "Số camera"],
    [1, "Tổ ANND ấp 3", "Tổ An ninh nhân dân tự quản", "Ấp 3", "Khu dân cư", 2019, 12, None],
    [2, "Camera khu phố Ninh Thịnh", "Camera an ninh", "Xã Lộc Ninh", "Khu dân cư", 2021, 6, 24],
    [3, "Trường THCS Lộc Ninh", "Camera an ninh", None, "Cơ quan, doanh nghiệp, nhà trường", 2018, 15, 6],
]
# Biểu 4 per area: banners_posters has "?" in Ấp 3 (missing), the other fields sum.
OUTREACH_ROWS = [
    ["STT", "Khu dân cư (ấp, khu phố)", "Số giờ phát thanh, tuyên truyền", "Số băng rôn, khẩu hiệu, áp phích",
     "Số buổi tuyên truyền", "Số lượt người tham dự"],
    [1, "Khu phố Ninh Thịnh", 2, 10, 1, 60],
    [2, "KP. Ninh Phú", 1.5, 4, 1, 45],
    [3, "Ấp 3", 1, "?", 2, 80],
    [4, "Ấp Thạnh Phú", 0.5, 3, 0, 0],
]
BRIGHT_ROWS = [
    ["STT", "Xã, phường", "Điểm sáng cấp tỉnh, cấp huyện", "Điểm sáng cấp xã",
     "Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật", "Số thành viên"],
    [1, "Xã Lộc Ninh", 1, 3, 7, 52],
]
STANDARD = {"kdc": KDC_ROWS, "ntm": NTM_ROWS, "models": MODEL_ROWS, "outreach": OUTREACH_ROWS,
            "bright_spots": BRIGHT_ROWS}
TABLE_TITLES = {"kdc": "Biểu 1: Khu dân cư đăng ký, đạt chuẩn", "ntm": "Biểu 2: Nông thôn mới",
                "models": "Biểu 3: Mô hình", "outreach": "Biểu 4: Tuyên truyền",
                "bright_spots": "Biểu 5: Điểm sáng, tổ nhóm nòng cốt"}


def commune_sheets(tables: dict[str, list[list]] | None = None, **title) -> list[SheetSpec]:
    """One sheet per table, each under the commune's title block."""
    tables = STANDARD if tables is None else tables
    return [SheetSpec(f"Biểu {i}", title_rows(table_title=TABLE_TITLES[tid], **title) + rows)
            for i, (tid, rows) in enumerate(tables.items(), start=1)]


def write(path: Path, sheets: list[SheetSpec]) -> Path:
    """The sheets as a workbook of the format of ``path``'s suffix (.xlsx, .xls, .ods)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xls":
        return _write_xls(path, sheets)
    if path.suffix == ".ods":
        return _write_ods(path, sheets)
    return write_xlsx(path, sheets)


def _write_xls(path: Path, sheets: list[SheetSpec]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        ws = book.add_sheet(spec.name)
        for r, row in enumerate(spec.rows):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    book.save(str(path))
    return path


def _write_ods(path: Path, sheets: list[SheetSpec]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for spec in sheets:
        table = Table(name=spec.name)
        for row in spec.rows:
            tr = TableRow()
            for v in row or [None]:
                if v is None:
                    tr.addElement(TableCell())
                elif isinstance(v, (int, float)):
                    tr.addElement(TableCell(valuetype="float", value=v))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(v)))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path
