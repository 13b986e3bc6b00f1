"""Deterministic sample returns: one workbook per district per cycle, as district officers send them.

``write_sample(out_dir, cycles, province="70")`` writes ``out_dir/<cycle>/<file>`` for every
district of the province (``"all"``: every district of the country that has communes) and the
generator's record ``out_dir/sample_manifest.json`` (outside the cycle folders, so loaders never see
it). Nothing depends on the clock, the machine or Python's ``hash()``: every random choice comes
from ``random.Random`` seeded with text such as ``f"{cycle}-{district}"``, and the files are
byte-identical from run to run (fixed document dates, fixed zip entry dates).

Numbers
-------
A district has a *base* (seeded by its code, independent of the cycle): per commune its residential
areas, the time its xã is recognised as a new-rural commune, its bright spots and core groups at the
reference cycle 2023-H1, and its list of self-management models with the time each was founded. A
cycle reads the base at its end date: stocks grow with time (models founded by then, NTM recognised
by then, share of areas meeting the standard, bright spots and core groups), so a stock never falls
from one cycle to the next; flows (broadcast hours, banners, sessions, attendees) are the district's
usual level, a year twice a half-year, times a factor in [0.88, 1.12] drawn from
``random.Random(f"{cycle}-{district}-flows")``, spread over the communes, so no district's flow falls
by a third between comparable cycles (the validator's outlier rule).

For Bình Phước (70) the base is fitted to the published 2023-H1 figures (843 areas, all registered
and meeting; 68 of 86 xã new-rural; 327 residential models in all 111 communes and 48 in agencies,
enterprises and schools; 2,126 cameras; 59 and 190 bright spots; 615 core groups with 4,052
members), and the flows of 2022-H1, 2022 and 2023-H1 are fitted to fixed totals (2023-H1: 89
hours, 2,165 banners and posters). 2022-H1 and 2022 are lower (63 and 66 xã new-rural, several
districts below the 95 % target).

Deviations
----------
Each district has a house style (``Plan``; Bình Phước's eleven are listed in ``PLANS``, other
provinces take them in rotation): format and writer, header rows, heading wording, numbering row,
STT/ratio/note columns, total and group rows, commune name forms, sheet names and order, title
block wording, legacy TCVN3 text, numbers typed as text, formulas with or without cached values.
Every cycle one district per province sends its return twice (``…_lan2``, a later report date, a few
numbers changed). Deliberate faults are put only into Bình Phước's 2022-H1 and 2022 returns
(``FAULTS``); the manifest records each with its file, sheet, cell and the finding code it should
cause. 2023-H1 has none, so every 2023-H1 total is complete.

Writers: xlsxwriter (plain .xlsx, formulas with their cached values), openpyxl (.xlsx whose
formulas have no cached value), xlwt (.xls), and a direct OpenDocument writer (.ods; odfpy keeps
namespace state across documents, so its output depends on what was written before in the same
process, and it is ten times slower). Writes are atomic (temporary name in the same folder, then
``os.replace``). Runs of 60 returns or more use a process pool (fork, up to 4 workers).
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import re
import unicodedata
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path

from antt.core import forms, units
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle, parse_cycle
from antt.core.findings import CODES

MANIFEST_NAME = "sample_manifest.json"
MANIFEST_VERSION = 1
ANCHOR_PROVINCE = "70"
T_REF = 2023.45                    # time index of the reference cycle (see ``_t``)
POOL_MIN_JOBS = 60                 # below this one process is faster than a pool
SUMMARY_KEYS = ("kdc_total", "kdc_registered", "kdc_meeting", "ntm_communes", "ntm_met",
                "models_residential", "models_institutional", "communes_with_models", "cameras",
                "broadcast_hours", "banners_posters", "bright_spots_upper", "bright_spots_commune",
                "core_groups", "core_group_members")
TABLE_KEYS = {
    "kdc": ("kdc_total", "kdc_registered", "kdc_meeting"),
    "ntm": ("ntm_communes", "ntm_met"),
    "models": ("models_residential", "models_institutional", "communes_with_models", "cameras"),
    "outreach": ("broadcast_hours", "banners_posters"),
    "bright_spots": ("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members"),
}
FIELD_KEY = {"kdc_total": "kdc_total", "kdc_registered": "kdc_registered", "kdc_meeting": "kdc_meeting",
             "cameras": "cameras", "broadcast_hours": "broadcast_hours", "banners_posters": "banners_posters",
             "bright_spots_upper": "bright_spots_upper", "bright_spots_commune": "bright_spots_commune",
             "core_groups": "core_groups", "core_group_members": "core_group_members"}
TABLE_ORDER = ("kdc", "ntm", "models", "outreach", "bright_spots")

#: Published 2023-H1 figures of Bình Phước the sample reproduces exactly.
PUBLISHED_2023H1 = {
    "kdc_total": 843, "kdc_registered": 843, "kdc_meeting": 843, "ntm_communes": 86, "ntm_met": 68,
    "models_residential": 327, "models_institutional": 48, "communes_with_models": 111, "cameras": 2126,
    "broadcast_hours": 89, "banners_posters": 2165, "bright_spots_upper": 59, "bright_spots_commune": 190,
    "core_groups": 615, "core_group_members": 4052,
}
#: Flow totals of Bình Phước fitted per cycle: (broadcast hours, banners and posters).
ANCHOR_FLOWS = {"2022-H1": (84, 2046), "2022": (176, 4310), "2023-H1": (89, 2165)}
#: NTM recognitions in Bình Phước by year (2022 and 2023 split by half-year): 61 by 2021,
#: 63 at 2022-H1, 66 at 2022, 68 at 2023-H1.
_BP_NTM_YEARS = ([2012] * 1 + [2013] * 3 + [2014] * 4 + [2015] * 6 + [2016] * 7 + [2017] * 8
                 + [2018] * 8 + [2019] * 8 + [2020] * 8 + [2021] * 8)
_BP_NTM_RECENT = (2022.2, 2022.2, 2022.7, 2022.7, 2022.7, 2023.2, 2023.2)
#: Criteria met at 2023-H1 by the 18 xã not yet recognised.
_BP_NTM_OPEN = (18, 18, 17, 17, 17, 16, 16, 16, 16, 16, 15, 15, 15, 15, 14, 14, 14, 14)
#: Per-district lag behind the KDC target before 2023 (0 = on target early, 1 = late).
_BP_LAG = {"688": 0.15, "689": 0.35, "690": 0.8, "691": 0.95, "692": 0.5, "693": 0.7,
           "694": 0.25, "695": 0.6, "696": 0.85, "697": 0.05, "698": 0.45}

FIXED_EPOCH = (1980, 1, 1, 0, 0, 0)


# ==================================================================================================
# Time and small helpers

def _t(cycle: Cycle) -> float:
    """Time index of a cycle's end: 2023-H1 -> 2023.45, 2023 -> 2023.95."""
    return cycle.year + (0.45 if cycle.half_year else 0.95)


