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
from plotly.colors import qualitative

from parksim.experiments.compare import mean_ci, paired_differences
from parksim.simulation.sectors import STAGES


@dataclass(frozen=True)
class FanSpec:
    """One headline chart: its id, title, unit and the series columns it draws (column, label)."""

    id: str
    title: str
    unit: str
    columns: tuple[tuple[str, str], ...]


FANS = (
    FanSpec("output", "Industrial output", "万元", (("output", "output"),)),
    FanSpec("tax_per_mu", "Tax per mu (in parks)", "万元/mu", (("tax_per_mu", "tax per mu"),)),
    FanSpec("investment_intensity", "Investment intensity", "万元/mu",
            (("investment_intensity", "investment intensity"),)),
    FanSpec("land", "Land granted, built and idle", "mu",
            (("land_granted", "granted"), ("land_built", "built"), ("land_idle", "idle"))),
    FanSpec("entries_exits", "Entries and exits", "firms per year", (("entries", "entries"), ("exits", "exits"))),
    FanSpec("leading_share", "Leading-industry share (declared)", "share of park output",
            (("declared_share", "declared leading industries"),)),
    FanSpec("eg_gamma", "Ellison-Glaeser γ (mean over sectors)", "γ", (("eg_gamma_mean", "EG γ"),)),
    FanSpec("chain_completeness", "Industry-chain completeness", "share of chain stages present",
            (("chain_completeness", "chain completeness"),)),
    FanSpec("local_sourcing", "Local sourcing", "share of supplier links within the park",
            (("local_sourcing", "local sourcing"),)),
    FanSpec("parks_sanctioned", "Parks warned, revoked and upgraded", "parks",
            (("parks_warned", "warned (on the ladder)"), ("parks_revoked", "revoked this year"),
             ("parks_upgraded", "upgraded this year"))),
    FanSpec("subsidies", "Subsidies paid", "万元 per year", (("subsidies_paid", "subsidies paid"),)),
)
FAN_BY_ID = {f.id: f for f in FANS}

# Qualitative palette (plotly's D3 then Alphabet): 36 distinct colours, more than the 29 sectors.
PALETTE = tuple(qualitative.D3) + tuple(c for c in qualitative.Alphabet if c not in qualitative.D3)
BAND_LOW, BAND_HIGH = 0.05, 0.95
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


def fan_chart(runs: dict[str, pd.DataFrame], spec: FanSpec) -> go.Figure:
    """Median line and 5-95% band over replications for each labelled run and each column of ``spec``."""
    fig = go.Figure()
    traces = [(label, col, name) for label in runs for col, name in spec.columns]
    for i, (label, col, name) in enumerate(traces):
        colour = PALETTE[i % len(PALETTE)]
        t = fan_table(runs[label], col)
        legend = " · ".join(x for x in (label if len(runs) > 1 else "", name if len(spec.columns) > 1 else "") if x)
        legend = legend or name
        fig.add_trace(go.Scatter(x=t["year"], y=t["high"], mode="lines", line={"width": 0}, hoverinfo="skip",
                                 showlegend=False, legendgroup=legend))
        fig.add_trace(go.Scatter(x=t["year"], y=t["low"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), name=f"{legend} 5–95%", legendgroup=legend,
                                 showlegend=False, hovertemplate="%{x}: 5%% %{y:.4g}<extra></extra>"))
        fig.add_trace(go.Scatter(x=t["year"], y=t["median"], mode="lines+markers", line={"color": colour},
                                 name=legend, legendgroup=legend, customdata=t["n"],
                                 hovertemplate="%{x}: median %{y:.4g} (n=%{customdata})<extra>" + legend + "</extra>"))
    n = max((int(r["replication"].nunique()) for r in runs.values() if len(r)), default=0)
    return _layout(fig, f"{spec.title}<br><sup>median and 5–95% band over {n} replications</sup>",
                   "year", spec.unit)


