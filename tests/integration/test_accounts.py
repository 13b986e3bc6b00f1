"""Nothing lost (issue item 3): every non-empty row below a recognised table's header is accounted for.

For every committed sample file and for hand-made returns (tests/returns_builder.py, and commune
returns from tests/commune_builder.py), the per-file
account of each recognised table (data, total, group, numbering, footer, set_aside) must add up to
the number of non-empty rows below the table's header on its sheet -- counted here independently
from the raw grid of ``antt.read.workbook.read_workbook`` -- and every row set aside must carry a finding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from antt.core import config, units
from antt.check import validate
from antt.core.cycles import parse_cycle
from antt.check.cycle import load_cycle
from antt.store.frames import CycleFrames
from antt.core.forms import ROW_CLASSES
from antt.read.returns import load_return
from antt.read.workbook import read_workbook
from tests import commune_builder as C
from tests import returns_builder as B

#: Findings that name every row they set aside in their message ("các dòng 12, 15").
LISTING_ROWS = ("commune_duplicate", "area_duplicate", "ntm_rows_commune")
REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
SAMPLE_FILES = sorted(p for p in RAW.glob("*/*") if p.is_file())


def non_empty_rows_below(path: Path, sheet: str, last_header_row: int) -> int:
    """Rows after the header (1-based last header row) holding anything but blanks, from the raw grid."""
    wb = read_workbook(path)
    grid = next(s for s in wb.sheets if s.name == sheet).rows
    return sum(1 for row in grid[last_header_row:]
               if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row))


def check_accounts(path: Path, raw_dir: Path, cycle: str, scope: str = config.PROVINCE_CODE) -> dict[str, dict]:
    ret = load_return(path, raw_dir, cycle, scope)
    assert ret.status == "loaded", (path.name, [f.message for f in ret.findings])
    assert ret.tables, path.name
    hierarchy = units.hierarchy_on(parse_cycle(cycle).end)
    validate.validate_return(ret, parse_cycle(cycle), hierarchy)   # rules move rows to set_aside
    out = {}
    for tid, t in ret.tables.items():
        assert set(t.account) <= set(ROW_CLASSES), t.account
        assert all(n >= 0 for n in t.account.values()), (path.name, tid, t.account)
        expected = non_empty_rows_below(path, t.sheet, t.header_rows[1])
        assert sum(t.account.values()) == expected, (path.name, tid, dict(t.account), expected)
        if t.layout != "B" and not any("_rows" in r for r in t.records):
            # (rows per residential area are summed: one record per commune, one data row per area)
            assert t.account["data"] == len(t.records), (path.name, tid)
        # every row set aside carries a finding on its row (a duplicate's finding lists its rows)
        flagged = {f.row for f in ret.findings if f.sheet == t.sheet and f.row is not None}
        flagged |= {int(n) for f in ret.findings if f.code in LISTING_ROWS and f.sheet == t.sheet
                    for n in re.search(r"dòng ([\d, ]+)", f.message).group(1).split(", ")}
        assert {r["row"] for r in t.set_aside} <= flagged, (path.name, tid)
        last = t.header_rows[1]
        assert t.account["set_aside"] <= len({r for r in flagged if r > last}), (path.name, tid, dict(t.account))
        out[tid] = dict(t.account)
    return out


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_file_accounts_add_up(path):
    if path.name == "sample_manifest.json":
        pytest.skip("the generator's record, not a return")
    check_accounts(path, RAW, path.parent.name)


def test_sample_cycle_accounts_add_up_after_validation():
    """The accounts frame of load_cycle (after the rules and resubmissions) adds up too."""
    for cycle in ("2022-H1", "2022", "2023-H1"):
        data = CycleFrames(load_cycle(RAW, cycle))
        for row in data.accounts.itertuples(index=False):
            path = RAW / row.file
            ret_header = load_return(path, RAW, cycle).tables[row.table].header_rows[1]
            total = sum(getattr(row, c) for c in ROW_CLASSES)
            assert total == non_empty_rows_below(path, row.sheet, ret_header), (row.file, row.table)
        assert set(data.accounts["file"]) == {f for f, s in zip(data.files["file"], data.files["status"])
                                              if s != "rejected"}


# ---------------------------------------------------------------------------------------------
# hand-made returns
# ---------------------------------------------------------------------------------------------
def write_return(tmp_path: Path, name: str, sheets) -> Path:
    folder = tmp_path / "raw" / "2023-H1"
    folder.mkdir(parents=True, exist_ok=True)
    return B.write_xlsx(folder / name, sheets)


def test_standard_fixture_accounts(tmp_path):
    path = write_return(tmp_path, "dong_xoai.xlsx", B.standard_sheets())
    accounts = check_accounts(path, tmp_path / "raw", "2023-H1")
    # typed from returns_builder: 8 communes in Biểu 1, 4, 5; 2 xã in Biểu 2; 4 models in Biểu 3
    assert accounts == {"kdc": {"data": 8}, "ntm": {"data": 2}, "models": {"data": 4},
                        "outreach": {"data": 8}, "bright_spots": {"data": 8}}


FOOTER = [[], ["Ghi chú: số liệu tính đến ngày 14/6/2023."], [None, None, None, "Đồng Xoài, ngày 16 tháng 6 năm 2023"],
          ["NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG CÔNG AN"], [], [], ["Nguyễn Văn A", None, None, "Trần Văn B"]]


def every_class_kdc() -> list[list]:
    header, *data = B.KDC_ROWS
    return [header,
            ["(1)", "(2)", "(3)", "(4)", "(5)"],                       # numbering
            ["I", "Các phường"],                                        # group
            *[r for r in data if str(r[1]).startswith("Phường")],
            [],                                                         # blank: not counted
            ["II", "Các xã"],                                           # group
            *[r for r in data if str(r[1]).startswith("Xã")],
            [9, "Xã Không Có Thật", 5, 5, 5],                           # unknown commune: set aside
            [10, "Phường Tân Phú", 3, 3, 2],                            # Tân Phú again: both set aside
            ["", "Tổng cộng", 75, 76, 71],                              # total
            *FOOTER]


def test_every_row_class_is_counted(tmp_path):
    tables = dict(B.STANDARD, kdc=every_class_kdc())
    path = write_return(tmp_path, "dong_xoai_day_du.xlsx", B.standard_sheets(tables))
    accounts = check_accounts(path, tmp_path / "raw", "2023-H1")
    # by hand: 1 numbering, 2 group, 8 communes + the unknown one + a second Tân Phú, 1 total,
    # 4 footer lines (the blank lines between them are not rows); the two Tân Phú rows are set
    # aside as duplicates, the unknown commune as unknown: 7 data rows left.
    assert accounts["kdc"] == {"numbering": 1, "group": 2, "data": 7, "set_aside": 3, "total": 1, "footer": 4}


# Was a bug (found by this suite, fixed since): validate.validate_return runs the row rules before
#  _duplicates, which only looks at the rows still kept: a commune listed twice, one row with an impossible
#  value, keeps its other row counted and gets no commune_duplicate finding (contract: both rows set aside)
def test_a_commune_listed_twice_is_set_aside_even_when_one_row_breaks_a_rule(tmp_path):
    header, *data = B.KDC_ROWS
    kdc = [header, *data, [9, "Phường Tân Phú", 3, 4, 2]]             # registered 4 > total 3
    path = write_return(tmp_path, "hai_tan_phu.xlsx", B.standard_sheets(dict(B.STANDARD, kdc=kdc)))
    ret = load_return(path, tmp_path / "raw", "2023-H1")
    validate.validate_return(ret, parse_cycle("2023-H1"), units.hierarchy_on(parse_cycle("2023-H1").end))
    kdc_read = ret.tables["kdc"]
    assert "Phường Tân Phú" not in {r["commune"] for r in kdc_read.records}
    assert dict(kdc_read.account) == {"data": 7, "set_aside": 2}


# Was a bug (found by this suite, fixed since): returns._read_rows: after the first footer-like line ('Ghi
#  chú', a place and date, 'Người lập biểu') every later row is counted as footer without a finding, data rows
#  included: communes listed under a note are dropped silently (only commune_absent warnings, which do not
#  name the rows)
def test_data_rows_after_a_note_are_not_silently_footer(tmp_path):
    header, *data = B.KDC_ROWS
    kdc = [header, *data[:4], ["Ghi chú: các phường dưới đây báo cáo bổ sung"], *data[4:]]
    tables = dict(B.STANDARD, kdc=kdc)
    path = write_return(tmp_path, "ghi_chu_giua.xlsx", B.standard_sheets(tables))
    ret = load_return(path, tmp_path / "raw", "2023-H1")
    account = ret.tables["kdc"].account
    later_rows = {9 + 1 + 4 + 1 + i for i in range(1, 5)}            # the four rows under the note (1-based)
    flagged = {f.row for f in ret.findings if f.sheet == "Biểu 1"}
    assert account["data"] == 8 or later_rows <= flagged, (dict(account), sorted(flagged))


def test_accounts_of_builder_variants(tmp_path):
    """Other hand-made returns of the builder: the hidden and the merged-heading forms add up too."""
    sheets = B.standard_sheets()
    hidden = B.SheetSpec("Bản cũ", [r[:] for r in sheets[0].rows], hidden=True)
    path = write_return(tmp_path, "an.xlsx", [*sheets, hidden])
    acc = check_accounts(path, tmp_path / "raw", "2023-H1")
    assert acc["kdc"] == {"data": 8}
    # a two-row merged heading above Biểu 4
    title = B.title_rows(table_title=B.TABLE_TITLES["outreach"])
    top = ["STT", "Xã, phường, thị trấn", "Tuyên truyền", None, None, None]
    sub = [None, None, "Số giờ phát thanh, tuyên truyền", "Số băng rôn, khẩu hiệu, áp phích", "Số buổi tuyên truyền",
           "Số lượt người tham dự"]
    n = len(title)
    merged = B.SheetSpec("Biểu 4", title + [top, sub] + B.OUTREACH_ROWS[1:],
                         merges=[f"A{n + 1}:A{n + 2}", f"B{n + 1}:B{n + 2}", f"C{n + 1}:F{n + 1}"])
    path = write_return(tmp_path, "gop.xlsx", [sheets[0], merged])
    acc = check_accounts(path, tmp_path / "raw", "2023-H1")
    assert acc["outreach"] == {"data": 8}


# ---------------------------------------------------------------------------------------------
# hand-made commune returns
# ---------------------------------------------------------------------------------------------
def write_commune_return(tmp_path: Path, name: str, sheets) -> Path:
    return C.write(tmp_path / "raw" / "2026-H1" / name, sheets)


def test_standard_commune_return_accounts(tmp_path):
    path = write_commune_return(tmp_path, "loc_ninh.xlsx", C.commune_sheets())
    accounts = check_accounts(path, tmp_path / "raw", "2026-H1", "75")
    # typed from commune_builder: Biểu 1 two former communes heading 4 areas and a total; one xã row;
    # 3 models; 4 areas in Biểu 4; one row in Biểu 5
    assert accounts == {"kdc": {"group": 2, "data": 4, "total": 1}, "ntm": {"data": 1}, "models": {"data": 3},
                        "outreach": {"data": 4}, "bright_spots": {"data": 1}}


def every_class_of_a_commune_kdc() -> list[list]:
    header = C.KDC_ROWS[0]
    return [header,
            ["(1)", "(2)", "(3)", "(4)", "(5)"],                       # numbering
            ["", "Xã Lộc Ninh", 5, 4, 3],                               # the xã itself, on top: a total
            ["I", "Thị trấn Lộc Ninh (cũ)"],                            # group
            [1, "Khu phố 1", 1, 1, 1],
            [2, "Khu phố 2", 1, 1, 0],
            [],                                                         # blank: not counted
            ["II", "KHU VỰC XÃ LỘC THÁI CŨ"],                           # group
            [3, "Ấp 1", 1, 1, 1],
            [4, "ấp 01", 1, 1, 1],                                      # Ấp 1 again: both set aside
            [5, "Ấp 2", 1, 0, 0],
            [None, None, 1, None, None],                                # a count without a name: set aside
            ["", "Tổng cộng", 5, 4, 3],                                 # total
            *FOOTER]


def test_every_row_class_of_a_commune_return_is_counted(tmp_path):
    tables = dict(C.STANDARD, kdc=every_class_of_a_commune_kdc())
    path = write_commune_return(tmp_path, "loc_ninh_day_du.xlsx", C.commune_sheets(tables))
    accounts = check_accounts(path, tmp_path / "raw", "2026-H1", "75")
    # by hand: 1 numbering, 2 group, 5 area rows of which the two "Ấp 1" are set aside, 1 row without
    # a name set aside, the xã's row and "Tổng cộng" as totals, 4 footer lines
    assert accounts["kdc"] == {"numbering": 1, "total": 2, "group": 2, "data": 3, "set_aside": 3, "footer": 4}
