"""antt.publish.quality: the data-quality report (HTML and XLSX) of a processed cycle.

The sample's 2023-H1 cycle is copied and made messier in its processed tables, as a bad season
would: Bù Đốp (693) sent nothing, Hớn Quản (694) reported on 23/06/2023 after the 19/06 deadline,
a hostile file was rejected, and a finding's message carries HTML ("<script>").
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from antt.publish import quality
from antt.analyse.view import open_cycle
from tests.integration.conftest import SCOPE

SCRIPT = "<script>alert('x')</script> & \"quoted\""
REJECTED = "2023-H1/<b>BaoCao</b> giả.xlsx"
TABLES = ["kdc", "ntm", "models", "outreach", "bright_spots"]


@pytest.fixture(scope="module")
def messy_view(sample_processed, tmp_path_factory):
    root = tmp_path_factory.mktemp("messy")
    shutil.copytree(sample_processed, root, dirs_exist_ok=True)
    folder = root / "2023-H1"

    comp = pd.read_parquet(folder / "completeness.parquet")
    comp.loc[comp["unit_code"] == "693", TABLES] = "missing"
    comp.loc[comp["unit_code"] == "690", "bright_spots"] = "empty"
    comp.to_parquet(folder / "completeness.parquet")

    files = pd.read_parquet(folder / "files.parquet")
    dtypes = files.dtypes.to_dict()
    files = files[files["unit_code"] != "693"]
    files.loc[files["unit_code"] == "694", "report_date"] = date(2023, 6, 23)
    rejected = pd.DataFrame([{"file": REJECTED, "status": "rejected", "unit_code": None, "tables": [],
                              "sha256": "0" * 64, "report_date": None, "format": "xlsx"}])
    pd.concat([files, rejected], ignore_index=True).astype(dtypes).to_parquet(folder / "files.parquet")

    f = pd.read_parquet(folder / "findings.parquet")
    f = f[~f["file"].astype(str).str.contains("Bu Dop")]
    hq = files.loc[files["unit_code"] == "694", "file"].iloc[0]
    extra = pd.DataFrame([
        {"severity": "error", "code": "file_hostile", "file": REJECTED, "sheet": None, "cell": None, "row": None,
         "message": "Tệp có cấu trúc nguy hiểm (bom nén); tệp bị từ chối."},
        {"severity": "error", "code": "value_unreadable", "file": hq, "sheet": "Biểu 1", "cell": "E14", "row": 14,
         "message": SCRIPT},
        {"severity": "warning", "code": "value_missing", "file": hq, "sheet": "Biểu 2", "cell": "F9", "row": 9,
         "message": "Số xã: ô ghi “?” (chưa có số liệu); để trống, không tính là 0."},
        {"severity": "info", "code": "model_type_other", "file": hq, "sheet": "Biểu 3", "cell": "C20", "row": 20,
         "message": "Loại mô hình “Tổ tự quản” không có trong danh mục; xếp vào “Khác”."},
    ]).astype(f.dtypes.to_dict())
    pd.concat([f, extra], ignore_index=True).to_parquet(folder / "findings.parquet")
    return open_cycle("2023-H1", root, SCOPE)


@pytest.fixture(scope="module")
def report(messy_view, tmp_path_factory):
    out = tmp_path_factory.mktemp("quality")
    html_path, xlsx_path = quality.write_quality_report(messy_view, out)
    return out, html_path, xlsx_path, html_path.read_text(encoding="utf-8")


class _Tags(HTMLParser):
    """Collects start tags and their attributes, to check what the page would load or run."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _section(page: str, ident: str) -> str:
    """The page's top-level section ``ident`` (up to the next one or the end of <main>)."""
    start = page.index(f'<section id="{ident}">')
    ends = [i for i in (page.find('<section id="', start + 1), page.index("</main>", start)) if i > 0]
    return page[start:min(ends)]


def test_files_written_side_by_side(report):
    out, html_path, xlsx_path, _ = report
    assert html_path == out / "kiem_tra_du_lieu.html" and xlsx_path == out / "kiem_tra_du_lieu.xlsx"
    assert sorted(p.name for p in out.iterdir()) == ["kiem_tra_du_lieu.html", "kiem_tra_du_lieu.xlsx"]


