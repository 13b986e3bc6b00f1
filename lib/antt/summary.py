"""The object ``antt summary --json`` prints for a loaded cycle (contract.md, "Commands").

``summary_object(data, units_now=False)``: cycle, province_code, reporting_level, units_expected,
units_reporting, missing_units, totals, by_unit, coverage, files, findings; a district-level cycle
also carries the district names of these fields (districts_expected, districts_reporting,
missing_districts, by_district, district_code in files); ``--province all`` adds by_province.
With ``units_now`` (``--units current``) ``by_unit`` is keyed by today's communes: the communes'
values carried through the crosswalk (``territory.on_current``; the divided Xã Xuân Tâm to the
dataset's default successor, with an info finding), ``totals`` unchanged.
"""

from __future__ import annotations

from antt.check.cycle import CycleData
from antt.core import indicators, territory, units


def _number(v):
    if v is None:
        return None
    v = float(v)
    return int(v) if v.is_integer() else round(v, 6)


def _numbers(values: dict[str, dict]) -> dict[str, dict]:
    return {code: {k: _number(v) for k, v in row.items()} for code, row in values.items()}


def summary_object(data: CycleData, units_now: bool = False) -> dict:
    """The JSON object of ``antt summary --json`` for a loaded cycle."""
    tot, cov = indicators.totals(data.unit_values)
    expected, reporting = data.units_expected, data.units_reporting
    files = [{"file": r["file"], "status": r["status"], "unit_code": r["unit_code"], "tables": list(r["tables"])}
             for r in data.rows["files"]]
    findings = list(data.rows["findings"])
    by_unit = data.unit_values
    if units_now:
        by_unit, notes = current_values(data)
        findings += [f.as_dict() for f in notes]
    out = {
        "cycle": data.cycle.id,
        "province_code": data.scope,
        "reporting_level": data.level,
        "units_expected": len(expected),
        "units_reporting": len(reporting),
        "missing_units": [u for u in expected if u not in set(reporting)],
        "totals": {k: _number(v) for k, v in tot.items()},
        "by_unit": _numbers(by_unit),
        "coverage": cov,
        "files": files,
        "findings": findings,
    }
    if data.level == units.DISTRICT:
        out |= {"districts_expected": out["units_expected"], "districts_reporting": out["units_reporting"],
                "missing_districts": out["missing_units"], "by_district": _numbers(data.unit_values)}
        for f in files:
            f["district_code"] = f["unit_code"]
    if data.scope == "all":
        h = units.hierarchy_on(data.cycle.end)
        by_province: dict[str, dict[str, dict]] = {}
        for code, row in data.unit_values.items():
            by_province.setdefault(province_of(h.unit(code), h), {})[code] = row
        out["by_province"] = {p: {k: _number(v) for k, v in indicators.totals(rows)[0].items()}
                              for p, rows in by_province.items()}
    return out


def current_values(data: CycleData) -> tuple[dict[str, dict], list]:
    """The cycle's values on today's communes (``territory.on_current``), and the info findings of
    divided communes."""
    communes = {r["commune_code"]: {k: r[k] for k in indicators.KEYS} for r in data.rows["communes"]}
    return territory.on_current(communes, units.hierarchy_on(data.cycle.end))


def province_of(unit: units.Unit, h: units.Hierarchy) -> str:
    """The code of the province a unit lies in."""
    while unit.parent is not None:
        unit = h.unit(unit.parent)
    return unit.code
