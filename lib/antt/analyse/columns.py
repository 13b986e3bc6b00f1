"""The columns the notebooks show: the ratios beyond the indicators' own, the Vietnamese label of
every column, and how a value or a change is written (1.234; 79,1 %; +3,2 điểm %; "–" for no data).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from antt.analyse.view import KEY_LABELS
from antt.core import indicators
from antt.core.findings import SEVERITY_LABEL
from antt.core.indicators import Ratio
from antt.core.text import format_number, format_percent

#: The ratios of the indicators and those of the notebooks' own frames (columns of the same frame).
RATES: dict[str, Ratio] = {r.name: r for r in (
    *indicators.RATIOS,
    Ratio("hours_per_kdc", "broadcast_hours", "kdc_total", "Giờ phát thanh trên một khu dân cư", decimals=2),
    Ratio("banners_per_kdc", "banners_posters", "kdc_total", "Băng rôn, khẩu hiệu, áp phích trên một khu dân cư"),
    Ratio("sessions_per_kdc", "sessions", "kdc_total", "Buổi tuyên truyền trên một khu dân cư"),
    Ratio("attendees_per_kdc", "attendees", "kdc_total", "Lượt người tham dự trên một khu dân cư"),
    Ratio("bright_spots_per_commune", "bright_spots", "communes", "Điểm sáng trên một xã, phường, thị trấn"),
    Ratio("core_groups_per_commune", "core_groups", "communes", "Tổ, nhóm nòng cốt trên một xã, phường, thị trấn"),
    Ratio("security_share", "security_met", "ntm_communes", "Tỷ lệ xã đạt tiêu chí 19.2 (an ninh, trật tự)"),
)}
SETTINGS = {"residential": "Ở khu dân cư", "institutional": "Ở cơ quan, doanh nghiệp, nhà trường"}

LABELS: dict[str, str] = {
    **KEY_LABELS, **{name: r.label for name, r in RATES.items()}, **SEVERITY_LABEL, **SETTINGS,
    "unit_name": "Đơn vị", "commune_name": "Xã, phường, thị trấn", "commune_kind": "Loại",
    "sessions": "Buổi tuyên truyền", "attendees": "Lượt người tham dự",
    "communes": "Số xã, phường, thị trấn", "bright_spots": "Điểm sáng (các cấp)",
    "ntm_criteria_met": "Số tiêu chí đã đạt (/19)", "criteria_short": "Còn thiếu (tiêu chí)",
    "ntm_security_criterion": "Tiêu chí 19.2 (an ninh, trật tự)",
    "security_met": "Xã đạt tiêu chí 19.2", "security_not_met": "Xã chưa đạt tiêu chí 19.2",
    "ntm_not_met": "Xã chưa đạt chuẩn NTM", "not_met_without_security": "…trong đó chưa đạt tiêu chí 19.2",
    "needed": "Cần thêm để đạt chỉ tiêu", "year": "Năm", "recognised": "Xã được công nhận trong năm",
    "cumulative": "Lũy kế", "models_total": "Tổng số mô hình", "model_type": "Loại mô hình",
    "table": "Mã biểu", "title": "Biểu", "expected": "Đơn vị phải báo cáo", "received_share": "Tỷ lệ đã nhận",
    "received": "Đã nhận", "empty": "Biểu trống", "missing": "Thiếu", "rejected": "Bị loại",
    "tables_received": "Số biểu đã nhận (/5)", "file": "Tệp báo cáo", "report_date": "Ngày báo cáo",
    "on_time": "Thời hạn", "superseded": "Tệp bị thay thế", "files_rejected": "Tệp bị loại",
    "severity": "Mức độ", "where": "Vị trí (tệp › biểu › ô)", "code": "Mã", "message": "Nội dung",
}
_PLAIN = {"year", "ntm_year", "founded"}            # numbers written without grouping (years)


def format_value(column: str, x) -> str:
    """A cell as people read it: 1.234; 79,1 % for shares; 2,5 for rates; years plain; "–" for no data."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "–"
    if isinstance(x, (bool, np.bool_)):
        return "Đạt" if x else "Chưa đạt"
    if isinstance(x, str) or not isinstance(x, numbers.Real):
        return str(x)
    if column in _PLAIN:
        return str(int(x))
    if column.endswith("_share"):
        return format_percent(x)
    if column in RATES:
        return format_number(x, RATES[column].decimals)
    return format_number(x, 0 if float(x).is_integer() else 1)


def format_change(column: str, x) -> str:
    """A change with its sign: +32; −4; +3,2 điểm % for shares; "–" when there is nothing to compare."""
    if x is None or pd.isna(x):
        return "–"
    if column.endswith("_share"):
        text = format_number(abs(x) * 100, 1) + " điểm %"
    else:
        text = format_value(column, abs(x))
    return ("+" if x > 0 else "−" if x < 0 else "") + text
