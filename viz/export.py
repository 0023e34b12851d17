"""Every chart by name, with the table it is drawn from, and its export to PNG, HTML and CSV.

:func:`chart` is the one place that turns runs into (data, figure), so the dashboard draws, and
the download buttons export, the same chart from the same table. PNG goes through kaleido, which
drives the system Chromium (``BROWSER_PATH``, default ``/usr/bin/chromium``); HTML is a standalone
page with plotly.js inlined, readable offline.
"""

from __future__ import annotations

import os
import re
import shutil

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from parksim.experiments.compare import paired_differences
from parksim.experiments.headline import HEADLINE
from parksim.simulation.sectors import default_sectors

from . import figures, i18n
from .data import RunData
from .park_costs import base_year, park_costs

FORMATS = ("png", "html", "csv")
# Every series column drawn by a fan chart (for A versus B).
COLUMNS = tuple(col for spec in figures.FANS for col in spec.columns)
TABLE_COLUMNS = ["metric", "n", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "rel_change", "significant"]


def sector_keys() -> tuple[str, ...]:
    return default_sectors().keys


def sector_names(lang: str) -> dict[str, str] | None:
    """Sector names as the audience reads them (Chinese from the sector catalogue); None: the keys."""
    sectors = default_sectors()
    return dict(zip(sectors.keys, sectors.names_zh)) if lang == "zh" else None


def extra_metrics(a: RunData, b: RunData) -> tuple[str, ...]:
    """Metrics both runs carry beyond the headline ones that the translation table names (e.g. a cost per
    job once the runner reports one): they join the comparison table and the verdicts without a code change."""
    shared = [c for c in a.metrics.columns if c in set(b.metrics.columns) and c not in HEADLINE]
    return tuple(c for c in shared if c.removeprefix("total_") in i18n.METRICS)


