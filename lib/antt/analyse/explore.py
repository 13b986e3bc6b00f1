"""Exploring the processed data in a notebook: any key of any unit and cycle in one call.

Khám phá số liệu đã xử lý trong notebook: mọi chỉ số của mọi đơn vị, mọi kỳ, trong một lệnh.

Every function takes ``cycle`` ("2023-H1", "2022-h1", 2022; None: the latest processed) and
``province``, the territory (None: the configured province; "70": Bình Phước before the reform and
its successor communes after; "all": the country), and returns a pandas frame with English column
names: the keys and ratios of ``antt.core.indicators`` (``kdc_total``, ``kdc_meeting_share``…) and
``cycle``, ``unit_code``, ``unit_name``, ``commune_code``, ``commune_name``. ``show(frame)`` displays
it in Vietnamese. A unit is given by any written form of its name ("Huyện Bù Đăng", "Bu Dang",
"bù đăng", "Xã Tân Phú", "TT. Đức Phong") or its code, matched as the loaders match returns
(``antt.core.units``). A question that cannot be answered (a cycle not processed, a name no unit
has, a key the contract does not define) raises ``AnalystError`` with one Vietnamese sentence.

Mỗi hàm nhận ``cycle`` (kỳ; None: kỳ mới nhất đã xử lý) và ``province`` (địa bàn; None: tỉnh đã cấu
hình) và trả về một bảng có tên cột tiếng Anh; ``show(bảng)`` hiển thị bằng tiếng Việt. Đơn vị ghi
theo cách nào cũng được (có dấu, không dấu, có hoặc không có chữ "Huyện", "Xã"…) hoặc bằng mã.

``by`` says whose rows: "territory" (one row, the territory's total: keys summed over the units with
a value, ratios from the sums), "unit" (the reporting units: districts before the 2025 reform,
communes after) or "commune" (the communes; in a district-level cycle, from the districts' Biểu 1–5
rows). Changes (``change``) compare units with a value in both cycles: within one hierarchy and
reporting level unit by unit, across the 2025 reform on today's communes (``CycleView.on_current``),
the new-rural keys never across it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd
from pandas.io.formats.style import Styler

from antt.analyse.columns import format_change, format_value
from antt.analyse import tables
from antt.analyse.tables import show as show_table
from antt.analyse.view import ACROSS_REFORM, KEY_LABELS, NOT_ACROSS_REFORM, CycleView, open_cycle
from antt.core import config, indicators, units
from antt.core.errors import AnalystError
from antt.core.units import COMMUNE, DISTRICT, DISTRICT_TYPES, COMMUNE_TYPES, Unit, fold_name, name_key, same_spelling, split_type
from antt.store.processed import processed_cycles

BY = ("territory", "unit", "commune")
LEVEL_LABEL = {"district": "cấp huyện", "commune": "cấp xã"}
_ID = {"territory": ["cycle", "scope_name"], "unit": ["cycle", "unit_code", "unit_name"],
       "commune": ["cycle", "unit_code", "unit_name", "commune_code", "commune_name"]}


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


# --- units by name ---------------------------------------------------------------------------------

def find_unit(name: str | Unit, cycle=None, province: str | None = None) -> Unit:
    """The district or commune of the territory that ``name`` means in ``cycle`` (its hierarchy).

    Đơn vị (huyện hoặc xã) của địa bàn mà ``name`` chỉ tới trong kỳ ``cycle``.

    A name written without a type word means a district when there is one of that name (in a
    district-level cycle "Lộc Ninh" is Huyện Lộc Ninh; write "Xã Lộc Ninh" for the commune). No match,
    or several units of the same name, raise ``AnalystError`` naming the closest names or the units.
    """
    return _find(open_cycle(cycle, scope=province), name)


def _find(view: CycleView, name: str | Unit) -> Unit:
    h, t = view.hierarchy, view.territory
    if isinstance(name, Unit):
        name = name.code
    text = str(name).strip()
    where = f"{view.scope_name}, kỳ {view.cycle.id}"
    if text.isdigit():
        try:
            unit = h.unit(text)
        except KeyError:
            unit = None
        if unit is None or unit.level not in (DISTRICT, COMMUNE) or not t.contains(unit, h):
            raise AnalystError(f"không có đơn vị mã {text} trên địa bàn {where}")
        return unit
    folded = fold_name(text)
    district_kind, rest = split_type(folded, DISTRICT_TYPES)
    commune_kind = split_type(folded, COMMUNE_TYPES)[0]
    districts: list[Unit] = []
    if commune_kind is None:
        districts = [u for u in h.names(DISTRICT).get(name_key(rest))
                     if t.contains(u, h) and (district_kind is None or u.kind == district_kind)]
        districts = same_spelling(districts, text) if len(districts) > 1 else districts
    found = districts
    if not found and district_kind is None:
        parents = [p.code for p in t.provinces(h)] or sorted({u.parent for u in t.communes(h)})
        found = [u for p in parents for u in h.communes_named(text, p) if t.contains(u, h)]
    if len(found) == 1:
        return found[0]
    if found:
        raise AnalystError(f"tên {text!r} chỉ nhiều đơn vị trên địa bàn {where}: "
                           f"{', '.join(_full_name(h, u) for u in found[:6])}; ghi rõ hơn hoặc dùng mã đơn vị")
    near = _closest(view, folded)
    raise AnalystError(f"không có đơn vị nào tên {text!r} trên địa bàn {where}"
                       + (f"; tên gần nhất: {', '.join(near)}" if near else ""))


def _full_name(h, u: Unit) -> str:
    """"Huyện Bù Đăng"; a commune with its district: "Thị trấn Tân Phú (Huyện Đồng Phú)"."""
    parent = h.unit(u.parent) if u.parent else None
    return f"{u.name} ({parent.name})" if u.level == COMMUNE and parent and parent.level == DISTRICT else u.name


def _closest(view: CycleView, folded: str) -> list[str]:
    """Up to 3 full names of the territory's districts and communes closest to a folded name."""
    h, t = view.hierarchy, view.territory
    candidates = [d for p in t.provinces(h) for d in h.districts(p.code)] + t.communes(h)
    by_name: dict[str, list[Unit]] = {}
    for u in candidates:
        for form in {fold_name(u.name), fold_name(u.short)}:
            by_name.setdefault(form, []).append(u)
    near = difflib.get_close_matches(folded, list(by_name), n=3, cutoff=0.6)
    return list(dict.fromkeys(_full_name(h, u) for f in near for u in by_name[f]))[:3]


