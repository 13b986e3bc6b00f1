"""The truth the sample returns are written from: what a district's numbers are at a cycle.

A district has a *base* (``district_base``, seeded by its code, independent of the cycle): per commune
its residential areas, the time its xã is recognised as a new-rural commune, its bright spots and core
groups at the reference cycle 2023-H1, and its list of self-management models with the time each was
founded. A cycle reads the base at its end date (``district_state``): stocks grow with time (models
founded by then, NTM recognised by then, share of areas meeting the standard, bright spots and core
groups), so a stock never falls from one cycle to the next; flows (broadcast hours, banners, sessions,
attendees) are the district's usual level, a year twice a half-year, times a factor in [0.88, 1.12]
drawn from ``random.Random(f"{cycle}-{district}-flows")``, spread over the communes, so no district's
flow falls by a third between comparable cycles (the validator's outlier rule).

Other provinces get a generic base; a province may have a ``Profile`` (``PROFILES``): former Đồng Nai
(75) is bigger and more urban than Bình Phước (more khu phố per phường, more residential models and
more of them camera models, every xã new-rural by 2020, most areas meeting the standard).

For Bình Phước (70) the base is fitted to the published 2023-H1 figures (843 areas, all registered
and meeting; 68 of 86 xã new-rural; 327 residential models in all 111 communes and 48 in agencies,
enterprises and schools; 2,126 cameras; 59 and 190 bright spots; 615 core groups with 4,052
members), and the flows of 2022-H1, 2022 and 2023-H1 are fitted to fixed totals (2023-H1: 89
hours, 2,165 banners and posters). 2022-H1 and 2022 are lower (63 and 66 xã new-rural, several
districts below the 95 % target). Every random choice comes from ``random.Random`` seeded with text,
never from the clock or Python's ``hash()``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

from antt.core import units
from antt.core.cycles import Cycle

ANCHOR_PROVINCE = "70"             # Bình Phước: fitted to the published figures
T_REF = 2023.45                    # time index of the reference cycle (see ``_t``)
#: The 15 keys a district's numbers are summed to, and the keys each table gives.
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


def _t(cycle: Cycle) -> float:
    """Time index of a cycle's end: 2023-H1 -> 2023.45, 2023 -> 2023.95."""
    return cycle.year + (0.45 if cycle.half_year else 0.95)


