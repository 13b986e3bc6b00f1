"""Findings: every code the suite can report, with its severity and Vietnamese message template.

A finding is ``{severity, code, file, sheet, cell, row, message}`` (shared contract): ``file`` is
relative to the raw folder, ``cell`` like "F13" or None, ``row`` the 1-based sheet row or None.
This module is the one list of codes; the README's table is generated from ``CODES``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SEVERITY_LABEL = {ERROR: "Lỗi", WARNING: "Cảnh báo", INFO: "Thông tin"}

#: code -> (severity, message template). Templates use str.format fields named in the call.
CODES: dict[str, tuple[str, str]] = {
    # files
    "file_empty": (ERROR, "Tệp rỗng (0 byte): không có dữ liệu để đọc."),
    "file_unreadable": (ERROR, "Không đọc được tệp ({detail}); cần gửi lại tệp Excel hợp lệ (.xlsx, .xlsm, .xls, .ods)."),
    "file_not_workbook": (ERROR, "Tệp không phải bảng tính Excel/ODS ({detail})."),
    "file_encrypted": (ERROR, "Tệp được đặt mật khẩu mở; cần gửi bản không đặt mật khẩu."),
    "file_too_large": (ERROR, "Tệp vượt giới hạn an toàn ({detail}); tệp bị từ chối."),
    "file_hostile": (ERROR, "Tệp có cấu trúc nguy hiểm ({detail}); tệp bị từ chối."),
    "file_no_table": (ERROR, "Không nhận ra biểu nào trong tệp (cần tiêu đề cột của ít nhất một trong 5 biểu)."),
    "file_superseded": (INFO, "Tệp bị thay thế bởi {winner} ({reason})."),
    "file_duplicate": (INFO, "Tệp trùng từng byte với {winner}; chỉ tính một lần."),
    # title block
    "unit_unknown": (ERROR, "Không xác định được đơn vị báo cáo: cần tên đơn vị trong khối tiêu đề (như \u201cCÔNG AN XÃ LỘC NINH\u201d, \u201cCÔNG AN HUYỆN LỘC NINH\u201d) hoặc trong tên tệp; khối tiêu đề ghi: {found}. Tệp không được tính."),
    "unit_ambiguous": (ERROR, "Khối tiêu đề ghi \u201c{found}\u201d, là tên của nhiều đơn vị báo cáo ({candidates}); cần ghi rõ đơn vị cấp trên. Tệp không được tính."),
    "unit_other_province": (ERROR, "Đơn vị báo cáo là {found}, không thuộc {province}; tệp không được tính."),
    "unit_former": (ERROR, "Đơn vị báo cáo ghi trong khối tiêu đề là {found}, là đơn vị cũ; từ 01/07/2025 địa bàn thuộc {successors}. Cần báo cáo theo đơn vị mới; tệp không được tính."),
    "unit_from_filename": (WARNING, "Khối tiêu đề không ghi đơn vị báo cáo; đã xác định {unit} theo tên tệp."),
    "period_mismatch": (ERROR, "Kỳ báo cáo ghi trong tệp là {found}, khác kỳ của thư mục ({expected}); tệp không được tính."),
    "period_unknown": (ERROR, "Không xác định được kỳ báo cáo: khối tiêu đề không ghi kỳ và tệp không nằm trong thư mục của một kỳ (ví dụ data/raw/2023-H1/)."),
    "period_from_folder": (INFO, "Khối tiêu đề không ghi kỳ báo cáo; lấy kỳ theo thư mục ({expected})."),
    "report_date_missing": (INFO, "Không đọc được ngày báo cáo trong khối tiêu đề."),
    "report_late": (WARNING, "Báo cáo ngày {found}, sau hạn {expected}."),
    # tables and headings
    "table_missing": (WARNING, "Thiếu {table} trong báo cáo."),
    "table_duplicate": (WARNING, "{table} xuất hiện ở nhiều trang tính; dùng trang đầu tiên ({expected})."),
    "column_missing": (WARNING, "{table}: không tìm thấy cột \u201c{expected}\u201d; giá trị cột này để trống (thiếu), không tính là 0."),
    "layout_changed": (INFO, "{table}: bố cục tiêu đề khác kỳ báo cáo trước của đơn vị ({detail})."),
    # cells
    "value_missing": (WARNING, "{field}: ô ghi \u201c{found}\u201d (chưa có số liệu); để trống, không tính là 0."),
    "value_unreadable": (ERROR, "{field}: không đọc được số từ \u201c{found}\u201d; cần một số nguyên không âm."),
    "value_negative": (ERROR, "{field}: số âm ({found}); cần số không âm. Dòng không được tính."),
    "value_not_integer": (ERROR, "{field}: {found} không phải số nguyên. Dòng không được tính."),
    "mark_unreadable": (ERROR, "{field}: không hiểu \u201c{found}\u201d; cần \u201cx\u201d/\u201cĐạt\u201d hoặc để trống/\u201cKhông\u201d."),
    "formula_unevaluated": (WARNING, "Ô có công thức {found} nhưng không có giá trị lưu sẵn và không tính được; giá trị để trống (thiếu)."),
    "legacy_text_decoded": (INFO, "Chữ gõ bằng bảng mã {found} (ví dụ \u201c{detail}\u201d) đã được chuyển sang Unicode."),
    # communes
    "commune_unknown": (ERROR, "Không tìm thấy \u201c{found}\u201d trong danh sách xã, phường, thị trấn của {district}; gần nhất: {candidates}. Dòng không được tính."),
    "commune_other_district": (ERROR, "\u201c{found}\u201d là đơn vị của {other}, không thuộc {district}. Dòng không được tính."),
    "commune_duplicate": (ERROR, "{table}: \u201c{found}\u201d xuất hiện {count} lần (các dòng {rows}); tất cả các dòng này không được tính."),
    "commune_absent": (WARNING, "{table}: không có dòng cho {found}."),
    "area_duplicate": (ERROR, "{table}: khu dân cư \u201c{found}\u201d xuất hiện {count} lần (các dòng {rows}); mỗi khu dân cư chỉ ghi một dòng. Tất cả các dòng này không được tính."),
    "ntm_rows_commune": (ERROR, "{table}: báo cáo của {found} có {count} dòng (các dòng {rows}); báo cáo của một xã chỉ có một dòng cho chính xã đó. Tất cả các dòng này không được tính."),
    "unit_overlap": (WARNING, "{table}: {found} đã gửi báo cáo riêng ({winner}); dòng của {found} trong báo cáo này không được tính."),
    "kdc_areas_changed": (INFO, "Danh sách khu dân cư của {found} khác kỳ {previous}: thêm {added}; không còn {removed}."),
    "crosswalk_divided": (INFO, "{found} được chia cho {parts}; khi quy về đơn vị hiện nay, số liệu của {found} được tính cho {default} (mặc định của bộ dữ liệu vietnamadminunits)."),
    "ntm_not_xa": (INFO, "{table}: {found} là {kind}, không thuộc diện xét nông thôn mới; dòng được bỏ qua."),
    # rules
    "kdc_registered_gt_total": (ERROR, "Số KDC đăng ký ({found}) lớn hơn tổng số KDC ({expected}). Dòng không được tính."),
    "kdc_meeting_gt_registered": (ERROR, "Số KDC đạt chuẩn ({found}) lớn hơn số KDC đăng ký ({expected}). Dòng không được tính."),
    "kdc_meeting_gt_total": (ERROR, "Số KDC đạt chuẩn ({found}) lớn hơn tổng số KDC ({expected}). Dòng không được tính."),
    "ntm_criteria_out_of_range": (ERROR, "Số tiêu chí đạt ({found}) phải từ 0 đến 19. Dòng không được tính."),
    "ntm_met_criteria": (ERROR, "Xã ghi đạt chuẩn NTM nhưng chỉ đạt {found}/19 tiêu chí. Dòng không được tính."),
    "ntm_year_after_cycle": (ERROR, "Năm công nhận NTM ({found}) sau năm của kỳ báo cáo ({expected}). Dòng không được tính."),
    "ntm_met_no_year": (WARNING, "Xã ghi đạt chuẩn NTM nhưng không có năm công nhận."),
    "setting_unknown": (ERROR, "Nơi triển khai \u201c{found}\u201d không phải \u201cKhu dân cư\u201d hay \u201cCơ quan, doanh nghiệp, nhà trường\u201d. Dòng không được tính."),
    "model_type_other": (INFO, "Loại mô hình \u201c{found}\u201d không có trong danh mục; xếp vào \u201cKhác\u201d."),
    "total_mismatch": (WARNING, "{field}: dòng tổng ghi {found}, cộng các dòng số liệu được {expected}."),
    "ratio_mismatch": (WARNING, "{field}: tỷ lệ ghi {found}, tính từ số liệu được {expected}."),
    "outlier_drop": (WARNING, "{field}: giảm từ {expected} ({previous}) xuống {found}, hơn một phần ba; cần kiểm tra."),
    "outlier_kdc_change": (WARNING, "Tổng số KDC thay đổi từ {expected} ({previous}) thành {found}, hơn 5 %; cần kiểm tra."),
    "row_unclassified": (WARNING, "Dòng không nhận ra là số liệu, dòng tổng hay tiêu đề (ô đầu: \u201c{found}\u201d); dòng được bỏ qua."),
}


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    file: str | None
    sheet: str | None
    cell: str | None
    row: int | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def location(self) -> str:
        """``LocNinh.xlsx › Biểu 1 › E14`` (only the parts known)."""
        return " › ".join(str(p) for p in (self.file, self.sheet, self.cell or (f"dòng {self.row}" if self.row else None)) if p)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message} [{self.code}]"


def finding(code: str, file: str | None = None, sheet: str | None = None, cell: str | None = None,
            row: int | None = None, **fields) -> Finding:
    """Build the finding for ``code`` with its registered severity and message."""
    severity, template = CODES[code]
    return Finding(severity, code, file, sheet, cell, row, template.format(**fields))


FINDING_COLUMNS = ["severity", "code", "file", "sheet", "cell", "row", "message"]


def codes_table() -> str:
    """The README's table of finding codes (``python -m antt.core.findings``)."""
    rows = ["| code | mức độ | nội dung |", "|---|---|---|"]
    for code, (severity, template) in CODES.items():
        rows.append(f"| `{code}` | {SEVERITY_LABEL[severity]} ({severity}) | {template.replace('|', '/')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(codes_table())
