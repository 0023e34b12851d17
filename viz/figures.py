"""Figure builders: tables in, plotly Figure out; pure, so the dashboard, the exports and the report
draw exactly the same charts from the same data.

Tables are the runner's: ``series`` (one row per replication and year, with ``replication`` and
``seed``), ``parks`` (the park panel of one replication), network ``nodes`` / ``edges`` (one
replication, per year) and sweep ``metrics`` (one row per run with the design factors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from parksim.experiments.compare import mean_ci, paired_differences
from parksim.simulation.places import SYNTHETIC
from parksim.simulation.sectors import STAGES

from . import i18n, outlines


@dataclass(frozen=True)
class FanSpec:
    """One headline chart: its id and the series columns it draws. Titles, line names and units come
    from :mod:`parksim.viz.i18n` (the chart's title from ``FAN_TITLES`` or its first column's name)."""

    id: str
    columns: tuple[str, ...]

    def title(self, lang: str) -> str:
        return i18n.pick(i18n.FAN_TITLES[self.id], lang) if self.id in i18n.FAN_TITLES else \
            i18n.metric_name(self.columns[0], lang)


FANS = tuple(FanSpec(i, c) for i, c in (
    ("output", ("output",)), ("tax_per_mu", ("tax_per_mu",)), ("investment_intensity", ("investment_intensity",)),
    ("land", ("land_granted", "land_built", "land_idle")), ("entries_exits", ("entries", "exits")),
    ("leading_share", ("declared_share",)), ("eg_gamma", ("eg_gamma_mean",)),
    ("chain_completeness", ("chain_completeness",)), ("local_sourcing", ("local_sourcing",)),
    ("parks_sanctioned", ("parks_warned", "parks_revoked", "parks_upgraded")), ("subsidies", ("subsidies_paid",))))
FAN_BY_ID = {f.id: f for f in FANS}

# Qualitative palette (plotly's D3 then Alphabet): 36 distinct colours, more than the 29 sectors.
PALETTE = tuple(qualitative.D3) + tuple(c for c in qualitative.Alphabet if c not in qualitative.D3)
BAND_LOW, BAND_HIGH = 0.05, 0.95
# CJK fonts first, so that Chinese text renders in the page and in kaleido's PNG exports alike.
# Every chart's look. As plotly's default, a new figure takes it by reference; naming it per figure
# (update_layout(template=…)) copied and validated the whole template each time: half the CPU of
# drawing the eleven time-series charts (0.27 of 0.65 s), paid again on every streamed redraw.
pio.templates.default = "plotly_white"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MAP_LABELS = 10             # the largest parks of the year are labelled with their names on the map
WEBGL_ABOVE = 4000          # network nodes above which the network is drawn with WebGL


def colour_of(key: str, keys: list[str] | tuple[str, ...]) -> str:
    """A stable colour for ``key`` by its position in ``keys`` (sectors, scenarios …)."""
    return PALETTE[list(keys).index(key) % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def fan_table(series: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per year: median and the 5-95% band of ``column`` over replications (NaN years dropped)."""
    g = series[["year", column]].dropna().groupby("year")[column]
    return pd.DataFrame({"median": g.median(), "low": g.quantile(BAND_LOW), "high": g.quantile(BAND_HIGH),
                         "n": g.size()}).reset_index()