def _strip(s: str) -> str:
    """Without diacritics, case kept: "Lộc Thái" -> "Loc Thai"."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in s if not unicodedata.combining(ch)))


def _compact(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", _strip(s))


def _allocate(total: int, weights: list[float], rng: random.Random, lo: int | list[int] = 0,
              hi: int | list[int] | None = None) -> list[int]:
    """Integers summing exactly to ``total``, each within [lo, hi], roughly proportional to weights."""
    n = len(weights)
    los = lo if isinstance(lo, list) else [lo] * n
    his = hi if isinstance(hi, list) else [hi if hi is not None else 10 ** 9] * n
    out = list(los)
    rest = total - sum(out)
    if rest < 0 or rest > sum(h - l for h, l in zip(his, los)):
        raise ValueError("allocation impossible")
    wsum = sum(weights)
    for i in range(n):                       # proportional part, floored
        add = min(his[i] - out[i], int(rest * weights[i] / wsum)) if wsum else 0
        out[i] += add
    rest = total - sum(out)
    while rest > 0:                          # the remainder one by one, weighted
        open_ = [i for i in range(n) if out[i] < his[i]]
        i = rng.choices(open_, [weights[j] + 1e-9 for j in open_])[0]
        out[i] += 1
        rest -= 1
    return out


def _a1(r: int, c: int) -> str:
    """0-based (row, col) -> "C12"."""
    s, c = "", c + 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return f"{s}{r + 1}"


def _col(c: int) -> str:
    return _a1(0, c)[:-1]


# ==================================================================================================
# Bases: what a district is, independent of the cycle

@dataclass
class CommuneBase:
    unit: units.Unit
    kdc_total: int
    areas: list[str]
    u_meet: float
    u_reg: float
    t_ntm: float | None            # time recognised new-rural (xã only), None = not within the horizon
    sec_at: int                    # criteria level from which criterion 19.2 is met
    bright: tuple[int, int, int, int]   # upper, commune, groups, members at 2023-H1
    w_hours: float
    w_banners: float


@dataclass
class ModelBase:
    name: str
    type: str
    commune: str                   # commune code
    setting: str                   # residential | institutional
    t_found: float
    members: int
    cameras: int                   # 0 = none


@dataclass
class DistrictBase:
    unit: units.Unit
    province: units.Unit
    communes: list[CommuneBase]
    models: list[ModelBase]
    lag: float
    share_ref: float               # share of areas meeting the standard at 2023-H1
    preparer: str
    head: str


_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
           "Dương", "Lý")
_MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công")
_MIDDLE_F = ("Thị", "Ngọc", "Thanh", "Thu", "Kim")
_GIVEN_M = ("Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Phong", "Sơn", "Thắng", "Trung", "Cường", "Khánh",
            "Lâm", "Bình", "Tâm", "Quang", "Vinh", "Hiếu")
_GIVEN_F = ("Hương", "Lan", "Mai", "Hà", "Thủy", "Nhung", "Trang", "Hạnh", "Yến", "Loan")
_RANKS = ("Thượng tá", "Trung tá", "Đại tá")
_AP_NAMES = ("Chà Là", "Tân Lập", "Bàu Nghé", "Sóc Lớn", "Cây Điệp", "Tân Hiệp", "Đồng Tâm", "Phú Lợi", "Hiệp Thành",
             "Bàu Sen", "Suối Đá", "Tân Thịnh", "Thạch Màng", "Cần Lê", "Bình Hà", "Sóc Bế", "Hưng Thịnh", "Bù Tam")
_COMPANIES = ("Cao su {s}", "TNHH MTV Thương mại {s}", "CP Xây dựng {s}", "TNHH Chế biến điều {s}",
              "TNHH May mặc {s}", "CP Nông sản {s}")

MODEL_TYPE_WEIGHTS = (  # residential
    ("Tiếng kẻng an ninh", 17), ("Tổ An ninh nhân dân tự quản", 22),
    ("Khu dân cư không có tội phạm hoạt động", 13), ("Đội xe ôm phòng, chống tội phạm", 6),
    ("Camera an ninh", 20), ("Tổ công nhân dịch vụ đô thị tự quản về an ninh, trật tự", 7), ("Khác", 15),
)
_OTHER_NAMES = ("Tổ liên gia tự quản {a}", "Tổ hòa giải {a}", "Dòng họ tự quản về ANTT {a}",
                "Nhóm Zalo an ninh {a}", "Câu lạc bộ \"Phụ nữ với pháp luật\" {a}", "Ấp không ma túy {a}")


def _person(rng: random.Random, rank: bool = False) -> str:
    female = rng.random() < 0.3
    name = " ".join((rng.choice(_FAMILY), rng.choice(_MIDDLE_F if female else _MIDDLE_M),
                     rng.choice(_GIVEN_F if female else _GIVEN_M)))
    return f"{rng.choice(_RANKS)} {name}" if rank else name


def _region(province_code: str) -> str:
    code = int(province_code)
    return "south" if code >= 70 else "north"


def _area_names(unit: units.Unit, n: int, rng: random.Random, region: str) -> list[str]:
    urban = unit.kind in ("Phường", "Thị trấn")
    if region == "south":
        word = "Khu phố" if urban else "Ấp"
    else:
        word = "Tổ dân phố" if urban else "Thôn"
    if not urban and region == "south" and rng.random() < 0.3:
        names = rng.sample(_AP_NAMES, min(n, len(_AP_NAMES)))
        names = [f"{word} {x}" for x in names] + [f"{word} {i}" for i in range(1, n - len(names) + 1)]
        return names[:n]
    return [f"{word} {i}" for i in range(1, n + 1)]


def _kdc_range(kind: str) -> tuple[int, int]:
    return {"Phường": (7, 18), "Thị trấn": (6, 14)}.get(kind, (4, 13))


def _new_model(rng: random.Random, cb: CommuneBase, setting: str, t_found: float, district: units.Unit) -> ModelBase:
    urban = cb.unit.kind in ("Phường", "Thị trấn")
    area = rng.choice(cb.areas) if cb.areas else cb.unit.short
    if setting == "residential":
        while True:
            mtype = rng.choices([t for t, _ in MODEL_TYPE_WEIGHTS], [w for _, w in MODEL_TYPE_WEIGHTS])[0]
            if urban or not mtype.startswith("Tổ công nhân"):
                break
        name = {
            "Tiếng kẻng an ninh": f"Tiếng kẻng an ninh {area}",
            "Tổ An ninh nhân dân tự quản": f"Tổ ANND tự quản {area}",
            "Khu dân cư không có tội phạm hoạt động": f"KDC không có tội phạm hoạt động {area}",
            "Đội xe ôm phòng, chống tội phạm": f"Đội xe ôm tự quản {cb.unit.short}",
            "Camera an ninh": rng.choice(("Camera an ninh {a}", "Camera giám sát ANTT {a}")).format(a=area),
            "Tổ công nhân dịch vụ đô thị tự quản về an ninh, trật tự": f"Tổ công nhân DVĐT tự quản {area}",
        }.get(mtype) or rng.choice(_OTHER_NAMES).format(a=area)
        members = {"Tiếng kẻng an ninh": (5, 15), "Tổ An ninh nhân dân tự quản": (8, 25),
                   "Khu dân cư không có tội phạm hoạt động": (15, 40), "Camera an ninh": (3, 10)}.get(mtype, (6, 25))
        if mtype == "Camera an ninh":
            cameras = rng.randint(10, 38)
        else:
            cameras = rng.randint(1, 6) if rng.random() < 0.3 else 0
    else:
        mtype = rng.choices(("Khác", "Camera an ninh", "Tổ An ninh nhân dân tự quản"), (60, 25, 15))[0]
        kind = rng.choice(("school", "agency", "company", "company"))
        if mtype == "Camera an ninh":
            name = rng.choice((f"Camera an ninh cổng trường THCS {cb.unit.short}",
                               f"Camera giám sát Công ty {rng.choice(_COMPANIES).format(s=cb.unit.short)}"))
        elif kind == "school":
            name = rng.choice((f"Trường học an toàn về ANTT - Trường THCS {cb.unit.short}",
                               f"Cổng trường an toàn - Trường Tiểu học {cb.unit.short}"))
        elif kind == "agency":
            name = f"Cơ quan an toàn về ANTT - UBND {cb.unit.name}"
        else:
            name = f"Doanh nghiệp an toàn về ANTT - Công ty {rng.choice(_COMPANIES).format(s=district.short)}"
        if mtype == "Tổ An ninh nhân dân tự quản":
            name = f"Tổ bảo vệ tự quản Công ty {rng.choice(_COMPANIES).format(s=district.short)}"
        members = (5, 40)
        cameras = rng.randint(4, 16) if (mtype == "Camera an ninh" or rng.random() < 0.4) else 0
    return ModelBase(name, mtype, cb.unit.code, setting, _since(mtype, t_found), rng.randint(*members), cameras)


def _t_found(rng: random.Random) -> float:
    return round(T_REF - 30 * rng.random() ** 1.6, 3)


#: Model types that do not predate a year: (type, first year); earlier draws are squeezed after it.
_TYPE_SINCE = {"Camera an ninh": 2012.0, "Tổ công nhân dịch vụ đô thị tự quản về an ninh, trật tự": 2005.0,
               "Đội xe ôm phòng, chống tội phạm": 2003.0}


def _since(mtype: str, t: float) -> float:
    first = _TYPE_SINCE.get(mtype)
    if first is None or t >= first:
        return t
    return round(first + (t - (T_REF - 30)) / (first - (T_REF - 30)) * (min(T_REF, 2023.0) - first), 3)


def _generic_base(d: units.Unit) -> DistrictBase:
    h = units.legacy()
    province = h.unit(d.parent)
    region = _region(province.code)
    rng = random.Random(f"{d.code}-base")
    communes = []
    for u in h.communes(d.code):
        cr = random.Random(f"{d.code}-{u.code}-base")
        lo, hi = _kdc_range(u.kind)
        n = cr.randint(lo, hi)
        t_ntm = None
        if u.kind == "Xã":
            r = cr.random()
            t_ntm = None if r > 0.85 else round(2011.8 + 15 * r ** 1.1, 2)
        groups = cr.randint(3, 8)
        bright = (cr.choice((0, 0, 1, 1, 2)), cr.randint(1, 3), groups, groups * cr.randint(5, 8) + cr.randint(0, 4))
        communes.append(CommuneBase(u, n, _area_names(u, n, cr, region), cr.random(), cr.random(), t_ntm,
                                    cr.randint(12, 19), bright, cr.uniform(0.5, 1.5), cr.uniform(0.6, 1.4)))
    models = []
    for cb in communes:
        mr = random.Random(f"{d.code}-{cb.unit.code}-models")
        n_res = 1 + mr.randint(0, 4)
        first = True
        for _ in range(n_res):
            t = _t_found(mr)
            if first:
                t, first = min(t, 2009.0 + mr.random() * 10), False
            models.append(_new_model(mr, cb, "residential", t, d))
        p_inst = 0.8 if cb.unit.kind != "Xã" else 0.35
        while mr.random() < p_inst:
            models.append(_new_model(mr, cb, "institutional", _t_found(mr), d))
            p_inst *= 0.5
        for _ in range(mr.randint(0, 2)):           # founded after 2023-H1
            models.append(_new_model(mr, cb, "residential", round(T_REF + 4 * mr.random(), 3), d))
    # at least one model old enough for the archive's early cycles
    oldest = min((m for m in models if m.type not in _TYPE_SINCE), key=lambda m: m.t_found, default=None)
    if oldest is not None:
        oldest.t_found = min(oldest.t_found, 1993.0 + rng.random())
    return DistrictBase(d, province, communes, models, rng.random(), rng.uniform(0.86, 1.0),
                        _person(rng), _person(rng, rank=True))


@cache
def _bp_bases() -> dict[str, DistrictBase]:
    """Bình Phước fitted to the published 2023-H1 figures (see the module docstring)."""
    h = units.legacy()
    province = h.unit(ANCHOR_PROVINCE)
    districts = h.districts_expected(ANCHOR_PROVINCE)
    rng = random.Random("70-anchor")
    cunits = [(d, u) for d in districts for u in h.communes(d.code)]
    # residential areas: 843 in all, 4-15 per xã, more in phường
    los, his, weights = [], [], []
    for _, u in cunits:
        lo, hi = (8, 16) if u.kind == "Phường" else (5, 12) if u.kind == "Thị trấn" else (4, 15)
        los.append(lo)
        his.append(hi)
        weights.append(rng.uniform(0.4, 1.6) * (1.6 if u.kind == "Phường" else 1.0))
    kdc = _allocate(PUBLISHED_2023H1["kdc_total"], weights, rng, los, his)
    # new-rural recognition times
    xa = [i for i, (_, u) in enumerate(cunits) if u.kind == "Xã"]
    order = xa[:]
    rng.shuffle(order)
    met_years = [y + rng.choice((0.2, 0.7)) for y in _BP_NTM_YEARS] + list(_BP_NTM_RECENT)
    t_ntm: dict[int, float | None] = {}
    for i, t in zip(order, met_years):
        t_ntm[i] = round(t, 2)
    for i, c in zip(order[len(met_years):], _BP_NTM_OPEN):
        t_ntm[i] = round(T_REF + (18 - c + 0.5) / 1.5, 3)
    # bright spots and core groups
    w_urban = [1.8 if u.kind != "Xã" else 1.0 for _, u in cunits]
    upper = _allocate(PUBLISHED_2023H1["bright_spots_upper"], w_urban, rng, 0, 3)
    lower = _allocate(PUBLISHED_2023H1["bright_spots_commune"], [rng.uniform(0.5, 1.5) for _ in cunits], rng, 1, 4)
    groups = _allocate(PUBLISHED_2023H1["core_groups"], [k * rng.uniform(0.7, 1.3) for k in kdc], rng, 3, 10)
    members = _allocate(PUBLISHED_2023H1["core_group_members"], [float(g) for g in groups], rng,
                        [5 * g for g in groups], [9 * g for g in groups])
    bases: dict[str, CommuneBase] = {}
    for i, (d, u) in enumerate(cunits):
        cr = random.Random(f"{d.code}-{u.code}-base")
        bases[u.code] = CommuneBase(u, kdc[i], _area_names(u, kdc[i], cr, "south"), cr.random(), cr.random(),
                                    t_ntm.get(i), cr.randint(13, 19) if u.kind == "Xã" else 19,
                                    (upper[i], lower[i], groups[i], members[i]),
                                    cr.uniform(0.5, 1.5) * (1.3 if u.kind != "Xã" else 1.0), cr.uniform(0.6, 1.4))
    for i in t_ntm:  # criterion 19.2: every recognised xã, and most others
        cb = bases[cunits[i][1].code]
        if cb.t_ntm is not None and cb.t_ntm > T_REF:
            cb.sec_at = 14 + (i % 7)      # 14..20: a few open xã do not meet 19.2
    # models: 327 residential in all 111 communes, 48 institutional, 2,126 cameras at 2023-H1
    mr = random.Random("70-models")
    res = _allocate(PUBLISHED_2023H1["models_residential"], [k * mr.uniform(0.6, 1.4) for k in kdc], mr, 1, 8)
    inst = _allocate(PUBLISHED_2023H1["models_institutional"],
                     [3.0 if u.kind == "Phường" else 2.0 if u.kind == "Thị trấn" else 0.5 for _, u in cunits], mr, 0, 3)
    by_district: dict[str, list[ModelBase]] = {d.code: [] for d in districts}
    present: list[ModelBase] = []
    for i, (d, u) in enumerate(cunits):
        cb = bases[u.code]
        for k in range(res[i]):
            m = _new_model(mr, cb, "residential", _t_found(mr), d)
            by_district[d.code].append(m)
            present.append(m)
        for k in range(inst[i]):
            m = _new_model(mr, cb, "institutional", _t_found(mr), d)
            by_district[d.code].append(m)
            present.append(m)
        for _ in range(mr.randint(0, 2)):
            by_district[d.code].append(_new_model(mr, cb, "residential", round(T_REF + 0.05 + 4 * mr.random(), 3), d))
    diff = PUBLISHED_2023H1["cameras"] - sum(m.cameras for m in present)
    cams = [m for m in present if m.type == "Camera an ninh" and m.setting == "residential"]
    k = 0
    while diff != 0:
        m = cams[k % len(cams)]
        step = 1 if diff > 0 else -1
        if m.cameras + step >= 6:
            m.cameras += step
            diff -= step
        k += 1
    for code, models in by_district.items():   # the oldest model of each district dates from the 1990s
        oldest = min((m for m in models if m.type not in _TYPE_SINCE), key=lambda m: m.t_found)
        oldest.t_found = min(oldest.t_found, 1993.0 + mr.random())
    out = {}
    for d in districts:
        dr = random.Random(f"{d.code}-base")
        communes = [bases[u.code] for u in h.communes(d.code)]
        out[d.code] = DistrictBase(d, province, communes, by_district[d.code], _BP_LAG[d.code], 1.0,
                                   _person(dr), _person(dr, rank=True))
    return out


HOURS_PER_COMMUNE = 0.8        # broadcast hours per commune and half-year, on average
BANNERS_PER_COMMUNE = 19.5     # banners and posters per commune and half-year


def _flow_levels(db: DistrictBase) -> tuple[float, float]:
    """A district's usual (hours, banners) per half-year; hours at least 3, so that the normal
    swing of a flow (±12 %) never reads as a fall by more than a third after rounding."""
    hours = max(3.0, HOURS_PER_COMMUNE * sum(cb.w_hours for cb in db.communes))
    return hours, BANNERS_PER_COMMUNE * sum(cb.w_banners for cb in db.communes)


def _district_flows(db: DistrictBase, cycle: Cycle) -> tuple[int, int]:
    """(hours, banners) of a district for a cycle: its usual level, a year twice a half-year, ±12 %."""
    rng = random.Random(f"{cycle.id}-{db.unit.code}-flows")
    mult = 1 if cycle.half_year else 2
    hours, banners = _flow_levels(db)
    return int(hours * mult * rng.uniform(0.88, 1.12) + 0.5), int(banners * mult * rng.uniform(0.88, 1.12) + 0.5)


@cache
def _bp_district_flows(cycle_id: str) -> dict[str, tuple[int, int]]:
    """Bình Phước's fitted cycles: district (hours, banners) summing to ANCHOR_FLOWS, near each
    district's usual level (so no district falls by a third between comparable cycles)."""
    hours, banners = ANCHOR_FLOWS[cycle_id]
    dbs = list(_bp_bases().values())
    rng = random.Random(f"{cycle_id}-70-flows")
    levels = [_flow_levels(db) for db in dbs]
    wh = [h * rng.uniform(0.96, 1.04) for h, _ in levels]
    wb = [b * rng.uniform(0.96, 1.04) for _, b in levels]
    hs = _allocate(hours, wh, rng)
    bs = _allocate(banners, wb, rng)
    return {db.unit.code: (h, b) for db, h, b in zip(dbs, hs, bs)}


