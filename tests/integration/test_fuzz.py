"""Mutation fuzzing of the sample workbooks (issue item 7): nothing a reader does escapes ``load_return``.

Every committed sample return of 2022 and 2023-H1 (.xlsx, .xls, .ods) is mutated: bytes flipped,
dropped, duplicated, overwritten, the file cut short; for zip-based files the XML parts inside are
mutated too (an element dropped or duplicated, an attribute value or a text changed, a part cut
short, a member dropped, duplicated or renamed) and the archive rebuilt.  A mutation is a list of
explicit operations (positions and texts, not a seed), generated deterministically from
``(source file, case number)``, so a failing case is saved and replayed from
``tests/fixtures/fuzz_crashes.json`` exactly, whatever later changes to the generator.

Each case goes through ``load_return`` and the row rules (what ``load_cycle`` does per file) and
must end as a ``Return``: rejected with an error finding naming the file, or loaded with its
accounts adding up to the non-empty rows under each table's header.  A few hundred of the mutated
files are then loaded as whole cycle folders (resubmissions, completeness, frames) and written as
Parquet the way ``antt ingest`` does.  The cases run in a pool of two processes; the whole file
takes about 20 s on the 2-core CI machine (3,000 cases in 10-15 s).  Exploratory runs of about
85,000 more cases (numbers 125 to 6,125) found the crashes saved in the fixture file.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
SOURCES = sorted(p for c in ("2022", "2023-H1") for p in (RAW / c).iterdir() if p.is_file())
CRASHES = REPO / "tests" / "fixtures" / "fuzz_crashes.json"
CASES_PER_SOURCE = 125          # 24 sources -> 3,000 cases
CYCLE_FOLDERS = 12              # x 25 mutated files through load_cycle + Parquet
WORKERS = 2

ATTR_VALUES = ["", "0", "-1", "1048577", "99999999999999999999", "A1", "XFD1048576", "ZZZ0", "A0", "1:16384",
               "A1:XFD1048576", "s", "e", "inlineStr", "str", "b", "n", "d", "x" * 300, "&amp;", "&#0;", "NaN",
               "1e308", "true", "hidden", "veryHidden", "C3:A1", "B2:B2", "rId1", "rId999", "../../../etc/passwd"]
TEXT_VALUES = ["", "-5", "abc", "1e400", "NaN", "9" * 30, "SUM(A1:A2)", "SUM(C1:C1048576)", "A1+A1", "?", "#REF!",
               "Tổng cộng", "Ghi chú", "Xã Lộc Hưng", "Khu dân cư", "6 tháng đầu năm 2022", "15/12/2022 đến 14/6/2023",
               "CÔNG AN TỈNH ĐỒNG NAI", "0", "4294967296", "-1", "1.5", "\u200b", "x" * 40000]


# ---------------------------------------------------------------------------------------------
# mutations: explicit operations
# ---------------------------------------------------------------------------------------------
def byte_ops(rng: random.Random, size: int, n: int, in_place: bool = False, lo: int = 0) -> list[list]:
    """Byte operations; ``in_place``: flips and overwrites only, at or after ``lo`` (an .xls keeps its
    compound-file structure and the BIFF records inside get mutated)."""
    ops = []
    for _ in range(n):
        kind = rng.choice(["flip", "flip", "set"] if in_place else ["flip", "flip", "drop", "dup", "set", "trunc"])
        pos = rng.randrange(min(lo, size - 1), max(size, 1)) if lo else rng.randrange(max(size, 1))
        if kind == "flip":
            ops.append(["flip", pos, 1 << rng.randrange(8)])
        elif kind in ("drop", "dup"):
            ops.append([kind, pos, min(size, pos + rng.choice([1, 2, 4, 16, 64, 512, 4096]))])
        elif kind == "set":
            ops.append(["set", pos, bytes(rng.randrange(256) for _ in range(rng.choice([1, 4, 16]))).hex()])
        else:
            ops.append(["trunc", pos])
    return ops


def apply_byte_ops(data: bytes, ops: list[list]) -> bytes:
    b = bytearray(data)
    for op in ops:
        kind = op[0]
        if kind == "flip" and op[1] < len(b):
            b[op[1]] ^= op[2]
        elif kind == "drop":
            del b[op[1]:op[2]]
        elif kind == "dup":
            b[op[2]:op[2]] = b[op[1]:op[2]]
        elif kind == "set":
            new = bytes.fromhex(op[2])
            b[op[1]:op[1] + len(new)] = new
        elif kind == "trunc":
            del b[op[1]:]
    return bytes(b)


_ELEMENT = re.compile(rb"<([A-Za-z][\w:.-]*)\b[^<>]*?(?:/>|>(?:(?!<\1\b).)*?</\1>)", re.S)
_ATTR = re.compile(rb'\s[\w:]+="([^"]*)"')
_TEXT = re.compile(rb">([^<>]+)<")


def xml_ops(rng: random.Random, text: bytes, n: int) -> list[list]:
    """("replace", start, end, hex of the new bytes) on a part's inflated bytes, positions explicit."""
    ops = []
    for _ in range(n):
        kind = rng.choice(["drop_el", "dup_el", "attr", "attr", "text", "text", "cut", "byte"])
        if kind in ("drop_el", "dup_el"):
            start = rng.randrange(max(len(text), 1))
            m = _ELEMENT.search(text, start) or _ELEMENT.search(text)
            if not m:
                continue
            new = b"" if kind == "drop_el" else m.group(0) * rng.choice([2, 3])
            ops.append(["replace", m.start(), m.end(), new.hex()])
        elif kind == "attr":
            m = _ATTR.search(text, rng.randrange(max(len(text), 1))) or _ATTR.search(text)
            if m:
                ops.append(["replace", m.start(1), m.end(1), rng.choice(ATTR_VALUES).encode().hex()])
        elif kind == "text":
            m = _TEXT.search(text, rng.randrange(max(len(text), 1))) or _TEXT.search(text)
            if m:
                ops.append(["replace", m.start(1), m.end(1), rng.choice(TEXT_VALUES).encode().hex()])
        elif kind == "cut":
            pos = rng.randrange(max(len(text), 1))
            ops.append(["replace", pos, len(text), ""])
        else:
            pos = rng.randrange(max(len(text), 1))
            ops.append(["replace", pos, pos + 1, bytes([rng.choice(b"<>&\"'/=\x00\xff")]).hex()])
        # later ops see the text as mutated so far
        text = apply_xml_ops(text, ops[-1:]) if ops else text
    return ops