def test_html_is_self_contained_vietnamese_utf8(report):
    *_, page = report
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page and '<meta charset="utf-8">' in page
    tags = _Tags()
    tags.feed(page)
    names = [t for t, _ in tags.tags]
    assert "link" not in names and "img" not in names and "iframe" not in names
    assert names.count("script") == 1                                   # the inline table script
    assert not any(k in ("src", "href") for _, attrs in tags.tags for k in attrs)   # nothing fetched
    assert "http" not in page.lower()
    assert "<style>" in page                      # inline CSS
    assert "Tỉnh Bình Phước" in page and "6 tháng đầu năm 2023" in page and "15/12/2022" in page


def test_html_escapes_text_from_the_returns(report):
    *_, page = report
    assert page.count("<script>") == 1 and "<script>alert" not in page      # only the page's own script
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    assert "<b>BaoCao</b>" not in page and "&lt;b&gt;BaoCao&lt;/<wbr>b&gt;" in page   # may break after "/"


def test_completeness_matrix_with_vietnamese_statuses(report, messy_view):
    *_, page = report
    matrix = _section(page, "day-du")
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", matrix)
    assert len(rows) == len(messy_view.completeness) == 11
    bu_dop = next(r for r in rows if r.startswith("Bù Đốp"))
    assert bu_dop.count('class="st st-missing">Thiếu<') == 5
    binh_long = next(r for r in rows if r.startswith("Bình Long"))
    assert 'class="st st-empty">Trống<' in binh_long
    assert "Đã nhận" in matrix and "Bị từ chối" in matrix    # the legend names every status


def test_reporting_rates_received_over_expected(report, messy_view):
    *_, page = report
    rates = _section(page, "ty-le")
    c = messy_view.completeness
    for t in TABLES:
        received = int((c[t] == "received").sum())
        assert received <= len(c)
    # kdc: 10 of 11 districts (Bù Đốp missing) -> 90,9 %; bright_spots: Bình Long empty too -> 9 of 11
    assert re.search(r"Biểu 1 — Khu dân cư</td><td class=\"num\"[^>]*>10</td><td class=\"num\"[^>]*>11</td>"
                     r"<td class=\"num\"[^>]*>90,9 %", rates)
    assert re.search(r"Biểu 5 — [^<]*</td><td class=\"num\"[^>]*>9</td><td class=\"num\"[^>]*>11</td>"
                     r"<td class=\"num\"[^>]*>81,8 %", rates)
    assert "100,0 %" not in rates
    assert all(float(w) <= 100 for w in re.findall(r"width:([0-9.]+)%", rates))


def test_timeliness_highlights_late_district(report):
    *_, page = report
    t = _section(page, "thoi-han")
    late = re.findall(r'<tr class="late">(.*?)</tr>', t)
    assert len(late) == 1
    assert "Hớn Quản" in late[0] and "23/06/2023" in late[0] and "Nộp muộn 4 ngày" in late[0]
    assert "19/06/2023" in t
    assert re.search(r"<tr><td>Bù Đốp</td>.*?Chưa có báo cáo", t)


def test_files_table_statuses_and_reasons(report):
    *_, page = report
    files = _section(page, "tep")
    assert "đã nạp" in files and "bị thay thế" in files and "bị từ chối" in files
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", files) if "&lt;b&gt;BaoCao" in r)
    assert "bị từ chối" in row and "bom nén" in row
    superseded = next(r for r in re.findall(r"<tr>(.*?)</tr>", files) if "bị thay thế" in r and "<td" in r)
    assert "Tệp bị thay thế bởi" in superseded


def test_findings_grouped_by_district_errors_first_info_collapsed(report):
    *_, page = report
    f = _section(page, "phat-hien")
    start = f.index("<h3>Hớn Quản")
    block = f[start:f.index("</section>", start)]              # the district's own section
    err, warn, info = block.index("[value_unreadable]"), block.index("[value_missing]"), block.index("[model_type_other]")
    assert err < warn < info
    assert block.index("<details open>") < info               # info in a details shown open (and printed)
    assert "Biểu 1 › E14" in block                            # file › sheet › cell
    assert "không tính là 0" in block
    assert "Không xác định được đơn vị" in f                 # the rejected file of no district
    assert "Chưa có báo cáo (không có tệp để kiểm tra): Bù Đốp" in f


