"""What notebooks, charts and exports look at: a processed cycle as frames with names and ratios.

``open_cycle(cycle)`` reads ``data/processed/<cycle>/`` (run ``antt ingest`` first) into a
``CycleView``; ``trend()`` gives every headline indicator across the processed cycles;
``comparison(view)`` the change since the previous comparable cycle (stocks: the cycle just before;
flows: the previous cycle of the same kind). Nothing here reads raw workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from antt.core import config, forms, indicators, units
from antt.analyse.meta import ChartMeta, source_line
from antt.core.cycles import Cycle, parse_cycle, previous, targets
from antt.store.processed import processed_cycles, read_frame

KEY_LABELS = {k.name: k.label for k in indicators.SUMMARY_KEYS} | {r.name: r.label for r in indicators.RATIOS}


@dataclass
class CycleView:
    cycle: Cycle
    processed_dir: Path

    def frame(self, name: str) -> pd.DataFrame:
        return read_frame(self.processed_dir, self.cycle, name)

    @cached_property
    def hierarchy(self) -> units.Hierarchy:
        return units.hierarchy_on(self.cycle.end)

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {tid: self._named(self.frame(tid)) for tid in forms.TABLES}

    @cached_property
    def findings(self) -> pd.DataFrame:
        files = self.files.set_index("file")["district_code"]
        f = self.frame("findings")
        f["district_code"] = f["file"].map(files)
        f["district_name"] = f["district_code"].map(self._district_name)
        return f

    @cached_property
    def files(self) -> pd.DataFrame:
        return self.frame("files")

    @cached_property
    def accounts(self) -> pd.DataFrame:
        return self.frame("accounts")

    @cached_property
    def completeness(self) -> pd.DataFrame:
        """district × table of received / empty / missing / rejected, with names."""
        c = self.frame("completeness")
        c.insert(1, "district_name", c["district_code"].map(self._district_name))
        return c

    @cached_property
    def districts(self) -> pd.DataFrame:
        """One row per expected district: code, name, the 15 keys and the ratios (NA = no data)."""
        d = self.frame("districts")
        d.insert(1, "district_name", d["district_code"].map(self._district_name))
        for r in indicators.RATIOS:
            d[r.name] = indicators.ratio(d, r)
        return d

    @cached_property
    def province(self) -> dict:
        """Province totals of the keys (districts with a value), the ratios
        (``indicators.province_ratio``: over the districts with both values), and coverage."""
        d = self.districts
        tot, cov = indicators.totals(d.set_index("district_code")[list(indicators.KEYS)])
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
        codes = {self.hierarchy.unit(d).parent for d in self.completeness["district_code"]}
        return self.hierarchy.unit(codes.pop()).name if len(codes) == 1 else "Toàn quốc"

    @property
    def source(self) -> str:
        return source_line(self.reporting, self.expected, self.cycle.label)

    def meta(self, title: str) -> ChartMeta:
        return ChartMeta(title=title, subtitle=f"{self.scope_name}, {self.cycle.label} ({self.cycle.period_text})",
                         source=self.source)

    @cached_property
    def trend(self) -> pd.DataFrame:
        """``trend()`` of the processed cycles up to and including this one (read once per view)."""
        t = trend(self.processed_dir)
        return t[t["cycle"].map(lambda c: parse_cycle(c) <= self.cycle).astype(bool)]

    @cached_property
    def communes(self) -> pd.DataFrame:
        """One row per commune of the expected districts with coordinates and its KDC and NTM values."""
        rows = [{"commune_code": u.code, "commune_name": u.name, "commune_kind": u.kind, "district_code": u.parent,
                 "district_name": self._district_name(u.parent), "lat": u.lat, "lon": u.lon}
                for d in self.completeness["district_code"] for u in self.hierarchy.communes(d)]
        out = pd.DataFrame(rows)
        kdc = self.tables["kdc"][["commune_code", "kdc_total", "kdc_registered", "kdc_meeting"]]
        ntm = self.tables["ntm"][["commune_code", "ntm_criteria_met", "ntm_met", "ntm_year"]]
        res = self.tables["models"].query("setting == 'residential'").groupby("commune_code").size()
        out = out.merge(kdc, on="commune_code", how="left").merge(ntm, on="commune_code", how="left")
        out["models_residential"] = out["commune_code"].map(res).astype("Float64")
        received = self.completeness.set_index("district_code")["models"] == "received"
        out.loc[out["district_code"].map(received).fillna(False).astype(bool) & out["models_residential"].isna(),
                "models_residential"] = 0
        return out

    def _district_name(self, code) -> str | None:
        if code is None or pd.isna(code):
            return None
        return self.hierarchy.unit(code).short

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(2, "district_name", frame["district_code"].map(self._district_name))
        frame.insert(4, "commune_name", frame["commune_code"].map(lambda c: self.hierarchy.unit(c).name))
        return frame


def open_cycle(cycle: str | Cycle | None = None, processed_dir: Path | None = None) -> CycleView:
    """The processed cycle (default: the latest) as a ``CycleView``."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    present = processed_cycles(processed_dir)
    if not present:
        raise FileNotFoundError(f"no processed cycle under {processed_dir}: run `antt ingest` first")
    # ``cycle = 2022`` typed in a notebook, or injected by papermill's CLI, is an int: read it as "2022".
    chosen = present[-1] if cycle is None else (cycle if isinstance(cycle, Cycle) else parse_cycle(str(cycle)))
    if chosen not in present:
        raise FileNotFoundError(f"cycle {chosen.id} is not processed under {processed_dir} "
                                f"(present: {', '.join(c.id for c in present)})")
    return CycleView(chosen, processed_dir)


def trend(processed_dir: Path | None = None, scope_districts: list[str] | None = None) -> pd.DataFrame:
    """Province values of every key and ratio across the processed cycles: cycle, cycle_label, kind, key, value."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    rows = []
    for c in processed_cycles(processed_dir):
        view = CycleView(c, processed_dir)
        for key, value in view.province.items():
            if key != "coverage":
                rows.append({"cycle": c.id, "cycle_label": c.label, "kind": c.kind, "key": key,
                             "label": KEY_LABELS[key], "value": value})
    return pd.DataFrame(rows, columns=["cycle", "cycle_label", "kind", "key", "label", "value"]).astype(
        {"value": "Float64"})


def comparison(view: CycleView) -> pd.DataFrame:
    """Each headline key now and in the comparable earlier cycle (province level), and the change.

    The change is summed over the districts that have a value in both cycles (``common`` of them),
    so that a district missing from one cycle does not pass for a rise or a fall.
    """
    present = processed_cycles(view.processed_dir)
    before, before_kind = previous(view.cycle, present), previous(view.cycle, present, same_kind=True)
    now_d = view.districts.set_index("district_code")
    old_views = {c: CycleView(c, view.processed_dir) for c in {before, before_kind} if c is not None}
    rows = []
    for key in indicators.KEYS:
        ref = before_kind if indicators.is_flow(key) else before
        row = {"key": key, "label": KEY_LABELS[key], "value": view.province[key],
               "previous_cycle": ref.id if ref else None, "previous": None, "change": None, "common": 0}
        if ref is not None:
            old_d = old_views[ref].districts.set_index("district_code")[key]
            both = now_d[key].notna() & old_d.reindex(now_d.index).notna()
            row |= {"previous": old_views[ref].province[key], "common": int(both.sum()),
                    "change": float((now_d[key][both] - old_d.reindex(now_d.index)[both]).sum()) if both.any() else None}
        rows.append(row)
    return pd.DataFrame(rows).astype({"value": "Float64", "previous": "Float64", "change": "Float64"})
