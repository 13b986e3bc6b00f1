"""What notebooks, charts and exports look at: a processed cycle as frames with names and ratios.

``open_cycle(cycle, scope=None)`` reads ``data/processed/<cycle>/`` (run ``antt ingest`` first) into a
``CycleView`` over a territory (default: the configured province; ``"70"`` Bình Phước before the
reform and its 40 successor communes after). ``CycleView.on_current`` puts any cycle on today's
communes through the crosswalk (``territory.on_current``). ``trend()`` gives every headline indicator
across the processed cycles, each point with the former provinces it covers and its reporting level;
``comparison(view)`` the change since the previous comparable cycle (stocks: the cycle just before;
flows: the previous cycle of the same kind), unit by unit within one hierarchy and reporting level,
on today's communes across them, the new-rural keys never across the reform of 1 July 2025.
Nothing here reads raw workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from antt.core import config, forms, indicators, territory, units
from antt.analyse.meta import ChartMeta, source_line
from antt.core.cycles import Cycle, choose, cycles_in, parse_cycle, previous, reporting_level, targets
from antt.store.processed import processed_cycles, read_frame

KEY_LABELS = {k.name: k.label for k in indicators.SUMMARY_KEYS} | {r.name: r.label for r in indicators.RATIOS}


@dataclass
class CycleView:
    """A processed cycle seen over a territory (``scope``, default: the configured province): only
    its reporting units, their rows, files and findings."""

    cycle: Cycle
    processed_dir: Path
    scope: str = config.PROVINCE_CODE

    def frame(self, name: str) -> pd.DataFrame:
        return read_frame(self.processed_dir, self.cycle, name)

    @cached_property
    def hierarchy(self) -> units.Hierarchy:
        return units.hierarchy_on(self.cycle.end)

    @cached_property
    def territory(self) -> territory.Territory:
        return territory.resolve(self.scope)

    @cached_property
    def level(self) -> str:
        """Who reports in this cycle: "district" or "commune"."""
        return reporting_level(self.cycle)

    @cached_property
    def unit_codes(self) -> list[str]:
        """The expected reporting units of the territory in this cycle, in code order."""
        return [u.code for u in self.territory.expected_units(self.cycle)]

    def _inside(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["unit_code"].isin(self.unit_codes)].reset_index(drop=True)

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {tid: self._named(self._inside(self.frame(tid))) for tid in forms.TABLES}

    @cached_property
    def areas(self) -> pd.DataFrame:
        """The residential areas of Biểu 1, one row each (commune, area as written, marks)."""
        return self._named(self._inside(self.frame("kdc_areas")))

    @cached_property
    def _all_files(self) -> pd.DataFrame:
        return self.frame("files")

    @cached_property
    def files(self) -> pd.DataFrame:
        """The files of the cycle folder whose unit is in the territory (or is not known)."""
        f = self._all_files
        return f[f["unit_code"].isna() | f["unit_code"].isin(self.unit_codes)].reset_index(drop=True)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """The findings, but those of files of units outside the territory."""
        files = self.files.set_index("file")["unit_code"]
        f = self.frame("findings")
        outside = set(self._all_files["file"]) - set(files.index)
        f = f[~f["file"].isin(outside)].reset_index(drop=True)
        f["unit_code"] = f["file"].map(files)
        f["unit_name"] = f["unit_code"].map(self._unit_name)
        return f

    @cached_property
    def accounts(self) -> pd.DataFrame:
        a = self.frame("accounts")
        return a[~a["file"].isin(set(self._all_files["file"]) - set(self.files["file"]))].reset_index(drop=True)

    @cached_property
    def completeness(self) -> pd.DataFrame:
        """Unit × table of received / empty / missing / rejected, with names."""
        c = self._inside(self.frame("completeness"))
        c.insert(1, "unit_name", c["unit_code"].map(self._unit_name))
        return c

    @cached_property
    def units(self) -> pd.DataFrame:
        """One row per expected unit: code, name, the 15 keys and the ratios (NA = no data)."""
        d = self._inside(self.frame("units"))
        d.insert(1, "unit_name", d["unit_code"].map(self._unit_name))
        for r in indicators.RATIOS:
            d[r.name] = indicators.ratio(d, r)
        return d

    @cached_property
    def province(self) -> dict:
        """Totals of the keys over the territory (units with a value), the ratios
        (``indicators.province_ratio``: over the units with both values), and coverage."""
        d = self.units
        tot, cov = indicators.totals(d.set_index("unit_code")[list(indicators.KEYS)].to_dict("index"))
        return tot | {r.name: indicators.province_ratio(d, r) for r in indicators.RATIOS} | {"coverage": cov}

    @property
    def expected(self) -> int:
        return len(self.completeness)

    @property
    def reporting(self) -> int:
        c = self.completeness[list(forms.TABLES)]
        return int((c == "received").any(axis=1).sum())

    @property
    def targets(self) -> dict:
        return targets(self.cycle.id)

    @property
    def scope_name(self) -> str:
        return self.territory.name

    @property
    def source(self) -> str:
        return source_line(self.reporting, self.expected, self.cycle.label, self.level)

    def meta(self, title: str) -> ChartMeta:
        return ChartMeta(title=title, subtitle=f"{self.scope_name}, {self.cycle.label} ({self.cycle.period_text})",
                         source=self.source)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """``comparison(self)``, computed once (it opens the earlier cycles)."""
        return _comparison(self)

    @cached_property
    def trend(self) -> pd.DataFrame:
        """``trend()`` of the processed cycles up to and including this one (read once per view)."""
        t = trend(self.processed_dir, self.scope)
        return t[t["cycle"].map(lambda c: parse_cycle(c) <= self.cycle).astype(bool)]

    @cached_property
    def _carried(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        c = self._inside(self.frame("communes"))
        values = {r["commune_code"]: {k: None if pd.isna(r[k]) else float(r[k]) for k in indicators.KEYS}
                  for r in c.to_dict("records")}
        carried, notes = territory.on_current(values, self.hierarchy)
        now = units.current()
        codes = [u.code for u in self.territory.communes(now)]
        d = pd.DataFrame.from_dict(carried, orient="index", columns=list(indicators.KEYS)).reindex(codes)
        d = d.astype("Float64").rename_axis("unit_code").reset_index()
        d.insert(1, "unit_name", [now.unit(code).name for code in codes])
        for r in indicators.RATIOS:
            d[r.name] = indicators.ratio(d, r)
        found = pd.DataFrame([f.as_dict() for f in notes],
                             columns=["severity", "code", "file", "sheet", "cell", "row", "message"])
        return d, found

    @property
    def on_current(self) -> pd.DataFrame:
        """The cycle on today's communes of the territory, one row each (unit_code, unit_name, the 15
        keys, the ratios; NA = no data), like ``units``. A cycle of the former hierarchy goes through
        the crosswalk (``territory.on_current``): old communes summed into the new commune that took
        their area, null when one of them has none, communes_with_models recomputed, the new-rural
        keys null; a divided commune goes to the dataset's default part (``crosswalk_findings``)."""
        return self._carried[0]

    @property
    def crosswalk_findings(self) -> pd.DataFrame:
        """The info findings of ``on_current``: a divided commune carried to its default part."""
        return self._carried[1]

    @cached_property
    def communes(self) -> pd.DataFrame:
        """One row per commune of the expected units with coordinates and its KDC and NTM values."""
        h = self.hierarchy
        rows = [{"commune_code": u.code, "commune_name": u.name, "commune_kind": u.kind, "unit_code": code,
                 "unit_name": self._unit_name(code), "lat": u.lat, "lon": u.lon}
                for code in self.unit_codes
                for u in (h.communes(code) if self.level == units.DISTRICT else [h.unit(code)])]
        out = pd.DataFrame(rows)
        kdc = self.tables["kdc"][["commune_code", "kdc_total", "kdc_registered", "kdc_meeting"]]
        ntm = self.tables["ntm"][["commune_code", "ntm_criteria_met", "ntm_met", "ntm_year"]]
        res = self.tables["models"].query("setting == 'residential'").groupby("commune_code").size()
        out = out.merge(kdc, on="commune_code", how="left").merge(ntm, on="commune_code", how="left")
        out["models_residential"] = out["commune_code"].map(res).astype("Float64")
        received = self.completeness.set_index("unit_code")["models"] == "received"
        out.loc[out["unit_code"].map(received).fillna(False).astype(bool) & out["models_residential"].isna(),
                "models_residential"] = 0
        return out

    def _unit_name(self, code) -> str | None:
        """A district by its short name ("Lộc Ninh"), a commune with its type ("Xã Lộc Ninh")."""
        if code is None or pd.isna(code):
            return None
        u = self.hierarchy.unit(code)
        return u.short if u.level == units.DISTRICT else u.name

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(2, "unit_name", frame["unit_code"].map(self._unit_name))
        frame.insert(4, "commune_name", frame["commune_code"].map(lambda c: self.hierarchy.unit(c).name))
        return frame