def apply_xml_ops(text: bytes, ops: list[list]) -> bytes:
    for _, start, end, new in ops:
        text = text[:start] + bytes.fromhex(new) + text[end:]
    return text


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def zip_ops(rng: random.Random, data: bytes, n: int) -> list[list]:
    parts = members(data)
    names = [i.filename for i, _ in parts]
    xml = [i.filename for i, _ in parts if i.filename.endswith((".xml", ".rels"))]
    ops = []
    for _ in range(n):
        kind = rng.choice(["xml"] * 12 + ["member_drop", "member_dup", "member_rename", "stored"])
        if kind == "xml":
            # the worksheets, shared strings and content carry the data: mutate them most often
            weighted = [m for m in xml if "sheet" in m or "content" in m or "sharedStrings" in m] * 3 + xml
            name = rng.choice(weighted)
            text = dict((i.filename, d) for i, d in parts)[name]
            ops.append(["xml", name, xml_ops(rng, text, rng.choice([1, 1, 2, 3]))])
        elif kind == "member_rename":
            ops.append([kind, rng.choice(names), rng.choice(["xl/worksheets/sheet9.xml", "XL/WORKBOOK.XML",
                                                              "xl/sharedStrings.xml", "content.xml", "mimetype",
                                                              "../evil.xml", "xl/workbook.bin"])])
        else:
            ops.append([kind, rng.choice(names)])
    return ops


