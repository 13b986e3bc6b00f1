"""The analyst API on the committed sample, ingested into a temporary tree: answers equal the sample's
record (data/raw/sample_manifest.json) and Bình Phước's published figures, typed here by hand."""

from __future__ import annotations


import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from antt.analyse import explore
from antt.core import config
from antt.core.errors import AnalystError


@pytest.fixture(autouse=True)
def processed_dir(processed, monkeypatch):
    monkeypatch.setattr(config, "PROCESSED_DIR", processed)


def test_a_key_of_a_district_written_any_way():
    # The record: Bù Đăng had 106 residential areas in 2023-H1.
    for written in ("Bu Dang", "Huyện Bù Đăng", "bù đăng"):
        got = explore.values("kdc_total", unit=written, cycle="2023-H1", province="70")
        assert got["unit_name"].tolist() == ["Bù Đăng"] and got["kdc_total"].tolist() == [106]


def test_the_territory_total_is_the_published_figure():
    # Published for Bình Phước, 6 tháng đầu năm 2023: 843 residential areas, all meeting the standard; 2.126 cameras.
    got = explore.values(["kdc_total", "kdc_meeting_share", "cameras"], cycle="2023-h1", province="70", by="territory")
    assert got.iloc[0][["kdc_total", "kdc_meeting_share", "cameras"]].tolist() == [843, 1.0, 2126]
    html = explore.show(got).to_html()
    assert ">843<" in html and ">100,0 %<" in html and ">2.126<" in html


def test_a_districts_communes():
    communes = explore.values("kdc_total", cycle="2023-H1", unit="Bù Đăng", province="70", by="commune")
    assert communes["kdc_total"].sum() == 106 and set(communes["unit_name"]) == {"Bù Đăng"}


def test_against_the_target():
    # 2022-H1: Bù Đăng 92 of 106 (86,8 %), the lowest; 9 more reach 95 %.
    rows = explore.against_target(cycle="2022-H1", province="70", below_only=True)
    assert rows.iloc[0][["unit_name", "kdc_meeting", "kdc_total", "needed"]].tolist() == ["Bù Đăng", 92, 106, 9]
    assert rows["below"].all() and "Chơn Thành" not in set(rows["unit_name"])       # 84/88 = 95,5 %


def test_the_residential_areas_of_a_commune_not_meeting_the_standard():
    # The record: Xã Tân An listed 12 areas in 2025, Ấp 2 not meeting the standard; all met in 2026-H1.
    assert len(explore.areas("Xã Tân An", cycle="2025")) == 12
    assert explore.areas("tan an", cycle="2025", meeting=False)["area"].tolist() == ["Ấp 2"]
    none = explore.areas("Xã Tân An", cycle="2026-H1", meeting=False)
    assert none.empty and str(explore.show(none)).startswith("Không có khu dân cư chưa đạt chuẩn")


def test_change_between_two_cycles_like_for_like():
    # 811 residential areas met the standard in 2022, 843 in 2023-H1, over the same 11 districts.
    total = explore.change("kdc_meeting", "2022", "2023-H1", province="70", by="territory").iloc[0]
    assert (total["before"], total["after"], total["change"], total["common"]) == (811, 843, 32, 11)
    by_unit = explore.change("kdc_meeting", "2022", "2023-H1", province="70")
    assert len(by_unit) == 11 and by_unit["change"].sum() == 32


def test_change_across_the_2025_reform_is_taken_on_todays_communes():
    # Phường Bình Phước (25195) took the area of six communes of the former Thành phố Đồng Xoài; the
    # record gives it 69 residential areas in 2026-H1.
    six = ["25195", "25198", "25201", "25204", "25205", "25213"]
    old = explore.values("kdc_total", cycle="2023-H1", unit="Đồng Xoài", province="70", by="commune")
    old = old[old["commune_code"].isin(six)]
    assert len(old) == 6
    got = explore.change("kdc_total", "2023-H1", "2026-H1", unit="Phường Bình Phước").iloc[0]
    assert (got["before"], got["after"], got["basis"]) == (old["kdc_total"].sum(), 69, "current")
    with pytest.raises(AnalystError, match="không so sánh qua đợt sắp xếp"):
        explore.change("ntm_met", "2023-H1", "2026-H1")


