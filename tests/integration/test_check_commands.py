"""The checking commands on hand-made returns and on the sample: `antt validate` exit codes, templates
the summary recognises, a faulty return among the sample's cycle."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil

from antt.check.cycle import load_cycle
from antt.cli import main
from antt.core import config
from antt.store.frames import CycleFrames
from tests.returns_builder import DONG_XOAI_TOTALS, KDC_ROWS, SCOPE, STANDARD, standard_sheets, write_xlsx

DONG_XOAI = "689"


def run(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_validate_command_exit_codes(tmp_path):
    good = tmp_path / "good.xlsx"
    write_xlsx(good, standard_sheets())
    code, out = run("validate", str(good))
    assert code == 0 and "kỳ 2023-H1" in out
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[1][4] = 99
    bad = tmp_path / "bad.xlsx"
    write_xlsx(bad, standard_sheets({**STANDARD, "kdc": kdc}))
    code, out = run("validate", "--json", str(bad))
    assert code == 1
    result = json.loads(out)
    assert result["status"] == "loaded" and [f["cell"] for f in result["findings"] if f["severity"] == "error"] == ["E10"]
    assert run("validate", str(tmp_path / "nothing.xlsx"))[0] == 2


def test_template_command_writes_returns_the_summary_recognises(tmp_path):
    code, _ = run("template", "--cycle", "2024-H1", "--out", str(tmp_path / "2024-H1"), "--province", SCOPE)
    assert code == 0 and len(list((tmp_path / "2024-H1").glob("*.xlsx"))) == 11
    code, out = run("summary", "--raw", str(tmp_path), "--cycle", "2024-H1", "--json", "--province", SCOPE)
    s = json.loads(out)
    assert code == 0 and s["districts_expected"] == 11
    assert sorted(f["status"] for f in s["files"]) == ["loaded"] * 11
    assert [f for f in s["findings"] if f["severity"] == "error"] == []
    code, _ = run("template", "--cycle", "2026", "--out", str(tmp_path / "2026"), "--province", "70")
    assert code == 0 and len(list((tmp_path / "2026").glob("*.xlsx"))) == 40   # after the reform: communes


def test_a_faulty_return_among_the_real_cycle_sets_aside_exactly_its_bad_rows(tmp_path):
    """Đồng Xoài's sample return replaced by a hand-made one with meeting > total (Tân Bình, E12) and an
    unknown commune (B10): located errors for exactly those cells; everything else loads unchanged."""
    clean = CycleFrames(load_cycle(config.RAW_DIR, "2023-H1", SCOPE))
    folder = tmp_path / "raw" / "2023-H1"
    shutil.copytree(config.RAW_DIR / "2023-H1", folder)
    for p in folder.glob("*.ods"):                  # the sample's Đồng Xoài return
        p.unlink()
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[1][1] = "Phường Tân Phứ Mới"
    kdc[3][4] = 12
    write_xlsx(folder / "DongXoai_sai.xlsx", standard_sheets({**STANDARD, "kdc": kdc}))
    data = CycleFrames(load_cycle(tmp_path / "raw", "2023-H1", SCOPE))
    errors = data.findings[data.findings.severity == "error"]
    assert sorted(zip(errors.file, errors.sheet, errors.cell, errors.code)) == [
        ("2023-H1/DongXoai_sai.xlsx", "Biểu 1", "B10", "commune_unknown"),
        ("2023-H1/DongXoai_sai.xlsx", "Biểu 1", "E12", "kdc_meeting_gt_total")]
    mine = data.units.loc[DONG_XOAI]
    assert (mine.kdc_total, mine.kdc_registered, mine.kdc_meeting) == (72 - 12 - 9, 72 - 12 - 9, 69 - 11 - 9)
    assert all(mine[k] == v for k, v in DONG_XOAI_TOTALS.items() if not k.startswith("kdc"))
    others = data.units.drop(index=DONG_XOAI)
    assert others.equals(clean.units.drop(index=DONG_XOAI))
