"""Hostile and broken files: each must end in the right WorkbookError code, in bounded memory.

Every case is read in a fresh subprocess that reports its peak RSS and read time (printed, never
asserted: a hang still fails on the subprocess's timeout); run with ``-s`` to see them.  ru_maxrss of a child includes the high-water mark inherited from the forking test
process (~100 MB here), so VmHWM (the reader interpreter's own peak) is printed next to it; the
1.5 GB assertion uses ru_maxrss, the stricter of the two.  The files are built here at test time (streamed, so the test process
itself stays small); no binary is committed.
"""

from __future__ import annotations

import json
import resource
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

PEAK_LIMIT_MB = 1536  # 1.5 GB
RUNNER = r"""
import json, resource, sys, time
from antt.read.workbook import read_workbook, WorkbookError
t = time.perf_counter()
try:
    wb = read_workbook(sys.argv[1])
    out = {"code": None, "detail": f"{len(wb.sheets)} sheet(s) read"}
except WorkbookError as e:
    out = {"code": e.code, "detail": e.detail}
out["seconds"] = time.perf_counter() - t
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# ru_maxrss keeps the high-water mark of the process image before exec (the forking test
# process); VmHWM is this interpreter's own peak.  Both are reported, the assertion uses ru_maxrss.
try:
    with open("/proc/self/status") as fh:
        hwm = next(line for line in fh if line.startswith("VmHWM:"))
    out["hwm_mb"] = int(hwm.split()[1]) / 1024
except (OSError, StopIteration):
    out["hwm_mb"] = out["maxrss_mb"]
print(json.dumps(out, ensure_ascii=False))
"""

# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    b'ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
TAIL = b"</sheetData></worksheet>"


