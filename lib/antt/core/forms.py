"""The five tables of the district return, as data: fields, heading aliases, value kinds.

Headings are compared after ``text.fold`` and abbreviation expansion (``expand``). A field's
heading rule is a list of alternatives; an alternative matches when each of its phrases stands in
the heading as whole words and no phrase of the field's ``none`` does. ``exact`` alternatives must equal the heading.
A table may have several layouts; the layout whose required fields all match, with the most fields
matched, wins. Biểu 1 has A (one row per commune, counts), B (one row per residential area with
marks, under a commune column or without one) and C (one row per residential area with counts in
the columns of A: a commune's own return); Biểu 4 and 5 have A and C (rows per area). In a commune's
return the rows of A may also be its areas. ``area_key`` is the normalised name of an area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from antt.core.text import fold

# Abbreviations of deviation 2, expanded in folded headings and values (word-bounded).
ABBREVIATIONS = {
    "kdc": "khu dan cu",
    "antt": "an ninh trat tu",
    "antq": "an ninh to quoc",
    "ntm": "nong thon moi",
    "ts": "tong so",
    "sl": "so luong",
    "dk": "dang ky",
    "clb": "cau lac bo",
    "dn": "doanh nghiep",
    "qp an": "quoc phong an ninh",
    "cq": "co quan",
    "nt": "nha truong",
    "mh": "mo hinh",
    "tc": "tieu chi",
    "xp": "xa phuong",
}
_ABBR = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")\b")


def expand(text: str) -> str:
    """Fold ``text`` and expand the form's abbreviations: "Số KDC ĐK" -> "so khu dan cu dang ky"."""
    return _ABBR.sub(lambda m: ABBREVIATIONS[m.group(1)], fold(text))


#: Abbreviations of a residential area's type, as folded words at the start of its name.
AREA_TYPES = {"kp": "khu pho", "k p": "khu pho", "k pho": "khu pho", "khu p": "khu pho", "tdp": "to dan pho", "to dp": "to dan pho",
              "kdc": "khu dan cu", "khu dc": "khu dan cu", "th": "thon", "b": "ban", "kv": "khu vuc"}
_AREA_TYPE = re.compile(r"^(" + "|".join(sorted(map(re.escape, AREA_TYPES), key=len, reverse=True)) + r")\b")
_AREA_NUMBER = re.compile(r"^((?:khu pho|to dan pho|khu dan cu|thon|ap|ban|khu vuc|to|khom|soc|buon)) so (?=\d)")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


#: The words a residential area's name starts with (ấp, khu phố, tổ dân phố, thôn, bản, sóc, buôn…).
AREA_WORDS = ("ap", "khu pho", "to dan pho", "thon", "ban", "soc", "buon", "khom", "xom", "to", "khu", "lang",
              "phum", "khu dan cu", "khu vuc", "cum", "doi", "tieu khu")


@lru_cache(maxsize=1 << 16)
def area_key(name: str) -> str:
    """A residential area's name normalised for comparison: folded, spaces collapsed, the type
    written in full ("KP. 02" = "Khu phố 2", "TDP số 5" = "Tổ dân phố 5")."""
    f = _AREA_TYPE.sub(lambda m: AREA_TYPES[m.group(1)], fold(name), count=1)
    return _LEADING_ZEROS.sub("", _AREA_NUMBER.sub(r"\1 ", f, count=1))


_AREA_START = tuple(w + " " for w in AREA_WORDS)


def looks_like_area(name: str) -> bool:
    """Whether a name starts as a residential area's does ("Ấp 3", "KP. 2", "Thôn Phú Lâm")."""
    return area_key(name).startswith(_AREA_START)


#: What a non-empty row of a recognised table is counted as (the accounts frame: nothing is lost).
ROW_CLASSES = ("data", "total", "group", "numbering", "footer", "set_aside")


@dataclass(frozen=True)
class Field:
    """One column of a table. ``kind``: commune, count, number, mark, year, text, setting, model_type, ratio."""

    name: str
    kind: str
    heading: str                                  # the standard Vietnamese heading (templates, messages)
    match: tuple[tuple[str, ...], ...]            # alternatives, each a tuple of phrases that must all appear
    none: tuple[str, ...] = ()                    # phrases that rule the field out
    exact: tuple[str, ...] = ()                   # whole headings that match
    required: bool = True                         # needed to recognise the layout

    def matches(self, heading: str) -> bool:
        """Phrases match whole words: "chua" does not rule out "chuan"."""
        if heading in self.exact:
            return True
        padded = f" {heading} "
        if any(f" {p} " in padded for p in self.none):
            return False
        return any(all(f" {p} " in padded for p in alt) for alt in self.match)