def fan_chart(runs: dict[str, pd.DataFrame], spec: FanSpec, lang: str = "en") -> go.Figure:
    """Median line and 5-95% band over replications for each labelled run and each column of ``spec``,
    in the unit the audience reads (e.g. output in 亿元, shares in %)."""
    fig = go.Figure()
    traces = [(label, col) for label in runs for col in spec.columns]
    factor, unit = i18n.metric_unit(spec.columns[0], lang)
    for i, (label, col) in enumerate(traces):
        colour = PALETTE[i % len(PALETTE)]
        t = fan_table(runs[label], col)
        name = i18n.metric_name(col, lang)
        legend = " · ".join(x for x in (label if len(runs) > 1 else "", name if len(spec.columns) > 1 else "") if x)
        legend = legend or name
        fig.add_trace(go.Scatter(x=t["year"], y=t["high"] * factor, mode="lines", line={"width": 0}, hoverinfo="skip",
                                 showlegend=False, legendgroup=legend))
        fig.add_trace(go.Scatter(x=t["year"], y=t["low"] * factor, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), name=f"{legend} {i18n.t('band', lang)}",
                                 legendgroup=legend, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=t["year"], y=t["median"] * factor, mode="lines+markers", line={"color": colour},
                                 name=legend, legendgroup=legend, customdata=t["n"],
                                 hovertemplate="%{x}: " + i18n.t("median", lang) + " %{y:,.4~f} " + unit
                                 + " (n=%{customdata})<extra>" + legend + "</extra>"))
    n = max((int(r["replication"].nunique()) for r in runs.values() if len(r)), default=0)
    return _layout(fig, f"{spec.title(lang)}<br><sup>{i18n.t('median.band', lang, n=n)}</sup>",
                   i18n.t("year", lang), unit)


def difference_chart(a: pd.DataFrame, b: pd.DataFrame, column: str, labels: tuple[str, str] = ("A", "B"),
                     lang: str = "en") -> go.Figure:
    """Paired difference B − A per year (replications matched on seed): mean and its 95% CI band."""
    d = difference_table(a, b, column)
    factor, unit = i18n.metric_unit(column, lang)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d["year"], y=d["ci_high"] * factor, mode="lines", line={"width": 0}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=d["year"], y=d["ci_low"] * factor, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(PALETTE[3], 0.2), name=i18n.t("ci95", lang), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=d["year"], y=d["diff"] * factor, mode="lines+markers", line={"color": PALETTE[3]},
                             name=f"{labels[1]} − {labels[0]}", customdata=d["n"],
                             hovertemplate="%{x}: %{y:,.4~f} " + unit + " (n=%{customdata})<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#888", "dash": "dot"})
    return _layout(fig, f"{i18n.metric_name(column, lang)}: {labels[1]} − {labels[0]}<br><sup>"
                   f"{i18n.t('diff.sub', lang)}</sup>", i18n.t("year", lang), unit)


