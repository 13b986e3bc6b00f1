"""One district's return for one cycle (a ``Job``), and what every return's job records.

``run_job(job)`` writes a district's return (and its superseded first version when it resubmits):
the district's truth at the cycle (``antt.make.truth``), laid out in its house style
(``antt.make.district_return``) with its faults, written by its plan's writer. ``cycle_jobs`` gives
every district of a cycle its plan, file name(s) and faults: Bình Phước's as listed, other provinces'
in rotation, one resubmission a province. The helpers below it are shared with the commune returns'
jobs (``antt.make.commune_jobs``): the superseded first version of a return (``perturb``), the 15 keys
as a loader should read them (``read_totals``), and the record of a written file and of the notes
it should cause.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from antt.core import units
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle, parse_cycle
from antt.core.findings import CODES, INFO
from antt.make.district_return import TABLE_ORDER, build_book
from antt.make.faults import FAULTS, Fault
from antt.make.layout import ReturnContext
from antt.make.styles import PLANS, Plan, ambiguous_communes, compact, deviations, file_name, province_plans
from antt.make.truth import ANCHOR_PROVINCE, TABLE_KEYS, district_base, district_state
from antt.make.writers import write_book

#: Bình Phước: which district sends a second return in which cycle (others: seeded choice).
RESUBMIT = {"2022-H1": "698", "2022": "694", "2023-H1": "692"}
#: Value fields whose missing value leaves the summary key of the same name unknown.
SUMMED_FIELDS = frozenset({"kdc_total", "kdc_registered", "kdc_meeting", "cameras", "broadcast_hours",
                           "banners_posters", "bright_spots_upper", "bright_spots_commune", "core_groups",
                           "core_group_members"})


def atomic_write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


# ==================================================================================================
# What every return's job records

def perturb(state):
    """The superseded first return: the same, with three numbers that the second one corrects.

    ``state`` is a district's or a commune's (anything with ``communes``); returns (copy, differences).
    """
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


def read_totals(true_totals: dict[str, int], has_models: bool, faults: tuple[Fault, ...]) -> dict[str, int | None]:
    """The 15 keys as a loader should read them from the (final) return: null where a table is left
    out or a summed value is missing; Biểu 3 without a row is an empty table, not received."""
    totals: dict[str, int | None] = dict(true_totals)
    if not has_models:
        totals.update(dict.fromkeys(TABLE_KEYS["models"]))
    for f in faults:
        if f.code == "table_missing":
            for k in TABLE_KEYS[f.table]:
                totals[k] = None
        elif f.code == "value_missing" and f.field in SUMMED_FIELDS:
            totals[f.field] = None
    return totals


def file_record(rel: str, status: str, unit: str, sheets: dict[str, str], plan: Plan, day: date,
                size: int) -> dict:
    """A written file as the record lists it (its tables in form order)."""
    return {"file": rel, "status": status, "unit_code": unit, "tables": [t for t in TABLE_ORDER if t in sheets],
            "report_date": day.isoformat(), "format": plan.fmt, "writer": plan.writer, "bytes": size}


def note_record(code: str, file: str, unit: str, note: str, sheet: str | None = None, **extra) -> dict:
    """A finding a file should cause that is no planted fault (a superseded file, decoded legacy
    text, a late report, a changed list of residential areas). A code the findings module does not
    list yet (``kdc_areas_changed``, info in design-18) is recorded as info."""
    return {"code": code, "severity": CODES[code][0] if code in CODES else INFO, "file": file, "sheet": sheet,
            "cell": None, "row": None, "unit_code": unit, "note": note, **extra}


def repeated_names(models) -> dict[str, int]:
    """Model names written on more than one row of a return, with their counts: each row is a model
    (the contract); the loaders note the repetition."""
    count: dict[str, int] = {}
    for m in models:
        count[m.name] = count.get(m.name, 0) + 1
    return {n: k for n, k in count.items() if k > 1}


def file_notes(files: list[dict], plan: Plan, unit: str) -> list[dict]:
    """The info findings of a unit's files: the first of two superseded, TCVN3 text decoded."""
    out = []
    if len(files) > 1:
        out.append(note_record("file_superseded", files[0]["file"], unit,
                               f"thay bằng {files[-1]['file']} (ngày báo cáo muộn hơn)"))
    if plan.tcvn3:
        out += [note_record("legacy_text_decoded", fi["file"], unit, "TCVN3 (.VnTime, .VnTimeH)") for fi in files]
    return out