def test_quality_workbook_has_the_same_tables(report, messy_view):
    *_, xlsx_path, _ = report
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.sheetnames == ["Đầy đủ", "Thời hạn", "Tệp", "Phát hiện"]
    values = [[c.value for c in row] for row in wb["Đầy đủ"].iter_rows()]
    bu_dop = next(r for r in values if r[1] == "Bù Đốp")
    assert bu_dop[2:7] == ["Thiếu"] * 5
    late = next(r for r in wb["Thời hạn"].iter_rows(values_only=True) if r[1] == "Hớn Quản")
    assert late[4] == 4 and late[5] == "Nộp muộn 4 ngày"
    statuses = {r[2] for r in wb["Tệp"].iter_rows(values_only=True)}
    assert {"đã nạp", "bị thay thế", "bị từ chối"} <= statuses
    messages = [c.value for c in wb["Phát hiện"]["I"]]
    assert SCRIPT in messages                                 # kept as written, as text
    assert len([m for m in messages[1:] if m]) >= len(messy_view.findings)


def test_printed_on_a4_landscape_with_every_finding_and_paths_that_break_after_a_slash(report):
    *_, page = report
    assert re.search(r"@page\s*\{\s*size:\s*A4 landscape;\s*margin:", page)
    assert "thead { display: table-header-group; }" in page            # headers repeated on printed pages
    tags = _Tags()
    tags.feed(_section(page, "phat-hien"))
    details = [attrs for t, attrs in tags.tags if t == "details"]
    assert details and all("open" in attrs for attrs in details)       # no finding hidden on paper
    files = _section(page, "tep")
    assert "2023-H1/<wbr>" in files and "2023-H1/<wbr>&lt;b&gt;BaoCao&lt;/<wbr>b&gt; giả.xlsx" in files
    assert "2023-H1/<wbr>" in _section(page, "thoi-han") and "2023-H1/<wbr>" in _section(page, "phat-hien")


def test_units_listed_in_code_order(report):
    *_, page = report
    matrix = re.findall(r'<tr><th scope="row">[^<]*<code>(\d+)</code>', _section(page, "day-du"))
    assert matrix == ["688", "689", "690", "691", "692", "693", "694", "695", "696", "697", "698"]
    timely = re.findall(r"<tr(?: class=\"late\")?><td>([^<]+)</td>", _section(page, "thoi-han"))
    assert timely == ["Phước Long", "Đồng Xoài", "Bình Long", "Bù Gia Mập", "Lộc Ninh", "Bù Đốp", "Hớn Quản",
                      "Đồng Phú", "Bù Đăng", "Chơn Thành", "Phú Riềng"]


def test_table_cells_carry_the_values_the_script_sorts_by(report):
    *_, page = report
    t = _section(page, "thoi-han")
    assert re.search(r'<tr class="late"><td>Hớn Quản</td><td class="num" data-value="20230623">23/06/2023</td>', t)
    assert re.search(r'<tr><td>Bù Đốp</td><td class="num" data-value="">–</td>', t)   # no date: sorted last
    assert 'data-value="0">Lỗi<' in page and 'data-value="2">Thông tin<' in page


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="không có trình duyệt Chromium: cài bằng "
                    "`apt-get install chromium chromium-driver` (.ci/run tự cài)")
def test_tables_sort_by_a_click_and_filter_offline_in_a_browser(report):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    _, html_path, *_ = report
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(html_path.as_uri())
        table = driver.find_element(By.CSS_SELECTOR, "#thoi-han table")
        names = lambda: [r.find_element(By.TAG_NAME, "td").text
                         for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if r.is_displayed()]
        heads = table.find_elements(By.CSS_SELECTOR, "thead th")
        heads[0].click()                                              # "Đơn vị": Vietnamese alphabetical order
        assert names() == ["Bình Long", "Bù Đăng", "Bù Đốp", "Bù Gia Mập", "Chơn Thành", "Đồng Phú", "Đồng Xoài",
                           "Hớn Quản", "Lộc Ninh", "Phú Riềng", "Phước Long"]
        assert heads[0].get_attribute("aria-sort") == "ascending"
        heads[1].click()                                              # "Ngày báo cáo": by date, no date last
        by_date = names()
        assert by_date[-2:] == ["Hớn Quản", "Bù Đốp"]
        heads[1].click()                                              # again: latest first, no date still last
        assert names()[0] == "Hớn Quản" and names()[-1] == "Bù Đốp"
        box = driver.find_element(By.CSS_SELECTOR, "#thoi-han input.filter")
        box.send_keys("xoai")                                         # typed without diacritics
        assert names() == ["Đồng Xoài"]
        box.clear()
        box.send_keys(" ")
        assert len(names()) == 11
    finally:
        driver.quit()