def difference_table(a: pd.DataFrame, b: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per year: mean paired difference B − A of ``column`` over common seeds, with its 95% CI."""
    cols = ["seed", "year", column]
    table = paired_differences(a[cols], b[cols], (column,), by=("year",))
    return table if len(table) else pd.DataFrame(columns=["year", "n", "diff", "ci_low", "ci_high"])


def park_map(parks: pd.DataFrame, sectors: list[str] | tuple[str, ...], year: int | None = None,
             lang: str = "en", subtitle: str = "", names: dict[str, str] | None = None,
             places: pd.DataFrame | None = None) -> go.Figure:
    """Parks in one year (default: the last), marker area ∝ output, colour = largest sector, the
    largest parks labelled by name.

    ``parks`` is one replication's park panel; the title names the year (and ``subtitle`` the run and
    replication), so the screen, a PNG export and the year picker always agree. Marker sizes are scaled
    over all years, so that replaying the years shows growth. A park without output is grey, a revoked
    or closed park is drawn as an ×. Parks with positions (``lon``, ``lat``) are drawn in degrees on the
    outlines of the provinces and prefectures they lie in (:mod:`parksim.viz.outlines`), x stretched by
    cos(latitude) so that the shapes are true. A synthetic world (``place`` ids ``syn:…``) lies around its
    stated centre (``WorldConfig.region_lon/lat``), so it is drawn the same way; its generated counties and
    cities (from ``places``, if given) are small grey markers, the cities labelled, and the subtitle says
    that its places are generated. A panel without ``lon``/``lat`` is drawn on the model's km plane.
    """
    p = parks.copy()
    no_output = i18n.t("no.output", lang)
    p["sector"] = np.where(p["output"] > 0, p["top_sector"], no_output)
    p["symbol"] = np.where(p["alive"].astype(bool) & (p["status"] != "revoked"), "circle", "x")
    year = int(p["year"].max()) if year is None else int(year)
    scale = float(np.sqrt(p["output"].clip(lower=0)).max()) or 1.0
    geo = {"lon", "lat"} <= set(p.columns) and bool(p["lon"].notna().all() and p["lat"].notna().all())
    xcol, ycol = ("lon", "lat") if geo else ("x", "y")
    synthetic = "place" in p.columns and bool(p["place"].astype(str).str.startswith(SYNTHETIC).any())
    fig = go.Figure()
    extent = p[[xcol, ycol]]                      # what the axes show (over all years)
    if geo:
        at = p.drop_duplicates(["lon", "lat"])
        _draw_outlines(fig, at["lon"].to_numpy(), at["lat"].to_numpy())
    cities = pd.DataFrame(columns=["lon", "lat", "name"])
    if geo and synthetic and places is not None:
        generated = places[places["id"].astype(str).str.startswith(SYNTHETIC) & places["lon"].notna()]
        counties, cities = (generated[generated["level"] == level] for level in ("county", "city"))
        for rows, key, marker in ((counties, "map.counties", {"size": 5, "color": "#999", "symbol": "diamond-open"}),
                                  (cities, "map.cities", {"size": CITY_MARKER, "color": "#777", "symbol": "square-open"})):
            fig.add_trace(go.Scatter(x=rows["lon"], y=rows["lat"], mode="markers", text=rows["name"], marker=marker,
                                     name=i18n.t(key, lang), hovertemplate="%{text}<extra></extra>"))
        extent = pd.concat([extent, counties[["lon", "lat"]]])
    y = p[p["year"] == year]
    cats = [s for s in sectors if s in set(p["sector"])] + ([no_output] if (p["sector"] == no_output).any() else [])
    factor, unit = i18n.metric_unit("output", lang)
    for cat in cats:
        s = y[y["sector"] == cat]
        colour = "#bbbbbb" if cat == no_output else colour_of(cat, sectors)
        fig.add_trace(go.Scatter(
            x=s[xcol], y=s[ycol], mode="markers", name=(names or {}).get(cat, cat), text=s["name"],
            marker={"size": bubble_size(s["output"], scale), "color": colour, "opacity": 0.85,
                    "symbol": s["symbol"], "line": {"width": 1, "color": "#333"}},
            customdata=np.stack([s["output"] * factor, s["level"], s["status"], s["year"]], axis=-1) if len(s) else None,
            hovertemplate="%{text} (%{customdata[3]})<br>%{customdata[0]:,.2f} " + unit + "<br>%{customdata[1]}, "
                          "%{customdata[2]}<extra>" + (names or {}).get(cat, cat) + "</extra>"))
    least = 0.3 if geo else 2.0                                # the axes' padding (below)
    ratio = 1 / np.cos(np.radians(p["lat"].mean())) if geo else 1.0
    size = bubble_size(y["output"], scale)
    labelled = np.flatnonzero(y["output"].to_numpy() > 0)
    labelled = labelled[np.argsort(-y["output"].to_numpy()[labelled], kind="stable")][:MAP_LABELS]
    bx = np.concatenate([cities["lon"].to_numpy(float), y[xcol].to_numpy(float)])      # every marker to keep clear
    by = np.concatenate([cities["lat"].to_numpy(float), y[ycol].to_numpy(float)])
    radius = np.concatenate([np.full(len(cities), CITY_MARKER / 2), size.to_numpy() / 2])
    names_all = [*cities["name"].astype(str), *y["name"].astype(str)]
    grey = len(cities)                                          # the cities' labels first, in grey
    order = [*range(grey), *(grey + labelled)]
    px, py = to_pixels(bx, by, np.array(_padded(extent[xcol], least)), np.array(_padded(extent[ycol], least)), ratio)
    shifts = place_labels(px, py, radius, names_all, order)
    fig.update_layout(annotations=[
        {"x": bx[k], "y": by[k], "text": names_all[k], "showarrow": False, "xshift": shift[0], "yshift": shift[1],
         "xanchor": "center", "yanchor": "middle", "bgcolor": "rgba(255,255,255,0.5)",
         "font": {"size": 11 if k < grey else 10, "color": "#666" if k < grey else "#222"}}
        for k, shift in zip(order, shifts) if shift is not None])
    if synthetic:
        subtitle = ("，" if lang == "zh" else ", ").join(filter(None, [subtitle, i18n.t("map.synthetic", lang)]))
    title = i18n.t("map.title", lang, year=year) + (f"<br><sup>{subtitle}</sup>" if subtitle else "")
    if geo:
        fig.update_xaxes(range=_padded(extent["lon"], 0.3), ticksuffix="°E", showgrid=False, constrain="domain")
        fig.update_yaxes(range=_padded(extent["lat"], 0.3), ticksuffix="°N", showgrid=False,
                         scaleanchor="x", scaleratio=1 / np.cos(np.radians(p["lat"].mean())))
        _layout(fig, title, i18n.t("x.lon", lang), i18n.t("y.lat", lang))
    else:
        fig.update_xaxes(range=_padded(p["x"]))
        fig.update_yaxes(range=_padded(p["y"]), scaleanchor="x", scaleratio=1)
        _layout(fig, title, i18n.t("x.km", lang), i18n.t("y.km", lang))
    fig.update_layout(height=560, legend={"orientation": "v", "x": 1.02, "y": 1}, meta={"year": year})
    return fig


LABEL_PX = (9.0, 15.0)          # a map label's width per character and its height, in pixels (10 px font)
LABEL_GAP = 2.0                 # px between a marker's edge and its label
MAP_PLOT_PX = (400.0, 360.0)    # a little under the plot area of a map on a half-width card at 1280 px (labels must
                                # not overlap there; erring small spaces them a little more)
BUBBLE_PX = (8.0, 42.0)         # a park's marker diameter: the least, and what the largest output adds (area ∝ output)
CITY_MARKER = 9                 # px, a generated city's marker
SAME_SPOT_PX = 1.0              # markers closer than this are on one spot (labels ring them as one)


def bubble_size(output: pd.Series, scale: float) -> pd.Series:
    """Marker diameters (px) of parks with ``output``; ``scale`` is the largest √output of the map's years."""
    return BUBBLE_PX[0] + BUBBLE_PX[1] * np.sqrt(output.clip(lower=0)) / scale