@dataclass(frozen=True)
class Layout:
    name: str
    fields: tuple[Field, ...]

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


@dataclass(frozen=True)
class Table:
    id: str
    number: int
    title: str                                   # "Biểu 1 — Khu dân cư"
    heading: str                                 # the table's title line on the form
    layouts: tuple[Layout, ...]
    per_commune: bool = True                     # one row per commune (else one row per model)
    only_xa: bool = False                        # rows only for xã (Biểu 2)
    value_fields: tuple[str, ...] = field(default=())  # canonical value fields of the tidy frame
    flow: bool = False                           # values counted over the period (else: the state at its end)

    @property
    def label(self) -> str:
        return f"Biểu {self.number}"


COMMUNE = Field(
    "commune", "commune", "Xã, phường, thị trấn",
    match=(("xa phuong",), ("ten xa",), ("don vi",), ("dia ban",), ("xa thi tran",)),
    none=("so xa", "tong so", "cap xa", "diem sang", "don vi tinh"),
    exact=("xa", "ten don vi", "phuong xa"),
)
RATIO = Field("ratio", "ratio", "Tỷ lệ đạt chuẩn (%)", match=(("ty le",),), required=False)
#: The name column of rows per residential area.
AREA = Field("area", "text", "Khu dân cư (ấp, khu phố, tổ dân phố)",
             match=(("ten khu dan cu",), ("ap khu pho",), ("ten ap",), ("ap thon",), ("thon ap",),
                    ("to dan pho",), ("khu pho ap",)),
             none=("tong", "so", "dang ky", "dat"), exact=("khu dan cu", "ap", "khu pho", "ap to", "thon"))


def by_area(layout: Layout) -> Layout:
    """Layout C: the fields of a layout with the commune column replaced by the areas' name column."""
    return Layout("C", tuple(AREA if f.name == "commune" else f for f in layout.fields))

KDC = Table(
    id="kdc", number=1, title="Biểu 1 — Khu dân cư",
    heading='Biểu 1: Khu dân cư đăng ký, đạt chuẩn "An toàn về an ninh, trật tự"',
    value_fields=("kdc_total", "kdc_registered", "kdc_meeting"),
    layouts=(
        Layout("A", (
            COMMUNE,
            Field("kdc_total", "count", "Tổng số khu dân cư",
                  match=(("tong so",), ("tong khu dan cu",), ("so khu dan cu",), ("tong",)),
                  none=("dang ky", "dat", "ty le", "chua")),
            Field("kdc_registered", "count", 'Số KDC đăng ký "An toàn về ANTT"',
                  match=(("dang ky",),), none=("dat chuan", "ty le", "chua", "khong")),
            Field("kdc_meeting", "count", 'Số KDC đạt chuẩn "An toàn về ANTT"',
                  match=(("dat chuan",), ("dat",), ("cong nhan",)), none=("dang ky", "ty le", "chua", "khong")),
            RATIO,
        )),
        Layout("B", (
            Field("commune", "commune", "Xã, phường, thị trấn", required=False,
                  match=COMMUNE.match, none=COMMUNE.none + ("khu dan cu", "ap"), exact=COMMUNE.exact),
            AREA,
            Field("registered", "mark", 'Đăng ký "An toàn về ANTT"',
                  match=(("dang ky",),), none=("dat chuan", "so", "tong")),
            Field("meeting", "mark", 'Đạt chuẩn "An toàn về ANTT"',
                  match=(("dat chuan",), ("dat",)), none=("dang ky", "so", "tong", "ty le", "chua")),
        )),
    ),
)
KDC = replace(KDC, layouts=(*KDC.layouts, by_area(KDC.layouts[0])))

NTM = Table(
    id="ntm", number=2, title="Biểu 2 — Nông thôn mới", only_xa=True,
    heading="Biểu 2: Xã đạt chuẩn nông thôn mới",
    value_fields=("ntm_criteria_met", "ntm_met", "ntm_year", "ntm_security_criterion"),
    layouts=(Layout("A", (
        Field("commune", "commune", "Xã", match=COMMUNE.match, none=COMMUNE.none + ("dat chuan",), exact=COMMUNE.exact),
        Field("ntm_criteria_met", "count", "Số tiêu chí đã đạt (/19)",
              match=(("so tieu chi",), ("tieu chi da dat",), ("tieu chi dat",)), none=("19 2", "an ninh")),
        Field("ntm_met", "mark", "Đạt chuẩn NTM",
              match=(("dat chuan",), ("da dat nong thon moi",), ("xa dat",)),
              none=("tieu chi", "nam", "so")),
        Field("ntm_year", "year", "Năm được công nhận",
              match=(("nam",),), none=("tieu chi",), required=False),
        Field("ntm_security_criterion", "mark", "Tiêu chí 19.2 (An ninh, trật tự)",
              match=(("19 2",), ("an ninh trat tu",), ("an ninh",)), none=("so tieu chi",), required=False),
    )),),
)