def difference_chart(a: pd.DataFrame, b: pd.DataFrame, column: str, title: str, unit: str,
                     labels: tuple[str, str] = ("A", "B")) -> go.Figure:
    """Paired difference B − A per year (replications matched on seed): mean and its 95% CI band."""
    d = difference_table(a, b, column)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d["year"], y=d["ci_high"], mode="lines", line={"width": 0}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=d["year"], y=d["ci_low"], mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(PALETTE[3], 0.2), name="95% CI", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=d["year"], y=d["diff"], mode="lines+markers", line={"color": PALETTE[3]},
                             name=f"{labels[1]} − {labels[0]}", customdata=d["n"],
                             hovertemplate="%{x}: %{y:.4g} (n=%{customdata} pairs)<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#888", "dash": "dot"})
    return _layout(fig, f"{title}: {labels[1]} − {labels[0]}<br><sup>mean paired difference (common seeds), "
                   "95% CI</sup>", "year", unit)


def difference_table(a: pd.DataFrame, b: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per year: mean paired difference B − A of ``column`` over common seeds, with its 95% CI."""
    cols = ["seed", "year", column]
    table = paired_differences(a[cols], b[cols], (column,), by=("year",))
    return table if len(table) else pd.DataFrame(columns=["year", "n", "diff", "ci_low", "ci_high"])


def park_map(parks: pd.DataFrame, sectors: list[str] | tuple[str, ...]) -> go.Figure:
    """Parks on the plane (km), marker area ∝ output, colour = largest sector; a year slider replays the run.

    ``parks`` is one replication's park panel. A park without output is grey ("no output"), a revoked
    or closed park is drawn as an ×.
    """
    p = parks.copy()
    p["sector"] = np.where(p["output"] > 0, p["top_sector"], "no output")
    p["symbol"] = np.where(p["alive"].astype(bool) & (p["status"] != "revoked"), "circle", "x")
    years = sorted(p["year"].unique())
    cats = [s for s in sectors if s in set(p["sector"])] + (["no output"] if (p["sector"] == "no output").any() else [])
    scale = float(np.sqrt(p["output"].clip(lower=0)).max()) or 1.0

    def traces(year):
        y = p[p["year"] == year]
        out = []
        for cat in cats:
            s = y[y["sector"] == cat]
            colour = "#bbbbbb" if cat == "no output" else colour_of(cat, sectors)
            out.append(go.Scatter(
                x=s["x"], y=s["y"], mode="markers", name=cat, text=s["name"],
                marker={"size": 8 + 42 * np.sqrt(s["output"].clip(lower=0)) / scale, "color": colour,
                        "symbol": s["symbol"], "line": {"width": 1, "color": "#333"}},
                customdata=np.stack([s["output"], s["level"], s["status"]], axis=-1) if len(s) else None,
                hovertemplate="%{text}<br>output %{customdata[0]:.4g} 万元<br>%{customdata[1]}, "
                              "%{customdata[2]}<extra>" + cat + "</extra>"))
        return out

    fig = go.Figure(data=traces(years[0]), frames=[go.Frame(data=traces(y), name=str(y)) for y in years])
    steps = [{"label": str(y), "method": "animate",
              "args": [[str(y)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                  "transition": {"duration": 0}}]} for y in years]
    fig.update_layout(
        sliders=[{"active": 0, "steps": steps, "currentvalue": {"prefix": "year "}, "pad": {"t": 40}}],
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": 0, "xanchor": "right", "yanchor": "top",
                      "pad": {"t": 60, "r": 10},
                      "buttons": [{"label": "▶ Play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 500, "redraw": True},
                                                   "fromcurrent": True, "transition": {"duration": 0}}]}]}])
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    _layout(fig, "Parks: size ∝ output, colour = largest sector", "x (km)", "y (km)")
    fig.update_layout(height=560, legend={"orientation": "v", "x": 1.02, "y": 1})
    return fig


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, year: int, sectors: list[str] | tuple[str, ...],
                   park: int | None = None) -> go.Figure:
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
                               hoverinfo="skip", name=f"supplier links ({len(e)})"))
    for sector in [s for s in sectors if s in set(n["sector"])]:
        s = n[n["sector"] == sector]
        lead = s["leading"].astype(bool)
        fig.add_trace(scatter(
            x=s["px"], y=s["py"], mode="markers", name=sector,
            marker={"color": colour_of(sector, sectors), "size": np.where(lead, 16, 7),
                    "symbol": np.where(lead, "star", "circle"), "line": {"width": np.where(lead, 1.5, 0), "color": "#000"}},
            customdata=np.stack([s["firm"], s["park"], s["stage"], np.where(lead, "leading firm", "")], axis=-1),
            hovertemplate="firm %{customdata[0]} in park %{customdata[1]}<br>" + sector +
                          ", %{customdata[2]} %{customdata[3]}<extra></extra>"))
    where = "all parks" if park is None else f"park {park}"
    fig.update_xaxes(showticklabels=park is not None, tickvals=[-2, 0, 2] if park is not None else None,
                     ticktext=list(STAGES) if park is not None else None)
    fig.update_yaxes(showticklabels=False, scaleanchor="x" if park is None else None)
    _layout(fig, f"Supplier network, {where}, {year}: {len(n)} firms, {len(e)} links "
            "(★ leading firm; columns: upstream → downstream)", "", "")
    fig.update_layout(height=600)
    return fig


def sweep_table(metrics: pd.DataFrame, factors: list[str], metric: str) -> pd.DataFrame:
    """Per combination of ``factors``: n, mean and 95% CI of ``metric`` over the runs that share it
    (design factors left out are pooled over)."""
    rows = []
    for key, g in metrics.groupby(factors, sort=True):
        n, mean, _, lo, hi = mean_ci(g[metric].to_numpy())
        rows.append({**dict(zip(factors, key)), "n": n, "mean": mean, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def sweep_figure(metrics: pd.DataFrame, factors: list[str], metric: str) -> go.Figure:
    """A metric against the swept values: a curve with its 95% CI band for one factor, a heatmap of the
    mean for two or more (the first two factors; the others are pooled over). A click gives the factor
    values of a point or cell, and :func:`runs_behind` lists its runs."""
    if not factors:
        raise ValueError("sweep_figure: the store has no design factors (not a sweep)")
    fig = go.Figure()
    if len(factors) == 1:
        f = factors[0]
        t = sweep_table(metrics, [f], metric)
        fig.add_trace(go.Scatter(x=t[f], y=t["ci_high"], mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=t[f], y=t["ci_low"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(PALETTE[0], 0.2), name="95% CI", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=t[f], y=t["mean"], mode="lines+markers", name="mean", customdata=t["n"],
                                 hovertemplate=f"{f} = %{{x}}<br>mean %{{y:.4g}} (n=%{{customdata}})<extra></extra>"))
        return _layout(fig, f"{metric} against {f}<br><sup>mean over replications and 95% CI; click a point "
                       "for its runs</sup>", f, metric)
    fx, fy = factors[:2]
    z = sweep_table(metrics, [fx, fy], metric).pivot(index=fy, columns=fx, values="mean")
    fig.add_trace(go.Heatmap(x=[str(v) for v in z.columns], y=[str(v) for v in z.index], z=z.to_numpy(),
                             colorbar={"title": metric},
                             hovertemplate=f"{fx} = %{{x}}<br>{fy} = %{{y}}<br>mean %{{z:.4g}}<extra></extra>"))
    extra = f" (pooled over {', '.join(factors[2:])})" if len(factors) > 2 else ""
    return _layout(fig, f"{metric}: mean over replications{extra}<br><sup>click a cell for its runs</sup>", fx, fy)


def runs_behind(metrics: pd.DataFrame, values: dict[str, object]) -> pd.DataFrame:
    """The runs whose design factors equal ``values`` (a chart click gives numbers, or text for heatmap axes)."""
    keep = np.ones(len(metrics), bool)
    for factor, value in values.items():
        try:
            keep &= np.isclose(pd.to_numeric(metrics[factor]).to_numpy(dtype=float), float(value))
        except (TypeError, ValueError):
            keep &= metrics[factor].astype(str).to_numpy() == str(value)
    return metrics[keep]


def _layout(fig: go.Figure, title: str, xtitle: str, ytitle: str) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01}, xaxis_title=xtitle, yaxis_title=ytitle,
                      template="plotly_white", margin={"l": 60, "r": 20, "t": 70, "b": 50}, height=420,
                      legend={"orientation": "h", "y": -0.2}, hovermode="closest")
    return fig
