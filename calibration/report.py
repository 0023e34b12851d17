"""Self-contained HTML pages: tables and Plotly charts, with plotly.js embedded once (works offline)."""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:0.85em;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
th{background:#f3f3f3}.pass{color:#17692f;font-weight:600}.fail{color:#a11;font-weight:600}.note{color:#555}"""


def table(frame: pd.DataFrame, floats: str = "{:.4g}") -> str:
    """An HTML table; booleans in a ``pass`` column are shown as pass/fail."""
    def cell(col, v):
        if col == "pass":
            return f'<td class="{"pass" if v else "fail"}">{"pass" if v else "fail"}</td>'
        if isinstance(v, float):
            return f"<td>{floats.format(v) if math.isfinite(v) else ''}</td>"
        return f"<td>{html.escape('' if v is None else str(v))}</td>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(cell(c, v) for c, v in zip(frame.columns, row)) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def page(title: str, blocks: Iterable) -> str:
    """A full HTML page from blocks: strings (HTML) or Plotly figures; plotly.js goes in once."""
    parts, js_done = [], False
    for block in blocks:
        if isinstance(block, str):
            parts.append(block)
        else:
            parts.append(block.to_html(full_html=False, include_plotlyjs=not js_done))
            js_done = True
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{''.join(parts)}</body></html>")


def write(path: str | Path, text: str) -> Path:
    """Write a file atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_frame(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a CSV or Parquet table atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix == ".parquet":
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


# ----------------------------------------------------------------------------- validation charts

def hazard_chart(hazard: pd.DataFrame):
    """Exit hazard by age (pooled life table) with the 9.5% age-3 literature figure marked."""
    import plotly.graph_objects as go
    t = hazard[(hazard["age"] >= 1) & (hazard["at_risk"] >= 30)]
    fig = go.Figure(go.Scatter(x=t["age"], y=t["hazard"], mode="lines+markers", name="model"))
    fig.add_scatter(x=[3], y=[0.095], mode="markers", marker={"symbol": "x", "size": 12}, name="literature: 9.5% at age 3")
    fig.update_layout(title="Exit hazard by firm age", xaxis_title="age (years)", yaxis_title="exits / firms at risk")
    return fig


def ccdf_chart(sizes):
    """Complementary CDF of firm output on log-log axes (a straight tail is a power law)."""
    import numpy as np
    import plotly.graph_objects as go
    x = np.sort(np.asarray(sizes, float))[::-1]
    step = max(len(x) // 2000, 1)
    fig = go.Figure(go.Scatter(x=x[::step], y=(np.arange(1, len(x) + 1) / len(x))[::step], mode="markers",
                               marker={"size": 3}))
    fig.update_layout(title="Firm size distribution (complementary CDF, final year)", xaxis_type="log",
                      yaxis_type="log", xaxis_title="output (万元)", yaxis_title="P(size ≥ x)")
    return fig


def gamma_chart(gamma):
    import plotly.graph_objects as go
    fig = go.Figure(go.Histogram(x=gamma, nbinsx=40))
    fig.update_layout(title="Ellison-Glaeser γ of sectors (all runs, final year)", xaxis_title="γ", yaxis_title="sectors")
    return fig


def coagglomeration_chart(coag, io):
    import numpy as np
    import plotly.graph_objects as go
    link = np.maximum(io, io.T)
    iu = np.triu_indices(len(io), 1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # pairs with a sector absent in every run
        c = np.nanmean(np.stack(coag), axis=0)[iu]
    fig = go.Figure(go.Scatter(x=link[iu], y=c, mode="markers", marker={"size": 5}))
    fig.update_layout(title="Coagglomeration (EGK γc, mean over runs) against the input-output link",
                      xaxis_title="max(IO_ij, IO_ji)", yaxis_title="γc")
    return fig


def twins_chart(twins):
    import numpy as np
    import plotly.graph_objects as go
    fig = go.Figure()
    for i, t in enumerate(twins):
        rank = (-np.asarray(t["park_output"])).argsort().argsort() + 1
        fig.add_scatter(x=t["early_leading"], y=rank, mode="markers", name=f"run {i}")
    fig.update_layout(title="Identical parks: early leading-firm entries against final output rank",
                      xaxis_title="leading firms entering in the first years", yaxis_title="final rank (1 = largest)",
                      yaxis={"autorange": "reversed"})
    return fig


def history_chart(history: pd.DataFrame):
    import plotly.graph_objects as go
    best = history.groupby("generation")["loss"].min().cummin()
    fig = go.Figure(go.Scatter(x=history["generation"], y=history["loss"], mode="markers", marker={"size": 3},
                               name="evaluated vectors"))
    fig.add_scatter(x=best.index, y=best.to_numpy(), mode="lines", name="best so far")
    fig.update_layout(title="Calibration search history (SMM loss)", xaxis_title="generation", yaxis_title="loss",
                      yaxis_type="log")
    return fig
