"""Tables for the analysis notebooks: the small computations they show, and how they are shown.

Notebooks stay thin: each table is one call here. Two kinds of function:

- computations take a ``CycleView`` and return a plain frame with canonical column names (the keys
  of ``antt.core.indicators`` and a few more, see ``LABELS``), one row per district (``unit_code``,
  ``unit_name``), commune, xã or year, so that notebooks can ``assert`` on them;
- display functions (``show``, ``unit_table``, ``*_table``) return a pandas ``Styler``: Vietnamese
  headings, Vietnamese numbers (1.234; 79,1 %; "–" for no data), units in the official order of
  their codes (``report_frames.in_code_order``), the province row ("Toàn tỉnh") last and in bold, rows below the target tinted. ``styler.data`` is the frame shown.

Province rows sum the districts that have a value (as ``CycleView.province`` does) and recompute
every rate from its numerator and denominator summed over the districts that have both, never
average the districts' rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pandas.io.formats.style import Styler

from antt.analyse import narrative, report_frames
from antt.analyse.columns import LABELS, RATES, SETTINGS, format_value
from antt.core import forms, indicators
from antt.analyse.view import CycleView
from antt.core.findings import SEVERITY_LABEL
from antt.core.text import format_number, format_percent

PROVINCE_ROW = "Toàn tỉnh"
TOTAL_ROW = "Tổng cộng"
NO_DISTRICT = "Chưa xác định đơn vị"
NTM_CRITERIA = 19                      # criteria of the national new-rural standard (19.2: security)
BELOW = "background-color: #FBE3D6"    # rows below the target (light vermillion)
TOTAL = "font-weight: bold; border-top: 1px solid #999"
STATUSES = {"received": "Đã nhận", "empty": "Biểu trống", "missing": "Thiếu", "rejected": "Bị loại"}
STATUS_STYLE = {"received": "background-color: #DDF1E8", "empty": "background-color: #FCEBC7",
                "missing": "background-color: #FBE3D6", "rejected": "background-color: #F4B9A0"}
_LONG = {"message", "where", "file", "model_type"}   # text that may wrap
_TEXT = _LONG | {"unit_name", "commune_name", "commune_kind", "severity", "report_date", "on_time", "table",
                 "title", "code"}


class Text(str):
    """A sentence or a heading that Jupyter shows as Markdown."""

    def _repr_markdown_(self) -> str:
        return str(self)


def takeaway(name: str, view: CycleView) -> Text:
    """The deck's one-sentence takeaway of chart ``name`` (``narrative.takeaway``), as Markdown."""
    return Text(f"**Nhận xét:** {narrative.takeaway(name, view)}")


def heading(view: CycleView) -> Text:
    """The cycle the notebook shows, its period and source, as Markdown."""
    return Text(f"**{view.scope_name} — kỳ {view.cycle.label}** ({view.cycle.period_text}). "
                f"{view.source}.")


# --- display -----------------------------------------------------------------------------------