def test_series_of_a_district_names_the_cycles_it_is_not_in():
    s = explore.series("kdc_total", unit="Bù Đăng", province="70")
    assert s["cycle"].tolist() == ["2022-H1", "2022", "2023-H1"] and set(s["kdc_total"]) == {106}
    assert "2025, 2026-H1" in s.attrs["note"]
    total = explore.series("kdc_total", province="70")
    assert total.set_index("cycle").at["2023-H1", "kdc_total"] == 843 and len(total) == 5


def test_an_unknown_or_unprocessed_cycle(monkeypatch, tmp_path):
    with pytest.raises(AnalystError, match="không có kỳ 2030 trong data/processed|các kỳ hiện có: 2022-H1, 2022, 2023-H1, 2025, 2026-H1"):
        explore.values("kdc_total", cycle="2030")
    (tmp_path / "2024").mkdir()
    monkeypatch.setattr(config, "RAW_DIR", tmp_path)
    with pytest.raises(AnalystError, match="chạy `antt ingest`"):
        explore.values("kdc_total", cycle="2024")


# --- in notebooks ------------------------------------------------------------------------------------

def test_the_exploration_notebook_answers_its_questions(sample_root, tmp_path, monkeypatch):
    monkeypatch.setenv("ANTT_ROOT", str(sample_root))
    nb = papermill.execute_notebook(str(config.NOTEBOOKS_DIR / "08_kham_pha.ipynb"), str(tmp_path / "08.ipynb"),
                                    kernel_name="python3", progress_bar=False, cwd=str(config.NOTEBOOKS_DIR),
                                    execution_timeout=600)       # a hung cell fails the test, not the suite
    shown = "\n".join(o.get("data", {}).get("text/html") or o.get("data", {}).get("text/plain", "")
                      for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert ">Xã Bom Bo<" in shown and ">83,3 %<" in shown          # 5 of 6 in 2022, below 95 %
    assert ">Ấp 2<" in shown and "Không có khu dân cư chưa đạt chuẩn" in shown
    assert ">2.126<" in shown and ">843<" in shown


def test_a_wrong_cycle_in_a_notebook_is_one_vietnamese_sentence(sample_root, tmp_path, monkeypatch):
    monkeypatch.setenv("ANTT_ROOT", str(sample_root))
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell('from antt.analyse.notebook import setup\nview = setup("2030")')]
    nbformat.write(nb, tmp_path / "wrong.ipynb")
    with pytest.raises(PapermillExecutionError) as failure:
        papermill.execute_notebook(str(tmp_path / "wrong.ipynb"), str(tmp_path / "out.ipynb"),
                                   kernel_name="python3", progress_bar=False)
    assert failure.value.ename == "AnalystError" and "các kỳ hiện có: 2022-H1" in failure.value.evalue
    error = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[-1]
    assert len(error["traceback"]) == 1 and "không có kỳ 2030" in error["traceback"][0]


def test_the_interactive_view_drills_down_from_the_territory_to_a_communes_areas():
    from antt.analyse.interactive import explorer, readable

    view = explorer(cycle="2025")
    assert len(view.frame) == 95 and view.unit.options[0] == ("Toàn địa bàn", "")
    view.unit.value = "26179"                                  # Xã Tân An: its 12 residential areas
    shown = readable(view.frame)
    assert len(shown) == 12 and shown.set_index("Khu dân cư").at["Ấp 2", "Đạt chuẩn"] == "không"
    view.cycle.value = "2023-H1"                               # no Xã Tân An reporting then: the territory
    assert view.unit.value == "" and set(view.frame["unit_name"]) >= {"Bù Đăng", "Biên Hòa"}
    view.unit.value = "696"                                    # Bù Đăng: one row per commune
    assert view.frame["commune_name"].nunique() == len(view.frame) and view.key.value == "kdc_meeting_share"
    assert explorer(cycle="2023-H1", province="70").frame["unit_name"].tolist()[8] == "Bù Đăng"