def to_pixels(x: np.ndarray, y: np.ndarray, xs: np.ndarray, ys: np.ndarray, ratio: float = 1.0
              ) -> tuple[np.ndarray, np.ndarray]:
    """Points in data units to pixels of a :data:`MAP_PLOT_PX` plot showing ranges ``xs``, ``ys`` with a y unit
    ``ratio`` times as long as an x unit (the axes' ``scaleratio``), as plotly fits such a plot to its area."""
    span = [max(float(np.ptp(v)), 1e-9) for v in (xs, ys)]
    per = min(MAP_PLOT_PX[0] / span[0], MAP_PLOT_PX[1] / (ratio * span[1]))       # px per x unit
    return (x - np.min(xs)) * per, (y - np.min(ys)) * per * ratio


def place_labels(px: np.ndarray, py: np.ndarray, radius: np.ndarray, names: list[str], order: list[int]
                 ) -> list[tuple[float, float] | None]:
    """Where the labels of markers ``order`` (first placed first: the largest parks) go, as (x, y) offsets in px
    from their marker, or None for a label left out (its name stays in the marker's hover).

    Greedy: each label takes the first of a few positions around its marker (above, below, right, left, the
    four diagonals, then above and below one line further out) whose box overlaps no label placed before
    and no marker (``px``, ``py``, ``radius`` in px, y up) but its own. Markers on one spot (the parks of a
    generated city) are one marker as large as the largest, so that their labels ring it."""
    placed: list[tuple[float, float, float, float]] = []          # (centre x, centre y, half width, half height)
    half_h = LABEL_PX[1] / 2
    out: list[tuple[float, float] | None] = []
    for k in order:
        half_w = LABEL_PX[0] * len(names[k]) / 2
        here = np.hypot(px - px[k], py - py[k]) < SAME_SPOT_PX
        r = radius[here].max() + LABEL_GAP
        diagonal = r / np.sqrt(2)
        candidates = [(0.0, r + half_h), (0.0, -r - half_h), (r + half_w, 0.0), (-r - half_w, 0.0),
                      *((sx * (diagonal + half_w), sy * (diagonal + half_h)) for sy in (1, -1) for sx in (1, -1)),
                      (0.0, r + 3 * half_h), (0.0, -r - 3 * half_h)]
        others = ~here
        found = None
        for dx, dy in candidates:
            cx, cy = px[k] + dx, py[k] + dy
            if any(abs(cx - ox) < half_w + ow and abs(cy - oy) < half_h + oh for ox, oy, ow, oh in placed):
                continue
            nearest_x = np.clip(px[others], cx - half_w, cx + half_w)     # the box's point nearest each marker
            nearest_y = np.clip(py[others], cy - half_h, cy + half_h)
            if np.any(np.hypot(nearest_x - px[others], nearest_y - py[others]) < radius[others]):
                continue
            found = (float(dx), float(dy))
            placed.append((cx, cy, half_w, half_h))
            break
        out.append(found)
    return out


