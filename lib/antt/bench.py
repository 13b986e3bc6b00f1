"""Speed and memory at five scales: ``python -m antt.bench`` (or ``make bench``).

Scales, generated with ``antt sample`` into a scratch folder under ``data/`` (the disk processed data
goes to): province (the configured province's 11 district returns of 2023-H1), communes (its 95
commune returns of 2026-H1), archive (11 districts × 64 cycles), national (every district of the
country, 2023-H1) and national communes (every commune of the 34 provinces, 2026-H1: 3,321 returns).
For each, on the same files, each step in a fresh process and the steps taking turns for three
rounds: the bare python-calamine read of every sheet (the floor), ``antt ingest``, ``antt ingest``
again with nothing changed, and the bound: the floor's read on every core while the frames of the
first ingest are written again as ingest writes them, which is what ingest costs with nothing
cleaned, matched or checked. Then (communes) ``antt report`` once, as ``make report`` runs it on a
fresh checkout: the bundled sample's cycles (``antt sample`` with its defaults) ingested, the report
of the latest cycle (2026-H1 of the configured province, 95 communes) built. Prints wall time, CPU
time, peak memory and the ratios to the floor as a Markdown table.

``--against CHECKOUT`` measures another version of antt side by side in the same rounds: a checkout
(an older commit, say) with its own ``.venv``; its ``antt ingest`` and ``antt report`` take turns
with this one's on the same files (its report with its own notebooks), as rows marked "(against)".
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from antt.core import config

FLOOR = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
n = 0
for p in sorted(Path(sys.argv[1]).rglob("*")):
    if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            n += len(wb.get_sheet_by_name(name).to_python())
print(n, file=sys.stderr)
"""


