"""Indicators: the 15 summary keys, and the ratios built on them, by reporting unit and territory.

Each summary key is defined once (table, how it aggregates, Vietnamese label, unit). A reporting
unit's (district's or commune's) value is null when its table was not received (missing, empty,
rejected) or when any value it sums is missing; totals sum the units that have a value, and
``coverage`` counts them. ``carried`` puts the values of old communes on the communes of today
(the 2025 reform), the new-rural keys left out.
Ratios are numerator / denominator of keys, computed after aggregation: a unit's ratio from its
own values (``ratio``), the ratio of several units together from their summed values
(``province_ratio``: the province from its districts, the country from its provinces). A key is a
stock or a flow as its table is (``is_flow``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from antt.core import forms
from antt.core.values import number_or_none

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Key:
    name: str
    table: str
    label: str                   # Vietnamese, for what people read
    unit: str
    column: str | None = None    # summed column
    how: str = "sum"             # sum | count | count_true | count_setting:<setting> | distinct_residential
    description: str = ""        # what it counts, in one Vietnamese sentence (the workbook's definitions)


SUMMARY_KEYS: tuple[Key, ...] = (
    Key("kdc_total", "kdc", "Tổng số khu dân cư", "khu dân cư", "kdc_total",
        description="Số khu dân cư (ấp, khu phố, tổ dân phố) trên địa bàn."),
    Key("kdc_registered", "kdc", "Khu dân cư đăng ký “An toàn về ANTT”", "khu dân cư", "kdc_registered",
        description="Số khu dân cư đã đăng ký xây dựng khu dân cư “An toàn về an ninh, trật tự”."),
    Key("kdc_meeting", "kdc", "Khu dân cư đạt chuẩn “An toàn về ANTT”", "khu dân cư", "kdc_meeting",
        description="Số khu dân cư được công nhận đạt chuẩn “An toàn về an ninh, trật tự”."),
    Key("ntm_communes", "ntm", "Số xã", "xã", how="count",
        description="Số xã thuộc diện xét nông thôn mới (không tính phường, thị trấn, đặc khu)."),
    Key("ntm_met", "ntm", "Xã đạt chuẩn nông thôn mới", "xã", "ntm_met", how="count_true",
        description="Số xã đã được công nhận đạt chuẩn nông thôn mới."),
    Key("models_residential", "models", "Mô hình ở khu dân cư", "mô hình", how="count_setting:residential",
        description="Số mô hình tự quản về an ninh, trật tự triển khai ở khu dân cư."),
    Key("models_institutional", "models", "Mô hình ở cơ quan, doanh nghiệp, nhà trường", "mô hình",
        how="count_setting:institutional",
        description="Số mô hình tự quản về an ninh, trật tự triển khai ở cơ quan, doanh nghiệp, nhà trường."),
    Key("communes_with_models", "models", "Xã, phường, thị trấn có mô hình ở khu dân cư", "đơn vị",
        how="distinct_residential",
        description="Số xã, phường, thị trấn có ít nhất một mô hình tự quản ở khu dân cư."),
    Key("cameras", "models", "Camera an ninh", "mắt camera", "cameras",
        description="Số mắt camera an ninh của các mô hình tự quản."),
    Key("broadcast_hours", "outreach", "Giờ phát thanh, tuyên truyền", "giờ", "broadcast_hours",
        description="Số giờ phát thanh, tuyên truyền về an ninh, trật tự trong kỳ."),
    Key("banners_posters", "outreach", "Băng rôn, khẩu hiệu, áp phích", "cái", "banners_posters",
        description="Số băng rôn, khẩu hiệu, áp phích tuyên truyền trong kỳ."),
    Key("bright_spots_upper", "bright_spots", "Điểm sáng cấp tỉnh, cấp huyện", "điểm", "bright_spots_upper",
        description="Số điểm sáng chấp hành pháp luật được cấp tỉnh, cấp huyện công nhận."),
    Key("bright_spots_commune", "bright_spots", "Điểm sáng cấp xã", "điểm", "bright_spots_commune",
        description="Số điểm sáng chấp hành pháp luật được cấp xã công nhận."),
    Key("core_groups", "bright_spots", "Tổ, nhóm nòng cốt, câu lạc bộ pháp luật", "tổ, nhóm", "core_groups",
        description="Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật ở cơ sở."),
    Key("core_group_members", "bright_spots", "Thành viên tổ, nhóm nòng cốt", "người", "core_group_members",
        description="Số thành viên của các tổ, nhóm nòng cốt, câu lạc bộ pháp luật."),
)
KEYS = {k.name: k for k in SUMMARY_KEYS}


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str
    label: str
    target_key: str | None = None   # key of the cycle's targets (data/reference/targets.json)
    decimals: int = 1               # shown with this many decimals (a share: of its percentage)


RATIOS: tuple[Ratio, ...] = (
    Ratio("kdc_meeting_share", "kdc_meeting", "kdc_total", "Tỷ lệ khu dân cư đạt chuẩn “An toàn về ANTT”",
          "kdc_meeting_share"),
    Ratio("kdc_registered_share", "kdc_registered", "kdc_total", "Tỷ lệ khu dân cư đăng ký", "kdc_registered_share"),
    Ratio("ntm_share", "ntm_met", "ntm_communes", "Tỷ lệ xã đạt chuẩn nông thôn mới"),
    Ratio("cameras_per_kdc", "cameras", "kdc_total", "Camera trên một khu dân cư"),
    Ratio("members_per_group", "core_group_members", "core_groups", "Thành viên trên một tổ, nhóm nòng cốt"),
)


def is_flow(name: str) -> bool:
    """Whether a key, a ratio (by its numerator) or a field is counted over the period (a flow,
    compared with the previous cycle of the same kind) rather than at its end (a stock)."""
    if name in RATIO:
        name = RATIO[name].numerator
    if name in KEYS:
        return forms.TABLES[KEYS[name].table].flow
    return any(t.flow and name in t.value_fields for t in forms.TABLES.values())


def _row_values(keys: list[Key]) -> Callable[[dict], tuple]:
    """What one tidy row adds to each of a table's keys, as a tuple (a column read in C when all sum)."""
    if all(k.how == "sum" for k in keys):
        get = operator.itemgetter(*(k.column for k in keys))
        return get if len(keys) > 1 else lambda row: (get(row),)
    each = [_contribution(k) for k in keys]
    return lambda row: tuple(f(row) for f in each)