# --- values ----------------------------------------------------------------------------------------

def _keys(keys: str | Iterable[str]) -> list[str]:
    asked = [keys] if isinstance(keys, str) else list(keys)
    known = [*indicators.KEYS, *indicators.RATIO]
    for k in asked:
        if k not in known:
            near = difflib.get_close_matches(str(k), known, n=3, cutoff=0.5)
            raise AnalystError(f"không có chỉ số {k!r}" + (f"; có phải: {', '.join(near)}" if near else "")
                               + f" (các chỉ số: {', '.join(known)})")
    return asked


def _by(view: CycleView, unit: Unit | None, by: str | None) -> str:
    if by is not None and by not in BY:
        raise AnalystError(f"by={by!r} không hợp lệ; dùng một trong: {', '.join(BY)}")
    if by is None:
        return "commune" if unit is not None and unit.code not in view.unit_codes else "unit"
    if by == "unit" and unit is not None and unit.code not in view.unit_codes:
        raise AnalystError(f"{unit.name} không phải đơn vị báo cáo của kỳ {view.cycle.id} "
                           f"({LEVEL_LABEL[view.level]}); dùng by=\"commune\"")
    return by


def _rows(view: CycleView, unit: Unit | None, by: str) -> pd.DataFrame:
    """Every key and ratio of ``by``'s rows (of ``unit`` only, if given) in a cycle."""
    if by == "territory":
        row = {"cycle": view.cycle.id, "scope_name": view.scope_name}
        return pd.DataFrame([row | {k: v for k, v in view.province.items() if k != "coverage"}])
    if by == "unit":
        d = view.units
        d = d[d["unit_code"] == unit.code] if unit is not None else d
    else:
        d = view.frame("communes")
        d = d[d["unit_code"].isin(view.unit_codes)]
        if unit is not None:
            d = d[d["commune_code" if unit.level == COMMUNE else "unit_code"] == unit.code]
        names = view.units.set_index("unit_code")["unit_name"]
        d = d.assign(unit_name=d["unit_code"].map(names),
                     commune_name=d["commune_code"].map(lambda c: view.hierarchy.unit(c).name))
        for r in indicators.RATIOS:
            d[r.name] = indicators.ratio(d, r)
    d = d.assign(cycle=view.cycle.id)
    return d[_ID[by] + [*indicators.KEYS, *indicators.RATIO]].reset_index(drop=True)


