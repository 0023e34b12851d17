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
from .park_costs import shown_costs
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


def _key(ids: list, runs, *shown) -> list:
    """What a chart view shows, as a JSON-able list (kept in its "<view>-drawn" store): the run ids, their
    labels (a streaming run's label counts its replications) and the pickers' values."""
    return [ids, None if runs is None else [r.label for r in runs], *shown]


YEAR_AT = 3                 # where a map's key holds its year: [ids, labels, replication, year, projector]


def _due(tab: str, wanted: str, key: list, drawn) -> bool:
    """A view is drawn only while its tab is open and only when what it shows changed since last time."""
    return tab == wanted and key != drawn


def _replications(run, lang: str) -> list[dict]:
    return [{"label": i18n.t("replication.option", lang, r=r, seed=seed), "value": r}
            for r, seed in run.replication_seeds().items()]


def _year_marks(years: list[int]) -> dict:
    return {int(y): str(y) for y in years[::max(1, len(years) // 8)]} | {int(years[-1]): str(years[-1])}


def register(app: Dash, manager: JobManager, saved: SavedRuns, runs_dir: Path) -> None:
    """Register the chart callbacks (time series, map, network, A versus B, downloads)."""
    @app.callback(*[Output(f"fan-{s.id}", "figure") for s in figures.FANS], Output("fans-drawn", "data"),
                  Input("run-select", "value"), Input("projector", "value"), Input("tabs", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("fans-drawn", "data"))
    def draw_fans(job_id, projector, tab, _, session, drawn):
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        key = _key([job_id], runs, projector)
        if not _due(tab, "series", key, drawn):
            raise PreventUpdate
        if runs is None:
            return *[empty_chart(i18n.t("run.first", lang))] * len(figures.FANS), key
        return *[shown(chart(f"fan:{s.id}", runs, lang=lang)[1], projector) for s in figures.FANS], key

    @app.callback(Output("rep-select", "options"), Output("rep-select", "value"),
                  Output("net-year", "min"), Output("net-year", "max"), Output("net-year", "value"),
                  Output("net-year", "marks"), Output("net-park", "options"),
                  Input("run-select", "value"), State("session", "data"))
    def pick_run(job_id, session):
        """The replication, year and park pickers of the run shown (cheap: no chart is built)."""
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        if runs is None:
            return [], None, 0, 1, 0, None, [{"label": i18n.t("all.parks", lang), "value": -1}]
        run = runs[0]
        years = sorted(int(y) for y in run.series["year"].unique())
        parks = run.first_parks().drop_duplicates("park")
        park_options = [{"label": i18n.t("all.parks", lang), "value": -1}] + [
            {"label": f"{p.park}: {p.name} ({p.level})", "value": int(p.park)} for p in parks.itertuples()]
        return (_replications(run, lang), run.pick(None), years[0], years[-1], years[-1], _year_marks(years),
                park_options)

    @app.callback(Output("map-rep-a", "options"), Output("map-rep-a", "value"), Output("map-rep-b", "options"),
                  Output("map-rep-b", "value"), Output("map-year", "min"), Output("map-year", "max"),
                  Output("map-year", "value"), Output("map-year", "marks"),
                  Input("map-run-a", "value"), Input("map-run-b", "value"), State("session", "data"))
    def pick_map_runs(a, b, session):
        """Replication pickers of maps A and B, and the year slider over the years of both runs."""
        lang = i18n.current()
        out, years = [], set()
        for job_id in (a, b):
            runs = runs_of(manager, saved, session, job_id)
            out += [_replications(runs[0], lang), runs[0].pick(None)] if runs else [[], None]
            years |= set(int(y) for y in runs[0].series["year"].unique()) if runs else set()
        if not years:
            return *out, 0, 1, 0, None
        years = sorted(years)
        return *out, years[0], years[-1], years[-1], _year_marks(years)

    for side, graph in (("a", "map"), ("b", "map-b")):
        @app.callback(Output(graph, "figure"), Output(f"map-{side}-drawn", "data"),
                      Input(f"map-run-{side}", "value"), Input(f"map-rep-{side}", "value"), Input("map-year", "value"),
                      Input("projector", "value"), Input("tabs", "value"), Input("runs-version", "data"),
                      State("session", "data"), State(f"map-{side}-drawn", "data"))
        def draw_map(job_id, replication, year, projector, tab, _, session, drawn):
            """Map A or B (headed so on the page), its subtitle naming the run, replication and seed."""
            lang = i18n.current()
            runs = runs_of(manager, saved, session, job_id)
            key = _key([job_id], runs, replication, year, projector)
            if not _due(tab, "map", key, drawn):
                raise PreventUpdate
            if runs is None:
                return empty_chart(i18n.t("run.first", lang)), key
            return shown(chart("map", runs, year=year, replication=replication, lang=lang)[1], projector), key

    @app.callback(Output("map-year", "value", allow_duplicate=True), Output("map-timer", "disabled"),
                  Output("map-play", "children"), Input("map-play", "n_clicks"), Input("map-timer", "n_intervals"),
                  State("map-year", "value"), State("map-year", "min"), State("map-year", "max"),
                  State("map-timer", "disabled"), State("map-a-drawn", "data"), State("map-b-drawn", "data"),
                  prevent_initial_call=True)
    def play_map(_, __, year, first, last, stopped, *drawn):
        """Play steps the year slider itself, so the year label and the bubbles are one state; it steps
        only once both maps show the current year (a busy server slows the play, it never skips a year)."""
        lang = i18n.current()
        if ctx.triggered_id == "map-play":
            if not stopped:
                return dash.no_update, True, i18n.t("play", lang)
            return (first if year is None or year >= last else year), False, i18n.t("pause", lang)
        if stopped or year is None or any(key is None or key[YEAR_AT] != year for key in drawn):
            raise PreventUpdate
        nxt = min(year + 1, last)
        done = nxt >= last
        return nxt, done, i18n.t("play" if done else "pause", lang)

    @app.callback(Output("flows", "figure"), Output("network", "figure"), Output("net-drawn", "data"),
                  Input("run-select", "value"), Input("rep-select", "value"), Input("net-year", "value"),
                  Input("net-park", "value"), Input("projector", "value"), Input("tabs", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("net-drawn", "data"))
    def draw_network(job_id, replication, year, park, projector, tab, _, session, drawn):
        """Sector-to-sector flows (always readable) and the firm network of the year and park."""
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        nodes = runs[0].network(replication)[0] if runs is not None and tab == "network" else None
        key = _key([job_id], runs, replication, year, park, projector, nodes is not None)
        if not _due(tab, "network", key, drawn):
            raise PreventUpdate
        if nodes is None:
            empty = empty_chart(i18n.t("run.first" if runs is None else "net.wait", lang))
            return empty, empty, key
        if year not in set(nodes["year"]):
            raise PreventUpdate                      # the year slider is being reset for another run
        park = None if park in (None, -1) else park
        return *(shown(chart(name, runs, year=year, park=park, replication=replication, lang=lang)[1], projector)
                 for name in ("flows", "network")), key

    @app.callback(Output("ab-fan", "figure"), Output("ab-diff", "figure"), Output("ab-table", "children"),
                  Output("ab-note", "children"), Output("ab-verdict", "children"), Output("ab-drawn", "data"),
                  Input("ab-a", "value"), Input("ab-b", "value"), Input("ab-column", "value"), Input("tabs", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("ab-drawn", "data"))
    def draw_ab(a, b, column, tab, _, session, drawn):
        lang = i18n.current()
        runs = runs_of(manager, saved, session, a, b)
        key = _key([a, b], runs, column)
        if not _due(tab, "ab", key, drawn):
            raise PreventUpdate
        if runs is None:
            empty = empty_chart(i18n.t("choose.two", lang))
            return empty, empty, None, "", [], key
        ra, rb = runs
        note = "" if ra.root_seed == rb.root_seed else i18n.t("ab.seeds", lang, a=ra.root_seed, b=rb.root_seed)
        raw = chart("ab-table", runs)[0]
        return (chart("ab-fan", runs, column=column, lang=lang)[1], chart("ab-diff", runs, column=column, lang=lang)[1],
                html_table(shown_table(raw, lang)), note, [html.Li(v) for v in verdicts(raw, lang)], key)

    @app.callback(Output("costs", "figure"), Output("costs-table", "children"), Output("costs-drawn", "data"),
                  Input("run-select", "value"), Input("projector", "value"), Input("tabs", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("costs-drawn", "data"))
    def draw_costs(job_id, projector, tab, _, session, drawn):
        """Cost-effectiveness per park and city of the run shown (a note where it has no finance table)."""
        lang = i18n.current()
        runs = runs_of(manager, saved, session, job_id)
        key = _key([job_id], runs, projector)
        if not _due(tab, "costs", key, drawn):
            raise PreventUpdate
        if runs is None:
            return empty_chart(i18n.t("run.first", lang)), None, key
        table, fig = chart("costs", runs, lang=lang)
        return shown(fig, projector), html_table(shown_costs(table, lang)) if len(table) else None, key

    @app.callback(Output({"type": "download", "chart": MATCH}, "data"),
                  Input({"type": "export", "chart": MATCH, "fmt": ALL}, "n_clicks"),
                  State("session", "data"), State("run-select", "value"), State("rep-select", "value"),
                  State("ab-a", "value"), State("ab-b", "value"), State("ab-column", "value"),
                  State("map-run-a", "value"), State("map-rep-a", "value"), State("map-run-b", "value"),
                  State("map-rep-b", "value"), State("map-year", "value"), State("net-year", "value"),
                  State("net-park", "value"), State("sweep-store", "value"), State("sweep-metric", "value"),
                  prevent_initial_call=True)
    def download(clicks, session, run_id, replication, a, b, column, map_a, rep_a, map_b, rep_b, map_year, net_year,
                 park, sweep_name, sweep_metric):
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
        side = {"map": (map_a, rep_a), "map-b": (map_b, rep_b)}.get(name)
        shows = (a, b) if name.startswith("ab-") else (side[0],) if side else (run_id,)
        runs = runs_of(manager, saved, session, *shows)
        if runs is None:
            raise PreventUpdate
        year = {"map": map_year, "map-b": map_year, "network": net_year, "flows": net_year}.get(name)
        data, fig = chart("map" if side else name, runs, column=column, year=year,
                          park=None if park in (None, -1) else park, replication=side[1] if side else replication,
                          lang=i18n.current())
        return dcc.send_bytes(render(data, fig, fmt), filename(name.replace(":", "_"), runs, fmt, year))




def shown(fig: go.Figure, projector) -> go.Figure:
    """A chart as drawn on the page: enlarged in projector mode."""
    return figures.for_projector(fig) if projector and "on" in projector else fig