def apply_zip_ops(data: bytes, ops: list[list]) -> bytes:
    import io

    parts = [[i.filename, i.compress_type, d] for i, d in members(data)]
    for op in ops:
        kind, name = op[0], op[1]
        idx = next((k for k, p in enumerate(parts) if p[0] == name), None)
        if idx is None:
            continue
        if kind == "xml":
            parts[idx][2] = apply_xml_ops(parts[idx][2], op[2])
        elif kind == "member_drop":
            del parts[idx]
        elif kind == "member_dup":
            parts.insert(idx + 1, list(parts[idx]))
        elif kind == "member_rename":
            parts[idx][0] = op[2]
        elif kind == "stored":
            parts[idx][1] = zipfile.ZIP_STORED
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # duplicate names are the point
        with zipfile.ZipFile(buf, "w") as z:
            for name, ctype, d in parts:
                z.writestr(zipfile.ZipInfo(name, (2023, 6, 16, 8, 0, 0)), d, compress_type=ctype)
    return buf.getvalue()


def make_recipe(source: Path, case: int) -> dict:
    """The explicit mutation of case ``case`` of ``source`` (deterministic)."""
    rng = random.Random(f"{source.parent.name}/{source.name}#{case}")
    data = source.read_bytes()
    recipe = {"source": f"{source.parent.name}/{source.name}", "case": case}
    n = rng.choice([1, 1, 2, 3, 4, 8])
    if data[:4] == b"PK\x03\x04":
        if rng.random() < 0.85:
            recipe["zip"] = zip_ops(rng, data, rng.choice([1, 1, 2, 3]))
            if rng.random() < 0.1:
                recipe["bytes"] = byte_ops(rng, len(apply_zip_ops(data, recipe["zip"])), 1)
        else:
            recipe["bytes"] = byte_ops(rng, len(data), n)
    elif rng.random() < 0.75:              # .xls: inside the streams, structure kept
        recipe["bytes"] = byte_ops(rng, len(data), n, in_place=True, lo=1536)
    else:
        recipe["bytes"] = byte_ops(rng, len(data), n)
    return recipe


def apply_recipe(recipe: dict) -> bytes:
    data = (RAW / recipe["source"]).read_bytes()
    if "zip" in recipe:
        data = apply_zip_ops(data, recipe["zip"])
    if "bytes" in recipe:
        data = apply_byte_ops(data, recipe["bytes"])
    return data


# ---------------------------------------------------------------------------------------------
# one case
# ---------------------------------------------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def blank(v) -> bool:
    """Empty, or text of spaces and zero-width characters only (nothing a reader could see)."""
    return v is None or isinstance(v, str) and not v.translate(_INVISIBLE).strip()


def non_empty_rows_below(sheet_rows: list[list], last_header_row: int) -> int:
    return sum(1 for row in sheet_rows[last_header_row:] if not all(blank(v) for v in row))


def run_case(args: tuple[dict, str]) -> dict:
    """Mutate, write, load, validate, check.  Returns what happened; never raises."""
    import traceback

    from antt.core import units
    from antt.check import validate
    from antt.core.cycles import parse_cycle
    from antt.read.returns import Return, load_return
    from antt.read.workbook import WorkbookError, read_workbook

    recipe, work = args
    cycle_id = recipe["source"].split("/")[0]
    raw = Path(work)
    folder = raw / cycle_id
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(recipe["source"]).suffix
    path = folder / f"fuzz_{Path(recipe['source']).stem}_{recipe['case']}{suffix}"   # unique per case
    t = time.perf_counter()
    try:
        path.write_bytes(apply_recipe(recipe))
        cycle = parse_cycle(cycle_id)
        h = units.hierarchy_on(cycle.end)
        ret = load_return(path, raw, cycle, "70", h)
        assert isinstance(ret, Return)
        validate.validate_return(ret, cycle, h)
        if ret.status == "loaded":
            validate.timeliness(ret, cycle)
        rel = f"{cycle_id}/{path.name}"
        assert ret.status in ("loaded", "rejected"), ret.status
        assert all(f.file == rel for f in ret.findings), "a finding names another file"
        if ret.status == "rejected":
            assert any(f.severity == "error" for f in ret.findings), "rejected without an error finding"
            assert not ret.tables
        else:
            assert ret.tables, "loaded without a table"
            try:
                sheets = {s.name: s.rows for s in read_workbook(path).sheets}
            except WorkbookError as e:
                raise AssertionError(f"loaded, but read_workbook now fails: {e}") from None
            for tid, tr in ret.tables.items():
                assert all(n >= 0 for n in tr.account.values()), (tid, dict(tr.account))
                want = non_empty_rows_below(sheets[tr.sheet], tr.header_rows[1])
                assert sum(tr.account.values()) == want, f"{tid}: account {dict(tr.account)} != {want} rows"
        out = {"status": ret.status, "codes": sorted({f.code for f in ret.findings if f.severity == "error"}),
               "panic": any("PanicException" in f.message for f in ret.findings)}
    except BaseException as e:  # noqa: BLE001 - the point is to see everything
        if isinstance(e, KeyboardInterrupt):
            raise
        out = {"status": "crash", "error": f"{type(e).__name__}: {str(e)[:300]}",
               "trace": traceback.format_exc()[-1500:]}
    out["seconds"] = time.perf_counter() - t
    out["file"] = path.name
    return out


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------
def test_recipes_are_deterministic_and_replayable():
    a = make_recipe(SOURCES[0], 7)
    assert a == make_recipe(SOURCES[0], 7)
    assert apply_recipe(json.loads(json.dumps(a))) == apply_recipe(a)
    z = next(s for s in SOURCES if s.suffix == ".xlsx")
    recipes = [make_recipe(z, i) for i in range(40)]
    assert any("zip" in r for r in recipes) and any("bytes" in r for r in recipes)
    assert sum(apply_recipe(r) != z.read_bytes() for r in recipes) >= 38