def values(keys: str | Iterable[str], cycle=None, unit: str | None = None, province: str | None = None,
           by: str | None = None) -> pd.DataFrame:
    """Keys or ratios of the contract for a cycle: one row per reporting unit (default), per commune
    (``by="commune"``, or a commune's or a district's communes), or the territory's total
    (``by="territory"``). ``unit`` restricts the rows to a unit (any written form of its name).

    Chỉ số (khóa hoặc tỷ lệ của hợp đồng) của một kỳ: mỗi đơn vị báo cáo một dòng (mặc định), mỗi
    xã một dòng (``by="commune"``) hoặc một dòng tổng của địa bàn (``by="territory"``).

    >>> values("kdc_total", cycle="2023-H1", unit="Bu Dang", province="70")
    """
    asked = _keys(keys)
    view = open_cycle(cycle, scope=province)
    u = _find(view, unit) if unit is not None and by != "territory" else None
    by = _by(view, u, by)
    out = _rows(view, u, by)[_ID[by] + asked]
    out.attrs["empty"] = f"số liệu của {u.name if u else view.scope_name} trong kỳ {view.cycle.id}"
    return out


def against_target(ratio: str = "kdc_meeting_share", cycle=None, unit: str | None = None,
                   province: str | None = None, by: str | None = None, below_only: bool = False) -> pd.DataFrame:
    """A ratio against the cycle's target (data/reference/targets.json), lowest first: numerator,
    denominator, ratio, ``target``, ``below`` (True below the target; NA without data) and
    ``needed``, how many more (e.g. residential areas meeting the standard) reach the target.
    ``below_only``: only the rows below it.

    Tỷ lệ so với chỉ tiêu của kỳ, thấp nhất trước; ``needed``: cần thêm bao nhiêu để đạt chỉ tiêu.
    """
    r = indicators.RATIO.get(ratio)
    with_target = [x.name for x in indicators.RATIOS if x.target_key]
    if r is None or not r.target_key:
        raise AnalystError(f"chỉ số {ratio!r} không có chỉ tiêu; dùng một trong: {', '.join(with_target)}")
    d = values([r.numerator, r.denominator, ratio], cycle, unit, province, by)
    target = open_cycle(d["cycle"].iloc[0] if len(d) else cycle, scope=province).targets[r.target_key]
    share = d[ratio].astype("Float64")
    d["target"] = target
    d["below"] = (share < target).astype("boolean")
    d["needed"] = indicators.needed(d[r.numerator], d[r.denominator], target)
    if below_only:
        d = d[d["below"].fillna(False).astype(bool)]
    d = d.assign(_order=share.fillna(float("inf"))).sort_values(["_order", *d.columns[:3]]).drop(columns="_order")
    d = d.reset_index(drop=True)
    where = d.attrs.get("empty", "")
    d.attrs["empty"] = f"đơn vị nào dưới chỉ tiêu ({where})" if below_only else where
    return d


def areas(commune: str, cycle=None, province: str | None = None, meeting: bool | None = None,
          registered: bool | None = None) -> pd.DataFrame:
    """The residential areas of a commune (or of a district's communes) as its return lists them in
    Biểu 1, with ``registered`` and ``meeting``; ``meeting=False`` keeps those not meeting the
    standard. Returns that give only a commune's totals list no area.

    Các khu dân cư của một xã (theo Biểu 1): đã đăng ký, đã đạt chuẩn; ``meeting=False``: chưa đạt chuẩn.
    """
    view = open_cycle(cycle, scope=province)
    u = _find(view, commune)
    a = view.areas
    a = a[a["commune_code" if u.level == COMMUNE else "unit_code"] == u.code]
    for column, wanted in (("meeting", meeting), ("registered", registered)):
        if wanted is not None:
            a = a[a[column].fillna(not wanted) == wanted]
    out = a[["cycle", "unit_code", "unit_name", "commune_code", "commune_name", "area", "registered", "meeting"]]
    out = out.reset_index(drop=True)
    what = {False: " chưa đạt chuẩn", True: " đạt chuẩn"}.get(meeting, "")
    out.attrs["empty"] = f"khu dân cư{what} nào được liệt kê cho {u.name} trong kỳ {view.cycle.id}"
    return out