def district_base(code: str) -> DistrictBase:
    d = units.legacy().unit(code)
    if d.parent == ANCHOR_PROVINCE:
        return _bp_bases()[code]
    return _generic_base(d)


# ==================================================================================================
# State of a district at a cycle (the truth the files are written from)

@dataclass
class CommuneState:
    unit: units.Unit
    kdc_total: int
    kdc_registered: int
    kdc_meeting: int
    areas: list[tuple[str, bool, bool]]          # (name, registered, meeting)
    ntm: tuple[int, bool, int | None, bool] | None   # criteria, met, year, criterion 19.2 (xã only)
    broadcast_hours: int
    banners_posters: int
    sessions: int
    attendees: int
    bright_spots_upper: int
    bright_spots_commune: int
    core_groups: int
    core_group_members: int


@dataclass
class DistrictState:
    base: DistrictBase
    cycle: Cycle
    communes: list[CommuneState]
    models: list[ModelBase]

    def totals(self) -> dict[str, int]:
        cs = self.communes
        res = [m for m in self.models if m.setting == "residential"]
        return {
            "kdc_total": sum(c.kdc_total for c in cs),
            "kdc_registered": sum(c.kdc_registered for c in cs),
            "kdc_meeting": sum(c.kdc_meeting for c in cs),
            "ntm_communes": sum(1 for c in cs if c.ntm is not None),
            "ntm_met": sum(1 for c in cs if c.ntm is not None and c.ntm[1]),
            "models_residential": len(res),
            "models_institutional": sum(1 for m in self.models if m.setting == "institutional"),
            "communes_with_models": len({m.commune for m in res}),
            "cameras": sum(m.cameras for m in self.models),
            "broadcast_hours": sum(c.broadcast_hours for c in cs),
            "banners_posters": sum(c.banners_posters for c in cs),
            "bright_spots_upper": sum(c.bright_spots_upper for c in cs),
            "bright_spots_commune": sum(c.bright_spots_commune for c in cs),
            "core_groups": sum(c.core_groups for c in cs),
            "core_group_members": sum(c.core_group_members for c in cs),
        }


def _growth(T: float) -> float:
    return max(0.0, 1 - 0.07 * (T_REF - T)) if T < T_REF else min(1.5, 1 + 0.04 * (T - T_REF))