def show(frame: pd.DataFrame, highlight: pd.Series | None = None, caption: str | None = None) -> Styler | Text:
    """A frame with canonical columns as a Styler: Vietnamese headings and numbers, no index,
    ``highlight`` (a boolean per row) tinted, a first cell "Toàn tỉnh" or "Tổng cộng" in bold.
    An empty frame is the sentence "Không có …": of what its ``attrs["empty"]`` names, else what a
    caption counting zero names ("0 đơn vị dưới chỉ tiêu"), else "số liệu"."""
    if frame.empty:
        counted = caption[2:] if caption and caption.startswith("0 ") else None
        return Text(f"Không có {frame.attrs.get('empty') or counted or 'số liệu'}.")
    data = frame.reset_index(drop=True)
    styler = data.style.format({c: (lambda x, c=c: format_value(c, x)) for c in data.columns}).hide(axis="index")
    styler = styler.relabel_index([LABELS.get(str(c), str(c)) for c in data.columns], axis="columns")
    text = [c for c in data.columns if c in _TEXT]
    styler = styler.set_properties(subset=[c for c in data.columns if c not in _TEXT], **{"text-align": "right"})
    styler = styler.set_properties(subset=text, **{"text-align": "left"})
    styler = styler.set_properties(subset=[c for c in data.columns if c not in _LONG], **{"white-space": "nowrap"})
    styler = styler.set_table_styles([{"selector": "th", "props": "text-align: center; vertical-align: bottom"}])
    if highlight is not None:
        marks = pd.Series(highlight).fillna(False).astype(bool).reset_index(drop=True)
        styler = styler.apply(lambda row: [BELOW if marks.iloc[row.name] else ""] * len(row), axis=1)
    if len(data.columns):
        styler = styler.apply(lambda row: [TOTAL if row.iloc[0] in (PROVINCE_ROW, TOTAL_ROW) else ""] * len(row), axis=1)
    return styler.set_caption(caption) if caption else styler


def plain(text: pd.DataFrame) -> Styler:
    """A frame of already formatted text: first column left, the others right, no wrapping, no index."""
    styler = text.style.hide(axis="index").set_properties(**{"white-space": "nowrap", "text-align": "right"})
    styler = styler.set_properties(subset=text.columns[:1], **{"text-align": "left"})
    return styler.set_table_styles([{"selector": "th", "props": "text-align: center"}])