def open_cycle(cycle: str | Cycle | None = None, processed_dir: Path | None = None,
               scope: str | None = None) -> CycleView:
    """The processed cycle (default: the latest) over a territory (default: the configured province)
    as a ``CycleView``; ``AnalystError`` (the command line's sentence) for a cycle that is malformed
    or not processed (``cycles.choose``)."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    present = processed_cycles(processed_dir)
    # ``cycle = 2022`` typed in a notebook, or injected by papermill's CLI, is an int: read it as "2022".
    where = processed_dir.relative_to(config.ROOT) if processed_dir.is_relative_to(config.ROOT) else processed_dir
    chosen = choose(cycle.id if isinstance(cycle, Cycle) else cycle, present, where,
                    [c for c in cycles_in(config.RAW_DIR) if c not in present])
    return CycleView(chosen, processed_dir, scope or config.PROVINCE_CODE)


TREND_COLUMNS = ["cycle", "cycle_label", "kind", "end", "after_reform", "level", "covers", "key", "label", "value",
                 "reported", "expected"]


def trend(processed_dir: Path | None = None, scope: str | None = None) -> pd.DataFrame:
    """Territory values of every key and ratio across the processed cycles, one row per cycle and key:
    cycle, cycle_label, kind ("H1"/"year"), end (date), after_reform (counted in today's hierarchy),
    level (who reported: "district"/"commune"), covers (``Territory.covers``: "Bình Phước, Đồng Nai"
    before the reform, "Đồng Nai" after), key, label, value, reported (the units with a value; of a
    ratio, with both of its values) and expected (the units expected): a value is complete when
    reported == expected."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    rows = []
    for c in processed_cycles(processed_dir):
        view = CycleView(c, processed_dir, scope or config.PROVINCE_CODE)
        point = {"cycle": c.id, "cycle_label": c.label, "kind": c.kind, "end": c.end,
                 "after_reform": territory.after_reform(c), "level": view.level, "covers": view.territory.covers(c)}
        u = view.units
        for key, value in view.province.items():
            if key != "coverage":
                parts = [indicators.RATIO[key].numerator, indicators.RATIO[key].denominator] \
                    if key in indicators.RATIO else [key]
                rows.append(point | {"key": key, "label": KEY_LABELS[key], "value": value,
                                     "reported": int(u[parts].notna().all(axis=1).sum()), "expected": len(u)})
    return pd.DataFrame(rows, columns=TREND_COLUMNS).astype({"value": "Float64"})


def complete_points(trend_frame: pd.DataFrame) -> dict[tuple[str, str], bool]:
    """(cycle, key) -> whether every expected unit reported the key's value, of a ``trend`` frame."""
    t = trend_frame
    return dict(zip(zip(t["cycle"], t["key"]), (t["reported"] >= t["expected"]).tolist()))


#: Why a change is left empty (``comparison``'s ``reason``).
NO_EARLIER = "chưa có kỳ trước để so sánh"
NO_COMMON = "không có đơn vị nào có số liệu ở cả hai kỳ"
ACROSS_REFORM = ("không so sánh qua đợt sắp xếp đơn vị hành chính 1/7/2025: xã đạt chuẩn nông thôn mới "
                 "được tính trên các xã cũ và các xã mới khác nhau")
#: Keys and ratios never compared across the reform (the new-rural ones).
NOT_ACROSS_REFORM = frozenset(indicators.NOT_CARRIED_ACROSS_REFORM) | {
    r.name for r in indicators.RATIOS
    if {r.numerator, r.denominator} & set(indicators.NOT_CARRIED_ACROSS_REFORM)}


def comparison(view: CycleView) -> pd.DataFrame:
    """Each headline key and ratio now and in the comparable earlier cycle of the same territory, and
    the change: key, label, value, previous_cycle, previous, change, common, units, basis, reason.

    Comparable: stocks with the cycle just before, flows with the previous cycle of the same kind.
    The change is taken over the ``common`` units (of the ``units`` compared) that have a value in both cycles (a ratio: the
    ratio over them, now minus then), so that a unit missing from one cycle does not pass for a rise
    or a fall. Two cycles of one hierarchy and reporting level compare unit by unit (``basis``
    "units"); otherwise both are put on today's communes (``basis`` "current", ``on_current``; then
    ``previous`` is the earlier cycle's total on them), never district sums against commune sums. The new-rural keys are not compared across the reform of
    1 July 2025; ``reason`` says why a change is empty.
    """
    return view.comparison.copy()


def _comparison(view: CycleView) -> pd.DataFrame:
    present = processed_cycles(view.processed_dir)
    refs = {False: previous(view.cycle, present), True: previous(view.cycle, present, same_kind=True)}
    olds = {c: CycleView(c, view.processed_dir, view.scope) for c in refs.values() if c is not None}
    rows = []
    for key in [*indicators.KEYS, *(r.name for r in indicators.RATIOS)]:
        ref = refs[indicators.is_flow(key)]
        row = {"key": key, "label": KEY_LABELS[key], "value": view.province[key],
               "previous_cycle": ref.id if ref else None, "previous": None, "change": None, "common": 0,
               "units": 0, "basis": None, "reason": NO_EARLIER if ref is None else None}
        old = olds.get(ref)
        across = old is not None and territory.after_reform(old.cycle) != territory.after_reform(view.cycle)
        if across and key in NOT_ACROSS_REFORM:
            row["reason"] = ACROSS_REFORM
        elif old is not None:
            same = old.hierarchy is view.hierarchy and old.level == view.level
            now_d = (view.units if same else view.on_current).set_index("unit_code")
            old_d = (old.units if same else old.on_current).set_index("unit_code").reindex(now_d.index)
            change, common = _change(now_d, old_d, key)
            row |= {"previous": old.province[key] if same else _total(old.on_current, key),
                    "change": change, "common": common, "units": len(now_d),
                    "basis": "units" if same else "current", "reason": None if common else NO_COMMON}
        rows.append(row)
    return pd.DataFrame(rows).astype({"value": "Float64", "previous": "Float64", "change": "Float64"})


def _total(frame: pd.DataFrame, key: str) -> float | None:
    """A key summed, or a ratio taken, over the rows that have a value (as ``CycleView.province``)."""
    if key in indicators.RATIO:
        return indicators.province_ratio(frame, indicators.RATIO[key])
    values = frame[key].dropna()
    return float(values.sum()) if len(values) else None


def _change(now: pd.DataFrame, old: pd.DataFrame, key: str) -> tuple[float | None, int]:
    """(change, units counted) of a key or ratio between two frames of the same units."""
    if key in indicators.RATIO:
        r = indicators.RATIO[key]
        both = now[[r.numerator, r.denominator]].notna().all(axis=1) & old[[r.numerator, r.denominator]].notna().all(axis=1)
        now_r, old_r = (indicators.province_ratio(d[both], r) for d in (now, old))
        return (None if now_r is None or old_r is None else now_r - old_r), int(both.sum())
    both = now[key].notna() & old[key].notna()
    return (float((now[key][both] - old[key][both]).sum()) if both.any() else None), int(both.sum())