def district_state(base: DistrictBase, cycle: Cycle) -> DistrictState:
    T = _t(cycle)
    code = base.unit.code
    rng = random.Random(f"{cycle.id}-{code}")
    anchored = base.province.code == ANCHOR_PROVINCE and cycle.id in ANCHOR_FLOWS
    d_hours, d_banners = _bp_district_flows(cycle.id)[code] if anchored else _district_flows(base, cycle)
    fr = random.Random(f"{cycle.id}-{code}-communes")
    c_hours = _allocate(d_hours, [cb.w_hours for cb in base.communes], fr)
    n = len(base.communes)
    c_banners = _allocate(d_banners, [cb.w_banners for cb in base.communes], fr, min(5, d_banners // n))
    if T < T_REF:
        s = max(0.3, base.share_ref - (T_REF - T) * (0.04 + 0.10 * base.lag))
    else:
        s = base.share_ref + (1 - base.share_ref) * min(1.0, (T - T_REF) / 3)
    r_share = min(1.0, s + 0.06 * (1 - base.lag) + (0.0 if T >= T_REF else 0.01))
    if base.share_ref >= 1 and T >= T_REF:
        s = r_share = 1.0
    g = _growth(T)
    mult = 1 if cycle.half_year else 2
    out = []
    for ci, cb in enumerate(base.communes):
        total = cb.kdc_total
        meet = min(total, int(total * s + cb.u_meet))
        reg = min(total, max(meet, int(total * r_share + cb.u_reg)))
        ar = random.Random(f"{cycle.id}-{code}-{cb.unit.code}-areas")
        idx = list(range(total))
        ar.shuffle(idx)
        reg_set, meet_set = set(idx[:reg]), set(idx[:meet])
        areas = [(name, i in reg_set, i in meet_set) for i, name in enumerate(cb.areas)]
        ntm = None
        if cb.unit.kind == "Xã":
            if cb.t_ntm is not None and cb.t_ntm <= T:
                ntm = (19, True, int(cb.t_ntm), True)
            else:
                t_eff = cb.t_ntm if cb.t_ntm is not None else 2033.0
                crit = max(1, min(18, 18 - math.floor((t_eff - T) * 1.5)))
                ntm = (crit, False, None, crit >= cb.sec_at)
        hours, banners = c_hours[ci], c_banners[ci]
        sessions = sum(rng.randint(2, 8) for _ in range(mult))
        attendees = sessions * rng.randint(35, 85)
        up, lo, gr, mem = cb.bright
        if g == 1.0:
            up_t, lo_t, gr_t, mem_t = up, lo, gr, mem
        else:   # each value scaled, rounded with the commune's own fixed offsets (stocks never jump)
            up_t, lo_t, gr_t, mem_t = (int(v * g + (cb.u_reg + k * 0.618) % 1.0)
                                       for k, v in enumerate((up, lo, gr, mem)))
            mem_t = max(mem_t, gr_t) if gr_t else 0
        out.append(CommuneState(cb.unit, total, reg, meet, areas, ntm, hours, banners, sessions, attendees,
                                up_t, lo_t, gr_t, mem_t))
    models = [m for m in base.models if m.t_found <= T]
    order = {cb.unit.code: i for i, cb in enumerate(base.communes)}
    models.sort(key=lambda m: (m.setting != "residential", order[m.commune], m.t_found))
    return DistrictState(base, cycle, out, models)


# ==================================================================================================
# House styles (deviations)

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

#: Bình Phước: which district sends a second return in which cycle (others: seeded choice).
RESUBMIT = {"2022-H1": "698", "2022": "694", "2023-H1": "692"}


@dataclass(frozen=True)
class Fault:
    """A deliberate fault: ``code`` is the finding it should cause."""

    code: str
    district: str
    table: str
    field: str | None = None
    index: int = 0                 # which commune (or model) of the district
    value: object = None           # the text written ("?", a free-text model type)
    delta: int = 0                 # total_mismatch: what the total row adds to the true sum
    note: str = ""


FAULTS: dict[str, tuple[Fault, ...]] = {
    "2022-H1": (
        Fault("table_missing", "691", "bright_spots", note="Biểu 5 không có trong tệp"),
        Fault("value_missing", "695", "outreach", "banners_posters", index=3, value="?"),
        Fault("total_mismatch", "688", "outreach", "banners_posters", delta=12),
        Fault("model_type_other", "697", "models", "model_type", index=1, value="Dòng họ gương mẫu"),
    ),
    "2022": (
        Fault("value_missing", "696", "bright_spots", "core_group_members", index=2, value="chưa có số liệu"),
        Fault("total_mismatch", "689", "kdc", "kdc_registered", delta=-3),
        Fault("ntm_not_xa", "688", "ntm", "commune", value="Không áp dụng"),
        Fault("model_type_other", "692", "models", "model_type", index=4, value="Cổng trường an toàn"),
    ),
}


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


def _file_name(plan: Plan, d: units.Unit, cycle: Cycle) -> str:
    h1 = cycle.half_year
    short = d.short
    fields = {"short": short, "ascii": _compact(short), "ascii_sp": _strip(short), "ASCII_SP": _strip(short).upper(),
              "year": str(cycle.year)}
    out = plan.filename
    for key, (a, b) in _H1_TAGS.items():
        out = out.replace("{t" + key + "}", a if h1 else b)
    return out.format(**fields)


# ==================================================================================================
# The abstract workbook

@dataclass
class XCell:
    v: object = None               # str | int | float | None
    style: str = "text"
    formula: str | None = None     # "=SUM(C9:C20)"; ``v`` is the value it computes
    caps: bool = False             # TCVN3 typed with the .VnTimeH font


class XSheet:
    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], XCell] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.hidden = False

    def put(self, r: int, c: int, v, style: str = "text", formula: str | None = None) -> XCell:
        cell = XCell(v, style, formula)
        self.cells[(r, c)] = cell
        return cell

    def merge(self, r1: int, c1: int, r2: int, c2: int, v, style: str) -> None:
        self.put(r1, c1, v, style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.cells[(r, c)] = XCell(None, style)

    @property
    def nrows(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1

    @property
    def ncols(self) -> int:
        return max((c for _, c in self.cells), default=-1) + 1


@dataclass
class XBook:
    sheets: list[XSheet]
    created: datetime
    author: str
    font: str = "Times New Roman"
    caps_font: str = "Times New Roman"


STYLES: dict[str, dict] = {
    "org": dict(bold=True, align="center"),
    "motto": dict(bold=True, align="center"),
    "motto2": dict(bold=True, align="center", underline=True),
    "date": dict(italic=True, align="center"),
    "title": dict(bold=True, align="center", size=13),
    "period": dict(italic=True, align="center"),
    "caption": dict(bold=True, align="center"),
    "head": dict(bold=True, align="center", wrap=True, border=True),
    "numbering": dict(italic=True, align="center", border=True),
    "text": dict(border=True, wrap=True),
    "center": dict(border=True, align="center"),
    "int": dict(border=True, align="right", num="#,##0"),
    "dec": dict(border=True, align="right", num="0.0"),
    "year": dict(border=True, align="center", num="0"),
    "group": dict(bold=True, italic=True, border=True),
    "total": dict(bold=True, border=True),
    "total_int": dict(bold=True, border=True, align="right", num="#,##0"),
    "total_dec": dict(bold=True, border=True, align="right", num="0.0"),
    "foot": dict(italic=True),
    "sign": dict(bold=True, align="center"),
    "sign_i": dict(italic=True, align="center"),
    "text_r": dict(border=True, align="right"),
    "plain": {},
}


# ==================================================================================================
# Headings

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


def _heading(text: str, plan: Plan) -> str:
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
        text = _strip(text)
    return text


@dataclass
class Col:
    key: str                       # field name, or stt / note / ratio / area
    path: tuple[str, ...]          # headings, parent first
    width: float = 12
    kind: str = "int"              # text | int | dec | year | mark | center


def _field_heading(table: str, name: str, layout: int = 0) -> str:
    for f in forms.TABLES[table].layouts[layout].fields:
        if f.name == name:
            return f.heading
    raise KeyError(name)


def _columns(table: str, plan: Plan, only_xa: bool) -> list[Col]:
    """The columns of a table in this plan's layout, with their heading paths."""
    merged = plan.header != "flat"
    commune_head = "Xã" if only_xa else _field_heading("kdc", "commune")
    cols: list[Col] = []
    if plan.stt:
        cols.append(Col("stt", (plan.stt_label,), 5, "center"))
    if table == "kdc" and plan.layout_b:
        cols += [Col("commune", (commune_head,), 22, "text"), Col("area", ("Khu dân cư (ấp, khu phố)",), 20, "text"),
                 Col("registered", (_field_heading("kdc", "registered", 1),), 14, "mark"),
                 Col("meeting", (_field_heading("kdc", "meeting", 1),), 14, "mark")]
    elif table == "kdc":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        if plan.header == "merged3":
            cols += [Col("kdc_total", ("Khu dân cư", "Tổng số"), 10),
                     Col("kdc_registered", ("Khu dân cư", "An toàn về an ninh, trật tự", "Đăng ký"), 11),
                     Col("kdc_meeting", ("Khu dân cư", "An toàn về an ninh, trật tự", "Đạt chuẩn"), 11)]
        elif merged:
            cols += [Col("kdc_total", ("Số khu dân cư", "Tổng số"), 10),
                     Col("kdc_registered", ("Số khu dân cư", 'Đăng ký "An toàn về ANTT"'), 13),
                     Col("kdc_meeting", ("Số khu dân cư", 'Đạt chuẩn "An toàn về ANTT"'), 13)]
        else:
            cols += [Col(n, (_field_heading("kdc", n),), 14) for n in ("kdc_total", "kdc_registered", "kdc_meeting")]
        if plan.ratio_col:
            cols.append(Col("ratio", (_field_heading("kdc", "ratio"),), 11, "dec"))
    elif table == "ntm":
        cols.append(Col("commune", ("Xã",), 22, "text"))
        if merged:
            par = "Kết quả xây dựng NTM"
            cols += [Col("ntm_criteria_met", (par, "Số tiêu chí đã đạt (/19)"), 12),
                     Col("ntm_met", (par, "Đạt chuẩn"), 11, "mark"),
                     Col("ntm_year", (par, "Năm công nhận"), 11, "year")]
        else:
            cols += [Col("ntm_criteria_met", (_field_heading("ntm", "ntm_criteria_met"),), 12),
                     Col("ntm_met", (_field_heading("ntm", "ntm_met"),), 11, "mark"),
                     Col("ntm_year", (_field_heading("ntm", "ntm_year"),), 11, "year")]
        cols.append(Col("ntm_security_criterion", (_field_heading("ntm", "ntm_security_criterion"),), 13, "mark"))
    elif table == "models":
        name = Col("model_name", ("Tên mô hình",), 36, "text")
        mtype = Col("model_type", ("Loại mô hình",), 26, "text")
        commune = Col("commune", ("Địa bàn (xã, phường, thị trấn)",), 18, "text")
        cols += [name, commune, mtype] if plan.swap_columns else [name, mtype, commune]
        cols += [Col("setting", ("Nơi triển khai",), 18, "text"), Col("founded", ("Năm thành lập",), 10, "year")]
        if merged:
            cols += [Col("members", ("Quy mô", "Số thành viên"), 10), Col("cameras", ("Quy mô", "Số camera"), 10)]
        else:
            cols += [Col("members", ("Số thành viên",), 10), Col("cameras", ("Số camera",), 10)]
    elif table == "outreach":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        a = Col("broadcast_hours", (_field_heading("outreach", "broadcast_hours"),), 13)
        b = Col("banners_posters", (_field_heading("outreach", "banners_posters"),), 14)
        cols += [b, a] if plan.swap_columns else [a, b]
        if merged:
            cols += [Col("sessions", ("Tuyên truyền trực tiếp", "Số buổi"), 10),
                     Col("attendees", ("Tuyên truyền trực tiếp", "Số lượt người tham dự"), 12)]
        else:
            cols += [Col("sessions", (_field_heading("outreach", "sessions"),), 11),
                     Col("attendees", (_field_heading("outreach", "attendees"),), 12)]
    elif table == "bright_spots":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        if merged:
            p1, p2 = "Điểm sáng chấp hành pháp luật", "Tổ, nhóm nòng cốt, CLB pháp luật"
            cols += [Col("bright_spots_upper", (p1, "Cấp tỉnh, cấp huyện"), 12),
                     Col("bright_spots_commune", (p1, "Cấp xã"), 10),
                     Col("core_groups", (p2, "Số tổ, nhóm"), 10), Col("core_group_members", (p2, "Số thành viên"), 11)]
        else:
            cols += [Col(n, (_field_heading("bright_spots", n),), 13) for n in forms.BRIGHT_SPOTS.value_fields]
    if plan.note_col:
        cols.append(Col("note", ("Ghi chú",), 14, "text"))
    return [replace(c, path=tuple(_heading(p, plan) for p in c.path)) for c in cols]


def combined_headings(table: str, plan: Plan, only_xa: bool = False) -> dict[str, str]:
    """Column key -> its heading as a loader sees it (parents and child joined)."""
    return {c.key: " ".join(c.path) for c in _columns(table, plan, only_xa)}


# ==================================================================================================
# Building the sheets of one return

def _commune_name(u: units.Unit, plan: Plan, ambiguous: set[str], ntm_met: bool = False, note: bool = False) -> str:
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
        s = u.name if u.code in ambiguous else _strip(short)
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


def _ambiguous(communes: list[units.Unit], district: units.Unit) -> set[str]:
    """Codes of communes that keep their type word in every name form: those whose name without it
    (and without diacritics) is shared in the district or is the district's own name (a row
    "Bù Gia Mập" would read as a group row of the district)."""
    seen: dict[str, list[str]] = {}
    for u in communes:
        seen.setdefault(_strip(u.short).lower(), []).append(u.code)
    out = {c for codes in seen.values() if len(codes) > 1 for c in codes}
    return out | set(seen.get(_strip(district.short).lower(), ()))


def _setting_text(setting: str, plan: Plan) -> str:
    s = forms.SETTINGS[setting]
    if plan.setting_style == "abbr":
        return {"residential": "KDC", "institutional": "CQ, DN, NT"}[setting]
    if plan.setting_style == "nodiac":
        return _strip(s)
    if plan.setting_style == "upper":
        return s.upper()
    return s


def _type_text(mtype: str, plan: Plan) -> str:
    if plan.type_style == "nodiac":
        return _strip(mtype)
    if plan.type_style == "lower":
        return mtype.lower()
    if plan.type_style == "upper":
        return mtype.upper()
    return mtype


def _issuer(plan: Plan, d: units.Unit, province: units.Unit) -> tuple[str, str]:
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
        key = _strip(d.short).lower()
        seen[key] = seen.get(key, 0) + 1
    return frozenset(k for k, n in seen.items() if n > 1)


def _district_name_shared(code: str) -> bool:
    return _strip(units.legacy().unit(code).short).lower() in _shared_district_names()


_FORM_TITLES = ("BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC",
                "THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ ANTQ",
                "BÁO CÁO SỐ LIỆU PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC")


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


def _date_line(place: str, day: date, pad: bool) -> str:
    month = f"{day.month:02d}" if pad else str(day.month)
    return f"{place}, ngày {day.day} tháng {month} năm {day.year}"


class _Writer:
    """Lays out one sheet: title block, header, rows, footer; remembers where each value went."""

    def __init__(self, sheet: XSheet, plan: Plan, cols: list[Col], ctx: "_Context"):
        self.sh, self.plan, self.cols, self.ctx = sheet, plan, cols, ctx
        self.ncols = len(cols)
        self.col_of = {c.key: i for i, c in enumerate(cols)}
        self.r = plan.blank_top
        self.positions: dict[tuple, tuple[int, int]] = {}

    # -- title block ------------------------------------------------------------------------
    def title(self, caption: str) -> None:
        sh, w, ctx, plan = self.sh, self.ncols, self.ctx, self.plan
        left = 2 if w <= 5 else 3
        org1, org2 = _issuer(plan, ctx.district, ctx.province)
        r = self.r
        self._span(r, 0, left - 1, org1, "org")
        self._span(r, left, w - 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto")
        self._span(r + 1, 0, left - 1, org2, "org")
        self._span(r + 1, left, w - 1, "Độc lập - Tự do - Hạnh phúc", "motto2")
        self._span(r + 2, left, w - 1, _date_line(ctx.district.short, ctx.report_date, plan.month_pad), "date")
        self._span(r + 4, 0, w - 1, _FORM_TITLES[plan.form_title], "title")
        self._span(r + 5, 0, w - 1, period_line(plan.period, ctx.cycle), "period")
        self._span(r + 6, 0, w - 1, caption, "caption")
        self.sh.heights[r + 4] = 20
        self.r = r + 8

    def _span(self, r: int, c1: int, c2: int, v, style: str) -> None:
        if c2 > c1:
            self.sh.merge(r, c1, r, c2, v, style)
        else:
            self.sh.put(r, c1, v, style)

    # -- header -----------------------------------------------------------------------------
    def header(self) -> None:
        depth = max(len(c.path) for c in self.cols)
        r0 = self.r
        for j, c in enumerate(self.cols):
            self.sh.widths[j] = c.width
            for lvl, text in enumerate(c.path):
                if lvl == len(c.path) - 1:
                    if lvl < depth - 1:
                        self.sh.merge(r0 + lvl, j, r0 + depth - 1, j, text, "head")
                    else:
                        self.sh.put(r0 + lvl, j, text, "head")
                elif j == 0 or self.cols[j - 1].path[:lvl + 1] != c.path[:lvl + 1]:
                    k = j
                    while k + 1 < self.ncols and self.cols[k + 1].path[:lvl + 1] == c.path[:lvl + 1] \
                            and len(self.cols[k + 1].path) > lvl + 1:
                        k += 1
                    self._span(r0 + lvl, j, k, text, "head")
        for lvl in range(depth):
            self.sh.heights[r0 + lvl] = 48 if depth == 1 else 30
        self.r = r0 + depth
        if self.plan.numbering:
            for j in range(self.ncols):
                if self.plan.numbering == "paren":
                    v = f"({j + 1})"
                elif self.plan.numbering == "plain":
                    v = j + 1
                else:
                    letters = 2 if self.plan.stt else 1
                    v = "AB"[j] if j < letters else j - letters + 1
                self.sh.put(self.r, j, v, "numbering")
            self.r += 1

    # -- rows -------------------------------------------------------------------------------
    def number(self, v, kind: str = "int"):
        """A count as the plan types it: a number, or text like "2.100" / " 12 "."""
        if v is None or not self.plan.text_numbers or isinstance(v, str):
            return v
        if kind == "year":
            return str(v)
        if kind == "dec":
            return f"{v:.1f}".replace(".", ",")
        s = f"{v:,}".replace(",", ".")
        self.ctx.text_count += 1
        return f" {s} " if self.ctx.text_count % 7 == 3 else s

    def row(self, key, values: dict, kind: str = "data") -> int:
        """Write one row; ``values`` maps column key -> value (or ("=formula", cached))."""
        r = self.r
        for j, c in enumerate(self.cols):
            v = values.get(c.key)
            formula = None
            if isinstance(v, tuple):
                formula, v = v
            if kind == "total":
                style = "total" if c.kind in ("text", "center", "mark") else "total_dec" if c.kind == "dec" else "total_int"
            elif kind == "group":
                style = "group"
            else:
                style = {"text": "text", "center": "center", "mark": "center", "year": "year", "dec": "dec"}.get(c.kind, "int")
            if formula is None and c.kind in ("int", "dec", "year"):
                v = self.number(v, c.kind)
                if isinstance(v, str) and style in ("int", "dec", "year", "total_int", "total_dec"):
                    style = "total" if kind == "total" else "center" if c.kind == "year" else "text_r"
            self.sh.put(r, j, v, style, formula)
            self.positions[(key, c.key)] = (r, j)
        self.r += 1
        return r

    def footer(self, note: str) -> None:
        sh, w, ctx, plan = self.sh, self.ncols, self.ctx, self.plan
        left = 2 if w <= 5 else 3
        r = self.r + 1
        sh.put(r, 0, f"Ghi chú: {note}", "foot")
        r += 2
        if plan.footer_date:
            self._span(r, left, w - 1, _date_line(ctx.district.short, ctx.report_date, plan.month_pad), "date")
            r += 1
        self._span(r, 0, left - 1, "NGƯỜI LẬP BIỂU", "sign")
        self._span(r, left, w - 1, "THỦ TRƯỞNG ĐƠN VỊ", "sign")
        self._span(r + 1, left, w - 1, "(Ký, ghi rõ họ tên, đóng dấu)", "sign_i")
        self._span(r + 5, 0, left - 1, ctx.base.preparer, "sign")
        self._span(r + 5, left, w - 1, ctx.base.head, "sign")
        self.r = r + 6


@dataclass
class _Context:
    base: DistrictBase
    state: DistrictState
    plan: Plan
    cycle: Cycle
    district: units.Unit
    province: units.Unit
    report_date: date
    faults: list[Fault]
    ambiguous: set[str]
    text_count: int = 0
    located: list[dict] = field(default_factory=list)   # faults with their cells


def _total_label(plan: Plan, d: units.Unit) -> str:
    if plan.total_label == "Toàn huyện":
        return {"Thị xã": "Toàn thị xã", "Thành phố": "Toàn thành phố", "Quận": "Toàn quận"}.get(d.kind, "Toàn huyện")
    return plan.total_label


def _sum_formula(col: int, first: int, last: int) -> str:
    return f"=SUM({_col(col)}{first + 1}:{_col(col)}{last + 1})"


def _table_rows(table: str, ctx: _Context) -> tuple[list[tuple], list[str]]:
    """(rows, value column keys summed by the total row) for a per-commune table.

    A row is (kind, key, values): kind data | group, key the commune code (or a group label).
    """
    st, plan = ctx.state, ctx.plan
    rows: list[tuple] = []
    fault_rows = {f.index for f in ctx.faults if f.table == table and f.code == "ntm_not_xa"}
    communes = st.communes
    if table == "ntm":
        xa = [c for c in communes if c.ntm is not None]
        met_marks, sec_marks = plan.ntm_marks, plan.sec_marks
        for i, c in enumerate(xa):
            if i == 0 and fault_rows:
                ph = next((x for x in communes if x.unit.kind != "Xã"), None)
                if ph is not None:
                    rows.append(("data", ("ntm_not_xa", ph.unit.code), {
                        "commune": _commune_name(ph.unit, plan, ctx.ambiguous), "ntm_criteria_met": "-",
                        "ntm_met": "Không áp dụng", "ntm_year": "-", "ntm_security_criterion": "-"}))
            crit, met, year, sec = c.ntm
            rows.append(("data", c.unit.code, {
                "commune": _commune_name(c.unit, plan, ctx.ambiguous), "ntm_criteria_met": crit,
                "ntm_met": met_marks[0] if met else met_marks[1], "ntm_year": year,
                "ntm_security_criterion": sec_marks[0] if sec else sec_marks[1]}))
        return rows, []
    fields = {"kdc": ("kdc_total", "kdc_registered", "kdc_meeting"),
              "outreach": ("broadcast_hours", "banners_posters", "sessions", "attendees"),
              "bright_spots": ("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members")}[table]
    kinds = list(dict.fromkeys(c.unit.kind for c in communes))
    grouped = plan.groups and len(kinds) > 1
    order = sorted(communes, key=lambda c: kinds.index(c.unit.kind)) if grouped else communes
    romans = ("I", "II", "III", "IV")
    labels = {"Phường": "Các phường", "Xã": "Các xã", "Thị trấn": "Thị trấn"}
    current = None
    for c in order:
        if grouped and c.unit.kind != current:
            current = c.unit.kind
            g = romans[kinds.index(current)]
            label = labels.get(current, current)
            rows.append(("group", f"group-{g}", {"stt": g, "commune": label} if plan.stt else {"commune": f"{g}. {label}"}))
        note = plan.ntm_note and table in ("outreach", "bright_spots")
        vals = {"commune": _commune_name(c.unit, plan, ctx.ambiguous, bool(c.ntm and c.ntm[1]), note)}
        for f in fields:
            vals[f] = getattr(c, f)
        if table == "kdc" and plan.ratio_col:
            vals["ratio"] = round(c.kdc_meeting / c.kdc_total * 100, 1) if c.kdc_total else 0.0
        if plan.note_col and table == "kdc" and c.ntm and c.ntm[1]:
            vals["note"] = "Xã NTM"
        rows.append(("data", c.unit.code, vals))
    return rows, list(fields)


def _write_commune_table(table: str, sh: XSheet, ctx: _Context) -> _Writer:
    plan = ctx.plan
    only_xa = all(c.unit.kind == "Xã" for c in ctx.state.communes)
    cols = _columns(table, plan, only_xa)
    w = _Writer(sh, plan, cols, ctx)
    w.title(forms.TABLES[table].heading)
    w.header()
    rows, summed = _table_rows(table, ctx)
    formulas = plan.formulas != "none"
    total_row = None
    if plan.total == "top" and summed:
        total_row = w.r
        w.r += 1
    first = w.r
    stt = 0
    for kind, key, vals in rows:
        if kind == "data" and plan.stt:
            stt += 1
            vals = {"stt": stt, **vals}
        w.row(key, vals, kind)
    last = w.r - 1
    sums = {f: sum(v.get(f) or 0 for k, _, v in rows if k == "data") for f in summed}
    if summed and plan.total:
        if plan.total == "bottom":
            total_row = w.r
        tvals: dict = {"commune": _total_label(plan, ctx.district)}
        for f in summed:
            j = w.col_of[f]
            tvals[f] = (_sum_formula(j, first, last), sums[f]) if formulas else sums[f]
        if "ratio" in w.col_of:
            t = sums["kdc_total"]
            ratio = round(sums["kdc_meeting"] / t * 100, 1) if t else 0.0
            jt, jm = w.col_of["kdc_total"], w.col_of["kdc_meeting"]
            tvals["ratio"] = ratio
            if formulas:
                tvals["ratio"] = (_ratio_formula(plan, jm, jt, total_row), ratio)
        save = w.r
        w.r = total_row
        w.row("total", tvals, "total")
        w.r = max(save, total_row + 1)
    if "ratio" in w.col_of and plan.ratio_col == "formula":
        jt, jm, jr = w.col_of["kdc_total"], w.col_of["kdc_meeting"], w.col_of["ratio"]
        for kind, key, vals in rows:
            if kind == "data":
                r, _ = w.positions[(key, "ratio")]
                sh.cells[(r, jr)].formula = _ratio_formula(plan, jm, jt, r)
    _footer(table, w, ctx)
    return w


def _ratio_formula(plan: Plan, jm: int, jt: int, r: int) -> str:
    m, t = f"{_col(jm)}{r + 1}", f"{_col(jt)}{r + 1}"
    return f"={m}/{t}*100" if plan.formulas == "nocache" else f"=ROUND({m}/{t}*100,1)"


def _footer(table: str, w: _Writer, ctx: _Context) -> None:
    notes = {"kdc": "KDC: khu dân cư; ANTT: an ninh, trật tự.",
             "ntm": "Chỉ thống kê các xã; phường, thị trấn không xét nông thôn mới.",
             "models": "Mỗi mô hình ghi một dòng.",
             "outreach": f"Số liệu tính đến ngày {ctx.cycle.end.day}/{ctx.cycle.end.month}/{ctx.cycle.end.year}.",
             "bright_spots": "Điểm sáng do cấp có thẩm quyền công nhận."}
    w.footer(notes[table])


def _write_layout_b(sh: XSheet, ctx: _Context) -> _Writer:
    plan = ctx.plan
    only_xa = all(c.unit.kind == "Xã" for c in ctx.state.communes)
    w = _Writer(sh, plan, _columns("kdc", plan, only_xa), ctx)
    w.title(forms.TABLES["kdc"].heading)
    w.header()
    ry, rn, my, mn = plan.area_marks
    stt = 0
    for c in ctx.state.communes:
        name = _commune_name(c.unit, plan, ctx.ambiguous)
        for i, (area, reg, meet) in enumerate(c.areas):
            stt += 1
            mark = my if meet else mn
            if meet and stt % 23 == 5:
                mark = "✓"
            w.row((c.unit.code, i), {"stt": stt, "commune": name if i == 0 else None, "area": area,
                                     "registered": ry if reg else rn, "meeting": mark})
        w.row((c.unit.code, "sub"), {"area": "Cộng", "registered": c.kdc_registered, "meeting": c.kdc_meeting},
              "total")
    t = ctx.state.totals()
    w.row("total", {"commune": _total_label(plan, ctx.district), "area": f"{t['kdc_total']} khu dân cư",
                    "registered": t["kdc_registered"], "meeting": t["kdc_meeting"]}, "total")
    _footer("kdc", w, ctx)
    return w


def _write_models(sh: XSheet, ctx: _Context) -> _Writer:
    plan = ctx.plan
    cols = _columns("models", plan, False)
    w = _Writer(sh, plan, cols, ctx)
    w.title(forms.TABLES["models"].heading)
    w.header()
    units_by_code = {c.unit.code: c for c in ctx.state.communes}
    models = ctx.state.models
    total_row = None
    if plan.total == "top":
        total_row = w.r
        w.r += 1
    first = w.r
    current = None
    stt = 0
    for i, m in enumerate(models):
        if plan.groups and m.setting != current:
            current = m.setting
            g = "I" if current == "residential" else "II"
            label = "Mô hình tại khu dân cư" if current == "residential" else "Mô hình tại cơ quan, doanh nghiệp, nhà trường"
            w.row(f"group-{g}", {"stt": g, "model_name": label} if plan.stt else {"model_name": f"{g}. {label}"}, "group")
        stt += 1
        c = units_by_code[m.commune]
        w.row(i, {"stt": stt, "model_name": m.name, "model_type": _type_text(m.type, plan),
                  "commune": _commune_name(c.unit, plan, ctx.ambiguous), "setting": _setting_text(m.setting, plan),
                  "founded": int(m.t_found), "members": m.members, "cameras": m.cameras or None})
    last = w.r - 1
    if plan.total and models:
        if plan.total == "bottom":
            total_row = w.r
        label_key = "stt" if plan.stt else "model_name"
        tvals: dict = {label_key: _total_label(plan, ctx.district)}
        if plan.stt:
            tvals["model_name"] = f"{len(models)} mô hình"
        for f in ("members", "cameras"):
            s = sum(getattr(m, f) for m in models)
            tvals[f] = (_sum_formula(w.col_of[f], first, last), s) if plan.formulas != "none" else s
        save = w.r
        w.r = total_row
        w.row("total", tvals, "total")
        w.r = max(save, total_row + 1)
    _footer("models", w, ctx)
    return w


def _junk_sheet() -> XSheet:
    sh = XSheet("Data")
    sh.hidden = True
    rng = random.Random("junk")
    sh.put(0, 0, "ma", "plain")
    sh.put(0, 1, "gia_tri", "plain")
    for i in range(1, 25):
        sh.put(i, 0, f"dm{i:03d}", "plain")
        sh.put(i, 1, rng.randint(0, 500), "plain")
    sh.put(26, 0, "phien_ban_mau", "plain")
    sh.put(26, 1, "3.1", "plain")
    return sh


def _apply_faults(w: _Writer, table: str, ctx: _Context, rel: str) -> None:
    """Put this table's deliberate faults into its sheet and record where they went."""
    sh = w.sh
    for f in ctx.faults:
        if f.table != table or f.code == "table_missing":
            continue
        if f.code == "value_missing":
            code = [c.unit.code for c in ctx.state.communes][f.index]
            r, c = w.positions[(code, f.field)]
            found = f.value
            if ("total", f.field) in w.positions:    # the total row sums what is there, as SUM() would
                total = sh.cells[w.positions[("total", f.field)]]
                lost = _as_int(sh.cells[(r, c)].v)
                total.v = w.number(_as_int(total.v) - lost) if total.formula is None else _as_int(total.v) - lost
        elif f.code == "total_mismatch":
            r, c = w.positions[("total", f.field)]
            cell = sh.cells[(r, c)]
            cell.formula = None
            true = _as_int(cell.v)
            cell.v = w.number(true + f.delta)
            found = true + f.delta
        elif f.code == "model_type_other":
            res = [i for i, m in enumerate(ctx.state.models) if m.setting == "residential"]
            r, c = w.positions[(res[f.index], "model_type")]
            found = f.value
        elif f.code == "ntm_not_xa":
            key = next(k for k in w.positions
                       if isinstance(k[0], tuple) and k[0][0] == "ntm_not_xa" and k[1] == "commune")
            r, c = w.positions[key]
            found = sh.cells[(r, c)].v
        else:
            raise ValueError(f.code)
        if f.code in ("value_missing", "model_type_other"):
            sh.cells[(r, c)].v = f.value
            sh.cells[(r, c)].formula = None
        ctx.located.append(_fault_record(f, rel, sh.name, _a1(r, c), r + 1, found))


def _as_int(v) -> int:
    """A count as written (a number, or text like "2.100" / " 12 ")."""
    return int(v.strip().replace(".", "")) if isinstance(v, str) else int(v or 0)


def _fault_record(f: Fault, rel: str, sheet: str | None, cell: str | None, row: int | None, found) -> dict:
    return {"code": f.code, "severity": CODES[f.code][0], "file": rel, "sheet": sheet, "cell": cell, "row": row,
            "district_code": f.district, "table": f.table, "field": f.field, "found": found, "note": f.note}


def build_book(ctx: _Context, rel: str) -> tuple[XBook, dict[str, str]]:
    """The workbook of one return, and table id -> sheet name."""
    plan = ctx.plan
    missing = {f.table for f in ctx.faults if f.code == "table_missing"}
    sheets: dict[str, XSheet] = {}
    for i, table in enumerate(TABLE_ORDER):
        if table in missing:
            continue
        sh = XSheet(plan.sheet_names[i])
        if table == "kdc" and plan.layout_b:
            w = _write_layout_b(sh, ctx)
        elif table == "models":
            w = _write_models(sh, ctx)
        else:
            w = _write_commune_table(table, sh, ctx)
        _apply_faults(w, table, ctx, rel)
        sheets[table] = sh
    for f in ctx.faults:
        if f.code == "table_missing":
            ctx.located.append(_fault_record(f, rel, None, None, None, None))
    order = [sheets[TABLE_ORDER[i]] for i in plan.sheet_order if TABLE_ORDER[i] in sheets]
    if plan.hidden_junk:
        order.append(_junk_sheet())
    created = datetime(ctx.report_date.year, ctx.report_date.month, ctx.report_date.day, 8, 30)
    book = XBook(order, created, ctx.base.preparer)
    if plan.tcvn3:
        _to_tcvn3(book)
    return book, {t: sh.name for t, sh in sheets.items()}


def _to_tcvn3(book: XBook) -> None:
    """Retype every text cell as it reads when typed with TCVN3 fonts (.VnTime, .VnTimeH for capitals)."""
    from antt.core.text import encode_tcvn3
    book.font, book.caps_font = ".VnTime", ".VnTimeH"
    for sh in book.sheets:
        for cell in sh.cells.values():
            if isinstance(cell.v, str) and cell.v:
                caps = cell.v == cell.v.upper() and any(ch.isalpha() for ch in cell.v) and len(cell.v) > 3
                cell.v = encode_tcvn3(cell.v, capitals_font=caps)
                cell.caps = caps


# ==================================================================================================
# Writers (pure Python)

def _normalize_zip(data: bytes, core: bytes | None = None) -> bytes:
    """The same archive with fixed entry dates (and docProps/core.xml replaced when given)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if core is not None and info.filename == "docProps/core.xml":
                payload = core
            zi = zipfile.ZipInfo(info.filename, FIXED_EPOCH)
            zi.compress_type = info.compress_type
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, payload)
    return out.getvalue()


def _write_xlsxwriter(book: XBook) -> bytes:
    import xlsxwriter
    bio = io.BytesIO()
    wb = xlsxwriter.Workbook(bio, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"created": book.created, "author": book.author, "title": "Thống kê phong trào TDBVANTQ"})
    formats: dict[tuple[str, bool], object] = {}

    def fmt(style: str, caps: bool):
        key = (style, caps)
        if key not in formats:
            s = STYLES[style]
            spec = {"font_name": book.caps_font if caps else book.font, "font_size": s.get("size", 12),
                    "valign": "vcenter"}
            if s.get("bold"):
                spec["bold"] = True
            if s.get("italic"):
                spec["italic"] = True
            if s.get("underline"):
                spec["underline"] = 1
            if s.get("align"):
                spec["align"] = s["align"]
            if s.get("wrap"):
                spec["text_wrap"] = True
            if s.get("border"):
                spec["border"] = 1
            if s.get("num"):
                spec["num_format"] = s["num"]
            formats[key] = wb.add_format(spec)
        return formats[key]

    for sh in book.sheets:
        ws = wb.add_worksheet(sh.name)
        for c, width in sh.widths.items():
            ws.set_column(c, c, width)
        for r, hgt in sh.heights.items():
            ws.set_row(r, hgt)
        covered = set()
        for (r1, c1, r2, c2) in sh.merges:
            cell = sh.cells[(r1, c1)]
            ws.merge_range(r1, c1, r2, c2, "", fmt(cell.style, cell.caps))
            covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in covered:
                continue
            f = fmt(cell.style, cell.caps)
            if cell.formula:
                ws.write_formula(r, c, cell.formula, f, cell.v if cell.v is not None else 0)
            elif isinstance(cell.v, str):
                ws.write_string(r, c, cell.v, f)
            elif isinstance(cell.v, (int, float)):
                ws.write_number(r, c, cell.v, f)
            else:
                ws.write_blank(r, c, None, f)
        if sh.hidden:
            ws.hide()
    wb.close()
    return bio.getvalue()


def _write_openpyxl(book: XBook) -> bytes:
    """.xlsx through openpyxl: formulas are written without cached values (as a program that
    did not calculate them saves them)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from copy import copy
    wb = Workbook()
    wb.remove(wb.active)
    protos: dict[tuple[str, bool], object] = {}
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    cache_: dict[tuple[str, bool], tuple] = {}

    def style(st: str, caps: bool):
        key = (st, caps)
        if key not in cache_:
            s = STYLES[st]
            font = Font(name=book.caps_font if caps else book.font, size=s.get("size", 12), bold=s.get("bold", False),
                        italic=s.get("italic", False), underline="single" if s.get("underline") else None)
            align = Alignment(horizontal=s.get("align"), vertical="center", wrap_text=s.get("wrap", False))
            cache_[key] = (font, align, border if s.get("border") else None, s.get("num"))
        return cache_[key]

    for sh in book.sheets:
        ws = wb.create_sheet(sh.name)
        from openpyxl.utils import get_column_letter
        for c, width in sh.widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = width
        for r, hgt in sh.heights.items():
            ws.row_dimensions[r + 1].height = hgt
        for (r, c), cell in sorted(sh.cells.items()):
            value = cell.formula if cell.formula else cell.v
            x = ws.cell(row=r + 1, column=c + 1, value=value)
            key = (cell.style, cell.caps)
            proto = protos.get(key)
            if proto is not None:        # copying a styled cell's style array is ~20x faster
                x._style = copy(proto)
                continue
            font, align, brd, num = style(cell.style, cell.caps)
            x.font, x.alignment = font, align
            if brd is not None:
                x.border = brd
            if num:
                x.number_format = num
            protos[key] = copy(x._style)
        for (r1, c1, r2, c2) in sh.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        if sh.hidden:
            ws.sheet_state = "hidden"
    wb.properties.creator = book.author
    wb.properties.created = book.created
    bio = io.BytesIO()
    wb.save(bio)
    stamp = book.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = zipfile.ZipFile(io.BytesIO(bio.getvalue())).read("docProps/core.xml")
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp.encode() + rb"\g<2>", core)
    return _normalize_zip(bio.getvalue(), core)


def _write_xlwt(book: XBook) -> bytes:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    cache_: dict[tuple[str, bool], object] = {}

    def style(st: str, caps: bool):
        key = (st, caps)
        if key not in cache_:
            s = STYLES[st]
            font = f"font: name {book.caps_font if caps else book.font}, height {20 * s.get('size', 12)}"
            if s.get("bold"):
                font += ", bold on"
            if s.get("italic"):
                font += ", italic on"
            if s.get("underline"):
                font += ", underline single"
            spec = [font, "align: vert center" + (f", horiz {s['align']}" if s.get("align") else "")
                    + (", wrap on" if s.get("wrap") else "")]
            if s.get("border"):
                spec.append("borders: left thin, right thin, top thin, bottom thin")
            cache_[key] = xlwt.easyxf("; ".join(spec), num_format_str=s.get("num", "General"))
        return cache_[key]

    for sh in book.sheets:
        ws = wb.add_sheet(sh.name, cell_overwrite_ok=True)
        for c, width in sh.widths.items():
            ws.col(c).width = int(256 * width)
        covered = set()
        for (r1, c1, r2, c2) in sh.merges:
            cell = sh.cells[(r1, c1)]
            ws.write_merge(r1, r2, c1, c2, cell.v if cell.v is not None else "", style(cell.style, cell.caps))
            covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in covered:
                continue
            if cell.formula:
                raise ValueError("the .xls writer writes values only (xlwt stores no cached results)")
            ws.write(r, c, cell.v, style(cell.style, cell.caps))
        for r, hgt in sh.heights.items():
            ws.row(r).height_mismatch = True
            ws.row(r).height = int(20 * hgt)
        if sh.hidden:
            ws.visibility = 1
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
           'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"')
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SPACES_RUN = re.compile(r"  +|^ | $")


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _odf_text(line: str) -> str:
    """One paragraph's text: runs of spaces as <text:s/> (ODF collapses plain white space)."""
    def spaces(m: re.Match) -> str:
        n = len(m.group(0))
        if m.start() == 0 or m.end() == len(line):
            return f'<text:s text:c="{n}"/>' if n > 1 else "<text:s/>"
        return " " + (f'<text:s text:c="{n - 1}"/>' if n > 2 else "<text:s/>")
    return _SPACES_RUN.sub(spaces, _xml(line))


def _write_ods(book: XBook) -> bytes:
    """.ods written directly as OpenDocument XML (pure Python, byte-stable): merged cells as
    table:number-columns-spanned / number-rows-spanned over table:covered-table-cell."""
    cell_styles: dict[tuple[str, bool], str] = {}
    col_styles: dict[float, str] = {}
    auto: list[str] = []

    def cell_style(st: str, caps: bool) -> str:
        key = (st, caps)
        if key not in cell_styles:
            s = STYLES[st]
            name = f"ce{len(cell_styles) + 1}"
            cp = ['style:vertical-align="middle"']
            if s.get("border"):
                cp.append('fo:border="0.5pt solid #000000"')
            if s.get("wrap"):
                cp.append('fo:wrap-option="wrap"')
            tp = [f'fo:font-family="{_xml(book.caps_font if caps else book.font)}"', f'fo:font-size="{s.get("size", 12)}pt"']
            if s.get("bold"):
                tp.append('fo:font-weight="bold"')
            if s.get("italic"):
                tp.append('fo:font-style="italic"')
            if s.get("underline"):
                tp.append('style:text-underline-style="solid" style:text-underline-width="auto" '
                          'style:text-underline-color="font-color"')
            pp = ""
            if s.get("align"):
                pp = f'<style:paragraph-properties fo:text-align="{ {"center": "center", "right": "end"}.get(s["align"], "start")}"/>'
            auto.append(f'<style:style style:name="{name}" style:family="table-cell">'
                        f'<style:table-cell-properties {" ".join(cp)}/>{pp}<style:text-properties {" ".join(tp)}/>'
                        f'</style:style>')
            cell_styles[key] = name
        return cell_styles[key]

    body: list[str] = []
    for sh in book.sheets:
        ncols, nrows = sh.ncols, sh.nrows
        body.append(f'<table:table table:name="{_xml(sh.name)}" table:style-name="{"ta2" if sh.hidden else "ta1"}">')
        for c in range(ncols):
            width = sh.widths.get(c, 10)
            if width not in col_styles:
                col_styles[width] = f"co{len(col_styles) + 1}"
                auto.append(f'<style:style style:name="{col_styles[width]}" style:family="table-column">'
                            f'<style:table-column-properties style:column-width="{width * 0.19:.2f}cm"/></style:style>')
            body.append(f'<table:table-column table:style-name="{col_styles[width]}"/>')
        origin = {(m[0], m[1]): m for m in sh.merges}
        covered = {(r, c) for (r1, c1, r2, c2) in sh.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   if (r, c) != (r1, c1)}
        for r in range(nrows):
            body.append("<table:table-row>")
            for c in range(ncols):
                if (r, c) in covered:
                    body.append("<table:covered-table-cell/>")
                    continue
                cell = sh.cells.get((r, c))
                attrs = []
                if cell is not None:
                    attrs.append(f'table:style-name="{cell_style(cell.style, cell.caps)}"')
                    if cell.formula:
                        raise ValueError("the .ods writer writes values only")
                if (r, c) in origin:
                    r1, c1, r2, c2 = origin[(r, c)]
                    attrs.append(f'table:number-columns-spanned="{c2 - c1 + 1}" table:number-rows-spanned="{r2 - r1 + 1}"')
                v = None if cell is None else cell.v
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    attrs.insert(0, f'office:value-type="float" office:value="{v}"')
                    content = f"<text:p>{v}</text:p>"
                elif isinstance(v, str) and v != "":
                    attrs.insert(0, 'office:value-type="string"')
                    content = "".join(f"<text:p>{_odf_text(line)}</text:p>" for line in v.split("\n"))
                else:
                    content = ""
                a = (" " + " ".join(attrs)) if attrs else ""
                body.append(f"<table:table-cell{a}>{content}</table:table-cell>" if content else f"<table:table-cell{a}/>")
            body.append("</table:table-row>")
        body.append("</table:table>")
    tables = ('<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
              '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>')
    content = (f'{_XML_HEAD}<office:document-content {_ODF_NS} office:version="1.2">'
               f'<office:automatic-styles>{tables}{"".join(auto)}</office:automatic-styles>'
               f'<office:body><office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body>'
               f'</office:document-content>')
    styles = f'{_XML_HEAD}<office:document-styles {_ODF_NS} office:version="1.2"><office:styles/></office:document-styles>'
    meta = (f'{_XML_HEAD}<office:document-meta {_ODF_NS} office:version="1.2"><office:meta>'
            f'<meta:generator>antt.sample</meta:generator><dc:creator>{_xml(book.author)}</dc:creator>'
            f'<meta:creation-date>{book.created:%Y-%m-%dT%H:%M:%S}</meta:creation-date>'
            f'<dc:date>{book.created:%Y-%m-%dT%H:%M:%S}</dc:date></office:meta></office:document-meta>')
    manifest = (f'{_XML_HEAD}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                f'manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{_ODS_MIME}"/>'
                + "".join(f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>'
                          for n in ("content.xml", "styles.xml", "meta.xml"))
                + "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, method in (("mimetype", _ODS_MIME, zipfile.ZIP_STORED),
                                   ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
                                   ("content.xml", content, zipfile.ZIP_DEFLATED),
                                   ("styles.xml", styles, zipfile.ZIP_DEFLATED),
                                   ("meta.xml", meta, zipfile.ZIP_DEFLATED)):
            zi = zipfile.ZipInfo(name, FIXED_EPOCH)
            zi.compress_type = method
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data.encode("utf-8"))
    return out.getvalue()


