"""House styles of the sample: how each district types its return, and the text forms it uses.

A ``Plan`` is one district's habit (Bình Phước's eleven are ``PLANS``; other provinces take them in
rotation, ``province_plans``): format and writer, header rows, heading wording, numbering row,
STT/ratio/note columns, total and group rows, commune name forms, sheet names and order, title block
wording, legacy TCVN3 text, numbers typed as text, formulas with or without cached values, the file
name. ``deviations(plan)`` lists the plan as the manifest records it. The text forms (headings,
commune names, settings and model types, issuing bodies, period and date lines, total labels) are
here too, written as the plan asks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from antt.core import forms, units
from antt.core.cycles import Cycle
from antt.make.truth import ANCHOR_PROVINCE

#: The form's title (three wordings) and the national motto of the title block.
FORM_TITLES = ("BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC",
               "THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ ANTQ",
               "BÁO CÁO SỐ LIỆU PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def unmarked(s: str) -> str:
    """Without diacritics, case kept: "Lộc Thái" -> "Loc Thai"."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in s if not unicodedata.combining(ch)))


def compact(s: str) -> str:
    """Letters and digits only, without diacritics: "Lộc Ninh" -> "LocNinh"."""
    return re.sub(r"[^A-Za-z0-9]+", "", unmarked(s))



@dataclass(frozen=True)
class Plan:
    """How one district types its return (see return-form.md, "Deviations")."""

    key: str
    fmt: str = "xlsx"                 # xlsx | xls | ods
    writer: str = "xlsxwriter"        # xlsxwriter | openpyxl | xlwt | ods
    formulas: str = "none"            # none | cached | nocache: totals (and ratios) as formulas
    header: str = "flat"              # flat | merged2 | merged3
    headings: str = "standard"        # standard | upper | nodiac | abbrev
    linebreaks: bool = False
    numbering: str | None = None      # paren "(1)" | plain 1 | alpha "A B 1 2"
    stt: bool = False
    stt_label: str = "STT"
    note_col: bool = False
    ratio_col: str | None = None      # value | formula
    total: str | None = "bottom"      # top | bottom | None
    total_label: str = "Tổng cộng"
    groups: bool = False
    names: str = "full"               # full | abbr | short | upper | ascii | lower
    nfd: bool = False
    ntm_note: bool = False
    double_space: bool = False
    layout_b: bool = False
    text_numbers: bool = False
    tcvn3: bool = False
    swap_columns: bool = False
    sheet_names: tuple[str, ...] = ("Biểu 1", "Biểu 2", "Biểu 3", "Biểu 4", "Biểu 5")
    sheet_order: tuple[int, ...] = (0, 1, 2, 3, 4)
    hidden_junk: bool = False
    issuer: str = "ca"                # ca | ubnd | mttq
    district_style: str = "full"      # full | abbr
    period: str = "standard"
    form_title: int = 0
    setting_style: str = "full"       # full | abbr | nodiac | upper
    type_style: str = "exact"         # exact | nodiac | lower | upper
    ntm_marks: tuple[str, str] = ("Đạt", "Chưa đạt")
    sec_marks: tuple[str, str] = ("Đạt", "Chưa đạt")
    area_marks: tuple[str, str, str, str] = ("x", "", "Đạt", "Chưa đạt")   # registered yes/no, meeting yes/no
    blank_top: int = 0
    month_pad: bool = False
    footer_date: bool = True
    filename: str = "{ascii}_{tag}.xlsx"


_H1_TAGS = {"6T": ("6T", "Nam"), "T6": ("T6", "T12"), "6thang": ("6thang", "canam"), "6 thang": ("6 thang", "ca nam"),
            "6 tháng": ("6 tháng", "năm"), "CN": ("6T", "CN"), "SO KET": ("SO KET 6 THANG", "TONG KET NAM")}

