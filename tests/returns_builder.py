"""Hand-made district returns for tests: a readable table of cells in, a workbook out.

The numbers of the standard return (Thành phố Đồng Xoài, 2023-H1) are typed here by hand; the
expected totals in the tests are worked out from them by hand too (see ``DONG_XOAI_TOTALS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

#: The scope of the returns built here: Bình Phước (province 70), whose district returns they are.
SCOPE = "70"
TITLE = "BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC"
PERIOD_H1_2023 = "Kỳ báo cáo: 6 tháng đầu năm 2023 (số liệu từ ngày 15/12/2022 đến ngày 14/6/2023)"


@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    merges: list[str] = field(default_factory=list)
    hidden: bool = False
    fonts: dict[str, str] = field(default_factory=dict)   # cell ref -> font name


def title_rows(unit: str = "CÔNG AN THÀNH PHỐ ĐỒNG XOÀI", period: str = PERIOD_H1_2023,
               place: str = "Đồng Xoài, ngày 16 tháng 6 năm 2023", table_title: str = "") -> list[list]:
    return [
        ["CÔNG AN TỈNH BÌNH PHƯỚC", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [unit, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [None, None, None, None, place],
        [],
        [TITLE],
        [period],
        [table_title],
        [],
    ]


# The standard return of Thành phố Đồng Xoài (8 communes: 6 phường, 2 xã), layout A everywhere.
KDC_ROWS = [
    ["STT", "Xã, phường, thị trấn", "Tổng số khu dân cư", 'Số KDC đăng ký "An toàn về ANTT"',
     'Số KDC đạt chuẩn "An toàn về ANTT"'],
    [1, "Phường Tân Phú", 12, 12, 11],
    [2, "Phường Tân Đồng", 10, 10, 10],
    [3, "Phường Tân Bình", 9, 9, 9],
    [4, "Phường Tân Xuân", 11, 11, 10],
    [5, "Phường Tân Thiện", 8, 8, 8],
    [6, "Xã Tân Thành", 7, 7, 6],
    [7, "Phường Tiến Thành", 9, 9, 9],
    [8, "Xã Tiến Hưng", 6, 6, 6],
]
NTM_ROWS = [
    ["STT", "Xã", "Số tiêu chí đã đạt (/19)", "Đạt chuẩn NTM", "Năm được công nhận", "Tiêu chí 19.2 (An ninh, trật tự)"],
    [1, "Xã Tân Thành", 19, "Đạt", 2019, "x"],
    [2, "Xã Tiến Hưng", 17, "Chưa đạt", None, "x"],
]
MODEL_ROWS = [
    ["STT", "Tên mô hình", "Loại mô hình", "Địa bàn (xã, phường, thị trấn)", "Nơi triển khai", "Năm thành lập",
     "Số thành viên", "Số camera"],
    [1, "Tổ ANND khu phố 1", "Tổ An ninh nhân dân tự quản", "Phường Tân Phú", "Khu dân cư", 2019, 12, None],
    [2, "Camera khu phố 3", "Camera an ninh", "Phường Tân Đồng", "Khu dân cư", 2020, 8, 24],
    [3, "Trường THPT Đồng Xoài", "Camera an ninh", "Phường Tân Bình", "Cơ quan, doanh nghiệp, nhà trường", 2018, 15, 6],
    [4, "Tiếng kẻng ấp 2", "Tiếng kẻng an ninh", "Xã Tân Thành", "Khu dân cư", 2021, 20, None],
]
OUTREACH_ROWS = [
    ["STT", "Xã, phường, thị trấn", "Số giờ phát thanh, tuyên truyền", "Số băng rôn, khẩu hiệu, áp phích",
     "Số buổi tuyên truyền", "Số lượt người tham dự"],
    [1, "Phường Tân Phú", 2, 30, 3, 250],
    [2, "Phường Tân Đồng", 1.5, 20, 2, 180],
    [3, "Phường Tân Bình", 1, 15, 2, 150],
    [4, "Phường Tân Xuân", 1, 18, 1, 90],
    [5, "Phường Tân Thiện", 0.5, 10, 1, 60],
    [6, "Xã Tân Thành", 1, 12, 2, 140],
    [7, "Phường Tiến Thành", 1, 14, 1, 80],
    [8, "Xã Tiến Hưng", 1, 11, 2, 120],
]
BRIGHT_ROWS = [
    ["STT", "Xã, phường, thị trấn", "Điểm sáng cấp tỉnh, cấp huyện", "Điểm sáng cấp xã",
     "Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật", "Số thành viên"],
    [1, "Phường Tân Phú", 1, 2, 6, 40],
    [2, "Phường Tân Đồng", 0, 2, 5, 35],
    [3, "Phường Tân Bình", 1, 1, 4, 30],
    [4, "Phường Tân Xuân", 0, 2, 5, 33],
    [5, "Phường Tân Thiện", 0, 1, 4, 28],
    [6, "Xã Tân Thành", 1, 2, 6, 45],
    [7, "Phường Tiến Thành", 0, 1, 4, 26],
    [8, "Xã Tiến Hưng", 1, 2, 5, 38],
]
STANDARD = {"kdc": KDC_ROWS, "ntm": NTM_ROWS, "models": MODEL_ROWS, "outreach": OUTREACH_ROWS,
            "bright_spots": BRIGHT_ROWS}
TABLE_TITLES = {"kdc": "Biểu 1: Khu dân cư đăng ký, đạt chuẩn", "ntm": "Biểu 2: Nông thôn mới",
                "models": "Biểu 3: Mô hình", "outreach": "Biểu 4: Tuyên truyền",
                "bright_spots": "Biểu 5: Điểm sáng, tổ nhóm nòng cốt"}

# Worked out by hand from the rows above.
DONG_XOAI_TOTALS = {
    "kdc_total": 72, "kdc_registered": 72, "kdc_meeting": 69, "ntm_communes": 2, "ntm_met": 1,
    "models_residential": 3, "models_institutional": 1, "communes_with_models": 3, "cameras": 30,
    "broadcast_hours": 9, "banners_posters": 130, "bright_spots_upper": 4, "bright_spots_commune": 13,
    "core_groups": 39, "core_group_members": 275,
}


def standard_sheets(tables: dict[str, list[list]] | None = None, **title) -> list[SheetSpec]:
    """One sheet per table, each under the standard title block."""
    tables = STANDARD if tables is None else tables
    return [SheetSpec(f"Biểu {i}", title_rows(table_title=TABLE_TITLES[tid], **title) + rows)
            for i, (tid, rows) in enumerate(tables.items(), start=1)]


def write_xlsx(path: Path, sheets: list[SheetSpec]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for r, row in enumerate(spec.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(r, c, v)
        for m in spec.merges:
            ws.merge_cells(m)
        for ref, font in spec.fonts.items():
            ws[ref].font = Font(name=font)
        if spec.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path