def _contribution(key: Key) -> Callable[[dict], float | int | None]:
    """What one tidy row adds to a key (None: a missing value, which makes the unit's value null)."""
    column = key.column
    if key.how == "sum":
        return lambda row: row[column]
    if key.how == "count":
        return lambda row: 1
    if key.how == "count_true":
        return lambda row: 1 if row[column] is True else 0
    if key.how.startswith("count_setting:"):
        setting = key.how.split(":", 1)[1]
        return lambda row: 1 if row["setting"] == setting else 0
    raise ValueError(key.how)


def values_by(rows: dict[str, list[dict]], completeness: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict]]:
    """Per column and code of its ``completeness`` (``{"unit_code": reporting units, "commune_code":
    communes}``), the value of each summary key (None = null): the rows whose column holds the code,
    summed. A code's value is null when its table was not received or any value it sums is missing; a
    received table without a row of the code gives 0. ``communes_with_models`` counts the distinct
    communes with a residential model.

    ``rows`` holds the tidy rows of each table (dicts with the columns, commune_code and the fields).
    One pass over each table's rows sums all of its keys for every column, in row order.
    """
    columns = list(completeness)
    codes = {col: sorted(completeness[col]) for col in columns}
    values: dict[str, dict[str, dict]] = {col: {c: {} for c in codes[col]} for col in columns}
    for table, keys in _SUMMED.items():
        row_values = _row_values(keys)
        accs = [(col, {c: [0.0] * len(keys) for c in codes[col] if completeness[col][c][table] == "received"})
                for col in columns]
        for r in rows.get(table, ()):
            found = [sums for col, acc in accs if (sums := acc.get(r[col])) is not None]
            if not found:
                continue
            vals = row_values(r)
            for sums in found:
                if None in vals or None in sums:        # a missing value makes the sum missing
                    sums[:] = [None if a is None or v is None else a + v for a, v in zip(sums, vals)]
                else:
                    sums[:] = map(operator.add, sums, vals)
        for col, acc in accs:
            for i, key in enumerate(keys):
                for c in codes[col]:
                    values[col][c][key.name] = acc[c][i] if c in acc else None
    for key in _DISTINCT:
        for col in columns:
            distinct = {c: 0.0 for c in codes[col] if completeness[col][c][key.table] == "received"}
            for c, _ in {(r[col], r["commune_code"]) for r in rows.get(key.table, ()) if r["setting"] == "residential"}:
                if c in distinct:
                    distinct[c] += 1
            for c in codes[col]:
                values[col][c][key.name] = distinct.get(c)
    return {col: {c: {k.name: values[col][c][k.name] for k in SUMMARY_KEYS} for c in codes[col]} for col in columns}