PLANS: tuple[Plan, ...] = (
    Plan("merged_total_top_groups", formulas="cached", header="merged2", stt=True, ratio_col="formula",
         total="top", groups=True, names="abbr", filename="BC TDBVANTQ {ascii_sp} {t6T}-{year}.xlsx"),
    Plan("ods_numbered", fmt="ods", writer="ods", header="merged2", numbering="paren", total_label="Cộng",
         period="upper", sheet_names=("B1-KDC", "B2-NTM", "B3-MH", "B4-TT", "B5-ĐS"), form_title=1,
         filename="{short} {t6 tháng} {year}.ods"),
    Plan("tcvn3", tcvn3=True, headings="upper", district_style="abbr", total_label="Cộng", period="review",
         sheet_names=("KDC", "NTM", "Mo hinh", "Tuyen truyen", "Diem sang"), ntm_marks=("x", ""),
         filename="{ascii}_Bieu_TK_{tCN}{year}.xlsx"),
    Plan("no_diacritics", headings="nodiac", names="ascii", numbering="plain", total=None,
         sheet_names=("Sheet1", "Sheet2", "Sheet3", "Sheet4", "Sheet5"), period="review_lower",
         setting_style="nodiac", type_style="nodiac", ntm_marks=("Dat", "Chua dat"), sec_marks=("x", ""),
         blank_top=2, filename="{ascii_sp} - thong ke phong trao {t6 thang} {year}.xlsx"),
    Plan("layout_b", layout_b=True, stt=True, ntm_note=True, ntm_marks=("x", ""), sec_marks=("x", ""),
         sheet_names=("Biểu 1 KDC", "Biểu 2 NTM", "Biểu 3 Mô hình", "Biểu 4 Tuyên truyền", "Biểu 5 Điểm sáng"),
         area_marks=("x", "", "Đạt", "Chưa đạt"), filename="BaoCao_{ascii}_{t6T}{year}.xlsx"),
    Plan("text_numbers", text_numbers=True, names="abbr", note_col=True, total_label="Cộng",
         sheet_names=("B1", "B2", "B3", "B4", "B5"), period="short", month_pad=True,
         filename="{ascii_sp}_bieu thong ke_{tT6}-{year}.xlsx"),
    Plan("formulas_no_cache", writer="openpyxl", formulas="nocache", ratio_col="formula", issuer="ubnd",
         period="standard_pad", form_title=2, filename="{ascii}_TDBVANTQ_{t6thang}{year}.xlsx"),
    Plan("abbreviations", headings="abbrev", linebreaks=True, names="upper", hidden_junk=True,
         sheet_order=(2, 0, 4, 1, 3), sheet_names=("BIEU 1", "BIEU 2", "BIEU 3", "BIEU 4", "BIEU 5"),
         total="top", total_label="Toàn huyện", period="upper_short", setting_style="abbr",
         ntm_marks=("Đã đạt", "Chưa đạt"), filename="{ASCII_SP} - BC {tSO KET} {year}.xlsx"),
    Plan("xls_merged", fmt="xls", writer="xlwt", header="merged2", names="lower", numbering="alpha", stt=True,
         stt_label="TT", district_style="abbr", period="range", type_style="lower",
         sheet_names=("Bieu 1", "Bieu 2", "Bieu 3", "Bieu 4", "Bieu 5"),
         filename="{ascii_sp} - bieu thong ke {t6 thang}.xls"),
    Plan("nfd_upper_headings", nfd=True, headings="upper", total_label="TỔNG SỐ", note_col=True, double_space=True,
         groups=True, swap_columns=True, footer_date=False,
         sheet_names=("1. KDC", "2. NTM", "3. Mô hình", "4. Tuyên truyền", "5. Điểm sáng"),
         filename="{short}_báo cáo {t6 tháng} {year}.xlsx"),
    Plan("merged3_values", header="merged3", ratio_col="value", issuer="mttq", period="range_paren",
         numbering="paren", type_style="upper", setting_style="upper",
         sheet_names=("B1-KDC", "B2-NTM", "B3-MH", "B4-TT", "B5-ĐS"), filename="{ascii}-TDBVANTQ-{t6T}-{year}.xlsx"),
)


