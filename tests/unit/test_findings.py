"""The one list of finding codes is the one the README shows, and every message renders."""

import re

from antt.core import config
from antt.core.findings import CODES, ERROR, INFO, WARNING, codes_table, finding


def test_readme_lists_every_code_as_the_module_does():
    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    assert codes_table() in readme


def test_codes_are_snake_case_with_a_contract_severity():
    for code, (severity, template) in CODES.items():
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code)
        assert severity in (ERROR, WARNING, INFO)
        assert template.strip()


def test_location_reads_file_sheet_cell():
    f = finding("kdc_meeting_gt_total", "2023-H1/BuDang.xlsx", "Biểu 1", "E14", 14, found=12, expected=11)
    assert str(f) == ("2023-H1/BuDang.xlsx › Biểu 1 › E14: Số KDC đạt chuẩn (12) lớn hơn tổng số KDC (11). "
                      "Dòng không được tính. [kdc_meeting_gt_total]")