# ==================================================================================================
# One district, one cycle

@dataclass(frozen=True)
class Job:
    """One district's return for one cycle: the pool's unit of work (picklable)."""

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


def run_job(job: Job) -> dict:
    """Write the job's file(s); returns the district's entry of the record."""
    cycle = parse_cycle(job.cycle)
    base = district_base(job.district)
    plan = PLANS[job.plan]
    state = district_state(base, cycle)
    folder = Path(job.out_dir) / cycle.id
    amb = ambiguous_communes([c.unit for c in state.communes], base.unit)
    files = []
    located: list[dict] = []
    differences: list[dict] = []
    sheets: dict[str, str] = {}
    for k, name in enumerate(job.names):
        final = k == len(job.names) - 1
        resub = len(job.names) > 1
        st, diffs = (state, []) if final else perturb(state)
        differences += diffs
        day = _report_day(cycle, job.district, second=resub and final, first=resub and not final)
        rel = f"{cycle.id}/{name}"
        ctx = ReturnContext(base=base, state=st, plan=plan, cycle=cycle, district=base.unit,
                            province=base.province, report_date=day,
                            faults=list(job.faults) if final else [], ambiguous=amb)
        book, sheets_k = build_book(ctx, rel)
        data = write_book(book, plan.writer)
        atomic_write(folder / name, data)
        if final:
            located += ctx.located
            sheets = sheets_k
        files.append(file_record(rel, "loaded" if final else "superseded", job.district, sheets_k, plan, day,
                                 len(data)))
    true = state.totals()
    return {
        "unit_code": job.district, "level": "district", "name": base.unit.name, "province_code": base.province.code,
        "plan": plan.key, "files": files, "sheets": sheets, "deviations": deviations(plan),
        "faults": located, "expected_info": file_notes(files, plan, job.district),
        "superseded_differences": differences, "repeated_model_names": repeated_names(state.models),
        "totals": read_totals(true, bool(state.models), job.faults), "true_totals": true,
        "areas": {c.unit.code: [[a, reg, meet] for a, reg, meet in c.areas] for c in state.communes}
        if plan.layout_b else None,
    }


def unique_name(name: str, used: set[str], province: units.Unit, code: str) -> str:
    """``name``, or with the province's then the unit's code appended when the folder has it already."""
    for suffix in ("", f"_{compact(province.short)}", f"_{code}"):
        stem, _, ext = name.rpartition(".")
        candidate = f"{stem}{suffix}.{ext}"
        if candidate.lower() not in used:
            used.add(candidate.lower())
            return candidate
    raise ValueError(f"no free file name for {name!r}")


def cycle_jobs(out_dir: Path, cycle: Cycle, districts: list[units.Unit]) -> list[Job]:
    """The jobs of one cycle: per district its plan, file name(s) (unique in the folder; one
    resubmission per province) and faults."""
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
            name = unique_name(file_name(plan, d, cycle), used, h.unit(prov), d.code)
            names: tuple[str, ...] = (name,)
            if d.code == resub:
                stem, _, ext = name.rpartition(".")
                names = (name, f"{stem}_lan2.{ext}")
                used.add(names[1].lower())
            jobs.append(Job(str(out_dir), cycle.id, d.code, plans[d.code], names,
                            tuple(f for f in faults if f.unit == d.code)))
    return jobs