def province_plans(province: str, districts: list[units.Unit]) -> dict[str, int]:
    """District code -> index into PLANS: Bình Phước as listed, other provinces in rotation."""
    offset = 0 if province == ANCHOR_PROVINCE else int(province) % len(PLANS)
    return {d.code: (i + offset) % len(PLANS) for i, d in enumerate(districts)}


def deviations(plan: Plan) -> list[str]:
    """The plan as a list of deviation labels (for the manifest)."""
    out = [f"format:{plan.fmt}", f"writer:{plan.writer}"]
    if plan.header != "flat":
        out.append({"merged2": "merged_header_2_rows", "merged3": "merged_header_3_rows"}[plan.header])
    if plan.headings != "standard":
        out.append({"upper": "headings_upper_case", "nodiac": "headings_without_diacritics",
                    "abbrev": "headings_abbreviated"}[plan.headings])
    if plan.linebreaks:
        out.append("line_breaks_in_headings")
    if plan.numbering:
        out.append(f"numbering_row:{plan.numbering}")
    if plan.stt:
        out.append("stt_column")
    if plan.note_col:
        out.append("note_column")
    if plan.ratio_col:
        out.append(f"ratio_column:{plan.ratio_col}")
    out.append(f"total_row:{plan.total}:{plan.total_label}" if plan.total else "no_total_row")
    if plan.formulas != "none":
        out.append({"cached": "formulas_with_cached_values", "nocache": "formulas_without_cached_values"}[plan.formulas])
    if plan.groups:
        out.append("group_rows")
    if plan.names != "full":
        out.append(f"commune_names:{plan.names}")
    for flag, label in ((plan.nfd, "commune_names_nfd"), (plan.ntm_note, "commune_names_trailing_note"),
                        (plan.double_space, "commune_names_double_spaces"), (plan.layout_b, "table1_layout_b"),
                        (plan.text_numbers, "numbers_as_text"), (plan.tcvn3, "tcvn3_text"),
                        (plan.swap_columns, "columns_reordered"), (plan.hidden_junk, "hidden_sheet"),
                        (plan.sheet_order != (0, 1, 2, 3, 4), "sheet_order"),
                        (plan.blank_top > 0, "blank_rows_above_title")):
        if flag:
            out.append(label)
    out.append("sheet_names:" + "|".join(plan.sheet_names))
    if plan.issuer != "ca":
        out.append(f"issuer:{plan.issuer}")
    if plan.district_style != "full":
        out.append("district_abbreviated")
    if plan.period != "standard":
        out.append(f"period_line:{plan.period}")
    if plan.setting_style != "full":
        out.append(f"setting_values:{plan.setting_style}")
    if plan.type_style != "exact":
        out.append(f"model_type_values:{plan.type_style}")
    return out


def file_name(plan: Plan, d: units.Unit, cycle: Cycle) -> str:
    h1 = cycle.half_year
    short = d.short
    fields = {"short": short, "ascii": compact(short), "ascii_sp": unmarked(short), "ASCII_SP": unmarked(short).upper(),
              "year": str(cycle.year)}
    out = plan.filename
    for key, (a, b) in _H1_TAGS.items():
        out = out.replace("{t" + key + "}", a if h1 else b)
    return out.format(**fields)


# ==================================================================================================
# Text forms

