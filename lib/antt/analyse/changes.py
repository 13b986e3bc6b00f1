"""Changes between cycles, for the notebooks: a unit's figures now and in the comparable earlier
cycle (``unit_change``, ``change_table``) and every key of every processed cycle side by side
(``cycle_comparison``, ``comparison_table``). The comparable earlier cycle of a stock is the cycle
just before; of a flow, the previous one of the same kind (H1 with H1). Shown the way
``antt.analyse.tables`` shows its tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from antt.analyse.columns import LABELS, RATES, format_change, format_value
from antt.analyse.meta import REFORM_LABEL, era_line
from antt.analyse.report_frames import in_code_order
from antt.analyse.tables import TOTAL, plain, headline, province_row, province_values
from antt.analyse.view import ACROSS_REFORM, CycleView, comparison, open_cycle
from antt.core import indicators, territory
from antt.core.cycles import parse_cycle, previous, reporting_level
from antt.store.processed import processed_cycles


def _is_flow(column: str) -> bool:
    return indicators.is_flow(column) or (column in RATES and indicators.is_flow(RATES[column].numerator))


def previous_view(view: CycleView, flow: bool = False) -> CycleView | None:
    """The comparable earlier cycle: the cycle just before (stocks) or the previous one of the same
    kind (flows, H1 with H1); None when there is none processed."""
    prev = previous(view.cycle, processed_cycles(view.processed_dir), same_kind=flow)
    return None if prev is None else open_cycle(prev, view.processed_dir, view.scope)


def unit_change(view: CycleView, columns: Sequence[str],
                    of: Callable[[CycleView], pd.DataFrame] | None = None) -> pd.DataFrame:
    """Per district and for the province: each column now, in the comparable earlier cycle
    (``<col>_previous``) and the change (``<col>_change``; for the province, of a count: the sum of
    the changes of the districts with a value in both cycles, as ``analysis.comparison``). ``of``
    builds the frame of a cycle (default ``view.units``). ``frame.attrs["previous"]`` names the
    earlier cycle of each column."""
    build = of or (lambda v: v.units)
    now = build(view)
    if "unit_code" in now:
        now = in_code_order(now)
    out = pd.concat([now[["unit_name", *columns]], province_row(now, columns)], ignore_index=True)
    out = out.astype({c: "Float64" for c in columns})
    attrs = {}
    for c in columns:
        before_view = previous_view(view, _is_flow(c))
        attrs[c] = None if before_view is None else before_view.cycle.id
        if before_view is None:
            before = pd.Series(pd.NA, index=out.index, dtype="Float64")
        else:
            b = build(before_view)
            b = pd.concat([b[["unit_name", c]], province_row(b, [c])], ignore_index=True)
            before = out["unit_name"].map(b.set_index("unit_name")[c]).astype("Float64")
        out[f"{c}_previous"] = before
        out[f"{c}_change"] = out[c] - before
        if c not in RATES:      # the province changes by what its districts with a value in both cycles changed
            out.loc[len(out) - 1, f"{c}_change"] = out[f"{c}_change"].iloc[:-1].sum(min_count=1)
    out = out[["unit_name", *(f"{c}{s}" for c in columns for s in ("", "_previous", "_change"))]]
    out.attrs["previous"] = attrs
    return out


def change_table(view: CycleView, columns: Sequence[str],
                 of: Callable[[CycleView], pd.DataFrame] | None = None) -> Styler:
    """``unit_change`` for reading: a heading per indicator over "kỳ này / kỳ trước / thay đổi",
    units in code order, the province last."""
    d = unit_change(view, columns, of)
    labels = [("", "Đơn vị")]
    for c in columns:
        before = d.attrs["previous"][c]
        before_label = f"kỳ {parse_cycle(before).label}" if before else "kỳ trước (không có)"
        labels += [(LABELS.get(c, c), f"kỳ {view.cycle.label}"), (LABELS.get(c, c), before_label),
                   (LABELS.get(c, c), "Thay đổi")]
    text = pd.DataFrame({"unit_name": d["unit_name"]})
    for c in columns:
        text[c] = d[c].map(lambda x, c=c: format_value(c, x))
        text[f"{c}_previous"] = d[f"{c}_previous"].map(lambda x, c=c: format_value(c, x))
        text[f"{c}_change"] = d[f"{c}_change"].map(lambda x, c=c: format_change(c, x))
    text.columns = pd.MultiIndex.from_tuples(labels)
    styler = plain(text)
    last = len(text) - 1
    return styler.apply(lambda row: [TOTAL if row.name == last else ""] * len(row), axis=1)


def cycle_comparison(view: CycleView) -> pd.DataFrame:
    """Every key and ratio (rows, index key) in every processed cycle, oldest first. Per cycle id:
    ``<id>`` the province value, ``cov <id>`` the units with a value,
    ``exp <id>`` the units expected, and from ``comparison``: ``prev <id>`` the value in the comparable
    earlier cycle (stocks: the cycle just before; flows: the previous one of the same kind), ``Δ <id>``
    the change over the ``common <id>`` of the ``units <id>`` compared that have a value in both cycles, ``basis <id>`` ("units", or "current": on today's communes through the crosswalk)
    and ``reason <id>`` (why a change is empty: no earlier cycle, the new-rural keys across the reform)."""
    present = processed_cycles(view.processed_dir)
    order = [*indicators.KEYS, *(r.name for r in indicators.RATIOS)]
    out = pd.DataFrame({"label": [LABELS[k] for k in order], "flow": [_is_flow(k) for k in order]},
                       index=pd.Index(order, name="key"))
    for c in present:
        v = open_cycle(c, view.processed_dir, view.scope)
        comp = comparison(v).set_index("key").reindex(order)
        out[c.id] = province_values(v).reindex(order)
        out[f"cov {c.id}"] = headline(v)["coverage"].reindex(order)
        out[f"prev {c.id}"] = comp["previous"]
        out[f"Δ {c.id}"] = comp["change"]
        out[f"exp {c.id}"] = v.expected
        out[f"common {c.id}"] = comp["common"].astype(int)
        out[f"units {c.id}"] = comp["units"].astype(int)
        out[f"basis {c.id}"] = comp["basis"]
        out[f"reason {c.id}"] = comp["reason"]
    return out


#: Marks of ``comparison_table``.
ON_CURRENT_MARK, NOT_COMPARED_MARK = "†", "‡"


def comparison_table(view: CycleView) -> Styler:
    """``cycle_comparison`` for reading: a column pair (figure, change) per cycle under what the cycle
    covers (the former provinces and who reported: before 1/7/2025, after), changes signed, the view's
    cycle in bold, the reform a thick rule before the first cycle after it. A figure or change that
    not every unit reported is marked "*", a change taken on today's communes "†", a new-rural change
    not made across the reform "‡"."""
    c = cycle_comparison(view)
    cycles = processed_cycles(view.processed_dir)
    text = pd.DataFrame({("", "", "Chỉ số"): [f"{lab} (trong kỳ)" if flow else lab
                                              for lab, flow in zip(c["label"], c["flow"])]})
    for cycle in cycles:
        era = era_line(territory.after_reform(cycle), view.territory.covers(cycle), reporting_level(cycle))
        star = ["" if n == e else " *" for n, e in zip(c[f"cov {cycle.id}"], c[f"exp {cycle.id}"])]
        text[(era, cycle.label, "Số liệu")] = [format_value(k, v) + m for (k, v), m in zip(c[cycle.id].items(), star)]
        marks = []
        for n, of, v, basis, reason in zip(c[f"common {cycle.id}"], c[f"units {cycle.id}"], c[f"Δ {cycle.id}"],
                                           c[f"basis {cycle.id}"], c[f"reason {cycle.id}"]):
            mark = NOT_COMPARED_MARK if reason == ACROSS_REFORM else ""
            mark += ON_CURRENT_MARK if basis == "current" and not pd.isna(v) else ""
            mark += "*" if not pd.isna(v) and n != of else ""
            marks.append(f" {mark}" if mark else "")
        text[(era, cycle.label, "Thay đổi")] = [format_change(k, v) + m
                                                for (k, v), m in zip(c[f"Δ {cycle.id}"].items(), marks)]
    text.columns = pd.MultiIndex.from_tuples(text.columns)
    styler = plain(text)
    mine = [col for col in text.columns if col[1] == view.cycle.label]
    styler = styler.set_properties(subset=mine, **{"font-weight": "bold"})
    after = [i for i, c in enumerate(cycles) if territory.after_reform(c)]
    if after and after[0] > 0:           # the reform: a thick rule before the first cycle after it
        first = 1 + 2 * after[0]
        styler = styler.set_properties(subset=[text.columns[first]], **{"border-left": "3px solid #555"})
        styler = styler.set_table_styles([{"selector": f"th.col{first}", "props": "border-left: 3px solid #555"}],
                                          overwrite=False)
    return styler.set_caption(
        "Thay đổi: chỉ số tồn cuối kỳ so với kỳ liền trước; chỉ số phát sinh “trong kỳ” so với kỳ cùng loại "
        "trước đó (6 tháng với 6 tháng, năm với năm), cộng trên các đơn vị có số liệu ở cả hai kỳ. "
        "* Không đủ số liệu của tất cả các đơn vị. "
        f"Đường kẻ đậm: {REFORM_LABEL}. {ON_CURRENT_MARK} So sánh qua đợt sắp xếp đơn vị hành chính 1/7/2025: cả hai kỳ được quy về các xã, "
        "phường hiện nay (số liệu xã cũ cộng vào xã mới nhận địa bàn), cộng trên các xã, phường có số liệu ở cả "
        f"hai kỳ. {NOT_COMPARED_MARK} Chỉ số nông thôn mới không so sánh qua đợt sắp xếp (xã cũ và xã mới khác nhau).")