#: The keys summed over a table's rows, by table, and the distinct counts of communes.
_DISTINCT = [k for k in SUMMARY_KEYS if k.how == "distinct_residential"]
_SUMMED = {t: [k for k in SUMMARY_KEYS if k.table == t and k not in _DISTINCT]
           for t in dict.fromkeys(k.table for k in SUMMARY_KEYS)}


#: Keys that are not carried across the 2025 reform: the xã are different units, recognised again.
NOT_CARRIED_ACROSS_REFORM = ("ntm_communes", "ntm_met")


def carried(values: dict[str, dict], mapping: dict[str, str]) -> dict[str, dict]:
    """Values of old communes summed into the units ``mapping`` sends them to (old code -> new code).
    A new unit's key is null when any of its predecessors' is; ``communes_with_models`` becomes 1 when
    any predecessor has a residential model (never summed); the new-rural keys are null."""
    out: dict[str, dict] = {}
    for old, new in mapping.items():
        if old not in values:
            continue
        acc = out.setdefault(new, {k: 0.0 for k in KEYS})
        for k, v in values[old].items():
            if acc[k] is not None:
                acc[k] = None if v is None else acc[k] + v
    for acc in out.values():
        if acc["communes_with_models"] is not None:
            acc["communes_with_models"] = float(acc["communes_with_models"] > 0)
        for k in NOT_CARRIED_ACROSS_REFORM:
            acc[k] = None
    return {code: out[code] for code in sorted(out, key=lambda c: (len(c), c))}


def totals(values: dict[str, dict]) -> tuple[dict, dict]:
    """(totals, coverage) of per-unit values: each key summed over the units with a value, and how
    many units contributed (None when none did)."""
    tot: dict = {}
    cov: dict = {}
    for k in KEYS:
        present = [v[k] for v in values.values() if v.get(k) is not None]
        tot[k], cov[k] = (float(sum(present)) if present else None), len(present)
    return tot, cov


def ratio(values: dict | pd.DataFrame, r: Ratio):
    """numerator / denominator of a Ratio, for a dict of totals or a frame of districts."""
    num, den = values[r.numerator], values[r.denominator]
    if isinstance(values, dict):
        return None if num is None or not den else num / den
    return (num / den.where(den != 0)).astype("Float64")


def province_ratio(units: pd.DataFrame | Iterable[dict], r: Ratio) -> float | None:
    """The ratio of several units together (a frame with one row each, or their value dicts):
    numerator and denominator summed over the units that have both values, then divided. A unit
    missing one of them adds to neither (a district whose cameras are missing does not add its
    residential areas to the denominator of cameras per residential area). None when no unit has
    both or the denominator sums to zero."""
    rows = units.to_dict("records") if hasattr(units, "to_dict") else units
    num = den = 0.0
    both = False
    for u in rows:
        n, d = number_or_none(u[r.numerator]), number_or_none(u[r.denominator])
        if n is not None and d is not None:
            num, den, both = num + n, den + d, True
    return num / den if both and den else None


RATIO = {r.name: r for r in RATIOS}


def needed(numerator: pd.Series, denominator: pd.Series, target: float) -> pd.Series:
    """How many more of the numerator (e.g. residential areas meeting the standard) each row needs
    for numerator / denominator to reach ``target``: 0 at or above it, NA without data."""
    short = denominator.astype("Float64") * target - numerator.astype("Float64") - 1e-9
    return short.map(lambda x: max(0, math.ceil(x)), na_action="ignore").astype("Int64")
