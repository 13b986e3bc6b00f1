"""Charts: frames in, matplotlib Figures out. No file I/O (``antt.publish.chart_files`` writes the files).

``kit`` holds what every chart shares; the charts are grouped by theme: ``kdc_ntm`` (residential
areas, new-rural xã), ``activities`` (models, cameras, outreach, bright spots), ``overview`` (across
cycles, the map, completeness of the returns).

House style is data (``antt.publish.house_style``): ``style/antt.mplstyle`` (font, sizes, spines,
grid, a colour cycle without the status colours) applied with ``matplotlib.style.context`` inside every
function, so importing these modules changes no global state, and ``PALETTE`` for colours with a
meaning. The status colours ("good" = đạt, "bad" = chưa đạt, "warn" = close to it) mean only that;
every other series takes "primary", "secondary", "accent" or ``SERIES``. ``overlaps.overlaps(fig)``
checks a drawn chart: no text over another text or a line, none outside the figure. Every chart:

- is a ``matplotlib.figure.Figure`` (no pyplot state, nothing to close) of 13.333 × 7.5 in (16:9);
- has a left-aligned Vietnamese title (``fig.get_suptitle()``), a subtitle with the period under it
  and the source line bottom-left ("Nguồn: báo cáo của 11/11 đơn vị cấp huyện, kỳ …"), from
  ``antt.analyse.meta.ChartMeta``;
- writes numbers the Vietnamese way (1.234; 79,1 %) via ``antt.core.text``;
- writes a missing value as "không có số liệu", never draws it as zero;
- uses DejaVu Sans, which covers every Vietnamese letter;
- ranks the units it compares by the value it shows, largest first, ties by name (``kit.unit_rows``);
- per unit: every unit up to ``report_frames.MAX_UNITS`` (24; the 22 districts of the former provinces),
  above it (the 95 communes of Đồng Nai) the highest and the lowest, the units between one labelled
  gap ("… 75 đơn vị khác, từ 1,6 đến 6,8") and a note bottom-right "Hiển thị 24/95 đơn vị: …"
  (``kit.unit_rows``, ``kit.mark_gap``): bars of 95 units on a 16:9 slide cannot be read.

Input frames (the caller builds them from processed data; values are floats, NaN/NA = no data):

``units``
    one row per unit: ``unit_name`` (a district's short name, "Lộc Ninh"; a commune's full name,
    "Xã Tân Phú"), optional ``unit_code``,
    and any of the 15 summary keys of ``antt.core.indicators`` (kdc_total, kdc_registered, kdc_meeting,
    ntm_communes, ntm_met, models_residential, models_institutional, communes_with_models, cameras,
    broadcast_hours, banners_posters, bright_spots_upper, bright_spots_commune, core_groups,
    core_group_members).
``ntm``
    one row per xã of table ``ntm``: ``ntm_criteria_met`` (0–19), ``ntm_met`` (bool), ``ntm_year``.
``trend``
    one row per cycle × key: ``cycle`` ("2023-H1"), ``cycle_label`` ("6 tháng đầu năm 2023"),
    ``key`` (a summary key or a ratio of ``antt.core.indicators.RATIOS``), ``value``; optionally
    ``covers`` and ``level`` (``CycleView.trend``: what each point covers, who reported), ``reported``
    and ``expected`` (``view.trend``: units with a value, units expected).
``models``
    one row per model: ``unit_name``, ``model_type`` (one of ``forms.MODEL_TYPES``),
    ``setting`` ("residential" / "institutional"), ``cameras``.
``communes``
    one row per commune: ``commune_code``, ``commune_name``, ``unit_name``, ``lat``, ``lon``, optional
    ``ntm_criteria_met``,
    ``status`` (a short category: "Đạt chuẩn NTM", "Chưa đạt", "Không phải xã",
    "100 % KDC đạt chuẩn", "Dưới 95 %", "Không có số liệu", …).
``completeness``
    district × table matrix of "received" / "empty" / "missing" / "rejected": index (or a column)
    ``unit_name``, one column per table id (kdc, ntm, models, outreach, bright_spots); or the
    long form with columns ``unit_name``, ``table``, ``status``.
"""