# --- across cycles ---------------------------------------------------------------------------------

def change(key: str, before, after, unit: str | None = None, province: str | None = None,
           by: str | None = None) -> pd.DataFrame:
    """A key or ratio in two cycles, like for like: the units (or communes) with a value in both,
    ``before``, ``after`` and ``change``; ``by="territory"``: one row summed over those units (a
    ratio from their summed numerators and denominators), ``common`` of them. Across the 2025
    reform (a district-level cycle and a commune-level one) both are taken on today's communes
    (``CycleView.on_current``, the crosswalk), ``basis`` says so; the new-rural keys are never
    compared across it (AnalystError with the reason).

    Thay đổi của một chỉ số giữa hai kỳ bất kỳ, so sánh cùng đơn vị (đơn vị có số liệu ở cả hai kỳ);
    qua đợt sắp xếp năm 2025 thì so sánh trên các xã, phường hiện nay.
    """
    (k,) = _keys(key)
    v0, v1 = open_cycle(before, scope=province), open_cycle(after, scope=province)
    across = (v0.hierarchy.name, v0.level) != (v1.hierarchy.name, v1.level)
    if across and k in NOT_ACROSS_REFORM:
        raise AnalystError(f"{KEY_LABELS[k]}, kỳ {v0.cycle.id} và kỳ {v1.cycle.id}: {ACROSS_REFORM}")
    r = indicators.RATIO.get(k)
    parts = [r.numerator, r.denominator] if r else []
    if across:
        today = v1 if units.is_current(v1.hierarchy) else v0
        u = _find(today, unit) if unit is not None else None
        if by == "commune" or (u is not None and u.level != COMMUNE):
            raise AnalystError(f"qua đợt sắp xếp năm 2025 (kỳ {v0.cycle.id} và kỳ {v1.cycle.id}) chỉ so sánh được "
                               "trên các xã, phường hiện nay: bỏ by=\"commune\", chọn một xã, phường hiện nay")
        ids = ["unit_code", "unit_name"]
        frames = [v.on_current.assign(cycle=v.cycle.id) for v in (v0, v1)]
        if u is not None:
            frames = [f[f["unit_code"] == u.code] for f in frames]
    else:
        u = _find(v1, unit) if unit is not None else None
        level = _by(v1, u, None if by == "territory" else by)
        frames = [_rows(v, u, level) for v in (v0, v1)]
        ids = _ID[level][1:]
    both = frames[0][ids + [k, *parts]].merge(frames[1][ids + [k, *parts]], on=ids, suffixes=("_0", "_1"))
    both = both[both[f"{k}_0"].notna() & both[f"{k}_1"].notna()].reset_index(drop=True)
    if by == "territory":
        total = {"scope_name": v1.scope_name, "common": len(both)}
        for i in (0, 1):
            side = both.rename(columns={f"{c}_{i}": c for c in [k, *parts]})
            total[("before", "after")[i]] = (indicators.province_ratio(side, r) if r
                                             else (float(side[k].sum()) if len(side) else None))
        out = pd.DataFrame([total])[["scope_name", "before", "after", "common"]]
    else:
        out = both[ids].assign(before=both[f"{k}_0"], after=both[f"{k}_1"])
    out = out.astype({"before": "Float64", "after": "Float64"})
    out.insert(out.columns.get_loc("after") + 1, "change", out["after"] - out["before"])
    out["basis"] = "current" if across else "units"
    basis = " trên các xã, phường hiện nay (số trước 1/7/2025 quy đổi qua sắp xếp đơn vị hành chính)" if across else ""
    out.attrs |= {"key": k, "before": v0.cycle.id, "after": v1.cycle.id,
                  "caption": f"{KEY_LABELS[k]}: kỳ {v0.cycle.id} → kỳ {v1.cycle.id}, đơn vị có số liệu ở cả hai kỳ{basis}",
                  "empty": f"đơn vị nào có số liệu {_lower(KEY_LABELS[k])} ở cả hai kỳ {v0.cycle.id} và {v1.cycle.id}"}
    return out


