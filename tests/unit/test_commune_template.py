"""Commune templates (``antt template`` in a commune-level cycle): one per commune, Biểu 1 filled with
the residential areas of the commune's latest processed return (a hand-made ``kdc_areas`` frame here;
the round trip through the loaders is in tests/integration/test_template_roundtrip.py)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from antt.cli import main
from antt.core import territory, units
from antt.core.cycles import parse_cycle
from antt.make import commune_template
from antt.make.commune_template import AREA_ROWS, AREA_SPARE
from antt.make.template import write_templates
from antt.make.template_form import ROW_FIRST, ROW_HEADER

CYCLE = "2026"
DONG_NAI = territory.resolve("75").expected_units(parse_cycle(CYCLE))
CURRENT = units.current()
TAN_PHU, TAM_HIEP, LOC_NINH = "26116", "26017", "25270"      # Xã Tân Phú, Phường Tam Hiệp, Xã Lộc Ninh


def unit_of(path: Path) -> units.Unit:
    return CURRENT.unit(re.match(rf"Mau_bao_cao_{CYCLE}_(\d+)_", path.name).group(1))


def area_frame(rows: list[tuple[str, str, int]], cycle: str) -> pd.DataFrame:
    """A ``kdc_areas`` frame as design-18 names its columns: (commune, area as written, row)."""
    return pd.DataFrame([{"cycle": cycle, "unit_code": c, "commune_code": c, "area": a,
                          "area_key": a.lower().replace("ấ", "a").replace(" ", ""), "registered": True,
                          "meeting": True, "source_file": f"{cycle}/{c}.xlsx", "sheet": "Biểu 1", "row": r}
                         for c, a, r in rows])


@pytest.fixture
def processed(tmp_path, monkeypatch):
    """Two processed cycles: 2025 lists Tân Phú's and Lộc Ninh's areas, 2026-H1 (later) Tân Phú's again."""
    frames = {
        "2025": area_frame([(TAN_PHU, "Ấp 1", 12), (TAN_PHU, "Ấp 2", 13), (LOC_NINH, "Khu phố 1", 12),
                            (LOC_NINH, "Khu phố 2", 13)], "2025"),
        "2026-H1": area_frame([(TAN_PHU, "Ấp Trà Cổ", 14), (TAN_PHU, "Ấp 1", 12), (TAN_PHU, "Ấp 2", 13),
                               (TAN_PHU, "Ấp  2", 15)], "2026-H1"),
    }
    for cid in frames:
        (tmp_path / "processed" / cid).mkdir(parents=True)
        (tmp_path / "processed" / cid / "manifest.json").write_text("{}", encoding="utf-8")

    def read_frame(out_dir, cycle, name):
        assert name == "kdc_areas" and Path(out_dir) == tmp_path / "processed"
        return frames[cycle.id]
    monkeypatch.setattr(commune_template, "read_frame", read_frame)
    return tmp_path / "processed"


def column(ws, col: int, first: int, last: int) -> list:
    return [ws.cell(r, col).value for r in range(first, last + 1)]


def test_the_latest_processed_return_gives_each_commune_its_areas(processed):
    areas = commune_template.known_areas(processed, parse_cycle(CYCLE))
    # 2026-H1 is the latest: its rows in written order, one name per normalised key ("Ấp  2" = "Ấp 2")
    assert areas[TAN_PHU] == ["Ấp 1", "Ấp 2", "Ấp Trà Cổ"]
    assert areas[LOC_NINH] == ["Khu phố 1", "Khu phố 2"]                 # only 2025 lists it
    assert commune_template.known_areas(processed, parse_cycle("2025")) == {
        TAN_PHU: ["Ấp 1", "Ấp 2"], LOC_NINH: ["Khu phố 1", "Khu phố 2"]}  # never a later cycle's list
    assert commune_template.known_areas(processed, parse_cycle("2023-H1")) == {}   # another hierarchy