def _draw_outlines(fig: go.Figure, lon: np.ndarray, lat: np.ndarray) -> None:
    """The outlines of the provinces that contain the points: prefectures thin, provinces bold, one
    trace each (named by the province), outside the legend and the hover."""
    provinces = outlines.provinces()
    for code in sorted(set(outlines.province_of(lon, lat)) - {""}):
        xs, ys = outlines.lines([r for o in outlines.prefectures(code) for r in o.rings])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"width": 0.6, "color": "#b0b0b0"},
                                 hoverinfo="skip", showlegend=False, name=provinces[code].name + " prefectures",
                                 meta={"outline": "prefecture", "adcode": code}))
        xs, ys = outlines.lines(list(provinces[code].rings))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"width": 1.6, "color": "#555"},
                                 hoverinfo="skip", showlegend=False, name=provinces[code].name,
                                 meta={"outline": "province", "adcode": code}))


def _padded(values: pd.Series, least: float = 2.0) -> list[float]:
    """An axis range over all years (so the view does not jump from year to year), padded by 8% or
    at least ``least``."""
    lo, hi = float(values.min()), float(values.max())
    pad = max((hi - lo) * 0.08, least)
    return [lo - pad, hi + pad]


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, year: int, sectors: list[str] | tuple[str, ...],
                   park: int | None = None, lang: str = "en", subtitle: str = "",
                   names: dict[str, str] | None = None) -> go.Figure:
    """The supplier network in one year: firms placed by chain stage (left to right, upstream first)
    around their park's position, coloured by sector; leading (龙头) firms are stars.

    ``nodes`` has year, firm, park, sector, stage, leading, park_x, park_y; ``edges`` has year,
    supplier, customer. ``park`` limits the view to one park's firms and the links among them.
    """
    n = nodes[nodes["year"] == year]
    if park is not None:
        n = n[n["park"] == park]
    n = n.copy()
    stage_pos = {s: i for i, s in enumerate(STAGES)}
    rank = n.groupby(["park", "stage"], observed=True).cumcount().to_numpy()
    # One park: stage columns at x = -2, 0, 2. All parks: the same pattern around each park's position,
    # scaled to the map so that neighbouring parks stay apart.
    if park is None and len(n):
        unit = max(np.ptp(n["park_x"]), np.ptp(n["park_y"]), 60.0) / 60
        cx, cy = n["park_x"], n["park_y"]
    else:
        unit, cx, cy = 1.0, 0.0, 0.0
    angle = rank * 2.399963                                   # golden-angle spiral inside each stage column
    radius = np.sqrt(rank + 1) * 0.2 * unit
    n["px"] = cx + (n["stage"].astype(str).map(stage_pos) - 1) * 2 * unit + radius * np.cos(angle)
    n["py"] = cy + radius * np.sin(angle)
    pos = n.set_index("firm")[["px", "py"]]
    e = edges[(edges["year"] == year) & edges["supplier"].isin(pos.index) & edges["customer"].isin(pos.index)]
    ex = np.column_stack([pos.loc[e["supplier"], "px"], pos.loc[e["customer"], "px"], np.full(len(e), np.nan)]).ravel()
    ey = np.column_stack([pos.loc[e["supplier"], "py"], pos.loc[e["customer"], "py"], np.full(len(e), np.nan)]).ravel()
    scatter = go.Scattergl if len(n) > WEBGL_ABOVE else go.Scatter     # SVG gets slow with many thousand nodes
    fig = go.Figure(scatter(x=ex, y=ey, mode="lines", line={"width": 0.5, "color": "rgba(90,90,90,0.35)"},
                               hoverinfo="skip", name=i18n.t("net.links", lang, n=len(e))))
    for sector in [s for s in sectors if s in set(n["sector"])]:
        s = n[n["sector"] == sector]
        lead = s["leading"].astype(bool)
        fig.add_trace(scatter(
            x=s["px"], y=s["py"], mode="markers", name=(names or {}).get(sector, sector),
            marker={"color": colour_of(sector, sectors), "size": np.where(lead, 16, 7),
                    "symbol": np.where(lead, "star", "circle"), "line": {"width": np.where(lead, 1.5, 0), "color": "#000"}},
            customdata=np.stack([s["firm"], s["park"], s["stage"], np.where(lead, "leading firm", "")], axis=-1),
            hovertemplate="firm %{customdata[0]} in park %{customdata[1]}<br>" + sector +
                          ", %{customdata[2]} %{customdata[3]}<extra></extra>"))
    where = i18n.t("all.parks", lang) if park is None else i18n.t("net.park", lang, park=park)
    fig.update_xaxes(showticklabels=park is not None, tickvals=[-2, 0, 2] if park is not None else None,
                     ticktext=list(STAGES) if park is not None else None)
    fig.update_yaxes(showticklabels=False, scaleanchor="x" if park is None else None)
    title = i18n.t("net.title", lang, where=where, year=year, n=len(n), e=len(e))
    _layout(fig, title + (f"<br><sup>{subtitle}</sup>" if subtitle else ""), "", "")
    fig.update_layout(height=600)
    return fig