_ABBR = {"Xã, phường, thị trấn": "Tên xã, phường, TT", "Tổng số khu dân cư": "TS KDC",
         'Số KDC đăng ký "An toàn về ANTT"': 'Số KDC ĐK "An toàn về ANTT"',
         'Số KDC đạt chuẩn "An toàn về ANTT"': "Số KDC đạt chuẩn ANTT", "Tỷ lệ đạt chuẩn (%)": "Tỷ lệ (%)",
         "Xã": "Tên xã", "Số tiêu chí đã đạt (/19)": "Số TC NTM đã đạt", "Đạt chuẩn NTM": "Xã đạt chuẩn NTM",
         "Năm được công nhận": "Năm công nhận", "Tiêu chí 19.2 (An ninh, trật tự)": "TC 19.2 (ANTT)",
         "Tên mô hình": "Tên MH", "Loại mô hình": "Loại MH", "Địa bàn (xã, phường, thị trấn)": "Địa bàn",
         "Nơi triển khai": "Nơi triển khai (KDC / CQ, DN, NT)", "Số thành viên": "SL thành viên",
         "Số camera": "SL camera", "Số giờ phát thanh, tuyên truyền": "Phát thanh (giờ)",
         "Số băng rôn, khẩu hiệu, áp phích": "SL băng rôn, khẩu hiệu, áp phích", "Số buổi tuyên truyền": "Số buổi TT",
         "Số lượt người tham dự": "Số lượt người dự", "Điểm sáng cấp tỉnh, cấp huyện": "Điểm sáng cấp tỉnh, huyện",
         "Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật": "Số tổ, nhóm nòng cốt, CLB pháp luật",
         "Khu dân cư (ấp, khu phố)": "KDC (ấp, khu phố)", "Ghi chú": "Ghi chú"}


def heading(text: str, plan: Plan) -> str:
    if plan.headings == "abbrev":
        text = _ABBR.get(text, text)
    if plan.linebreaks and len(text) > 16 and "\n" not in text:
        words = text.split(" ")
        mid = len(text) // 2
        best, pos = 0, 0
        for i in range(1, len(words)):
            p = len(" ".join(words[:i]))
            if abs(p - mid) < abs(best - mid):
                best, pos = p, i
        if pos:
            text = " ".join(words[:pos]) + "\n" + " ".join(words[pos:])
    if plan.headings == "upper":
        text = text.upper()
    elif plan.headings == "nodiac":
        text = unmarked(text)
    return text


def commune_name(u: units.Unit, plan: Plan, ambiguous: set[str], ntm_met: bool = False, note: bool = False) -> str:
    short, kind = u.short, u.kind
    numbered = short == u.name
    if plan.names == "abbr":
        ab = {"Xã": "X.", "Phường": "P.", "Thị trấn": "TT."}.get(kind, kind)
        s = f"{ab} {short[len(kind) + 1:] if numbered else short}"
    elif plan.names == "short":
        s = u.name if u.code in ambiguous else short
    elif plan.names == "upper":
        s = (u.name if u.code in ambiguous else short).upper()
    elif plan.names == "ascii":     # names that fold alike keep their diacritics
        s = u.name if u.code in ambiguous else unmarked(short)
    elif plan.names == "lower":
        s = u.name[0].lower() + u.name[1:] if not numbered else u.name
    else:
        s = u.name
    if plan.double_space:
        s = s.replace(" ", "  ", 1) + " "
    if note and ntm_met:
        s += " (xã NTM)"
    if plan.nfd:
        s = unicodedata.normalize("NFD", s)
    return s


def ambiguous_communes(communes: list[units.Unit], district: units.Unit) -> set[str]:
    """Codes of communes that keep their type word in every name form: those whose name without it
    (and without diacritics) is shared in the district or is the district's own name (a row
    "Bù Gia Mập" would read as a group row of the district)."""
    seen: dict[str, list[str]] = {}
    for u in communes:
        seen.setdefault(unmarked(u.short).lower(), []).append(u.code)
    out = {c for codes in seen.values() if len(codes) > 1 for c in codes}
    return out | set(seen.get(unmarked(district.short).lower(), ()))


