"""Callbacks of the chart tabs: time series, A versus B, park map (with Play), chain network, and every
chart's PNG / HTML / CSV download. Each chart is built when its inputs change (the run, replication,
year …), never on a tab switch."""

from __future__ import annotations

from pathlib import Path

import dash
import plotly.graph_objects as go
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from . import figures, i18n
from .export import chart, filename, render, shown_table
from .jobs import JobManager
from .layout import empty_chart, html_table
from .room_callbacks import sweep_chart, sweep_store
from .saved import SavedRuns
from .verdict import verdicts


def all_runs(manager: JobManager, saved: SavedRuns, session) -> dict:
    """The session's runs: reopened from the store (earlier servers), then this server's, the one
    going included as far as it got."""
    if not session:
        return {}
    return {**saved.reopened(session), **manager.results(session, live=True)}


def runs_of(manager: JobManager, saved: SavedRuns, session, *job_ids):
    """The session's runs for ``job_ids`` (PreventUpdate-free: None when one is missing)."""
    results = all_runs(manager, saved, session)
    picked = [results.get(j) for j in job_ids]
    return None if any(r is None for r in picked) else picked


def _year_marks(years: list[int]) -> dict:
    return {int(y): str(y) for y in years[::max(1, len(years) // 8)]} | {int(years[-1]): str(years[-1])}


def register(app: Dash, manager: JobManager, saved: SavedRuns, runs_dir: Path) -> None:
    """Register the chart callbacks (time series, map, network, A versus B, downloads)."""
    @app.callback(*[Output(f"fan-{s.id}", "figure") for s in figures.FANS],
                  Output("rep-select", "options"), Output("rep-select", "value"),
                  Output("map-year", "min"), Output("map-year", "max"), Output("map-year", "value"),
                  Output("map-year", "marks"), Output("net-year", "min"), Output("net-year", "max"),
                  Output("net-year", "value"), Output("net-year", "marks"), Output("net-park", "options"),
                  Input("run-select", "value"), Input("projector", "value"), State("session", "data"))
    def draw_run(job_id, projector, session):
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        if runs is None:
            empty = empty_chart(i18n.t("run.first", lang))
            return (*[empty] * len(figures.FANS), [], None, 0, 1, 0, None, 0, 1, 0, None,
                    [{"label": i18n.t("all.parks", lang), "value": -1}])
        run = runs[0]
        fans = [shown(chart(f"fan:{s.id}", runs, lang=lang)[1], projector) for s in figures.FANS]
        reps = [{"label": i18n.t("replication.option", lang, r=r, seed=seed), "value": r}
                for r, seed in run.replication_seeds().items()]
        years = sorted(int(y) for y in run.series["year"].unique())
        parks = run.first_parks().drop_duplicates("park")
        park_options = [{"label": i18n.t("all.parks", lang), "value": -1}] + [
            {"label": f"{p.park}: {p.name} ({p.level})", "value": int(p.park)} for p in parks.itertuples()]
        marks = _year_marks(years)
        return (*fans, reps, run.pick(None), years[0], years[-1], years[-1], marks,
                years[0], years[-1], years[-1], marks, park_options)

    @app.callback(Output("map", "figure"), Input("run-select", "value"), Input("rep-select", "value"),
                  Input("map-year", "value"), Input("projector", "value"), State("session", "data"))
    def draw_map(job_id, replication, year, projector, session):
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        if runs is None:
            return empty_chart(i18n.t("run.first", lang))
        return shown(chart("map", runs, year=year, replication=replication, lang=lang)[1], projector)

    @app.callback(Output("map-year", "value", allow_duplicate=True), Output("map-timer", "disabled"),
                  Output("map-play", "children"), Input("map-play", "n_clicks"), Input("map-timer", "n_intervals"),
                  State("map-year", "value"), State("map-year", "min"), State("map-year", "max"),
                  State("map-timer", "disabled"), prevent_initial_call=True)
    def play_map(_, __, year, first, last, stopped):
        """Play steps the year slider itself, so the year label and the bubbles are one state."""
        lang = i18n.current()
        if ctx.triggered_id == "map-play":
            if not stopped:
                return dash.no_update, True, i18n.t("play", lang)
            return (first if year is None or year >= last else year), False, i18n.t("pause", lang)
        if stopped or year is None:
            raise PreventUpdate
        nxt = min(year + 1, last)
        done = nxt >= last
        return nxt, done, i18n.t("play" if done else "pause", lang)

    @app.callback(Output("flows", "figure"), Output("network", "figure"), Input("run-select", "value"),
                  Input("rep-select", "value"), Input("net-year", "value"), Input("net-park", "value"),
                  Input("projector", "value"), State("session", "data"))
    def draw_network(job_id, replication, year, park, projector, session):
        """Sector-to-sector flows (always readable) and the firm network of the year and park."""
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        if runs is None or runs[0].network(replication)[0] is None:
            empty = empty_chart(i18n.t("run.first", lang))
            return empty, empty
        if year not in set(runs[0].network(replication)[0]["year"]):
            raise PreventUpdate                      # the year slider is being reset for another run
        park = None if park in (None, -1) else park
        return tuple(shown(chart(name, runs, year=year, park=park, replication=replication, lang=lang)[1], projector)
                     for name in ("flows", "network"))

    @app.callback(Output("ab-fan", "figure"), Output("ab-diff", "figure"), Output("ab-table", "children"),
                  Output("ab-note", "children"), Output("ab-verdict", "children"),
                  Input("ab-a", "value"), Input("ab-b", "value"), Input("ab-column", "value"),
                  State("session", "data"))
    def draw_ab(a, b, column, session):
        lang = i18n.current()
        runs = runs_of(manager, saved, session, a, b)
        if runs is None:
            empty = empty_chart(i18n.t("choose.two", lang))
            return empty, empty, None, "", []
        ra, rb = runs
        note = "" if ra.root_seed == rb.root_seed else i18n.t("ab.seeds", lang, a=ra.root_seed, b=rb.root_seed)
        raw = chart("ab-table", runs)[0]
        return (chart("ab-fan", runs, column=column, lang=lang)[1], chart("ab-diff", runs, column=column, lang=lang)[1],
                html_table(shown_table(raw, lang)), note, [html.Li(v) for v in verdicts(raw, lang)])

    @app.callback(Output({"type": "download", "chart": MATCH}, "data"),
                  Input({"type": "export", "chart": MATCH, "fmt": ALL}, "n_clicks"),
                  State("session", "data"), State("run-select", "value"), State("rep-select", "value"),
                  State("ab-a", "value"), State("ab-b", "value"), State("ab-column", "value"),
                  State("map-year", "value"), State("net-year", "value"),
                  State("net-park", "value"), State("sweep-store", "value"), State("sweep-metric", "value"),
                  prevent_initial_call=True)
    def download(clicks, session, run_id, replication, a, b, column, map_year, net_year, park, sweep_name,
                 sweep_metric):
        trigger = ctx.triggered_id
        if not trigger or not any(clicks):
            raise PreventUpdate
        name, fmt = trigger["chart"], trigger["fmt"]
        if name == "sweep":
            store = sweep_store(runs_dir, sweep_name)
            if store is None or not sweep_metric:
                raise PreventUpdate
            data, fig = sweep_chart(store, sweep_metric, i18n.current())
            return dcc.send_bytes(render(data, fig, fmt), f"{sweep_name}_{sweep_metric}.{fmt}")
        runs = runs_of(manager, saved, session, *((a, b) if name.startswith("ab-") else (run_id,)))
        if runs is None:
            raise PreventUpdate
        year = {"map": map_year, "network": net_year, "flows": net_year}.get(name)
        data, fig = chart(name, runs, column=column, year=year, park=None if park in (None, -1) else park,
                          replication=replication, lang=i18n.current())
        return dcc.send_bytes(render(data, fig, fmt), filename(name.replace(":", "_"), runs, fmt, year))




def shown(fig: go.Figure, projector) -> go.Figure:
    """A chart as drawn on the page: enlarged in projector mode."""
    return figures.for_projector(fig) if projector and "on" in projector else fig