WRITERS = {"xlsxwriter": _write_xlsxwriter, "openpyxl": _write_openpyxl, "xlwt": _write_xlwt, "ods": _write_ods}


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


# ==================================================================================================
# One district, one cycle

@dataclass(frozen=True)
class _Job:
    out_dir: str
    cycle: str
    district: str
    plan: int
    names: tuple[str, ...]          # one file, or (superseded, final) for a resubmission
    faults: tuple[Fault, ...]


def _report_day(cycle: Cycle, district: str, second: bool = False, first: bool = False) -> date:
    month = 6 if cycle.half_year else 12
    if second:
        return date(cycle.year, month, 18)
    if first:
        return date(cycle.year, month, 15)
    return date(cycle.year, month, 15 + int(district) % 4)


def _perturb(state: DistrictState) -> tuple[DistrictState, list[dict]]:
    """The superseded first return: the same, with three numbers that the second one corrects."""
    import copy
    st = copy.deepcopy(state)
    diffs = []
    cs = st.communes
    c0 = cs[0]
    if c0.kdc_meeting > 0:
        c0.kdc_meeting -= 1
        for i, (a, reg, meet) in enumerate(c0.areas):
            if meet:
                c0.areas[i] = (a, reg, False)
                break
        diffs.append({"table": "kdc", "commune": c0.unit.code, "field": "kdc_meeting",
                      "superseded": c0.kdc_meeting, "final": c0.kdc_meeting + 1})
    c1 = cs[1 % len(cs)]
    c1.banners_posters += 7
    diffs.append({"table": "outreach", "commune": c1.unit.code, "field": "banners_posters",
                  "superseded": c1.banners_posters, "final": c1.banners_posters - 7})
    c2 = cs[2 % len(cs)]
    c2.core_group_members += 4
    diffs.append({"table": "bright_spots", "commune": c2.unit.code, "field": "core_group_members",
                  "superseded": c2.core_group_members, "final": c2.core_group_members - 4})
    return st, diffs