def sector_flows(nodes: pd.DataFrame, edges: pd.DataFrame, year: int, park: int | None = None) -> pd.DataFrame:
    """Supplier links of one year between sectors: supplier_sector, customer_sector, links (within one
    park when ``park`` is given, else links whose two firms are in the same park, over all parks)."""
    n = nodes[nodes["year"] == year].set_index("firm")[["park", "sector"]]
    e = edges[(edges["year"] == year) & edges["supplier"].isin(n.index) & edges["customer"].isin(n.index)]
    s, c = n.loc[e["supplier"]].reset_index(drop=True), n.loc[e["customer"]].reset_index(drop=True)
    keep = (s["park"] == c["park"]) & ((s["park"] == park) if park is not None else True)
    flows = pd.DataFrame({"supplier_sector": s["sector"].astype(str)[keep], "customer_sector": c["sector"].astype(str)[keep]})
    return (flows.groupby(["supplier_sector", "customer_sector"]).size().rename("links").reset_index()
            .sort_values("links", ascending=False, ignore_index=True))


def chain_sankey(flows: pd.DataFrame, sectors: list[str] | tuple[str, ...], title: str, lang: str = "en",
                 names: dict[str, str] | None = None) -> go.Figure:
    """Sector-to-sector supply flows as a Sankey: suppliers on the left, customers on the right, band
    width = number of supplier links; readable at any size, unlike the firm network."""
    left = sorted(set(flows["supplier_sector"]), key=list(sectors).index)
    right = sorted(set(flows["customer_sector"]), key=list(sectors).index)
    labels = [(names or {}).get(k, k) for k in left + right]
    colours = [colour_of(k, sectors) for k in left + right]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": colours, "pad": 12, "thickness": 16},
        link={"source": [left.index(k) for k in flows["supplier_sector"]],
              "target": [len(left) + right.index(k) for k in flows["customer_sector"]],
              "value": flows["links"].tolist(), "color": [_rgba(colour_of(k, sectors), 0.35) for k in flows["supplier_sector"]]}))
    fig.update_layout(title={"text": title, "x": 0.01}, height=560, font={"family": FONT},
                      margin={"l": 20, "r": 20, "t": 80, "b": 20})
    return fig