MODEL_TYPES = (
    "Tiếng kẻng an ninh",
    "Tổ An ninh nhân dân tự quản",
    "Khu dân cư không có tội phạm hoạt động",
    "Đội xe ôm phòng, chống tội phạm",
    "Camera an ninh",
    "Tổ công nhân dịch vụ đô thị tự quản về an ninh, trật tự",
    "Khác",
)
OTHER_MODEL_TYPE = "Khác"
SETTINGS = {"residential": "Khu dân cư", "institutional": "Cơ quan, doanh nghiệp, nhà trường"}

MODELS = Table(
    id="models", number=3, title="Biểu 3 — Mô hình", per_commune=False,
    heading="Biểu 3: Mô hình tự quản về an ninh, trật tự",
    value_fields=("model_name", "model_type", "setting", "founded", "members", "cameras"),
    layouts=(Layout("A", (
        Field("model_name", "text", "Tên mô hình", match=(("ten mo hinh",),), exact=("mo hinh", "ten")),
        Field("model_type", "model_type", "Loại mô hình", match=(("loai mo hinh",), ("loai",)), required=False),
        Field("commune", "commune", "Địa bàn (xã, phường, thị trấn)",
              match=COMMUNE.match, none=COMMUNE.none + ("noi trien khai",), exact=COMMUNE.exact),
        Field("setting", "setting", "Nơi triển khai", match=(("noi trien khai",), ("pham vi",), ("linh vuc",))),
        Field("founded", "year", "Năm thành lập", match=(("nam thanh lap",), ("thanh lap",)), required=False),
        Field("members", "count", "Số thành viên", match=(("thanh vien",),), required=False),
        Field("cameras", "count", "Số camera", match=(("camera",),), none=("loai",), required=False),
    )),),
)

OUTREACH = Table(
    id="outreach", number=4, title="Biểu 4 — Tuyên truyền",
    heading="Biểu 4: Công tác tuyên truyền", flow=True,
    value_fields=("broadcast_hours", "banners_posters", "sessions", "attendees"),
    layouts=(Layout("A", (
        COMMUNE,
        Field("broadcast_hours", "number", "Số giờ phát thanh, tuyên truyền", match=(("gio",), ("phat thanh",))),
        Field("banners_posters", "count", "Số băng rôn, khẩu hiệu, áp phích",
              match=(("bang ron",), ("khau hieu",), ("ap phich",), ("pa no",))),
        Field("sessions", "count", "Số buổi tuyên truyền", match=(("buoi",),), none=("luot",)),
        Field("attendees", "count", "Số lượt người tham dự",
              match=(("luot",), ("nguoi tham du",), ("nguoi nghe",)), none=("buoi",)),
    )),),
)

BRIGHT_SPOTS = Table(
    id="bright_spots", number=5, title="Biểu 5 — Điểm sáng, tổ nhóm nòng cốt",
    heading="Biểu 5: Điểm sáng chấp hành pháp luật; tổ, nhóm nòng cốt, câu lạc bộ pháp luật",
    value_fields=("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members"),
    layouts=(Layout("A", (
        COMMUNE,
        Field("bright_spots_upper", "count", "Điểm sáng cấp tỉnh, cấp huyện",
              match=(("cap tinh",), ("cap huyen",)), none=("cap xa",)),
        Field("bright_spots_commune", "count", "Điểm sáng cấp xã",
              match=(("cap xa",),), none=("cap tinh", "cap huyen")),
        Field("core_groups", "count", "Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật",
              match=(("nong cot",), ("cau lac bo",), ("to nhom",)), none=("thanh vien",)),
        Field("core_group_members", "count", "Số thành viên", match=(("thanh vien",),)),
    )),),
)

OUTREACH = replace(OUTREACH, layouts=(*OUTREACH.layouts, by_area(OUTREACH.layouts[0])))
BRIGHT_SPOTS = replace(BRIGHT_SPOTS, layouts=(*BRIGHT_SPOTS.layouts, by_area(BRIGHT_SPOTS.layouts[0])))

TABLES: dict[str, Table] = {t.id: t for t in (KDC, NTM, MODELS, OUTREACH, BRIGHT_SPOTS)}

# Headings of columns that are never data (deviation 4); they never block recognition.
IGNORED_HEADINGS = ("ghi chu", "stt", "tt", "so tt", "don vi tinh", "dvt")