def province_row(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One row "Toàn tỉnh": each column summed over the districts with a value, a rate recomputed
    from its numerator and denominator summed over the districts that have both
    (``indicators.province_ratio``)."""
    row = {"unit_name": PROVINCE_ROW}
    for c in columns:
        row[c] = indicators.province_ratio(frame, RATES[c]) if c in RATES else _total(frame[c])
    return pd.DataFrame([row])


def _total(values: pd.Series) -> float | None:
    values = pd.to_numeric(values, errors="coerce")
    return float(values.sum()) if values.notna().any() else None


def unit_table(view: CycleView, columns: Sequence[str], target: str | None = None, *,
               frame: pd.DataFrame | None = None, below_average: str | None = None) -> Styler:
    """Units × ``columns`` (of ``view.units`` or of ``frame``) in code order, the province row last.

    ``target``: a ratio with a target for the cycle (``view.targets``): rows below it are tinted.
    ``below_average``: a column; rows below the province value are tinted.
    """
    data = view.units if frame is None else frame
    cols = list(dict.fromkeys([*columns, *(c for c in (target, below_average) if c)]))
    rows = report_frames.in_code_order(data)[["unit_name", *cols]]
    total = province_row(data, cols)
    out = pd.concat([rows.astype(object), total.astype(object)], ignore_index=True)
    highlight, caption = None, None
    if target:
        threshold = view.targets[target]
        highlight = pd.to_numeric(out[target], errors="coerce") < threshold
        caption = f"Chỉ tiêu: {format_value(target, threshold)}. Tô màu: đơn vị dưới chỉ tiêu."
    elif below_average:
        threshold = total[below_average].iloc[0]
        highlight = (pd.to_numeric(out[below_average], errors="coerce") < threshold) & (out["unit_name"] != PROVINCE_ROW)
        caption = f"Tô màu: đơn vị dưới mức chung toàn tỉnh ({format_value(below_average, threshold)})."
    return show(out, highlight=highlight, caption=caption)


# --- districts: targets, changes, checks --------------------------------------------------------

def row_contributions(view: CycleView, table: str) -> pd.DataFrame:
    """What each tidy row of ``table`` adds to each of its keys (unit_code + one column per key),
    read from the key definitions of ``antt.core.indicators``; NA for a missing value."""
    rows = view.tables[table]
    out = pd.DataFrame({"unit_code": rows["unit_code"]})
    for key in (k for k in indicators.SUMMARY_KEYS if k.table == table):
        if key.how == "sum":
            out[key.name] = pd.to_numeric(rows[key.column]).astype("Float64")
        elif key.how == "count":
            out[key.name] = 1
        elif key.how == "count_true":
            out[key.name] = rows[key.column].astype("boolean").fillna(False).astype(int)
        elif key.how.startswith("count_setting:"):
            out[key.name] = rows["setting"].eq(key.how.split(":", 1)[1]).fillna(False).astype(int)
        elif key.how == "distinct_residential":
            residential = rows["setting"].eq("residential").fillna(False).astype(bool)
            first = ~rows.loc[residential, ["unit_code", "commune_code"]].duplicated()
            out[key.name] = first.reindex(rows.index, fill_value=False).astype(int)
        else:
            raise ValueError(key.how)
    return out


def row_sum_mismatches(view: CycleView, table: str) -> pd.DataFrame:
    """District values of ``table``'s keys that differ from what its rows add up to (empty when every
    district is the sum of its communes): unit_name, unit_code, key, stored, from_rows."""
    from_rows = _per_unit(view, table, row_contributions(view, table)).set_index("unit_code")
    keys = [c for c in from_rows.columns if c != "unit_name"]
    stored = view.units.set_index("unit_code")[keys].reindex(from_rows.index)
    long = pd.DataFrame({"stored": stored.stack(future_stack=True),
                         "from_rows": from_rows[keys].stack(future_stack=True)})
    same = (long["stored"] == long["from_rows"]).fillna(False) | (long["stored"].isna() & long["from_rows"].isna())
    bad = long[~same.astype(bool)].reset_index(names=["unit_code", "key"])
    bad.insert(0, "unit_name", bad["unit_code"].map(from_rows["unit_name"]))
    return bad


# --- headline ----------------------------------------------------------------------------------

_UNITS = {"kdc_meeting_share": "%", "kdc_registered_share": "%", "ntm_share": "%",
          "cameras_per_kdc": "camera / khu dân cư", "members_per_group": "người / tổ, nhóm"}


def province_values(view: CycleView) -> pd.Series:
    """The province value of every key and ratio (index: key), Float64."""
    return pd.Series({k: v for k, v in view.province.items() if k != "coverage"}, dtype="Float64", name=view.cycle.id)


def headline(view: CycleView) -> pd.DataFrame:
    """The 15 keys and the ratios of the cycle: key, label, value, unit, coverage (districts with a
    value), expected (districts), target (where the cycle has one). Index: key."""
    d = view.units
    rows = []
    for key, value in province_values(view).items():
        r = RATES.get(key)
        covered = int((d[r.numerator].notna() & d[r.denominator].notna()).sum()) if r else view.province["coverage"][key]
        rows.append({"key": key, "label": LABELS[key], "value": value,
                     "unit": _UNITS.get(key) or indicators.KEYS[key].unit, "coverage": covered,
                     "expected": view.expected, "target": view.targets.get(key)})
    return pd.DataFrame(rows).set_index("key", drop=False).astype({"value": "Float64", "target": "Float64"})


def headline_table(view: CycleView) -> Styler:
    """``headline`` for reading: indicator, figure, unit, "11/11" districts with data, target; ratios
    below their target tinted."""
    h = headline(view)
    text = pd.DataFrame({
        "Chỉ số": h["label"],
        "Số liệu": [format_value(k, v) for k, v in h["value"].items()],
        "Đơn vị tính": h["unit"],
        "Số đơn vị có số liệu": [f"{c}/{e}" for c, e in zip(h["coverage"], h["expected"])],
        "Chỉ tiêu": [format_value(k, t) if pd.notna(t) else "" for k, t in h["target"].items()],
    }).reset_index(drop=True)
    below = (h["value"] < h["target"]).fillna(False).astype(bool).reset_index(drop=True)
    styler = plain(text).set_properties(subset=["Đơn vị tính"], **{"text-align": "left"})
    return styler.apply(lambda row: [BELOW if below.iloc[row.name] else ""] * len(row), axis=1)


# --- data check (01) ---------------------------------------------------------------------------

def completeness_table(view: CycleView) -> Styler:
    """Unit × table: received / empty / missing / rejected in Vietnamese, coloured; units in code order."""
    c = report_frames.in_code_order(view.completeness).reset_index(drop=True)
    status = c[list(forms.TABLES)]
    text = status.map(lambda s: STATUSES.get(s, s))
    text.insert(0, "Đơn vị", c["unit_name"])
    text.columns = ["Đơn vị", *(forms.TABLES[t].title for t in forms.TABLES)]
    styles = pd.DataFrame("", index=text.index, columns=text.columns)
    styles.iloc[:, 1:] = status.map(lambda s: STATUS_STYLE.get(s, "")).to_numpy()
    styler = plain(text).set_properties(subset=text.columns[1:], **{"text-align": "center"})
    return styler.apply(lambda _: styles, axis=None)


def reporting_rates(view: CycleView) -> pd.DataFrame:
    """Per table of the return (``report_frames.reporting_rates``): districts expected, received, and
    the share received, with those whose table was empty, missing or rejected."""
    r = report_frames.reporting_rates(view).rename(columns={"rate": "received_share"})
    for status in ("empty", "missing", "rejected"):
        r[status] = [int((view.completeness[t] == status).sum()) for t in r["table"]]
    return r[["table", "title", "expected", "received", "empty", "missing", "rejected", "received_share"]]


def unit_reporting(view: CycleView) -> pd.DataFrame:
    """Per district, in code order: tables received (of 5), the file loaded, its report date
    and whether it came by the deadline (``report_frames.timeliness``), files superseded or rejected."""
    t = report_frames.timeliness(view)
    f, c = view.files, view.completeness.set_index("unit_code")
    out = pd.DataFrame({
        "unit_name": t["unit_name"],
        "tables_received": [int((c.loc[d, list(forms.TABLES)] == "received").sum()) for d in t["unit_code"]],
        "file": [", ".join(p.split("/", 1)[-1] for p in x.split(", ")) if isinstance(x, str) else "–" for x in t["file"]],
        "report_date": [d.strftime("%d/%m/%Y") if isinstance(d, date) else "–" for d in t["report_date"]],
        "on_time": t["status"],
        "superseded": [int(((f["unit_code"] == d) & (f["status"] == "superseded")).sum()) for d in t["unit_code"]],
        "files_rejected": [int(((f["unit_code"] == d) & (f["status"] == "rejected")).sum()) for d in t["unit_code"]],
    })
    return out


def findings_summary(view: CycleView) -> pd.DataFrame:
    """Findings by district (rows in code order; findings of files with no district in their own row
    after them) and severity (error, warning, info), with the province row."""
    f = view.findings.assign(unit_name=view.findings["unit_name"].fillna(NO_DISTRICT))
    counts = pd.crosstab(f["unit_name"], f["severity"]).reindex(columns=list(SEVERITY_LABEL), fill_value=0)
    names = (list(report_frames.in_code_order(view.completeness)["unit_name"])
             + ([NO_DISTRICT] if NO_DISTRICT in counts.index else []))
    counts = counts.reindex(names, fill_value=0).rename_axis(None, axis=1).reset_index(names="unit_name")
    return pd.concat([counts, province_row(counts, list(SEVERITY_LABEL))], ignore_index=True).astype(
        {s: int for s in SEVERITY_LABEL})


def findings_list(view: CycleView, severities: Sequence[str] = ("error", "warning")) -> pd.DataFrame:
    """The findings of these severities (``report_frames.findings_sorted``: errors first, then by unit
    in code order): severity (Vietnamese), district, where ("file › sheet › cell"), code, message."""
    f = report_frames.findings_sorted(view)
    f = f[f["severity"].isin(list(severities))]
    where = [" › ".join(str(p) for p in parts if p is not None and not pd.isna(p))
             for parts in zip(f["file"], f["sheet"], f["cell"])]
    out = pd.DataFrame({"severity": f["severity"].map(SEVERITY_LABEL).to_numpy(),
                        "unit_name": f["unit_name"].fillna(NO_DISTRICT).to_numpy(),
                        "where": where, "code": f["code"].to_numpy(), "message": f["message"].to_numpy()})
    out.attrs["empty"] = f"phát hiện nào ({', '.join(SEVERITY_LABEL[s].lower() for s in severities)})"
    return out


# --- per district sums of a table --------------------------------------------------------------

def _per_unit(view: CycleView, table: str, values: pd.DataFrame) -> pd.DataFrame:
    """Sums of ``values`` (columns to sum + unit_code) by district, one row per expected district:
    NA when a summed value is missing or the table was not received; 0 when received with no row."""
    codes = list(report_frames.in_code_order(view.completeness)["unit_code"])
    cols = [c for c in values.columns if c != "unit_code"]
    numeric = values[cols].apply(pd.to_numeric).astype("Float64")
    sums = numeric.groupby(values["unit_code"]).sum(min_count=0)
    sums = sums.mask(numeric.isna().groupby(values["unit_code"]).any())
    sums = sums.reindex(codes, fill_value=0).astype("Float64")
    received = view.completeness.set_index("unit_code")[table].eq("received").reindex(codes)
    sums.loc[~received.to_numpy()] = pd.NA
    out = sums.rename_axis("unit_code").reset_index()
    out.insert(1, "unit_name", out["unit_code"].map(view.units.set_index("unit_code")["unit_name"]))
    return out


# --- new rural (03) ----------------------------------------------------------------------------

def ntm_headline(view: CycleView) -> Text:
    """"68/86 xã (79,1 %) đạt chuẩn nông thôn mới; 18 xã chưa đạt." for the province."""
    p = view.province
    if p["ntm_communes"] is None:
        return Text("Không có số liệu Biểu 2 — Nông thôn mới.")
    met, xa = p["ntm_met"] or 0, p["ntm_communes"]
    return Text(f"**{format_number(met)}/{format_number(xa)} xã ({format_percent(p['ntm_share'])}) đạt chuẩn "
                f"nông thôn mới**; {format_number(xa - met)} xã chưa đạt.")


def near_standard(view: CycleView, max_short: int = 2) -> pd.DataFrame:
    """Xã not yet new-rural that are 1 … ``max_short`` criteria short of the 19, in code order (of the
    unit, then of the xã): unit_code, unit_name, commune_code, commune_name, ntm_criteria_met,
    criteria_short, ntm_security_criterion (19.2)."""
    n = view.tables["ntm"]
    short = NTM_CRITERIA - n["ntm_criteria_met"].astype("Float64")
    near = n[(~n["ntm_met"].fillna(False).astype(bool)) & short.between(1, max_short).fillna(False).astype(bool)]
    out = report_frames.in_code_order(near.assign(criteria_short=short[near.index].astype("Int64")),
                                      "unit_code", "commune_code")
    return out[["unit_code", "unit_name", "commune_code", "commune_name", "ntm_criteria_met", "criteria_short",
                "ntm_security_criterion"]].reset_index(drop=True)


def ntm_near(view: CycleView, max_short: int = 2) -> pd.DataFrame:
    """``near_standard`` for reading: fewest criteria short first (then in code order), without codes."""
    return (near_standard(view, max_short).drop(columns=["unit_code", "commune_code"])
            .sort_values("criteria_short", kind="stable").reset_index(drop=True))


def security_criterion(view: CycleView) -> pd.DataFrame:
    """Per district: xã, xã meeting / not meeting the security criterion 19.2, xã not new-rural and
    among them those without 19.2 (NA where Biểu 2 was not received)."""
    n = view.tables["ntm"]
    sec, met = n["ntm_security_criterion"].astype("boolean"), n["ntm_met"].astype("boolean").fillna(False)
    values = pd.DataFrame({"unit_code": n["unit_code"], "ntm_communes": 1,
                           "security_met": sec.fillna(False).astype(int),
                           "security_not_met": (~sec).fillna(False).astype(int),
                           "ntm_not_met": (~met).astype(int),
                           "not_met_without_security": ((~met) & ~sec.fillna(True)).astype(int)})
    out = _per_unit(view, "ntm", values)
    return out.assign(security_share=out["security_met"] / out["ntm_communes"].where(out["ntm_communes"] != 0))


def recognitions_by_year(view: CycleView) -> pd.DataFrame:
    """Xã recognised as new-rural per year (every year from the first to the last, zeros included)
    and the running total; xã met with no year are not counted."""
    n = view.tables["ntm"]
    years = n.loc[n["ntm_met"].fillna(False).astype(bool), "ntm_year"].dropna().astype(int)
    if years.empty:
        return pd.DataFrame({"year": pd.Series(dtype=int), "recognised": pd.Series(dtype=int),
                             "cumulative": pd.Series(dtype=int)})
    counts = years.value_counts().reindex(range(years.min(), years.max() + 1), fill_value=0).sort_index()
    return pd.DataFrame({"year": counts.index, "recognised": counts.to_numpy(), "cumulative": counts.cumsum().to_numpy()})


@dataclass(frozen=True)
class Projection:
    """When all xã would be new-rural at the pace of the last ``years`` full years."""

    communes: int            # xã
    met: int                 # xã new-rural now
    first_year: int          # window of the pace
    last_year: int
    recognised: int          # xã recognised in the window
    years_needed: float | None
    year: int | None         # year by which all xã would be recognised (None: cannot say)
    since: str               # the end of the period, in words

    @property
    def remaining(self) -> int:
        return self.communes - self.met

    @property
    def pace(self) -> float:
        return self.recognised / (self.last_year - self.first_year + 1)

    @property
    def text(self) -> str:
        window = f"{self.last_year - self.first_year + 1} năm gần nhất ({self.first_year}–{self.last_year})"
        if self.remaining <= 0:
            return f"Cả {format_number(self.communes)} xã đều đã đạt chuẩn nông thôn mới."
        if not self.recognised:
            return (f"Còn {format_number(self.remaining)}/{format_number(self.communes)} xã chưa đạt chuẩn nông thôn mới. "
                    f"Trong {window} không có xã nào được công nhận, nên không ước tính được khi nào tất cả các xã đạt chuẩn.")
        return (f"Trong {window}, bình quân mỗi năm có {format_number(self.pace, 1)} xã được công nhận đạt chuẩn "
                f"nông thôn mới. Còn {format_number(self.remaining)}/{format_number(self.communes)} xã chưa đạt chuẩn; "
                f"giữ nhịp này thì cần khoảng {format_number(self.years_needed, 1)} năm nữa kể từ {self.since}, "
                f"tức là đến khoảng **năm {self.year}** tất cả các xã mới đạt chuẩn.")

    def _repr_markdown_(self) -> str:
        return self.text


def ntm_projection(view: CycleView, years: int = 3) -> Projection:
    """At the current pace (mean recognitions per year over the last ``years`` full years before the
    end of the period), in which year would every xã be new-rural?"""
    end = view.cycle.end
    last = end.year if (end.month, end.day) >= (12, 14) else end.year - 1       # last full year
    by_year = recognitions_by_year(view).set_index("year")["recognised"]
    recognised = int(by_year.reindex(range(last - years + 1, last + 1), fill_value=0).sum())
    communes, met = int(view.province["ntm_communes"] or 0), int(view.province["ntm_met"] or 0)
    remaining, pace = communes - met, recognised / years
    needed = remaining / pace if pace and remaining > 0 else (0.0 if remaining <= 0 else None)
    at = end.year + (end.timetuple().tm_yday / (366 if end.year % 4 == 0 else 365))
    year = math.floor(at + needed) if needed else (end.year if needed == 0 else None)
    return Projection(communes, met, last - years + 1, last, recognised, needed, year,
                      f"tháng {end.month}/{end.year}")


# --- models and cameras (04) -------------------------------------------------------------------

def models_by_type(view: CycleView) -> pd.DataFrame:
    """Per district: models of each type (the form's types, in its order) and the total; NA where
    Biểu 3 was not received."""
    m = view.tables["models"]
    values = pd.get_dummies(m["model_type"]).reindex(columns=list(forms.MODEL_TYPES), fill_value=0).astype(int)
    values.insert(0, "unit_code", m["unit_code"])
    out = _per_unit(view, "models", values)
    return out.assign(models_total=out[list(forms.MODEL_TYPES)].sum(axis=1, min_count=1))


def models_by_setting(view: CycleView) -> pd.DataFrame:
    """Per model type: models in residential areas, in agencies/enterprises/schools, total, cameras;
    the total row last."""
    m = view.tables["models"]
    counts = pd.crosstab(m["model_type"], m["setting"]).reindex(index=list(forms.MODEL_TYPES),
                                                                columns=list(SETTINGS), fill_value=0)
    counts["models_total"] = counts.sum(axis=1)
    counts["cameras"] = m.groupby("model_type")["cameras"].sum(min_count=1).reindex(counts.index)
    counts = counts.rename_axis(None, axis=1).reset_index(names="model_type")
    total = pd.DataFrame([{"model_type": TOTAL_ROW, **{c: _total(counts[c]) for c in counts.columns[1:]}}])
    return pd.concat([counts, total], ignore_index=True)


def communes_without_residential_model(view: CycleView) -> pd.DataFrame:
    """Communes (of districts whose Biểu 3 was received) with no model in a residential area, in code order."""
    c = view.communes
    none = report_frames.in_code_order(c[c["models_residential"].eq(0).fillna(False).astype(bool)],
                                       "unit_code", "commune_code")
    return none[["unit_name", "commune_name", "commune_kind", "kdc_total"]].reset_index(drop=True)


# --- information work and bright spots (05) ---------------------------------------------------

def outreach_per_kdc(view: CycleView) -> pd.DataFrame:
    """Per district: broadcast hours, banners and posters, sessions, attendees (Biểu 4), residential
    areas, and each per residential area."""
    o = view.tables["outreach"]
    sums = _per_unit(view, "outreach", o[["unit_code", "broadcast_hours", "banners_posters",
                                              "sessions", "attendees"]])
    out = sums.merge(view.units[["unit_code", "kdc_total"]], on="unit_code", how="left")
    return _with_rates(out, ["hours_per_kdc", "banners_per_kdc", "sessions_per_kdc", "attendees_per_kdc"])


def bright_spots_per_commune(view: CycleView) -> pd.DataFrame:
    """Per district: bright spots (province/district and commune level), core groups and members
    (Biểu 5), communes, bright spots and core groups per commune, members per group."""
    keys = ["bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members"]
    d = view.units[["unit_code", "unit_name", *keys]]
    communes = view.communes.groupby("unit_code").size()
    out = d.assign(bright_spots=d["bright_spots_upper"] + d["bright_spots_commune"],
                   communes=d["unit_code"].map(communes).astype("Float64"))
    return _with_rates(out, ["bright_spots_per_commune", "core_groups_per_commune", "members_per_group"])


def _with_rates(frame: pd.DataFrame, rates: Sequence[str]) -> pd.DataFrame:
    return frame.assign(**{name: indicators.ratio(frame, RATES[name]) for name in rates})
