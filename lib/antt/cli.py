"""The ``antt`` command (shared contract): summary, ingest, validate, report, sample, template.

Exit codes: 0 done; 1 an error finding (``validate``; ``summary --strict``) or a failed run
(``report``); 2 a usage error. No traceback reaches the user for bad input files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from antt.core import config, text
from antt.core.cycles import choose, cycles_in, parse_cycle
from antt.core.findings import SEVERITY_LABEL


class UsageError(Exception):
    """Wrong arguments: printed, exit code 2."""


def _scope(value: str) -> str:
    return value if value == "all" else str(value).strip()


def _pick_cycle(raw: Path, cycle_id: str | None):
    return choose(cycle_id, cycles_in(raw), raw)


def _print_by_province(obj: dict, data, h) -> None:
    """One line per province: units reporting, residential areas meeting the standard, new-rural xã, cameras."""
    from antt.core.indicators import RATIO, province_ratio
    from antt.summary import province_of

    of = {u: province_of(h.unit(u), h) for u in data.units_expected}
    reporting = Counter(of[u] for u in data.units_reporting)
    expected = Counter(of.values())
    names = {p: h.unit(p).name for p in obj["by_province"]}
    width = max(map(len, names.values()))
    n = text.format_number
    print()
    print(f"  {'Tỉnh, thành phố':<{width}}  {'báo cáo':>9}  {'KDC đạt chuẩn / tổng số':>30}  "
          f"{'xã đạt NTM / số xã':>18}  {'camera':>9}")
    for p, v in obj["by_province"].items():
        share = province_ratio((row for u, row in data.unit_values.items() if of[u] == p), RATIO["kdc_meeting_share"])
        kdc = f"{n(v['kdc_meeting'])} / {n(v['kdc_total'])} ({text.format_percent(share)})"
        print(f"  {names[p]:<{width}}  {f'{reporting[p]}/{expected[p]}':>9}  {kdc:>30}  "
              f"{n(v['ntm_met']) + ' / ' + n(v['ntm_communes']):>18}  {n(v['cameras']):>9}")


LEVEL_LABEL = {"district": "cấp huyện", "commune": "cấp xã"}


def _print_summary(obj: dict, data) -> None:
    from antt.core import territory, units
    from antt.core.indicators import KEYS
    h = units.hierarchy_on(data.cycle.end)
    print(f"Kỳ {obj['cycle']} ({data.cycle.label}) — {territory.resolve(obj['province_code']).name}")
    missing = obj["missing_units"]
    print(f"Đơn vị báo cáo ({LEVEL_LABEL[obj['reporting_level']]}): {obj['units_reporting']}/{obj['units_expected']}"
          + (f"; chưa báo cáo: {', '.join(h.unit(c).name for c in missing[:30])}" if missing else "")
          + (f" và {len(missing) - 30} đơn vị khác" if len(missing) > 30 else ""))
    print()
    width = max(len(k.label) for k in KEYS.values())
    for name, key in KEYS.items():
        v = obj["totals"][name]
        shown = text.format_number(v, 0 if v is None or float(v).is_integer() else 1)
        print(f"  {key.label:<{width}}  {shown:>9}  ({obj['coverage'][name]}/{obj['units_expected']} đơn vị)")
    if obj["province_code"] == "all":
        _print_by_province(obj, data, h)
    print()
    status = {"loaded": "đã nạp", "superseded": "bị thay thế", "rejected": "bị từ chối"}
    print("Tệp:")
    for f in obj["files"]:
        print(f"  [{status[f['status']]}] {f['file']}")
    counts = {s: sum(1 for f in obj["findings"] if f["severity"] == s) for s in SEVERITY_LABEL}
    print()
    print("Phát hiện: " + ", ".join(f"{counts[s]} {SEVERITY_LABEL[s].lower()}" for s in SEVERITY_LABEL))
    for f in obj["findings"]:
        if f["severity"] != "info":
            where = " › ".join(str(x) for x in (f["file"], f["sheet"], f["cell"] or (f"dòng {f['row']}" if f["row"] else None)) if x)
            print(f"  {SEVERITY_LABEL[f['severity']]}: {where}: {f['message']} [{f['code']}]")


def cmd_summary(args) -> int:
    from antt.read.quiet import quiet_stderr
    from antt.store.ingest import load_with_history
    from antt.summary import summary_object
    raw = Path(args.raw)
    cycle = _pick_cycle(raw, args.cycle)
    with quiet_stderr():                       # what a reader's panic prints (it is a finding)
        data = load_with_history(raw, cycle, _scope(args.province))
    obj = summary_object(data, units_now=args.units == "current")
    if args.json:
        json.dump(obj, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print_summary(obj, data)
    return 1 if args.strict and any(f["severity"] == "error" for f in obj["findings"]) else 0


def cmd_ingest(args) -> int:
    from antt.read.quiet import quiet_stderr
    from antt.store.ingest import ingest
    raw = Path(args.raw)
    if not cycles_in(raw):
        raise UsageError(f"không có kỳ báo cáo nào trong {raw}")
    with quiet_stderr():
        outcomes = ingest(raw, Path(args.out), force=args.force, scope=_scope(args.province))
    for o in outcomes:
        if o.action == "skipped":
            print(f"{o.cycle}: không đổi, bỏ qua ({o.files} tệp)")
        else:
            print(f"{o.cycle}: đã ghi ({o.files} tệp, {o.errors} lỗi)")
    return 0


def cmd_sample(args) -> int:
    from antt.make.sample import DEFAULT_CYCLES, write_sample
    cycles = [c.strip() for c in args.cycles.split(",") if c.strip()] if args.cycles else list(DEFAULT_CYCLES)
    for c in cycles:
        try:
            parse_cycle(c)
        except ValueError:
            raise UsageError(f"mã kỳ không hợp lệ: {c!r}") from None
    write_sample(Path(args.out), cycles, _scope(args.province))
    print(f"Đã ghi báo cáo mẫu cho {len(cycles)} kỳ vào {args.out}")
    return 0


def _print_findings(findings: list) -> None:
    for f in findings:
        print(f"  {SEVERITY_LABEL[f.severity]}: {f}")


def cmd_validate(args) -> int:
    from antt.core import units
    from antt.check import validate
    from antt.core.cycles import is_cycle_id
    from antt.core.findings import finding
    from antt.read.quiet import quiet_stderr
    from antt.read.returns import load_return, stated_cycle
    errors = False
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"không có tệp {name}")
        in_folder = is_cycle_id(path.parent.name)
        with quiet_stderr():
            cycle = parse_cycle(path.parent.name) if in_folder else stated_cycle(path)
            if cycle is None:
                items = [finding("period_unknown", path.name)]
                status = "rejected"
            else:
                hierarchy = units.hierarchy_on(cycle.end)
                raw = path.parent.parent if in_folder else path.parent
                ret = load_return(path, raw, cycle, _scope(args.province), hierarchy)
                validate.validate_return(ret, cycle, hierarchy)
                if ret.status == "loaded":
                    validate.timeliness(ret, cycle)
                items, status = ret.findings, ret.status
        errors = errors or any(f.severity == "error" for f in items)
        if args.json:
            print(json.dumps({"file": str(path), "cycle": cycle.id if cycle else None, "status": status,
                              "findings": [f.as_dict() for f in items]}, ensure_ascii=False))
        else:
            shown = {"loaded": "đọc được", "rejected": "bị từ chối"}[status]
            print(f"{path} — kỳ {cycle.id if cycle else '?'} — {shown}, {len(items)} phát hiện")
            _print_findings(items)
    return 1 if errors else 0


def cmd_template(args) -> int:
    from antt.make.template import write_templates
    try:
        paths = write_templates(args.cycle, Path(args.out) if args.out else None, args.unit, _scope(args.province))
    except ValueError as e:
        raise UsageError(str(e)) from None
    print(f"Đã ghi {len(paths)} mẫu báo cáo vào {paths[0].parent if paths else args.out}")
    return 0


def cmd_report(args) -> int:
    from antt.pipeline import run_report
    if args.cycle:
        _pick_cycle(config.RAW_DIR, args.cycle)
    try:
        out = run_report(args.cycle)
    except Exception as e:                     # a failed run: said plainly, exit 1
        print(f"antt report: thất bại: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"Báo cáo đã ghi vào {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="antt", description="Báo cáo phong trào Toàn dân bảo vệ an ninh Tổ quốc")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="số liệu chính, tệp và phát hiện của một kỳ")
    s.add_argument("--raw", default=str(config.RAW_DIR), help="thư mục báo cáo gốc (mặc định data/raw)")
    s.add_argument("--cycle", help="mã kỳ: 2023-H1 (6 tháng) hoặc 2023 (năm); mặc định kỳ mới nhất")
    s.add_argument("--province", default=config.PROVINCE_CODE, help="mã tỉnh (mặc định %(default)s; mã tỉnh cũ như 70 cũng được) hoặc all")
    s.add_argument("--json", action="store_true", help="in một đối tượng JSON (theo hợp đồng chung)")
    s.add_argument("--strict", action="store_true", help="trả mã 1 nếu có phát hiện mức lỗi")
    s.add_argument("--units", choices=["current"], help="current: số theo đơn vị cấp xã hiện nay (quy đổi qua sắp xếp 2025)")
    s.set_defaults(func=cmd_summary)
    s = sub.add_parser("ingest", help="mọi kỳ trong thư mục raw -> Parquet")
    s.add_argument("--raw", default=str(config.RAW_DIR), help="thư mục báo cáo gốc (mặc định data/raw)")
    s.add_argument("--out", default=str(config.PROCESSED_DIR), help="thư mục dữ liệu đã xử lý (mặc định data/processed)")
    s.add_argument("--force", action="store_true", help="xử lý lại cả các kỳ không thay đổi")
    s.add_argument("--province", default=config.PROVINCE_CODE, help="mã tỉnh (mặc định %(default)s; mã tỉnh cũ như 70 cũng được) hoặc all")
    s.set_defaults(func=cmd_ingest)
    s = sub.add_parser("sample", help="báo cáo mẫu, xác định")
    s.add_argument("--out", required=True, help="thư mục ghi báo cáo mẫu (DIR/<kỳ>/...)")
    s.add_argument("--cycles", help="các kỳ, cách nhau bằng dấu phẩy (mặc định 2022-H1,2022,2023-H1,2025,2026-H1)")
    s.add_argument("--province", default=config.PROVINCE_CODE, help="mã tỉnh (mặc định %(default)s; mã tỉnh cũ như 70 cũng được) hoặc all")
    s.set_defaults(func=cmd_sample)
    s = sub.add_parser("validate", help="kiểm tra báo cáo trước khi gửi")
    s.add_argument("files", nargs="+", metavar="FILE", help="tệp báo cáo cần kiểm tra")
    s.add_argument("--json", action="store_true", help="mỗi tệp một dòng JSON")
    s.add_argument("--province", default=config.PROVINCE_CODE, help="mã tỉnh (mặc định %(default)s)")
    s.set_defaults(func=cmd_validate)
    s = sub.add_parser("report", help="nạp, kiểm tra, chạy notebook, biểu đồ, bản trình chiếu, bảng tổng hợp")
    s.add_argument("--cycle", help="mã kỳ; mặc định kỳ mới nhất trong data/raw")
    s.set_defaults(func=cmd_report)
    s = sub.add_parser("template", help="mẫu báo cáo trống cho các đơn vị báo cáo của kỳ (cấp huyện hoặc cấp xã)")
    s.add_argument("--cycle", required=True, help="mã kỳ của mẫu, ví dụ 2024-H1")
    s.add_argument("--out", help="thư mục ghi mẫu (mặc định data/templates/<kỳ>)")
    s.add_argument("--unit", "--district", dest="unit",
                   help="chỉ một đơn vị báo cáo (mã: đơn vị cấp huyện như 692, cấp xã như 26116)")
    s.add_argument("--province", default=config.PROVINCE_CODE, help="mã tỉnh (mặc định %(default)s)")
    s.set_defaults(func=cmd_template)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code not in (0, None) else 0
    try:
        return args.func(args)
    except (UsageError, ValueError) as e:
        print(f"antt: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