@pytest.fixture(scope="module")
def fuzz_results(tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    recipes = [make_recipe(s, i) for s in SOURCES for i in range(CASES_PER_SOURCE)]
    t = time.perf_counter()
    # each worker writes into its own folder name space (the file names carry source and case)
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(run_case, [(r, str(work / "raw")) for r in recipes], chunksize=25))
    return {"recipes": recipes, "results": results, "seconds": time.perf_counter() - t, "work": work}


def test_no_mutated_file_escapes_load_return(fuzz_results):
    recipes, results = fuzz_results["recipes"], fuzz_results["results"]
    crashes = [(r, res) for r, res in zip(recipes, results) if res["status"] == "crash"]
    by_status = {s: sum(1 for x in results if x["status"] == s) for s in ("loaded", "rejected", "crash")}
    codes: dict[str, int] = {}
    for x in results:
        for c in x.get("codes", []):
            codes[c] = codes.get(c, 0) + 1
    slowest = max(results, key=lambda x: x["seconds"])
    panics = sum(1 for x in results if x.get("panic"))
    print(f"\n  fuzz: {len(results)} cases in {fuzz_results['seconds']:.1f} s ({WORKERS} processes): {by_status}")
    print(f"  error codes of the rejected/flagged cases: {dict(sorted(codes.items(), key=lambda kv: -kv[1]))}")
    print(f"  slowest case {slowest['seconds']:.2f} s ({slowest['file']}); calamine panics caught as "
          f"file_unreadable: {panics}")
    for recipe, res in crashes[:10]:
        print(f"  CRASH {res['file']}: {res['error']}\n    recipe: {json.dumps(recipe)[:400]}\n{res['trace']}")
    assert not crashes, f"{len(crashes)} crashes; add their recipes to {CRASHES.relative_to(REPO)}"
    assert by_status["loaded"] > 200 and by_status["rejected"] > 200   # the mutations reach both ends


def test_mutated_cycle_folders_load_and_write(fuzz_results, tmp_path):
    """Mutated files, 25 a folder, through load_cycle (resubmissions, completeness, frames) and ingest."""
    from antt.store.ingest import ingest
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames

    recipes = fuzz_results["recipes"]
    rng = random.Random(2024)
    t = time.perf_counter()
    statuses = {"loaded": 0, "superseded": 0, "rejected": 0}
    for k in range(CYCLE_FOLDERS):
        cycle = ("2022", "2023-H1")[k % 2]
        pool = [i for i, r in enumerate(recipes) if r["source"].startswith(cycle + "/")]
        raw = tmp_path / f"set{k}"
        folder = raw / cycle
        folder.mkdir(parents=True)
        for i in rng.sample(pool, 25):
            (folder / f"{i}{Path(recipes[i]['source']).suffix}").write_bytes(apply_recipe(recipes[i]))
        data = CycleFrames(load_cycle(raw, cycle, workers=1))
        for s in data.files["status"]:
            statuses[s] += 1
        assert len(data.files) == 25
        assert set(data.findings["file"].dropna()) <= set(data.files["file"])
        assert set(data.accounts["file"]) <= set(data.files["file"][data.files["status"] != "rejected"])
        ingest(raw, tmp_path / f"out{k}", workers=1)
        assert (tmp_path / f"out{k}" / cycle / "manifest.json").is_file()
    print(f"\n  {CYCLE_FOLDERS} mutated cycle folders x 25 files through load_cycle + ingest: {statuses}, "
          f"{time.perf_counter() - t:.1f} s")
    assert statuses["loaded"] > 0 and statuses["rejected"] > 0