def allocate(total: int, weights: list[float], rng: random.Random, lo: int | list[int] = 0,
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


def person(rng: random.Random, rank: bool = False) -> str:
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


@dataclass(frozen=True)
class Profile:
    """What sets a province's generic base apart; the defaults are the generic base itself."""

    kdc_ranges: tuple[tuple[str, int, int], ...] = (("Phường", 7, 18), ("Thị trấn", 6, 14))
    kdc_default: tuple[int, int] = (4, 13)
    ntm_open: float = 0.85             # xã whose draw is above this are not recognised within the horizon
    ntm_span: float = 15.0             # recognitions spread over 2011.8 + span years
    models_first: int = 1              # residential models per commune: first + randint(0, extra)
    models_extra: int = 4
    camera_weight: int = 20            # weight of "Camera an ninh" among residential model types
    share_low: float = 0.86            # lowest share of areas meeting the standard at 2023-H1

    def kdc_range(self, kind: str) -> tuple[int, int]:
        return next(((lo, hi) for k, lo, hi in self.kdc_ranges if k == kind), self.kdc_default)

    def type_weights(self) -> tuple[tuple[str, int], ...]:
        return tuple((t, self.camera_weight if t == "Camera an ninh" else w) for t, w in MODEL_TYPE_WEIGHTS)


GENERIC = Profile()
#: Provinces whose generic base has its own profile (legacy province code -> profile).
PROFILES = {
    "75": Profile(kdc_ranges=(("Phường", 8, 18), ("Thị trấn", 6, 12)), kdc_default=(5, 10), ntm_open=1.01,
                  ntm_span=8.2, models_first=2, models_extra=4, camera_weight=28, share_low=0.9),
}


def _new_model(rng: random.Random, cb: CommuneBase, setting: str, t_found: float, district: units.Unit,
               weights: tuple[tuple[str, int], ...] = MODEL_TYPE_WEIGHTS) -> ModelBase:
    urban = cb.unit.kind in ("Phường", "Thị trấn")
    area = rng.choice(cb.areas) if cb.areas else cb.unit.short
    if setting == "residential":
        while True:
            mtype = rng.choices([t for t, _ in weights], [w for _, w in weights])[0]
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


def _generic_commune(seed: str, u: units.Unit, region: str, profile: Profile) -> CommuneBase:
    """A commune's generic base, drawn from ``random.Random(f"{seed}-{u.code}-base")``."""
    cr = random.Random(f"{seed}-{u.code}-base")
    lo, hi = profile.kdc_range(u.kind)
    n = cr.randint(lo, hi)
    t_ntm = None
    if u.kind == "Xã":
        r = cr.random()
        t_ntm = None if r > profile.ntm_open else round(2011.8 + profile.ntm_span * r ** 1.1, 2)
    groups = cr.randint(3, 8)
    bright = (cr.choice((0, 0, 1, 1, 2)), cr.randint(1, 3), groups, groups * cr.randint(5, 8) + cr.randint(0, 4))
    return CommuneBase(u, n, _area_names(u, n, cr, region), cr.random(), cr.random(), t_ntm,
                       cr.randint(12, 19), bright, cr.uniform(0.5, 1.5), cr.uniform(0.6, 1.4))


def _generic_models(seed: str, cb: CommuneBase, d: units.Unit, profile: Profile) -> list[ModelBase]:
    """A commune's models, drawn from ``random.Random(f"{seed}-{cb.unit.code}-models")``."""
    mr = random.Random(f"{seed}-{cb.unit.code}-models")
    weights = profile.type_weights()
    models = []
    n_res = profile.models_first + mr.randint(0, profile.models_extra)
    first = True
    for _ in range(n_res):
        t = _t_found(mr)
        if first:
            t, first = min(t, 2009.0 + mr.random() * 10), False
        models.append(_new_model(mr, cb, "residential", t, d, weights))
    p_inst = 0.8 if cb.unit.kind != "Xã" else 0.35
    while mr.random() < p_inst:
        models.append(_new_model(mr, cb, "institutional", _t_found(mr), d, weights))
        p_inst *= 0.5
    for _ in range(mr.randint(0, 2)):           # founded after 2023-H1
        models.append(_new_model(mr, cb, "residential", round(T_REF + 4 * mr.random(), 3), d, weights))
    return models


def _generic_district(d: units.Unit, province: units.Unit, communes: list[units.Unit], region: str,
                      profile: Profile) -> DistrictBase:
    rng = random.Random(f"{d.code}-base")
    bases = [_generic_commune(d.code, u, region, profile) for u in communes]
    models = [m for cb in bases for m in _generic_models(d.code, cb, d, profile)]
    # at least one model old enough for the archive's early cycles
    oldest = min((m for m in models if m.type not in _TYPE_SINCE), key=lambda m: m.t_found, default=None)
    if oldest is not None:
        oldest.t_found = min(oldest.t_found, 1993.0 + rng.random())
    return DistrictBase(d, province, bases, models, rng.random(), rng.uniform(profile.share_low, 1.0),
                        person(rng), person(rng, rank=True))


def _generic_base(d: units.Unit) -> DistrictBase:
    h = units.legacy()
    province = h.unit(d.parent)
    return _generic_district(d, province, h.communes(d.code), _region(province.code),
                             PROFILES.get(province.code, GENERIC))


def standalone_base(u: units.Unit, province: units.Unit) -> DistrictBase:
    """A generic base for one commune that no former commune's area went to (an island đặc khu):
    a "district" of that commune alone, read at a cycle by ``district_state`` like any other."""
    return _generic_district(u, province, [u], _region(province.code), GENERIC)


@cache
def anchor_bases() -> dict[str, DistrictBase]:
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
    kdc = allocate(PUBLISHED_2023H1["kdc_total"], weights, rng, los, his)
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
    upper = allocate(PUBLISHED_2023H1["bright_spots_upper"], w_urban, rng, 0, 3)
    lower = allocate(PUBLISHED_2023H1["bright_spots_commune"], [rng.uniform(0.5, 1.5) for _ in cunits], rng, 1, 4)
    groups = allocate(PUBLISHED_2023H1["core_groups"], [k * rng.uniform(0.7, 1.3) for k in kdc], rng, 3, 10)
    members = allocate(PUBLISHED_2023H1["core_group_members"], [float(g) for g in groups], rng,
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
    res = allocate(PUBLISHED_2023H1["models_residential"], [k * mr.uniform(0.6, 1.4) for k in kdc], mr, 1, 8)
    inst = allocate(PUBLISHED_2023H1["models_institutional"],
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
                                   person(dr), person(dr, rank=True))
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
    dbs = list(anchor_bases().values())
    rng = random.Random(f"{cycle_id}-70-flows")
    levels = [_flow_levels(db) for db in dbs]
    wh = [h * rng.uniform(0.96, 1.04) for h, _ in levels]
    wb = [b * rng.uniform(0.96, 1.04) for _, b in levels]
    hs = allocate(hours, wh, rng)
    bs = allocate(banners, wb, rng)
    return {db.unit.code: (h, b) for db, h, b in zip(dbs, hs, bs)}


def district_base(code: str) -> DistrictBase:
    d = units.legacy().unit(code)
    if d.parent == ANCHOR_PROVINCE:
        return anchor_bases()[code]
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
        return sum_keys(self.communes, self.models)


def sum_keys(cs: list[CommuneState], models: list[ModelBase]) -> dict[str, int]:
    """The 15 keys of communes and their models (``communes_with_models`` counts model communes)."""
    res = [m for m in models if m.setting == "residential"]
    return {
        "kdc_total": sum(c.kdc_total for c in cs),
        "kdc_registered": sum(c.kdc_registered for c in cs),
        "kdc_meeting": sum(c.kdc_meeting for c in cs),
        "ntm_communes": sum(1 for c in cs if c.ntm is not None),
        "ntm_met": sum(1 for c in cs if c.ntm is not None and c.ntm[1]),
        "models_residential": len(res),
        "models_institutional": sum(1 for m in models if m.setting == "institutional"),
        "communes_with_models": len({m.commune for m in res}),
        "cameras": sum(m.cameras for m in models),
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
    c_hours = allocate(d_hours, [cb.w_hours for cb in base.communes], fr)
    n = len(base.communes)
    c_banners = allocate(d_banners, [cb.w_banners for cb in base.communes], fr, min(5, d_banners // n))
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
