"""The interactive view for JupyterLab: pick the cycle, the unit and the indicator; the table
(sortable and filterable: itables' DataTables widget, whose scripts ship in the package, so it works
offline) and the chart follow.

Khung xem tương tác trong JupyterLab: chọn kỳ, đơn vị và chỉ số; bảng (sắp xếp, lọc được) và biểu
đồ cập nhật theo. ``explorer()`` trong một ô notebook.

The unit list is the territory ("Toàn địa bàn": its reporting units), then each reporting unit: a
district shows its communes, a commune (from the 2025 reform on) its residential areas. Rows are
``rows(cycle, unit, key, province)`` of ``antt.analyse.explore``; ``readable`` gives them Vietnamese
headings (shares in %, so that they sort as numbers).
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from itables.widget import ITable

from antt.analyse import explore
from antt.analyse.columns import LABELS
from antt.analyse.view import KEY_LABELS, open_cycle
from antt.core import config, indicators
from antt.core.units import COMMUNE
from antt.store.processed import processed_cycles

TERRITORY = ""            # the unit list's first entry: the whole territory
_HEADERS = {"unit_name": "Đơn vị", "commune_name": "Xã, phường, thị trấn", "area": "Khu dân cư",
            "registered": "Đã đăng ký", "meeting": "Đạt chuẩn"}


def rows(cycle, unit: str, key: str, province: str | None = None) -> pd.DataFrame:
    """What the view shows: the territory's reporting units (``unit`` empty), a district's communes,
    or a commune's residential areas (in a commune-level cycle), with ``key``.

    Các dòng của khung xem: các đơn vị báo cáo, các xã của một huyện, hoặc các khu dân cư của một xã."""
    if unit == TERRITORY:
        return explore.values(key, cycle, province=province)
    u = explore.find_unit(unit, cycle, province)
    if u.level == COMMUNE and open_cycle(cycle, scope=province).level == COMMUNE:
        return explore.areas(u.code, cycle, province)
    return explore.values(key, cycle, u.code, province, by="commune")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with Vietnamese headings, codes and the cycle left out, shares in %, yes/no words."""
    d = frame.drop(columns=[c for c in frame.columns if c == "cycle" or c.endswith("_code")])
    if "commune_name" in d and d["commune_name"].equals(d["unit_name"]):     # a commune-level cycle
        d = d.drop(columns="commune_name")
    out = {}
    for c in d.columns:
        if c.endswith("_share"):
            out[f"{LABELS.get(c, c)} (%)"] = (d[c].astype("Float64") * 100).round(1)
        elif c in ("registered", "meeting"):
            out[_HEADERS[c]] = d[c].map({True: "có", False: "không"}).fillna("–")
        else:
            out[_HEADERS.get(c) or LABELS.get(c, c)] = d[c]
    return pd.DataFrame(out)


class Explorer(widgets.VBox):
    """Three lists (cycle, unit, indicator), a DataTables table and a bar chart."""

    def __init__(self, cycle=None, province: str | None = None, key: str = "kdc_meeting_share"):
        self.province = province
        present = processed_cycles(config.PROCESSED_DIR)
        start = open_cycle(cycle, scope=province).cycle
        self.cycle = widgets.Dropdown(description="Kỳ", value=start.id,
                                      options=[(f"{c.label} ({c.id})", c.id) for c in present])
        self.unit = widgets.Dropdown(description="Đơn vị", options=self._units(start.id), value=TERRITORY)
        self.key = widgets.Dropdown(description="Chỉ số", value=key, options=[
            (label, name) for name, label in KEY_LABELS.items()])
        self.table = ITable(caption="", classes="display compact")
        self.chart = widgets.Output()
        super().__init__([widgets.HBox([self.cycle, self.unit, self.key]), self.table, self.chart])
        self.add_class("antt-explorer")
        self.cycle.observe(self._cycle_changed, names="value")
        self._updating = False
        for w in (self.unit, self.key):
            w.observe(lambda _: None if self._updating else self.refresh(), names="value")
        self.refresh()

    def _units(self, cycle: str) -> list[tuple[str, str]]:
        units = open_cycle(cycle, scope=self.province).units
        return [("Toàn địa bàn", TERRITORY)] + list(zip(units["unit_name"], units["unit_code"]))

    def _cycle_changed(self, _) -> None:
        kept, self._updating = self.unit.value, True
        options = self._units(self.cycle.value)
        self.unit.options = options
        self.unit.value = kept if kept in {code for _, code in options} else TERRITORY
        self._updating = False
        self.refresh()

    @property
    def frame(self) -> pd.DataFrame:
        """The rows shown now (English columns)."""
        return rows(self.cycle.value, self.unit.value, self.key.value, self.province)

    def refresh(self) -> None:
        frame = self.frame
        name = dict((code, label) for label, code in self.unit.options)[self.unit.value]
        self.table.update(readable(frame), caption=f"{name} — kỳ {self.cycle.value}")
        self.chart.outputs = ()           # the widget's state, not a capture of the kernel's output
        if self.key.value in frame and len(frame):
            self.chart.append_display_data(_bars(frame, self.key.value))


def _bars(frame: pd.DataFrame, key: str):
    """A horizontal bar per row, lowest at the top; a share in %, with the cycle's target if any."""
    label = "commune_name" if "commune_name" in frame else "unit_name" if "unit_name" in frame else "scope_name"
    d = frame[[label, key]].dropna().sort_values(key, ascending=False)
    share = key.endswith("_share")
    values = d[key].astype(float) * (100 if share else 1)
    fig, ax = plt.subplots(figsize=(10, 0.25 * len(d) + 1.2))
    ax.barh(d[label].astype(str), values, color="#3B6E8F")
    ratio = indicators.RATIO.get(key)
    if ratio is not None and ratio.target_key:
        target = open_cycle(frame["cycle"].iloc[0]).targets[ratio.target_key]
        ax.axvline(target * 100, color="#C0504D", linestyle="--", label=f"Chỉ tiêu {target:.0%}".replace(".", ","))
        ax.legend(loc="lower right")
    ax.set_title(KEY_LABELS[key] + (" (%)" if share else ""), loc="left")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def explorer(cycle=None, province: str | None = None, key: str = "kdc_meeting_share") -> Explorer:
    """The interactive view over ``province`` (None: the configured province), starting at ``cycle``
    (None: the latest processed) and ``key``.

    Khung xem tương tác trên địa bàn ``province``, bắt đầu ở kỳ ``cycle`` và chỉ số ``key``."""
    return Explorer(cycle, province, key)