def _read_totals(state: DistrictState, faults: tuple[Fault, ...]) -> dict[str, int | None]:
    """The 15 keys as a loader should read them from the (final) return."""
    totals: dict[str, int | None] = dict(state.totals())
    if not state.models:  # Biểu 3 without a row is an empty table: not received (contract)
        totals.update(dict.fromkeys(TABLE_KEYS["models"]))
    for f in faults:
        if f.code == "table_missing":
            for k in TABLE_KEYS[f.table]:
                totals[k] = None
        elif f.code == "value_missing" and f.field in FIELD_KEY:
            totals[FIELD_KEY[f.field]] = None
    return totals


def _run_job(job: _Job) -> dict:
    cycle = parse_cycle(job.cycle)
    base = district_base(job.district)
    plan = PLANS[job.plan]
    state = district_state(base, cycle)
    folder = Path(job.out_dir) / cycle.id
    amb = _ambiguous([c.unit for c in state.communes], base.unit)
    files = []
    located: list[dict] = []
    differences: list[dict] = []
    sheets: dict[str, str] = {}
    for k, name in enumerate(job.names):
        final = k == len(job.names) - 1
        resub = len(job.names) > 1
        st, diffs = (state, []) if final else _perturb(state)
        differences += diffs
        day = _report_day(cycle, job.district, second=resub and final, first=resub and not final)
        rel = f"{cycle.id}/{name}"
        ctx = _Context(base, st, plan, cycle, base.unit, base.province, day,
                       list(job.faults) if final else [], amb)
        book, sheets_k = build_book(ctx, rel)
        data = WRITERS[plan.writer](book)
        _atomic_write(folder / name, data)
        if final:
            located += ctx.located
            sheets = sheets_k
        files.append({"file": rel, "status": "loaded" if final else "superseded", "format": plan.fmt,
                      "writer": plan.writer, "report_date": day.isoformat(), "bytes": len(data)})
    expected = []
    if len(job.names) > 1:
        expected.append({"code": "file_superseded", "severity": CODES["file_superseded"][0], "file": files[0]["file"],
                         "sheet": None, "cell": None, "row": None, "district_code": job.district,
                         "note": f"thay bằng {files[-1]['file']} (ngày báo cáo muộn hơn)"})
    if plan.tcvn3:
        for fi in files:
            expected.append({"code": "legacy_text_decoded", "severity": CODES["legacy_text_decoded"][0],
                             "file": fi["file"], "sheet": None, "cell": None, "row": None,
                             "district_code": job.district, "note": "TCVN3 (.VnTime, .VnTimeH)"})
    return {
        "district_code": job.district, "name": base.unit.name, "province_code": base.province.code,
        "plan": plan.key, "files": files, "sheets": sheets, "deviations": deviations(plan),
        "faults": located, "expected_info": expected, "superseded_differences": differences,
        "totals": _read_totals(state, job.faults), "true_totals": state.totals(),
    }