def sweep_table(metrics: pd.DataFrame, factors: list[str], metric: str) -> pd.DataFrame:
    """Per combination of ``factors``: n, mean and 95% CI of ``metric`` over the runs that share it
    (design factors left out are pooled over)."""
    rows = []
    for key, g in metrics.groupby(factors, sort=True):
        n, mean, _, lo, hi = mean_ci(g[metric].to_numpy())
        rows.append({**dict(zip(factors, key)), "n": n, "mean": mean, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def sweep_figure(metrics: pd.DataFrame, factors: list[str], metric: str, lang: str = "en") -> go.Figure:
    """A metric against the swept values: a curve with its 95% CI band for one factor, a heatmap of the
    mean for two or more (the first two factors; the others are pooled over). A click gives the factor
    values of a point or cell, and :func:`runs_behind` lists its runs. Metric and factors carry their
    plain names and the metric its display unit."""
    if not factors:
        raise ValueError("sweep_figure: the store has no design factors (not a sweep)")
    fig = go.Figure()
    factor, unit = i18n.metric_unit(metric, lang)
    name, label = i18n.metric_name(metric, lang), i18n.metric_label(metric, lang)
    names = [i18n.factor_label(f, lang) for f in factors]
    mean = i18n.t("mean", lang)
    if len(factors) == 1:
        f = factors[0]
        t = sweep_table(metrics, [f], metric)
        fig.add_trace(go.Scatter(x=t[f], y=t["ci_high"] * factor, mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=t[f], y=t["ci_low"] * factor, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(PALETTE[0], 0.2), name=i18n.t("ci95", lang), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=t[f], y=t["mean"] * factor, mode="lines+markers", name=mean, customdata=t["n"],
                                 hovertemplate=f"{names[0]} = %{{x}}<br>{mean} %{{y:,.4~f}} {unit} (n=%{{customdata}})"
                                               "<extra></extra>"))
        return _layout(fig, f"{i18n.t('sweep.curve', lang, metric=name, factor=names[0])}<br><sup>"
                       f"{i18n.t('sweep.curve.sub', lang)}</sup>", names[0], label)
    fx, fy = factors[:2]
    z = sweep_table(metrics, [fx, fy], metric).pivot(index=fy, columns=fx, values="mean")
    fig.add_trace(go.Heatmap(x=[str(v) for v in z.columns], y=[str(v) for v in z.index], z=z.to_numpy() * factor,
                             colorbar={"title": label},
                             hovertemplate=f"{names[0]} = %{{x}}<br>{names[1]} = %{{y}}<br>{mean} %{{z:,.4~f}} {unit}"
                                           "<extra></extra>"))
    pooled = i18n.t("sweep.pooled", lang, factors=", ".join(names[2:])) if len(factors) > 2 else ""
    return _layout(fig, f"{i18n.t('sweep.heat', lang, metric=name, pooled=pooled)}<br><sup>{i18n.t('sweep.heat.sub', lang)}"
                   "</sup>", names[0], names[1])


def runs_behind(metrics: pd.DataFrame, values: dict[str, object]) -> pd.DataFrame:
    """The runs whose design factors equal ``values`` (a chart click gives numbers, or text for heatmap axes)."""
    keep = np.ones(len(metrics), bool)
    for factor, value in values.items():
        try:
            keep &= np.isclose(pd.to_numeric(metrics[factor]).to_numpy(dtype=float), float(value))
        except (TypeError, ValueError):
            keep &= metrics[factor].astype(str).to_numpy() == str(value)
    return metrics[keep]


def for_projector(fig: go.Figure) -> go.Figure:
    """The same chart for a projector: every text 16 px or more (the subtitle is 70% of the title)."""
    return fig.update_layout(font={"size": 16}, title={"font": {"size": 23}}, legend={"font": {"size": 16}},
                             margin={"t": 100})


def _layout(fig: go.Figure, title: str, xtitle: str, ytitle: str) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01}, xaxis_title=xtitle, yaxis_title=ytitle,
                      margin={"l": 70, "r": 20, "t": 80, "b": 50}, height=420,
                      font={"family": FONT}, separators=".,",
                      legend={"orientation": "h", "y": -0.2}, hovermode="closest")
    return fig


