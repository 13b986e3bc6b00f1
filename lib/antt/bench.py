"""Speed and memory at three scales: ``python -m antt.bench`` (or ``make bench``).

Scales, generated with ``antt sample`` into a scratch folder under ``data/``, the disk processed data
goes to (not /tmp: see the README on file creation there): province (11 returns, one cycle),
archive (11 districts × 64 cycles), national (every district of the country, one cycle). For each,
on the same files and each in a fresh process: the bare python-calamine read of every sheet (the
floor), ``antt ingest``, ``antt ingest`` again with nothing changed (the best of three rounds each),
and (province) ``antt report`` once. Prints wall time, CPU time, peak memory and
the ratio to the floor as a Markdown table.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import config

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


def run(scales: list[str], workdir: Path, repeat: int = 3) -> list[dict]:
    # The package's bytecode is written first, as pip does for an installed package: where
    # PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile the sources (~0.1 s).
    compileall.compile_dir(Path(__file__).parent, quiet=1)
    py = sys.executable
    antt = [py, "-m", "antt.cli"]
    rows = []
    plans = {
        "province": (["2023-H1"], "70"),
        "archive": (archive_cycles(), "70"),
        "national": (["2023-H1"], "all"),
    }
    for scale in scales:
        cycles, scope = plans[scale]
        raw, out = workdir / scale / "raw", workdir / scale / "processed"
        t0 = time.perf_counter()
        subprocess.run([*antt, "sample", "--out", str(raw), "--cycles", ",".join(cycles), "--province", scope],
                       check=True, stdout=subprocess.DEVNULL)
        generated = time.perf_counter() - t0
        files = sum(1 for p in raw.rglob("*") if p.is_file() and p.parent != raw)
        ingest = [*antt, "ingest", "--raw", str(raw), "--out", str(out), "--province", scope]
        # The same command twice: the second finds nothing changed.
        commands = {"calamine read (floor)": [py, "-c", FLOOR, str(raw)], "antt ingest": ingest,
                    "antt ingest, unchanged": ingest}
        # Best of `repeat` rounds, the steps taking turns, so that a slow moment of a shared
        # machine does not decide a ratio; each round ingests into an empty folder.
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(repeat):
            shutil.rmtree(out, ignore_errors=True)
            for name, cmd in commands.items():
                runs[name].append(measure(cmd))
        steps = {name: min(ms, key=lambda m: m["wall"]) for name, ms in runs.items()}
        floor = steps["calamine read (floor)"]
        if scale == "province":
            root = workdir / scale / "root"
            for sub in ("notebooks", "data/reference"):
                shutil.copytree(config.ROOT / sub, root / sub, dirs_exist_ok=True)
            shutil.copytree(raw, root / "data" / "raw", dirs_exist_ok=True)
            env = {**os.environ, "ANTT_ROOT": str(root)}
            steps["antt report"] = measure([*antt, "report"], env=env)
        for name, m in steps.items():
            rows.append({"scale": scale, "files": files, "step": name, **m,
                         "ratio": m["wall"] / floor["wall"], "generated_s": generated})
    return rows


def table(rows: list[dict]) -> str:
    out = ["| scale | files | step | wall s | CPU s | peak MB | × floor (wall) |", "|---|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['scale']} | {r['files']} | {r['step']} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                   f"{r['peak_mb']:.0f} | {r['ratio']:.2f} |")
    return "\n".join(out)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.bench", description=__doc__.splitlines()[0])
    p.add_argument("--scales", default="province,archive,national")
    p.add_argument("--keep", help="folder to keep the generated files in (default: a temporary one in data/)")
    p.add_argument("--repeat", type=int, default=3, help="rounds per ingest step, the fastest kept (default 3)")
    args = p.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=".bench-", dir=config.ROOT / "data"))
    try:
        rows = run([s.strip() for s in args.scales.split(",")], work, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}; best of {args.repeat} rounds")
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