# ==================================================================================================
# The whole sample

def _scope(province: str) -> list[units.Unit]:
    h = units.legacy()
    if province != "all":
        try:
            h.unit(province)
        except KeyError:
            raise ValueError(f"unknown province code {province!r}") from None
    return h.districts_expected(province)


def _jobs(out_dir: Path, cycle: Cycle, districts: list[units.Unit]) -> list[_Job]:
    h = units.legacy()
    by_province: dict[str, list[units.Unit]] = {}
    for d in districts:
        by_province.setdefault(d.parent, []).append(d)
    used: set[str] = set()
    jobs = []
    for prov, ds in by_province.items():
        plans = province_plans(prov, ds)
        if prov == ANCHOR_PROVINCE and cycle.id in RESUBMIT:
            resub = RESUBMIT[cycle.id]
        else:
            resub = random.Random(f"{cycle.id}-{prov}-resubmit").choice([d.code for d in ds])
        faults = FAULTS.get(cycle.id, ()) if prov == ANCHOR_PROVINCE else ()
        for d in ds:
            plan = PLANS[plans[d.code]]
            name = _file_name(plan, d, cycle)
            if name.lower() in used:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}_{_compact(h.unit(prov).short)}.{ext}"
            if name.lower() in used:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}_{d.code}.{ext}"
            used.add(name.lower())
            names: tuple[str, ...] = (name,)
            if d.code == resub:
                stem, dot, ext = name.rpartition(".")
                names = (name, f"{stem}_lan2.{ext}")
                used.add(names[1].lower())
            jobs.append(_Job(str(out_dir), cycle.id, d.code, plans[d.code], names,
                             tuple(f for f in faults if f.district == d.code)))
    return jobs