def series(key: str, unit: str | None = None, province: str | None = None, by: str | None = None) -> pd.DataFrame:
    """A key or ratio over every processed cycle: the territory's total (default), a unit's value, or
    a district's communes (``by="commune"``). A unit is followed in the cycles of the hierarchy and
    reporting level it is found in first; the others are named in ``attrs["note"]``. ``level`` says
    who reported each cycle (a territory's total changes of units at the 2025 reform).

    Một chỉ số qua các kỳ đã xử lý: tổng của địa bàn (mặc định) hoặc của một đơn vị.
    """
    (k,) = _keys(key)
    rows, skipped, first = [], [], None
    for c in processed_cycles(config.PROCESSED_DIR):
        view = open_cycle(c, scope=province)
        u = None
        if unit is not None:
            try:
                u = _find(view, unit)
            except AnalystError:
                skipped.append(c.id)
                continue
            first = first or (u.code, view.hierarchy.name, view.level)
            if (u.code, view.hierarchy.name, view.level) != first:
                skipped.append(c.id)
                continue
        level = "territory" if u is None and by is None else _by(view, u, by)
        d = _rows(view, u, level)
        rows.append(d[_ID[level] + [k]].assign(level=view.level))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["cycle", k, "level"])
    out.attrs["empty"] = f"kỳ nào có số liệu {_lower(KEY_LABELS[k])} của {unit or 'địa bàn'}"
    if skipped:
        out.attrs["note"] = (f"Không có {unit} trong các kỳ {', '.join(skipped)} (đơn vị khác cấp hoặc khác danh "
                             "mục hành chính; chưa quy đổi qua sắp xếp năm 2025).")
    return out


# --- display ---------------------------------------------------------------------------------------

_FLAGS = {"registered": ("Đã đăng ký", "Chưa đăng ký"), "meeting": ("Đạt chuẩn", "Chưa đạt chuẩn"),
          "below": ("Dưới chỉ tiêu", "Đạt chỉ tiêu")}
_HEADERS = {"cycle": "Kỳ", "scope_name": "Địa bàn", "area": "Khu dân cư", "registered": "Đăng ký",
            "meeting": "Đạt chuẩn", "target": "Chỉ tiêu", "below": "So với chỉ tiêu", "level": "Cấp báo cáo",
            "common": "Số đơn vị so sánh", "change": "Thay đổi"}


def show(frame: pd.DataFrame, caption: str | None = None) -> Styler | tables.Text:
    """A frame of this module for reading: Vietnamese headings and numbers (2.126; 95,0 %), codes
    hidden, rows below the target tinted; "Không có …" instead of an empty table.

    Hiển thị bảng bằng tiếng Việt: tiêu đề, số (2.126; 95,0 %), dòng dưới chỉ tiêu tô màu;
    "Không có …" khi bảng trống.
    """
    if frame.empty:
        return show_table(frame)
    d = frame.drop(columns=[c for c in frame.columns if str(c).endswith("_code") or c == "basis"]).reset_index(drop=True)
    if "commune_name" in d and d["commune_name"].equals(d["unit_name"]):     # a commune-level cycle
        d = d.drop(columns="commune_name")
    highlight = d["below"] if "below" in d else None
    key = frame.attrs.get("key")
    if key:
        for c in ("before", "after"):
            d[c] = d[c].map(lambda x: format_value(key, x))
        d["change"] = d["change"].map(lambda x: format_change(key, x))
        d = d.rename(columns={"before": f"Kỳ {frame.attrs['before']}", "after": f"Kỳ {frame.attrs['after']}"})
    if "target" in d:
        d["target"] = d["target"].map(lambda x: format_value("target_share", x))
    for c, (yes, no) in _FLAGS.items():
        if c in d:
            d[c] = d[c].map(lambda x, yes=yes, no=no: "–" if pd.isna(x) else yes if x else no).astype(object)
    if "level" in d:
        d["level"] = d["level"].map(LEVEL_LABEL)
    d = d.rename(columns=_HEADERS)
    note = frame.attrs.get("note")
    caption = caption or frame.attrs.get("caption")
    return show_table(d, highlight=highlight, caption=" ".join(x for x in (caption, note) if x) or None)