def xlsx(path: Path, sheets: list, shared: bytes | None = None, level: int = 6) -> Path:
    """A minimal .xlsx; each sheet is an iterable of byte chunks streamed into the archive."""
    wb = [f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{NS_MAIN}" xmlns:r="http://'
          'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>']
    rels = ['<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">']
    for i in range(1, len(sheets) + 1):
        wb.append(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
                    f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>')
    wb.append("</sheets></workbook>")
    rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", "".join(wb))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        for i, chunks in enumerate(sheets, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as f:
                for chunk in chunks:
                    f.write(chunk)
    return path


def real_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 60):
        ws.append([f"Xã {r}", r, r * 2, "Ghi chú"])
    wb.save(path)
    return path


ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(streams: dict[str, bytes], fat_patch=None) -> bytes:
    """A minimal compound file (CFB v3, 512-byte sectors).  Streams are padded to 4096 bytes so
    that no mini stream is needed."""
    names = list(streams)
    datas = [streams[n].ljust(4096, b"\0") for n in names]
    dir_sectors = ((1 + len(names)) * 128 + 511) // 512
    stream_sectors = [(len(d) + 511) // 512 for d in datas]
    n_fat = 1
    while n_fat * 128 < n_fat + dir_sectors + sum(stream_sectors):
        n_fat += 1
    fat = [FATSECT] * n_fat
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(dir_sectors - 1)] + [ENDOFCHAIN]
    starts = []
    for ns in stream_sectors:
        starts.append(len(fat))
        fat += [starts[-1] + i + 1 for i in range(ns - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (n_fat * 128 - len(fat))
    if fat_patch:
        fat_patch(fat, dir_start)

    def entry(name, typ, start, size, child=NOSTREAM, right=NOSTREAM):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), typ, 1, NOSTREAM, right, child)
                + b"\0" * 36 + struct.pack("<IIi", start, size, 0))

    dirs = entry("Root Entry", 5, ENDOFCHAIN, 0, child=1 if names else NOSTREAM)
    for i, n in enumerate(names):
        dirs += entry(n, 2, starts[i], len(datas[i]), right=i + 2 if i + 1 < len(names) else NOSTREAM)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<9I", 0, n_fat, dir_start, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", *(list(range(n_fat)) + [FREESECT] * (109 - n_fat))))
    return (header + struct.pack(f"<{len(fat)}I", *fat) + dirs.ljust(dir_sectors * 512, b"\0")
            + b"".join(d.ljust(((len(d) + 511) // 512) * 512, b"\0") for d in datas))


def rec(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


BOF_GLOBALS = rec(0x0809, struct.pack("<4H2I", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0))
BOF_SHEET = rec(0x0809, struct.pack("<4H2I", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0))
EOF = rec(0x000A)


def biff_workbook(sheet_records: bytes) -> bytes:
    """Globals (BOF, 16 XF, one BOUNDSHEET, EOF) followed by one sheet substream."""
    globals_ = BOF_GLOBALS + rec(0x00E0, b"\0" * 20) * 16

    def boundsheet(pos):
        return rec(0x0085, struct.pack("<IBB", pos, 0, 0) + bytes([2, 0]) + b"S1")

    pos = len(globals_) + len(boundsheet(0)) + len(EOF)
    return globals_ + boundsheet(pos) + EOF + BOF_SHEET + sheet_records + EOF


def number(r: int, c: int, v: float) -> bytes:
    return rec(0x0203, struct.pack("<3Hd", r, c, 15, v))


def ods(path: Path, table_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="S">{table_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def patch_declared_size(path: Path, member: str, new_size: int) -> None:
    """Make a member lie about its uncompressed size (local header and central directory)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, new_size)
    name = member.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        fnl = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + fnl] == name:
            struct.pack_into("<I", data, pos + 24, new_size)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos >= 0
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------------------------
# the cases: name -> (builder(tmp_path) -> path, expected code)
# ---------------------------------------------------------------------------------------------
def case_zero_byte(d: Path) -> Path:
    p = d / "rong.xlsx"
    p.write_bytes(b"")
    return p


def case_truncated_xlsx(d: Path) -> Path:
    full = real_xlsx(d / "full.xlsx").read_bytes()
    p = d / "cut.xlsx"
    p.write_bytes(full[: len(full) // 2])
    return p


def case_csv_renamed(d: Path) -> Path:
    p = d / "bao_cao.xlsx"
    p.write_text("Xã,Tổng số KDC,Đăng ký\nLộc Thái,12,12\n", encoding="utf-8")
    return p


def case_html_renamed(d: Path) -> Path:
    p = d / "bao_cao.xls"
    p.write_text("<html><body><table><tr><td>Xã</td></tr></table></body></html>", encoding="utf-8")
    return p


def case_random_bytes(d: Path) -> Path:
    p = d / "x.xlsx"
    p.write_bytes(bytes(range(256)) * 40)
    return p


def case_zip_not_workbook(d: Path) -> Path:
    p = d / "tai_lieu.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return p


def case_ole_encrypted_package(d: Path) -> Path:
    p = d / "mat_khau.xlsx"
    p.write_bytes(cfb({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200,
                       "EncryptedPackage": b"\x00\x20\x00\x00" + b"\xa5" * 8000}))
    return p


def case_xls_filepass(d: Path) -> Path:
    p = d / "mat_khau.xls"
    p.write_bytes(cfb({"Workbook": BOF_GLOBALS + rec(0x002F, b"\x01\x00" + b"\x11" * 52) + EOF}))
    return p


def case_ole_fat_cycle(d: Path) -> Path:
    def loop(fat, dir_start):
        fat[dir_start] = dir_start  # the directory chain points at itself

    p = d / "vong.xls"
    p.write_bytes(cfb({"Workbook": biff_workbook(number(0, 0, 1.0))}, fat_patch=loop))
    return p


def case_ole_difat_loop(d: Path) -> Path:
    # The header counts no DIFAT sector, but its first-DIFAT field names a sector whose last entry
    # points at itself: a reader by the specification (olefile) ignores the field, calamine walks
    # the chain and allocates until the process aborts.
    data = bytearray(cfb({"Workbook": biff_workbook(number(0, 0, 1.0))}))
    loop = (len(data) - 512) // 512
    data += b"\0" * 508 + struct.pack("<I", loop)
    struct.pack_into("<II", data, 68, loop, 0)  # first DIFAT sector, number of DIFAT sectors
    p = d / "difat.xls"
    p.write_bytes(bytes(data))
    return p


def case_ole_hidden_workbook(d: Path) -> Path:
    # Two directory entries named Workbook: the directory tree reaches the second (harmless) one,
    # calamine takes the first in directory order, whose DIMENSIONS make it abort.
    dims = rec(0x0200, struct.pack("<IIHHH", 0, 0xFFFFFFFF, 0, 0xFFFF, 0))
    data = bytearray(cfb({"Workbook": biff_workbook(dims + number(0, 0, 1.0)),
                          "Other": biff_workbook(number(0, 0, 1.0))}))
    root = data.find("Root Entry".encode("utf-16-le"))
    struct.pack_into("<I", data, root + 76, 2)  # the root's child: entry 2
    data[root + 256 : root + 256 + 64] = ("Workbook".encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
    struct.pack_into("<H", data, root + 256 + 64, 18)
    p = d / "hai_workbook.xls"
    p.write_bytes(bytes(data))
    return p


def case_zip_bomb(d: Path) -> Path:
    zeros = b"0" * 2**20

    def chunks():
        yield HEAD
        for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
            yield zeros
        yield TAIL

    return xlsx(d / "bom.xlsx", [chunks()], level=6)


def case_lying_header(d: Path) -> Path:
    spaces = b" " * 2**20

    def chunks():
        yield HEAD
        for _ in range(80):
            yield spaces
        yield TAIL

    p = xlsx(d / "noi_doi.xlsx", [chunks()], level=6)
    patch_declared_size(p, "xl/worksheets/sheet1.xml", 1000)
    return p


def _lol_entities() -> bytes:
    ents = [b'<!ENTITY lol "lol">', b'<!ENTITY lol1 "' + b"&lol;" * 10 + b'">']
    ents += [b'<!ENTITY lol%d "' % i + b"&lol%d;" % (i - 1) * 10 + b'">' for i in range(2, 10)]
    return b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + b"".join(ents) + b"]>\n"


LOL = _lol_entities()


def case_billion_laughs_sheet(d: Path) -> Path:
    body = LOL + f'<worksheet xmlns="{NS_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'.encode()
    return xlsx(d / "lol.xlsx", [[body, b"&lol9;</t></is></c></row>", TAIL]])


def case_billion_laughs_shared_strings(d: Path) -> Path:
    shared = LOL + f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'.encode()
    return xlsx(d / "lol_ss.xlsx", [[HEAD, b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', TAIL]], shared=shared)


DOCTYPE = LOL.split(b"\n", 1)[1]        # the <!DOCTYPE ...> line alone
SHEET_START = HEAD.split(b"\n", 1)[1]   # <worksheet ...><sheetData>
LOL_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'


def case_billion_laughs_after_comment(d: Path) -> Path:
    return xlsx(d / "lol_c.xlsx", [[b'<?xml version="1.0"?>\n<!-- x -->' + DOCTYPE + SHEET_START, LOL_ROW, TAIL]])


def case_billion_laughs_utf16(d: Path) -> Path:
    xml = (b'<?xml version="1.0" encoding="UTF-16"?>\n' + DOCTYPE + SHEET_START + LOL_ROW + TAIL).decode()
    return xlsx(d / "lol_16.xlsx", [[xml.encode("utf-16")]])


def case_doctype_inside_the_body(d: Path) -> Path:
    # not a DTD (one may only stand before the root element): no entity is declared, and the
    # reference to one is an error
    return xlsx(d / "lol_body.xlsx", [[HEAD, DOCTYPE, LOL_ROW, TAIL]])


def case_million_junk_rows(d: Path) -> Path:
    def chunks():
        yield HEAD
        for start in range(1, 1_000_001, 20_000):
            yield "".join(
                f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(start, start + 20_000)
            ).encode()
        yield TAIL

    return xlsx(d / "rac.xlsx", [chunks()], level=1)


def case_million_char_cell(d: Path) -> Path:
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * 1_000_000 + b"</t></is></c></row>"
    return xlsx(d / "o_dai.xlsx", [[HEAD, cell, TAIL]])


def case_extreme_references(d: Path) -> Path:
    # A1 and XFD1048576: calamine alone would try to allocate 550 GB and abort the process
    body = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    return xlsx(d / "xa.xlsx", [[HEAD, body, TAIL]])


def case_cells_without_r(d: Path) -> Path:
    body = b'<row><c><v>1</v></c></row><row r="900000"><c><v>2</v></c></row>'
    return xlsx(d / "khong_r.xlsx", [[HEAD, body, TAIL]])


def case_too_many_columns(d: Path) -> Path:
    body = b'<row r="1"><c r="A1"><v>1</v></c><c r="IV1"><v>2</v></c></row>'
    return xlsx(d / "cot.xlsx", [[HEAD, body, TAIL]])


def case_workbook_cell_budget(d: Path) -> Path:
    # each sheet is inside the per-sheet limits (A1 .. GR20000), together they are not
    body = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="20000"><c r="GR20000"><v>2</v></c></row>'
    return xlsx(d / "nhieu.xlsx", [[HEAD, body, TAIL] for _ in range(3)])


def case_xls_far_cell(d: Path) -> Path:
    p = d / "xa.xls"  # calamine alone aborts on this one (dense 65536 x 65536)
    p.write_bytes(cfb({"Workbook": biff_workbook(number(0, 0, 1.0) + number(65535, 65535, 2.0))}))
    return p


def case_xls_dimensions(d: Path) -> Path:
    p = d / "kich_thuoc.xls"  # calamine alone preallocates from DIMENSIONS and aborts
    dims = rec(0x0200, struct.pack("<IIHHH", 0, 0xFFFFFFFF, 0, 0xFFFF, 0))
    p.write_bytes(cfb({"Workbook": biff_workbook(dims + number(0, 0, 1.0))}))
    return p


def case_ods_repeated_rows(d: Path) -> Path:
    row = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell '
           'office:value-type="float" office:value="1" table:number-columns-repeated="200"/></table:table-row>')
    return ods(d / "lap.ods", row)


def case_duplicate_member(d: Path) -> Path:
    p = real_xlsx(d / "trung.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(p, "a") as z:
            z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{NS_MAIN}"/>')
    return p


def case_too_many_members(d: Path) -> Path:
    p = real_xlsx(d / "nhieu_phan.xlsx")
    with zipfile.ZipFile(p, "a") as z:
        for i in range(10_001):
            z.writestr(f"xl/media/x{i}.bin", b"")
    return p


CASES = {
    "zero_byte": (case_zero_byte, "file_empty"),
    "truncated_xlsx": (case_truncated_xlsx, "file_unreadable"),
    "csv_renamed_xlsx": (case_csv_renamed, "file_not_workbook"),
    "html_renamed_xls": (case_html_renamed, "file_not_workbook"),
    "random_bytes": (case_random_bytes, "file_not_workbook"),
    "zip_not_workbook": (case_zip_not_workbook, "file_not_workbook"),
    "ole_encrypted_package": (case_ole_encrypted_package, "file_encrypted"),
    "xls_filepass": (case_xls_filepass, "file_encrypted"),
    "ole_fat_cycle": (case_ole_fat_cycle, "file_hostile"),
    "ole_difat_loop": (case_ole_difat_loop, "file_hostile"),
    "ole_hidden_workbook": (case_ole_hidden_workbook, "file_hostile"),
    "zip_bomb_300mb": (case_zip_bomb, "file_hostile"),
    "lying_size_header": (case_lying_header, "file_hostile"),
    "billion_laughs_sheet": (case_billion_laughs_sheet, "file_hostile"),
    "billion_laughs_shared": (case_billion_laughs_shared_strings, "file_hostile"),
    "billion_laughs_after_comment": (case_billion_laughs_after_comment, "file_hostile"),
    "billion_laughs_utf16": (case_billion_laughs_utf16, "file_hostile"),
    "doctype_inside_the_body": (case_doctype_inside_the_body, "file_unreadable"),
    "million_junk_rows": (case_million_junk_rows, "file_too_large"),
    "million_char_cell": (case_million_char_cell, "file_too_large"),
    "extreme_references": (case_extreme_references, "file_too_large"),
    "cells_without_r": (case_cells_without_r, "file_too_large"),
    "too_many_columns": (case_too_many_columns, "file_too_large"),
    "workbook_cell_budget": (case_workbook_cell_budget, "file_too_large"),
    "xls_far_cell": (case_xls_far_cell, "file_too_large"),
    "xls_dimensions": (case_xls_dimensions, "file_hostile"),
    "ods_repeated_rows": (case_ods_repeated_rows, "file_too_large"),
    "duplicate_member": (case_duplicate_member, "file_hostile"),
    "too_many_members": (case_too_many_members, "file_hostile"),
}


def read_isolated(path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"reader process died (rc={proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file(name, tmp_path):
    build, expected = CASES[name]
    path = build(tmp_path)
    out = read_isolated(path)
    print(f"\n  {name:24s} {str(out['code']):18s} {out['seconds']:6.2f} s  "
          f"peak RSS {out['hwm_mb']:5.0f} MB (ru_maxrss {out['maxrss_mb']:5.0f} MB)  "
          f"{path.stat().st_size:>11,} B  {out['detail']}")
    assert out["code"] == expected, out
    assert out["maxrss_mb"] < PEAK_LIMIT_MB, out


def test_hostile_files_in_process(tmp_path):
    """The same cases read in this process (no subprocess) raise only WorkbookError."""
    from antt.read.workbook import WorkbookError, read_workbook

    for name in ("zero_byte", "truncated_xlsx", "csv_renamed_xlsx", "ole_encrypted_package",
                 "xls_filepass", "billion_laughs_sheet", "extreme_references", "xls_far_cell",
                 "xls_dimensions", "ods_repeated_rows"):
        build, expected = CASES[name]
        sub = tmp_path / name
        sub.mkdir()
        with pytest.raises(WorkbookError) as info:
            read_workbook(build(sub))
        assert info.value.code == expected, (name, info.value)
        assert info.value.detail  # a reason in Vietnamese


def test_whole_hostile_run_stays_under_the_memory_limit():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n  peak RSS: test process {own:.0f} MB, largest reader subprocess {children:.0f} MB")
    assert own < PEAK_LIMIT_MB and children < PEAK_LIMIT_MB
