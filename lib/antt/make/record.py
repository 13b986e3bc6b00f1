"""The generator's record of a cycle, in the contract's terms (``sample_manifest.json``).

``cycle_record`` turns the entries of a cycle's jobs into what ``antt summary --json`` should say of
the written folder: ``cycle, province_code, reporting_level, units_expected, units_reporting,
missing_units, totals, by_unit, coverage, files`` (each ``{file, status, unit_code, tables,
report_date, format, writer, bytes}``), the planted faults and the notes (info findings) each file
should cause; for a district-level cycle also ``districts_expected, districts_reporting,
missing_districts, by_district`` and ``district_code`` in files; with ``all`` ``by_province``; for a
province that took in former provinces, ``by_former_province`` (each former province's units as a
scope of its own, such as ``--province 70``). ``units`` keeps each unit's details (plan, shape,
deviations, sheets, true totals; ``areas``: commune code -> [area as written, registered, meeting] of
every return that lists residential areas, a commune's own or a district's in layout B).

``area_changes`` adds the info finding ``kdc_areas_changed`` to a commune whose list of residential
areas (normalised names) differs from the one of its previous return in the same hierarchy.
"""

from __future__ import annotations

from antt.core import territory, units
from antt.core.cycles import Cycle, parse_cycle, reporting_level
from antt.core.text import fold
from antt.make.commune_truth import province_of
from antt.make.jobs import note_record
from antt.make.truth import SUMMARY_KEYS


def sum_totals(by_unit: dict[str, dict]) -> tuple[dict, dict]:
    """Totals of the units with a value, and how many units contributed to each key."""
    totals, coverage = {}, {}
    for k in SUMMARY_KEYS:
        vals = [t[k] for t in by_unit.values() if t[k] is not None]
        totals[k] = sum(vals)
        coverage[k] = len(vals)
    return totals, coverage


def _former_provinces(u: units.Unit, h: units.Hierarchy) -> set[str]:
    """The former (legacy) provinces whose area a unit covers."""
    legacy = units.legacy()
    if h is legacy:
        return {province_of(u, h).code}
    return {province_of(legacy.unit(p), legacy).code for p in territory.predecessors(u.code)}


def cycle_record(cycle: Cycle, scope: str, expected: list[units.Unit], entries: list[dict]) -> dict:
    """The record of one cycle: ``entries`` are its jobs' results (one per unit that sent a file)."""
    h = units.hierarchy_on(cycle.end)
    level = reporting_level(cycle)
    sent = {e["unit_code"]: e for e in entries}
    codes = [u.code for u in expected]
    by_unit = {c: sent[c]["totals"] if c in sent else dict.fromkeys(SUMMARY_KEYS) for c in codes}
    totals, coverage = sum_totals(by_unit)
    missing = [c for c in codes if c not in sent]
    files = [f | ({"district_code": e["unit_code"]} if level == "district" else {})
             for e in entries for f in e["files"]]
    entry = {
        "cycle": cycle.id,
        "period": {"start": cycle.start.isoformat(), "end": cycle.end.isoformat(), "label": cycle.label},
        "province_code": scope, "reporting_level": level, "hierarchy": h.name,
        "units_expected": len(codes), "units_reporting": len(sent), "missing_units": missing,
        "totals": totals, "coverage": coverage, "by_unit": by_unit, "files": files,
        "faults": [f for e in entries for f in e["faults"]],
        "expected_info": [n for e in entries for n in e["expected_info"]],
        "units": {c: sent[c] if c in sent else {"unit_code": c, "level": level, "name": h.unit(c).name,
                                                 "province_code": province_of(h.unit(c), h).code,
                                                 "files": []}
                  for c in codes},
    }
    if level == "district":
        entry |= {"districts_expected": len(codes), "districts_reporting": len(sent), "missing_districts": missing,
                  "by_district": by_unit}
    if scope == "all":
        by_prov: dict[str, dict] = {}
        for u in expected:
            by_prov.setdefault(province_of(u, h).code, {})[u.code] = by_unit[u.code]
        entry["by_province"] = {p: sum_totals(us)[0] for p, us in sorted(by_prov.items())}
    else:
        formers = territory.resolve(scope).former_provinces(cycle)
        if len(formers) > 1:
            entry["by_former_province"] = {}
            for p in formers:
                mine = {u.code: by_unit[u.code] for u in expected if p.code in _former_provinces(u, h)}
                t, cov = sum_totals(mine)
                entry["by_former_province"][p.code] = {
                    "units_expected": len(mine), "units_reporting": sum(c in sent for c in mine),
                    "missing_units": [c for c in missing if c in mine], "totals": t, "coverage": cov}
    return entry


def area_changes(cycles: dict[str, dict]) -> None:
    """Add ``kdc_areas_changed`` (info) to the commune-level cycles of ``cycles`` (id -> record):
    a commune's residential areas compared with those of its previous return in the same hierarchy,
    by normalised name (a commune that sent one row for itself has no list to compare)."""
    order = sorted(cycles, key=parse_cycle)
    for i, cid in enumerate(order):
        now = cycles[cid]
        now["expected_info"] = [n for n in now["expected_info"] if n["code"] != "kdc_areas_changed"]
        if now["reporting_level"] != "commune":
            continue
        earlier = [cycles[c] for c in order[:i] if cycles[c]["reporting_level"] == "commune"
                   and cycles[c]["hierarchy"] == now["hierarchy"]]
        for code, unit in now["units"].items():
            prev = next((e["units"][code] for e in reversed(earlier)
                         if e["units"].get(code, {}).get("files")), None)
            if not unit.get("areas") or prev is None or not prev.get("areas"):
                continue
            new = {fold(a): a for a, _, _ in unit["areas"][code]}
            old = {fold(a): a for a, _, _ in prev["areas"][code]}
            if new.keys() == old.keys():
                continue
            final = next(f["file"] for f in unit["files"] if f["status"] == "loaded")
            now["expected_info"].append(note_record(
                "kdc_areas_changed", final, code, f"so với kỳ {prev['files'][-1]['file'].split('/')[0]}",
                sheet=unit["sheets"].get("kdc"),
                appeared=sorted(new[k] for k in new.keys() - old.keys()),
                vanished=sorted(old[k] for k in old.keys() - new.keys())))