def setting_text(setting: str, plan: Plan) -> str:
    s = forms.SETTINGS[setting]
    if plan.setting_style == "abbr":
        return {"residential": "KDC", "institutional": "CQ, DN, NT"}[setting]
    if plan.setting_style == "nodiac":
        return unmarked(s)
    if plan.setting_style == "upper":
        return s.upper()
    return s


def type_text(mtype: str, plan: Plan) -> str:
    if plan.type_style == "nodiac":
        return unmarked(mtype)
    if plan.type_style == "lower":
        return mtype.lower()
    if plan.type_style == "upper":
        return mtype.upper()
    return mtype


def issuer_lines(plan: Plan, d: units.Unit, province: units.Unit) -> tuple[str, str]:
    numbered = d.short == d.name
    if plan.district_style == "abbr" and not numbered:
        ab = {"Huyện": "H.", "Thị xã": "TX.", "Thành phố": "TP.", "Quận": "Q."}.get(d.kind, d.kind)
        dist = f"{ab} {d.short}".upper()
    else:
        dist = d.name.upper()
    prov = province.name.upper()
    if plan.issuer == "ubnd":
        if _district_name_shared(d.code):   # "UBND HUYỆN CHÂU THÀNH" alone names no one district
            return f"UBND {prov}", f"UBND {dist}"
        return f"UBND {dist}", "BCĐ PHONG TRÀO TOÀN DÂN BẢO VỆ ANTQ"
    if plan.issuer == "mttq":
        return f"UBMTTQ VIỆT NAM {prov}", f"BAN THƯỜNG TRỰC UBMTTQ VN {dist}"
    return f"CÔNG AN {prov}", f"CÔNG AN {dist}"


@cache
def _shared_district_names() -> frozenset[str]:
    seen: dict[str, int] = {}
    for d in units.legacy().districts("all"):
        key = unmarked(d.short).lower()
        seen[key] = seen.get(key, 0) + 1
    return frozenset(k for k, n in seen.items() if n > 1)


def _district_name_shared(code: str) -> bool:
    return unmarked(units.legacy().unit(code).short).lower() in _shared_district_names()


def period_line(style: str, cycle: Cycle) -> str:
    """The period line of the title block in one of the forms of return-form.md."""
    d1 = f"{cycle.start.day}/{cycle.start.month}/{cycle.start.year}"
    d2 = f"{cycle.end.day}/{cycle.end.month}/{cycle.end.year}"
    h1, y = cycle.half_year, cycle.year
    return {
        "standard": f"Kỳ báo cáo: {cycle.label} (số liệu từ ngày {d1} đến ngày {d2})",
        "standard_pad": f"Kỳ báo cáo: {cycle.label} (số liệu {cycle.period_text})",
        "upper": f"({cycle.label.upper()})",
        "review": f"Sơ kết 6 tháng năm {y}" if h1 else f"Tổng kết năm {y}",
        "review_lower": f"Kỳ báo cáo: sơ kết 6 tháng {y}" if h1 else f"Kỳ báo cáo: tổng kết năm {y}",
        "short": f"6 tháng năm {y}" if h1 else f"Năm {y}",
        "upper_short": f"Kỳ báo cáo: {cycle.label.upper()}",
        "range": f"Số liệu từ ngày {d1} đến ngày {d2}",
        "range_paren": f"(Từ ngày {d1} đến ngày {d2})",
    }[style]


def date_line(place: str, day: date, pad: bool) -> str:
    month = f"{day.month:02d}" if pad else str(day.month)
    return f"{place}, ngày {day.day} tháng {month} năm {day.year}"


def total_label(plan: Plan, d: units.Unit) -> str:
    if plan.total_label == "Toàn huyện":
        return {"Thị xã": "Toàn thị xã", "Thành phố": "Toàn thành phố", "Quận": "Toàn quận"}.get(d.kind, "Toàn huyện")
    return plan.total_label