def test_one_template_per_commune_with_biểu_2_only_for_a_xa(tmp_path, processed):
    paths = write_templates(CYCLE, tmp_path / "out", province="75", processed_dir=processed)
    assert len(paths) == 95 and [unit_of(p).code for p in paths] == [u.code for u in DONG_NAI]
    assert (tmp_path / "out" / "Mau_bao_cao_2026_26116_Xa_Tan_Phu.xlsx") in paths
    assert all(p.name.isascii() for p in paths)
    for p in paths[::7]:
        wb = openpyxl.load_workbook(p)
        unit = unit_of(p)
        tables = ["Biểu 1", "Biểu 2", "Biểu 3", "Biểu 4", "Biểu 5"] if unit.kind == "Xã" else \
            ["Biểu 1", "Biểu 3", "Biểu 4", "Biểu 5"]
        assert wb.sheetnames == tables + ["Danh mục"] and wb["Danh mục"].sheet_state == "hidden"
        ws = wb["Biểu 4"]
        assert (ws["A1"].value, ws["A2"].value) == ("CÔNG AN TỈNH ĐỒNG NAI", f"CÔNG AN {unit.name.upper()}")
        assert ws.cell(ROW_FIRST, 2).value == unit.name and ws.cell(ROW_FIRST + 1, 2).value is None
        if unit.kind == "Xã":
            assert wb["Biểu 2"].cell(ROW_FIRST, 2).value == unit.name


def test_biểu_1_lists_the_known_areas_then_spare_rows(tmp_path, processed):
    (path,) = write_templates(CYCLE, tmp_path, unit=TAN_PHU, province="75", processed_dir=processed)
    ws = openpyxl.load_workbook(path)["Biểu 1"]
    assert [c.value for c in ws[ROW_HEADER]][:4] == ["STT", "Khu dân cư (ấp, khu phố, tổ dân phố)",
                                                     'Đăng ký "An toàn về ANTT"', 'Đạt chuẩn "An toàn về ANTT"']
    last = ROW_FIRST + 3 + AREA_SPARE - 1
    assert column(ws, 2, ROW_FIRST, last) == ["Ấp 1", "Ấp 2", "Ấp Trà Cổ"] + [None] * AREA_SPARE
    assert column(ws, 1, ROW_FIRST, ROW_FIRST + 3) == [1, 2, 3, None]
    assert all(not ws.cell(r, c).protection.locked for r in range(ROW_FIRST, last + 1) for c in range(1, 5))
    assert ws.cell(last + 1, 2).value is None and ws.protection.sheet
    marks = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert {str(dv.sqref) for dv in marks} == {f"C{ROW_FIRST}:C{last}", f"D{ROW_FIRST}:D{last}"}
    counts = [ws.cell(r, 4).value for r in range(last + 1, ws.max_row + 1) if str(ws.cell(r, 4).value).startswith("=")]
    assert counts == [f"=COUNTA(B{ROW_FIRST}:B{last})", f'=COUNTIF(C{ROW_FIRST}:C{last},"x")',
                      f'=COUNTIF(D{ROW_FIRST}:D{last},"x")']


def test_a_commune_without_a_known_list_gets_empty_rows(tmp_path, processed):
    (path,) = write_templates(CYCLE, tmp_path, unit=TAM_HIEP, province="75", processed_dir=processed)
    ws = openpyxl.load_workbook(path)["Biểu 1"]
    assert column(ws, 2, ROW_FIRST, ROW_FIRST + AREA_ROWS - 1) == [None] * AREA_ROWS
    assert not ws.cell(ROW_FIRST + AREA_ROWS - 1, 2).protection.locked


def test_without_the_frame_every_commune_gets_empty_rows(tmp_path):
    """A processed folder whose cycles have no kdc_areas frame (or none at all): no area is known."""
    (tmp_path / "processed" / "2026-H1").mkdir(parents=True)
    (tmp_path / "processed" / "2026-H1" / "manifest.json").write_text("{}", encoding="utf-8")
    assert commune_template.known_areas(tmp_path / "processed", parse_cycle(CYCLE)) == {}
    assert commune_template.known_areas(tmp_path / "nothing", parse_cycle(CYCLE)) == {}


def test_the_command_takes_a_unit_or_a_district(tmp_path, monkeypatch):
    monkeypatch.setattr("antt.core.config.PROCESSED_DIR", tmp_path / "none")
    assert main(["template", "--cycle", CYCLE, "--out", str(tmp_path / "a"), "--province", "75",
                 "--unit", TAN_PHU]) == 0
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["Mau_bao_cao_2026_26116_Xa_Tan_Phu.xlsx"]
    assert main(["template", "--cycle", "2024-H1", "--out", str(tmp_path / "b"), "--province", "75",
                 "--district", "692"]) == 0
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx"]
    assert main(["template", "--cycle", CYCLE, "--out", str(tmp_path / "c"), "--province", "75",
                 "--unit", "25297"]) == 2                          # Xã Lộc Thái: a former commune
    assert not (tmp_path / "c").exists()
