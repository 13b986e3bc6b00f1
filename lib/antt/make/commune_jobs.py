"""One commune's return for one cycle (a ``CommuneJob``): who sends what, when, and the writing of it.

``commune_cycle_jobs`` settles, per province of a commune-level cycle, every commune's house style
(``styles.PLANS`` in rotation) and row shape (``commune_return.shape_for``), its file name(s) and
report date(s): about 2 % of the communes send nothing (no file: missing), about 3.5 % report after
the deadline, two (one in a province of fewer than 40 communes) send their return twice
(``…_lan2``, a later report date, three numbers corrected; in a half-year cycle the second of the
two comes after the deadline). The faults of ``faults.COMMUNE_FAULTS`` go to communes whose shape
can carry them. Every choice is drawn from ``random.Random`` seeded with the cycle and the province,
so a province's communes get the same files in a province's sample and in the national one.

``run_commune_job`` writes the files and returns the commune's entry of the record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from antt.core import units
from antt.core.cycles import Cycle, parse_cycle
from antt.make.commune_return import CommuneContext, Shape, build_commune_book, commune_deviations, shape_for
from antt.make.layout import read_back_tcvn3
from antt.make.commune_truth import province_of, sources_of, state_of
from antt.make.faults import COMMUNE_FAULTS, Fault
from antt.make.jobs import (atomic_write, file_notes, file_record, note_record, perturb, read_totals,
                            repeated_names, unique_name)
from antt.make.styles import PLANS, ambiguous_communes, file_name, province_plans
from antt.make.writers import write_book

MISSING_SHARE = 0.02
LATE_SHARE = 0.035


@dataclass(frozen=True)
class CommuneJob:
    """One commune's return for one cycle: the pool's unit of work (picklable)."""

    out_dir: str
    cycle: str
    unit: str
    plan: int
    shape: Shape
    names: tuple[str, ...]          # one file, or (superseded, final) for a resubmission
    days: tuple[str, ...]           # the report date of each file (ISO)
    faults: tuple[Fault, ...]


def _day(cycle: Cycle, day: int) -> str:
    return date(cycle.year, 6 if cycle.half_year else 12, day).isoformat()


def _fits(spec: dict, u: units.Unit, shape: Shape, plan_total: bool) -> bool:
    """Whether commune ``u`` of ``shape`` can carry the fault ``spec`` at the place it names."""
    need = spec.get("needs")
    return {None: True, "area_values": shape.per_area, "unit_values": not shape.per_area,
            "kdc_total_row": shape.kdc == "counts" and plan_total,
            "phuong_ntm_sheet": u.kind == "Phường" and not shape.ntm_absent}[need]


def commune_cycle_jobs(out_dir: Path, cycle: Cycle, communes: list[units.Unit]) -> tuple[list[CommuneJob], list[str]]:
    """The jobs of a commune-level cycle, and the codes of the communes that send nothing."""
    h = units.hierarchy_on(cycle.end)
    by_province: dict[str, list[units.Unit]] = {}
    for u in communes:
        by_province.setdefault(province_of(u, h).code, []).append(u)
    used: set[str] = set()
    jobs: list[CommuneJob] = []
    missing: list[str] = []
    for prov, us in by_province.items():
        plans = province_plans(prov, us)
        n = len(us)
        order = [u.code for u in us]
        rng = random.Random(f"{cycle.id}-{prov}-communes")
        rng.shuffle(order)
        k_missing = round(n * MISSING_SHARE) if n >= 25 else 0
        k_late = max(1, round(n * LATE_SHARE))
        k_resub = 2 if n >= 40 else 1
        gone = set(order[:k_missing])
        late = set(order[k_missing:k_missing + k_late])
        resub = order[k_missing + k_late:k_missing + k_late + k_resub]
        shapes = {u.code: shape_for(PLANS[plans[u.code]], i, len(sources_of(u.code)) if units.is_current(h) else 1)
                  for i, u in enumerate(us)}
        faults = _place_faults(COMMUNE_FAULTS.get((cycle.id, prov), ()), us, shapes, plans,
                               order[k_missing + k_late + k_resub:])
        missing += sorted(gone)
        for u in us:
            if u.code in gone:
                continue
            plan = PLANS[plans[u.code]]
            name = unique_name(file_name(plan, u, cycle), used, h.unit(prov), u.code)
            if u.code in resub:
                stem, _, ext = name.rpartition(".")
                names: tuple[str, ...] = (name, f"{stem}_lan2.{ext}")
                used.add(names[1].lower())
                second = 23 if cycle.half_year and resub.index(u.code) == 1 else 18
                days = (_day(cycle, 15 + int(u.code) % 2), _day(cycle, second))
            else:
                names = (name,)
                days = (_day(cycle, 20 + int(u.code) % 7 if u.code in late else 15 + int(u.code) % 5),)
            jobs.append(CommuneJob(str(out_dir), cycle.id, u.code, plans[u.code], shapes[u.code], names, days,
                                   tuple(f for f in faults if f.unit == u.code)))
    return jobs, missing


def _place_faults(specs: tuple[dict, ...], us: list[units.Unit], shapes: dict[str, Shape], plans: dict[str, int],
                  candidates: list[str]) -> list[Fault]:
    """Each fault of ``specs`` to the first candidate commune (in the drawn order) that can carry it
    and carries no other."""
    by_code = {u.code: u for u in us}
    taken: set[str] = set()
    out = []
    for spec in specs:
        for code in candidates:
            u = by_code[code]
            if code not in taken and _fits(spec, u, shapes[code], PLANS[plans[code]].total is not None):
                taken.add(code)
                out.append(Fault(spec["code"], code, spec["table"], spec.get("field"), spec.get("index", 0),
                                 spec.get("value"), spec.get("delta", 0), spec.get("note", "")))
                break
    return out


@cache
def _ambiguous(province: str, hierarchy_name: str) -> frozenset[str]:
    h = units.current() if hierarchy_name == units.current().name else units.legacy()
    prov = h.unit(province)
    communes = h.communes(province) or [c for d in h.districts(province) for c in h.communes(d.code)]
    return frozenset(ambiguous_communes(communes, prov))


def run_commune_job(job: CommuneJob) -> dict:
    """Write the job's file(s); returns the commune's entry of the record."""
    cycle = parse_cycle(job.cycle)
    state = state_of(job.unit, cycle)
    base = state.base
    plan = PLANS[job.plan]
    folder = Path(job.out_dir) / cycle.id
    amb = set(_ambiguous(base.province.code, units.hierarchy_on(cycle.end).name))
    files, located, differences = [], [], []
    sheets: dict[str, str] = {}
    for k, (name, day) in enumerate(zip(job.names, job.days)):
        final = k == len(job.names) - 1
        st, diffs = (state, []) if final else perturb(state)
        differences += diffs
        rel = f"{cycle.id}/{name}"
        when = date.fromisoformat(day)
        ctx = CommuneContext(plan=plan, cycle=cycle, report_date=when, faults=list(job.faults) if final else [],
                             state=st, shape=job.shape, ambiguous=amb)
        book, sheets_k = build_commune_book(ctx, rel)
        data = write_book(book, plan.writer)
        atomic_write(folder / name, data)
        if final:
            located += ctx.located
            sheets = sheets_k
        files.append(file_record(rel, "loaded" if final else "superseded", job.unit, sheets_k, plan, when, len(data)))
        if when > cycle.deadline:
            located.append(note_record("report_late", rel, job.unit, f"hạn {cycle.deadline:%d/%m/%Y}",
                                       found=when.isoformat()))
    true = state.totals()
    return {
        "unit_code": job.unit, "level": "commune", "name": base.unit.name, "province_code": base.province.code,
        "plan": plan.key, "files": files, "sheets": sheets,
        "deviations": commune_deviations(plan, job.shape, base.unit),
        "faults": located, "expected_info": file_notes(files, plan, job.unit),
        "superseded_differences": differences, "repeated_model_names": repeated_names(state.models),
        "totals": read_totals(true, bool(state.models), job.faults), "true_totals": true,
        "areas": {job.unit: [[read_back_tcvn3(a) if plan.tcvn3 else a, reg, meet] for a, reg, meet in state.commune.areas]}
        if job.shape.area_rows else None,
    }