COST_BARS = 25              # parks drawn in the per-park cost figure (those with most public money); the table has all


def cost_figure(table: pd.DataFrame, title: str, lang: str = "en") -> go.Figure:
    """Per-park cost-effectiveness (:func:`parksim.viz.park_costs.park_costs`): public money per job
    gained (left) and the discounted fiscal balance (right) as horizontal bars, one row per park (the
    :data:`COST_BARS` with most public money) and per city. A park that gained no job has no bar on the
    left (its cost per job is undefined); a negative balance is drawn red."""
    rows = pd.concat([table[table["account_kind"] == "park"].head(COST_BARS), table[table["account_kind"] != "park"]])
    city = i18n.t("kind.city", lang)
    labels = [f"{n}（{city}）" if k != "park" and lang == "zh" else f"{n} ({city})" if k != "park" else str(n)
              for n, k in zip(rows["name"], rows["account_kind"])]
    job_factor, _ = i18n.metric_unit("cost_per_job", lang)
    pv_factor, _ = i18n.metric_unit("fiscal_balance_pv", lang)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=(i18n.t("costs.bar.job", lang), i18n.t("costs.bar.balance", lang)))
    fig.add_trace(go.Bar(y=labels, x=rows["cost_per_job"] * job_factor, orientation="h", marker_color=PALETTE[0],
                         name=i18n.metric_name("cost_per_job", lang), hovertemplate="%{y}: %{x:,.2f}<extra></extra>"),
                  row=1, col=1)
    balance = rows["fiscal_balance_pv"] * pv_factor
    fig.add_trace(go.Bar(y=labels, x=balance, orientation="h", marker_color=np.where(balance < 0, "#d62728", PALETTE[2]),
                         name=i18n.metric_name("fiscal_balance_pv", lang), hovertemplate="%{y}: %{x:,.2f}<extra></extra>"),
                  row=1, col=2)
    _layout(fig, title, "", "")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_layout(height=max(420, 160 + 22 * len(rows)), showlegend=False, bargap=0.25,
                      margin={"t": 120})                     # the two-line panel titles below the chart's title
    return fig


def note_figure(message: str) -> go.Figure:
    """An empty chart with a message (before any run, or when a view does not apply)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 15})
    fig.update_layout(height=300, xaxis={"visible": False}, yaxis={"visible": False},
                      font={"family": FONT})
    return fig