def test_saved_crash_reproducers_replay_clean(tmp_path, capfd):
    """Every case the fuzzer once failed on, replayed from its explicit recipe (tests/fixtures/fuzz_crashes.json):
    no exception, the expected outcome, and -- read as the antt commands read, inside ``quiet_stderr`` --
    nothing from a reader on stderr (a Rust panic prints there)."""
    from antt.read.quiet import quiet_stderr

    saved = json.loads(CRASHES.read_text(encoding="utf-8"))
    assert saved
    for entry in saved:
        capfd.readouterr()
        with quiet_stderr():
            res = run_case((entry["recipe"], str(tmp_path / "raw")))
        err = capfd.readouterr().err
        assert res["status"] != "crash", (entry["found"], res)
        expect = entry["expect"]
        assert res["status"] == expect["status"], (entry["found"], res)
        if "codes" in expect:
            assert res["codes"] == expect["codes"], (entry["found"], res)
        if "stderr_free_of" in expect:
            assert expect["stderr_free_of"] not in err, (entry["found"], err[-500:])
    # and the standard error is back where it was after the reads
    os.write(2, b"stderr still here\n")
    assert "stderr still here" in capfd.readouterr().err


def _panicking() -> list[dict]:
    """The saved reproducers that calamine still panics on (caught as file_unreadable)."""
    saved = json.loads(CRASHES.read_text(encoding="utf-8"))
    return [e for e in saved if "PanicException" in e["what"]]


def test_validate_command_keeps_a_panic_off_the_terminal(tmp_path):
    import subprocess
    import sys

    entries = _panicking()
    assert entries
    folder = tmp_path / "raw" / "2022"
    folder.mkdir(parents=True)
    paths = []
    for k, entry in enumerate(entries):
        path = folder / f"panic{k}{Path(entry['recipe']['source']).suffix}"
        path.write_bytes(apply_recipe(entry["recipe"]))
        paths.append(str(path))
    run = subprocess.run([sys.executable, "-m", "antt.cli", "validate", "--json", *paths],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "RUST_BACKTRACE": "1"})
    assert run.returncode == 1, run.stderr[-2000:]
    assert "panicked" not in run.stderr and "backtrace" not in run.stderr, run.stderr[-2000:]
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [x["status"] for x in lines] == ["rejected"] * len(paths)
    assert all(any(f["code"] == "file_unreadable" and "PanicException" in f["message"] for f in x["findings"])
               for x in lines)


def test_pool_workers_keep_a_panic_off_the_terminal(tmp_path, capfd):
    """load_cycle's process pool starts its workers with silence_stderr: what a panic prints in a
    worker never reaches this process's standard error, while this process's own stays."""
    from antt.check.cycle import POOL_MIN_FILES, load_cycle

    entry = _panicking()[0]
    cycle = entry["recipe"]["source"].split("/")[0]
    folder = tmp_path / "raw" / cycle
    folder.mkdir(parents=True)
    data = apply_recipe(entry["recipe"])
    for k in range(POOL_MIN_FILES):
        (folder / f"panic{k}.xls").write_bytes(data)
    capfd.readouterr()
    result = load_cycle(tmp_path / "raw", cycle, workers=2)
    err = capfd.readouterr().err
    statuses = [f["status"] for f in result.rows["files"]]
    assert statuses == ["rejected"] * POOL_MIN_FILES
    assert "panicked" not in err, err[-500:]
    os.write(2, b"stderr still here\n")
    assert "stderr still here" in capfd.readouterr().err