def _read_bare(path: str) -> int:
    """The floor's read of one file (as ``FLOOR`` reads each): every sheet's values."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def save_frames(processed: str, saved: str) -> None:
    """The processed cycles under ``processed`` as ``CycleData`` (rows read back), pickled for ``bound``."""
    from antt.store.frames import read_rows
    from antt.store.processed import frame_path, processed_cycles
    from antt.store.schema import FRAMES
    from antt.check.cycle import CycleData

    out = Path(processed)
    cycles = []
    for c in processed_cycles(out):
        manifest = json.loads((out / c.id / "manifest.json").read_text(encoding="utf-8"))
        rows = {name: read_rows(frame_path(out, c, name)) for name in FRAMES}
        cycles.append(CycleData(c, manifest["scope"], manifest["reporting_level"], rows, {}, {}, manifest["signatures"]))
    Path(saved).write_bytes(pickle.dumps(cycles))


def bound(raw: str, out: str, saved: str) -> None:
    """What ingest costs with nothing cleaned: every file read as the floor reads it, by a process
    pool on every core, while this process writes each cycle's frames (``save_frames``) as ingest
    does: staged, one flush, each folder swapped in."""
    from concurrent.futures import ProcessPoolExecutor

    from antt.store.ingest import finish, publish, stage
    from antt.check.cycle import cycle_files

    cycles = pickle.loads(Path(saved).read_bytes())
    files = [[str(p) for p in cycle_files(Path(raw), data.cycle)] for data in cycles]
    ready = []
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        read = pool.map(_read_bare, itertools.chain.from_iterable(files), chunksize=4)
        for data, paths in zip(cycles, files):
            for _ in paths:
                next(read)
            folder = stage(data, Path(out))
            finish(data, folder, "")
            ready.append((folder, Path(out) / data.cycle.id))
    publish(ready)


def _call(py: str, function: str, *args) -> list[str]:
    """A command calling a function of this module in a fresh process with ``args`` as strings."""
    return [py, "-c", f"import sys; from antt.bench import {function}; {function}(*sys.argv[1:])", *map(str, args)]


FLOOR_STEP = "calamine read (floor)"
BOUND_STEP = "read and write only (bound)"


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Wall and CPU seconds and peak resident memory (MB) of one command and its children."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    # wait4 reports the child with its waited-for children (a process pool), CPU summed, memory at the largest.
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def archive_cycles(n: int = 64) -> list[str]:
    years = range(2023 - n // 2 + 1, 2024)
    return [c for y in years for c in (f"{y}-H1", str(y))][:n]


AGAINST = " (against)"
#: The scale whose province's report ``antt report`` builds (after the ingest steps).
REPORT_SCALE = "communes"
SCALES = ("province", REPORT_SCALE, "archive", "national", "national communes")


def run(scales: list[str], workdir: Path, repeat: int = 3, against: Path | None = None) -> list[dict]:
    # The package's bytecode is written first, as pip does for an installed package: where
    # PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile the sources (~0.1 s).
    compileall.compile_dir(Path(__file__).parent, quiet=1)
    py = sys.executable
    antt = [py, "-m", "antt.cli"]
    other = [str(against / ".venv" / "bin" / "python"), "-m", "antt.cli"] if against else None
    if against:
        compileall.compile_dir(against / "lib", quiet=1)
    rows = []
    plans = {
        "province": (["2023-H1"], config.PROVINCE_CODE),
        REPORT_SCALE: (["2026-H1"], config.PROVINCE_CODE),
        "archive": (archive_cycles(), config.PROVINCE_CODE),
        "national": (["2023-H1"], "all"),
        "national communes": (["2026-H1"], "all"),
    }
    for scale in scales:
        cycles, scope = plans[scale]
        raw, out = workdir / scale / "raw", workdir / scale / "processed"
        subprocess.run([*antt, "sample", "--out", str(raw), "--cycles", ",".join(cycles), "--province", scope],
                       check=True, stdout=subprocess.DEVNULL)
        files = sum(1 for p in raw.rglob("*") if p.is_file() and p.parent != raw)
        ingest = [*antt, "ingest", "--raw", str(raw), "--out", str(out), "--province", scope]
        saved, bound_out = workdir / scale / "frames.pickle", workdir / scale / "bound"
        # The same ingest twice: the second finds nothing changed.
        commands = {FLOOR_STEP: [py, "-c", FLOOR, str(raw)], "antt ingest": ingest, "antt ingest, unchanged": ingest,
                    BOUND_STEP: _call(py, "bound", raw, bound_out, saved)}
        other_out = workdir / scale / "processed-against"
        if other:
            other_ingest = [*other, "ingest", "--raw", str(raw), "--out", str(other_out), "--province", scope]
            commands |= {"antt ingest" + AGAINST: other_ingest, "antt ingest, unchanged" + AGAINST: other_ingest}
        # `repeat` rounds, the steps taking turns, so that a slow moment of a shared machine does
        # not decide a ratio; each round ingests into an empty folder.
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        for i in range(repeat):
            for folder in (out, bound_out, other_out):
                shutil.rmtree(folder, ignore_errors=True)
            for name, cmd in commands.items():
                if name == BOUND_STEP and i == 0:   # in a process of its own: a child inherits this one's peak memory
                    subprocess.run(_call(py, "save_frames", out, saved), check=True)
                runs[name].append(measure(cmd))
        floor = min(runs[FLOOR_STEP], key=lambda m: m["wall"])
        for name, ms in runs.items():
            best = min(ms, key=lambda m: m["wall"])
            ratios = [m["wall"] / f["wall"] for m, f in zip(ms, runs[FLOOR_STEP])]
            rows.append({"scale": scale, "files": files, "step": name, **best, "ratio": best["wall"] / floor["wall"],
                         "median_ratio": statistics.median(ratios)})
        if scale == REPORT_SCALE:
            versions = {"antt report": (antt, config.ROOT)} | ({"antt report" + AGAINST: (other, against)} if other else {})
            reports: dict[str, list[dict]] = {name: [] for name in versions}
            for i in range(repeat if other else 1):       # one report alone; taking turns when compared
                for name, (cmd, source) in versions.items():
                    root = workdir / scale / f"root-{len(reports[name])}-{name.endswith(AGAINST)}"
                    for sub in ("notebooks", "data/reference"):
                        shutil.copytree(source / sub, root / sub, dirs_exist_ok=True)
                    subprocess.run([*antt, "sample", "--out", str(root / "data" / "raw")], check=True,
                                   stdout=subprocess.DEVNULL)
                    reports[name].append(measure([*cmd, "report"], env={**os.environ, "ANTT_ROOT": str(root)}))
            for name, ms in reports.items():
                best = min(ms, key=lambda m: m["wall"])
                rows.append({"scale": scale, "files": files, "step": name, **best,
                             "ratio": best["wall"] / floor["wall"], "median_ratio": None})
    return rows


def table(rows: list[dict]) -> str:
    """Wall, CPU and peak memory of each step's fastest round; its wall time over the fastest floor's,
    and the median over rounds of each round's ratio to that round's floor."""
    out = ["| scale | files | step | wall s | CPU s | peak MB | × floor | × floor, median of rounds |",
           "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        median = "" if r["median_ratio"] is None else f"{r['median_ratio']:.2f}"
        out.append(f"| {r['scale']} | {r['files']} | {r['step']} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                   f"{r['peak_mb']:.0f} | {r['ratio']:.2f} | {median} |")
    return "\n".join(out)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.bench", description=__doc__.splitlines()[0])
    p.add_argument("--scales", default=",".join(SCALES), help=f"some of {', '.join(SCALES)}")
    p.add_argument("--keep", help="folder to keep the generated files in (default: a temporary one in data/)")
    p.add_argument("--repeat", type=int, default=3, help="rounds of the steps (default 3)")
    p.add_argument("--against", type=Path, help="another checkout of antt (with its .venv) measured side by side")
    args = p.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=".bench-", dir=config.ROOT / "data"))
    try:
        rows = run([s.strip() for s in args.scales.split(",")], work, args.repeat, args.against)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}; {args.repeat} rounds"
          + (f"; against {args.against}" if args.against else ""))
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
