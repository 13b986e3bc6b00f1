"""The analyst API without processed data: cycle choice and its sentences, units found by any written
form of their name, "Không có …" for empty answers, Vietnamese numbers, the notebook's error display.
(The answers on the sample cycles are in tests/integration/test_explore.py.)"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from antt.analyse import explore, tables
from antt.analyse.view import CycleView
from antt.core import indicators
from antt.core.cycles import choose, parse_cycle
from antt.core.errors import AnalystError

PRESENT = [parse_cycle(c) for c in ("2022-H1", "2022", "2023-H1")]


@pytest.mark.parametrize("written, cycle", [("2022-h1", "2022-H1"), ("2023-H1", "2023-H1"), (2022, "2022"),
                                            (" 2022 ", "2022"), (None, "2023-H1")])
def test_choose_accepts_lower_case_numbers_and_none_for_the_latest(written, cycle):
    assert choose(written, PRESENT, Path("data/processed")).id == cycle


def test_choose_says_in_vietnamese_which_cycles_there_are():
    with pytest.raises(AnalystError) as e:
        choose("2030", PRESENT, Path("data/processed"))
    assert str(e.value) == "không có kỳ 2030 trong data/processed; các kỳ hiện có: 2022-H1, 2022, 2023-H1"
    with pytest.raises(AnalystError, match=r"^mã kỳ không hợp lệ: '2022-H2' \(dạng YYYY-H1 hoặc YYYY\)$"):
        choose("2022-H2", PRESENT, Path("data/processed"))
    with pytest.raises(AnalystError, match="không có kỳ báo cáo nào trong data/processed"):
        choose(None, [], Path("data/processed"))


def test_choose_says_to_run_ingest_for_a_cycle_in_data_raw_not_yet_processed():
    with pytest.raises(AnalystError) as e:
        choose("2023", PRESENT, Path("data/processed"), waiting=[parse_cycle("2023")])
    assert "chưa được xử lý: chạy `antt ingest`" in str(e.value) and "các kỳ hiện có: 2022-H1, 2022, 2023-H1" in str(e.value)


def test_the_command_line_prints_the_same_sentence(tmp_path, capsys):
    from antt.cli import main

    (tmp_path / "2022").mkdir()
    assert main(["summary", "--raw", str(tmp_path), "--cycle", "2030"]) == 2
    assert capsys.readouterr().err.strip() == f"antt: không có kỳ 2030 trong {tmp_path}; các kỳ hiện có: 2022"


# --- units by name (no data read: the view's hierarchy and territory only) --------------------------

BP_2023_H1 = CycleView(parse_cycle("2023-H1"), Path("nowhere"), "70")
DN_2026_H1 = CycleView(parse_cycle("2026-H1"), Path("nowhere"), "75")


@pytest.mark.parametrize("written", ["Huyện Bù Đăng", "Bu Dang", "bù đăng", "H. Bù Đăng", "BÙ ĐĂNG", "696"])
def test_a_district_by_any_written_form_of_its_name(written):
    unit = explore._find(BP_2023_H1, written)
    assert (unit.code, unit.name) == ("696", "Huyện Bù Đăng")


def test_a_commune_by_its_type_and_name():
    assert explore._find(BP_2023_H1, "TT. Đức Phong").name == "Thị trấn Đức Phong"
    assert explore._find(DN_2026_H1, "Xã Tân Phú").name == "Xã Tân Phú"
    assert explore._find(DN_2026_H1, "xa tan an").name == "Xã Tân An"


def test_a_name_without_a_type_means_the_district_before_the_reform():
    assert explore._find(BP_2023_H1, "Lộc Ninh").name == "Huyện Lộc Ninh"


def test_a_name_no_unit_has_names_the_closest_ones():
    with pytest.raises(AnalystError) as e:
        explore._find(BP_2023_H1, "Bu Dagn")
    assert "không có đơn vị nào tên 'Bu Dagn'" in str(e.value) and "Huyện Bù Đăng" in str(e.value)


def test_a_name_several_units_have_lists_them():
    with pytest.raises(AnalystError) as e:
        explore._find(BP_2023_H1, "Tân Phú")       # Thị trấn Tân Phú (Đồng Phú), Phường Tân Phú (Đồng Xoài)
    assert "Thị trấn Tân Phú (Huyện Đồng Phú)" in str(e.value) and "Phường Tân Phú" in str(e.value)


def test_a_unit_outside_the_territory_is_not_found():
    with pytest.raises(AnalystError, match="không có đơn vị mã 734"):
        explore._find(BP_2023_H1, "734")              # Huyện Tân Phú of the former Đồng Nai


def test_an_unknown_key_names_the_close_ones():
    with pytest.raises(AnalystError, match="có phải: kdc_total"):
        explore._keys("kdc_totl")


# --- display ---------------------------------------------------------------------------------------

def test_show_writes_numbers_and_shares_the_vietnamese_way():
    frame = pd.DataFrame({"cycle": ["2023-H1"], "scope_name": ["Tỉnh Bình Phước (cũ)"], "cameras": [2126.0],
                          "kdc_meeting_share": [0.95]})
    html = explore.show(frame).to_html()
    assert ">2.126<" in html and ">95,0 %<" in html and ">Kỳ<" in html and ">Camera an ninh<" in html


def test_empty_answers_say_there_is_none():
    frame = pd.DataFrame(columns=["cycle", "area"])
    frame.attrs["empty"] = "khu dân cư chưa đạt chuẩn nào"
    assert explore.show(frame) == "Không có khu dân cư chưa đạt chuẩn nào."
    assert tables.show(pd.DataFrame(columns=["unit_name"]), caption="0 đơn vị dưới chỉ tiêu") == \
        "Không có đơn vị dưới chỉ tiêu."
    assert tables.show(pd.DataFrame(columns=["unit_name"])) == "Không có số liệu."


def test_needed_to_reach_the_target():
    # Bù Đăng, 2022-H1: 92 of 106 meet the standard; 95 % of 106 is 100,7: 101 are needed, 9 more.
    got = indicators.needed(pd.Series([92.0, 100.0, None]), pd.Series([106.0, 100.0, 50.0]), 0.95)
    assert got.iloc[0] == 9 and got.iloc[1] == 0 and pd.isna(got.iloc[2])


def test_in_a_notebook_an_analyst_error_is_one_line_without_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from antt.analyse.notebook import _one_sentence

    shell = InteractiveShell.instance()
    shell.set_custom_exc((AnalystError,), _one_sentence)
    result = shell.run_cell("from antt.core.errors import AnalystError\nraise AnalystError('không có kỳ 2030')")
    shown = capsys.readouterr()
    assert isinstance(result.error_in_exec, AnalystError)      # the cell still fails
    text = shown.out + shown.err
    assert "không có kỳ 2030" in text and "Traceback" not in text and "raise AnalystError" not in text
    InteractiveShell.clear_instance()