def _sum_totals(by_district: dict[str, dict]) -> tuple[dict, dict]:
    totals, coverage = {}, {}
    for k in SUMMARY_KEYS:
        vals = [t[k] for t in by_district.values() if t[k] is not None]
        totals[k] = sum(vals)
        coverage[k] = len(vals)
    return totals, coverage


def write_sample(out_dir: Path, cycles: list[str], province: str = "70") -> dict:
    """Write sample returns for ``cycles`` into ``out_dir/<cycle>/`` and return the manifest.

    ``province`` is a province code or ``"all"`` (every district of the country that has
    communes). The manifest (also written to ``out_dir/sample_manifest.json``; cycles of an earlier
    run for the same province are kept) holds per cycle: per district the files, format, plan and
    deviations, the deliberate faults (file, sheet, cell, finding code) and the 15 summary keys as
    a loader should read them (superseded files excluded, null where a table or value is missing),
    and the province totals with their coverage.
    """
    out_dir = Path(out_dir)
    parsed = sorted({parse_cycle(c) for c in cycles})
    districts = _scope(province)
    if not districts:
        raise ValueError(f"no districts with communes in province {province!r}")
    all_jobs: list[_Job] = []
    for cycle in parsed:
        (out_dir / cycle.id).mkdir(parents=True, exist_ok=True)
        all_jobs += _jobs(out_dir, cycle, districts)
    results = _run_all(all_jobs)
    manifest_path = out_dir / MANIFEST_NAME
    manifest = {"generator": "antt.sample", "version": MANIFEST_VERSION, "province": province, "cycles": {}}
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            if old.get("province") == province and old.get("version") == MANIFEST_VERSION:
                manifest["cycles"] = old.get("cycles", {})
        except (ValueError, OSError):
            pass
    for cycle in parsed:
        rs = [r for j, r in zip(all_jobs, results) if j.cycle == cycle.id]
        previous = manifest["cycles"].get(cycle.id)
        by_district = {r["district_code"]: r for r in rs}
        totals, coverage = _sum_totals({c: r["totals"] for c, r in by_district.items()})
        entry = {
            "cycle": cycle.id, "period": {"start": cycle.start.isoformat(), "end": cycle.end.isoformat(),
                                          "label": cycle.label},
            "province_code": province, "districts_expected": len(districts), "districts_reporting": len(rs),
            "files": [f | {"district_code": r["district_code"]} for r in rs for f in r["files"]],
            "districts": by_district,
            "faults": [f for r in rs for f in r["faults"]],
            "expected_info": [e for r in rs for e in r["expected_info"]],
            "totals": totals, "coverage": coverage,
        }
        if province == "all":
            by_prov: dict[str, dict] = {}
            for c, r in by_district.items():
                by_prov.setdefault(r["province_code"], {})[c] = r["totals"]
            entry["by_province"] = {p: _sum_totals(ds)[0] for p, ds in sorted(by_prov.items())}
        # files of an earlier run of this cycle that this run did not write again
        if previous:
            now = {f["file"] for f in entry["files"]}
            for f in previous.get("files", []):
                if f["file"] not in now:
                    stale = out_dir / f["file"]
                    if stale.is_file():
                        stale.unlink()
        manifest["cycles"][cycle.id] = entry
    manifest["cycles"] = dict(sorted(manifest["cycles"].items(), key=lambda kv: parse_cycle(kv[0])))
    _atomic_write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def _run_all(jobs: list[_Job]) -> list[dict]:
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < POOL_MIN_JOBS or workers < 2:
        return [_run_job(j) for j in jobs]
    import multiprocessing
    units.legacy()                     # loaded once, inherited by the workers
    if any(units.legacy().unit(j.district).parent == ANCHOR_PROVINCE for j in jobs):
        _bp_bases()
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(_run_job, jobs, chunksize=8))