def comparison_table(a: RunData, b: RunData, metrics: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Headline metrics (final year, totals; and :func:`extra_metrics`) of B − A paired on common seeds,
    95% CI (stored units)."""
    metrics = (*HEADLINE, *extra_metrics(a, b)) if metrics is None else metrics
    table = paired_differences(a.metrics, b.metrics, metrics)
    return table[TABLE_COLUMNS] if len(table) else pd.DataFrame(columns=TABLE_COLUMNS)


def shown_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The comparison table as people read it: plain metric names, display units (亿元, %), numbers
    without scientific notation, the relative change in %, the CI as one column."""
    rows = []
    for r in table.itertuples(index=False):
        factor, unit = i18n.metric_unit(r.metric, lang)
        rows.append({i18n.t("col.metric", lang): i18n.metric_name(r.metric, lang), i18n.t("col.unit", lang): unit,
                     i18n.t("col.n", lang): i18n.number(r.n),
                     i18n.t("col.mean_a", lang): i18n.number(r.mean_a * factor),
                     i18n.t("col.mean_b", lang): i18n.number(r.mean_b * factor),
                     i18n.t("col.diff", lang): i18n.number(r.diff * factor),
                     i18n.t("col.ci", lang): f"{i18n.number(r.ci_low * factor)} … {i18n.number(r.ci_high * factor)}",
                     i18n.t("col.rel_change", lang): i18n.percent(r.rel_change),
                     i18n.t("col.significant", lang): i18n.t("yes" if r.significant else "no", lang)})
    return pd.DataFrame(rows)


def table_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """A table as a figure (so that it exports to PNG and HTML like the charts)."""
    cells = [[i18n.number(v) if isinstance(v, float) else str(v) for v in table[c]] for c in table.columns]
    fig = go.Figure(go.Table(header={"values": list(table.columns), "align": "left"},
                             cells={"values": cells, "align": "left"}))
    fig.update_layout(title=title, height=max(300, 60 + 24 * len(table)), margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      font={"family": figures.FONT})
    return fig


def chart(name: str, runs: list[RunData], *, column: str = "output", year: int | None = None,
          park: int | None = None, replication: int | None = None, lang: str = "en") -> tuple[pd.DataFrame, go.Figure]:
    """(data, figure) of chart ``name`` for ``runs`` (one run, or A and B for the ``ab-`` charts).

    Names: ``fan:<id>`` for each of :data:`figures.FANS`; ``map`` (``year``, ``replication``);
    ``flows`` and ``network`` (``year``, ``park``, ``replication``); ``ab-fan``, ``ab-diff`` (``column``),
    ``ab-table``; ``costs`` (per park and city, :func:`cost_chart`).
    """
    if name.startswith("fan:"):
        spec = figures.FAN_BY_ID[name[4:]]
        run = runs[0]
        data = run.series[["replication", "seed", "year", *spec.columns]]
        return data, figures.fan_chart({run.label: data}, spec, lang)
    if name == "map":
        run = runs[0]
        parks = run.parks_of(replication)
        year = year if year is not None and year in set(parks["year"]) else None
        return parks, figures.park_map(parks, sector_keys(), year, lang, shows(run, replication, lang),
                                       sector_names(lang), run.places_of(replication))
    if name == "flows":
        run = runs[0]
        nodes, edges = run.network(replication)
        year = year if year is not None and year in set(nodes["year"]) else int(nodes["year"].max())
        flows = figures.sector_flows(nodes, edges, year, park)
        where = i18n.t("all.parks", lang) if park is None else i18n.t("net.park", lang, park=park)
        title = i18n.t("flows.title", lang, where=where, year=year, e=int(flows["links"].sum()))
        return flows, figures.chain_sankey(flows, sector_keys(), f"{title}<br><sup>{shows(run, replication, lang)}</sup>",
                                           lang, sector_names(lang))
    if name == "network":
        run = runs[0]
        nodes, edges = run.network(replication)
        year = year if year is not None and year in set(nodes["year"]) else int(nodes["year"].max())
        fig = figures.network_figure(nodes, edges, year, sector_keys(), park, lang, shows(run, replication, lang),
                                     sector_names(lang))
        ends = nodes[nodes["year"] == year].drop(columns="year")
        data = (edges[edges["year"] == year]
                .merge(ends.add_prefix("supplier_"), left_on="supplier", right_on="supplier_firm")
                .merge(ends.add_prefix("customer_"), left_on="customer", right_on="customer_firm")
                .drop(columns=["supplier_firm", "customer_firm"]))
        if park is not None:
            data = data[(data["supplier_park"] == park) & (data["customer_park"] == park)]
        return data, fig
    if name == "costs":
        return cost_chart(runs[0], lang)
    a, b = runs
    labels = (a.label, b.label)
    if name == "ab-fan":
        spec = figures.FanSpec(column, (column,))
        data = pd.concat([a.series.assign(run=a.label), b.series.assign(run=b.label)])[
            ["run", "replication", "seed", "year", column]]
        return data, figures.fan_chart({a.label: a.series, b.label: b.series}, spec, lang)
    if name == "ab-diff":
        return (figures.difference_table(a.series, b.series, column),
                figures.difference_chart(a.series, b.series, column, labels, lang))
    if name == "ab-table":
        table = comparison_table(a, b)
        return table, table_figure(shown_table(table, lang), i18n.t("table.title", lang, a=a.label, b=b.label))
    raise ValueError(f"chart {name!r}: allowed fan:<id>, map, flows, network, costs, ab-fan, ab-diff, ab-table")


def cost_chart(run: RunData, lang: str) -> tuple[pd.DataFrame, go.Figure]:
    """(per-account costs, their figure) of a run; a note instead where the run has no finance table or no
    year after the rules' base year."""
    table = park_costs(run)
    if table is None or table.empty:
        return pd.DataFrame(), figures.note_figure(i18n.t("costs.park.none" if table is None else "costs.park.empty", lang))
    years = sorted(int(y) for y in run.series["year"].unique() if y > base_year(run))
    sub = i18n.t("costs.park.sub", lang, label=run.label,
                 years=i18n.t("costs.years", lang, first=years[0], last=years[-1]) if years else "")
    title = i18n.t("costs.park.title", lang, n=run.replications) + f"<br><sup>{sub}</sup>"
    return table, figures.cost_figure(table, title, lang)


def shows(run: RunData, replication: int | None, lang: str) -> str:
    """Which run and replication a map or network shows, e.g. "lanzhou_2012, replication 0 (seed 123)"."""
    r = run.pick(replication)
    return i18n.t("map.sub", lang, label=run.label, r=r, seed=run.replication_seeds().get(r, "–"))


def ensure_browser() -> None:
    """Point kaleido at the system Chromium unless ``BROWSER_PATH`` already says where a browser is."""
    if not os.environ.get("BROWSER_PATH"):
        found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if found:
            os.environ["BROWSER_PATH"] = found


KALEIDO_TRIES = 3
"""kaleido's headless Chromium now and then runs an export before its page has loaded its own scripts
(a JavascriptError "kaleido_scopes is not defined", seen on a loaded machine): the export is pure, so
it is tried again, and any other error is raised at once."""


def render(data: pd.DataFrame, fig: go.Figure, fmt: str) -> bytes:
    """The chart as PNG (kaleido), standalone HTML (plotly.js inlined) or its data as CSV."""
    if fmt == "csv":
        return data.to_csv(index=False).encode("utf-8")
    if fmt == "html":
        return pio.to_html(fig, include_plotlyjs=True, full_html=True).encode("utf-8")
    if fmt == "png":
        ensure_browser()
        for attempt in range(KALEIDO_TRIES):
            try:
                return fig.to_image(format="png", width=1200, height=int(fig.layout.height or 500), scale=1)
            except Exception as e:  # noqa: BLE001 - kaleido's JavascriptError lives in a private module
                if attempt == KALEIDO_TRIES - 1 or "kaleido_scopes" not in str(e):
                    raise
    raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")


def filename(name: str, runs: list[RunData], fmt: str, year: int | None = None) -> str:
    """A file name naming the chart, the run(s) and the year shown, safe on any file system."""
    stem = "_vs_".join(r.label for r in runs) + "_" + name + (f"_{year}" if year is not None else "")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_") + "." + fmt
