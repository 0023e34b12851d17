"""The workshop dashboard: layout and callbacks (Dash).

Everything the page needs is served by this process (Dash's own bundles, ``viz/assets``); nothing
comes from a CDN. Runs execute in the background (:mod:`parksim.viz.jobs`) and stay on the server under the
browser tab's session id, so each tab sees only its own runs. All charts come from
:func:`parksim.viz.export.chart`, which the download buttons use too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sys
from pathlib import Path

import dash
import flask
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from parksim.experiments.compare import ok_metrics
from parksim.experiments.runner import RunConfig
from parksim.experiments.store import Store
from parksim.scenarios.loader import load_scenario
from parksim.simulation import ConfigError, Policy

from . import controls, figures, i18n
from .export import COLUMNS, FORMATS, chart, comparison_table, filename, render, shown_table
from .fonts import cjk_font_missing
from .jobs import DONE, RUNNING, Busy, JobManager
from .saved import SavedRuns
from .verdict import verdicts

DOCUMENT_SCENARIOS = ("baseline", "nanyang_2009", "xuchang_2012", "lanzhou_2012", "chizhou_2015", "henan_2017")
MAX_REPLICATIONS = 200
SESSION_JS = """function(_, sid) {
    if (sid) { return sid; }
    const c = window.crypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    const b = c.getRandomValues(new Uint8Array(16));
    return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}"""


LANG_JS = """function(lang, current) {
    if (!lang || lang === current) { return window.dash_clientside.no_update; }
    localStorage.setItem('parksim-lang', lang);
    document.cookie = 'parksim_lang=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
    window.location.reload();
    return lang;
}"""
# The scenario's own number of replications goes into the box in the browser, at once: a reply from the
# server arriving after the user typed a number would otherwise overwrite it.
REPLICATIONS_JS = """function(name, defaults) { return (defaults && name in defaults) ? defaults[name] :
    window.dash_clientside.no_update; }"""
PLAY_MS = 700
PIN_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>ParkSim</title></head>
<body style="font: 20px sans-serif; margin: 3rem"><form method="post" action="/_pin">
<label>PIN（会议室口令 / room PIN）: <input name="pin" type="password" autofocus></label>
<button>OK</button> <b>{error}</b></form></body></html>"""
# Projector mode: a class on <body> (CSS makes all text, chart text too, 16 px or more and shows one
# chart at a time) and the n-th chart of the time series shown; re-applied when a tab is opened.
PROJECTOR_JS = """function(mode, slide, tab) {
    const on = (mode || []).includes('on');
    document.body.classList.toggle('projector', on);
    setTimeout(() => {
        const cards = Array.from(document.querySelectorAll('#fans > .card'));
        const k = ((slide || 0) % cards.length + cards.length) % cards.length;
        cards.forEach((c, i) => c.classList.toggle('current', i === k));
        window.dispatchEvent(new Event('resize'));
    }, 100);
    return on;
}"""
SLIDE_JS = """function(prev, next, slide) {
    const step = window.dash_clientside.callback_context.triggered_id === 'slide-prev' ? -1 : 1;
    return (slide || 0) + step;
}"""
# Rule search in a guided card: show the rules whose text (id, plain name, explanation) has the words,
# and open "more rules" while searching.
SEARCH_JS = """function(text, id) {
    const card = document.getElementById(id.replace('g-search-', 'g-rules-'));
    if (!card) { return 'search'; }
    const words = (text || '').toLowerCase().split(/\\s+/).filter(w => w);
    card.querySelectorAll('.rule').forEach(r => {
        const t = r.textContent.toLowerCase();
        r.style.display = words.every(w => t.includes(w)) ? '' : 'none';
    });
    const more = card.querySelector('details.more-rules');
    if (more && words.length) { more.open = true; }
    return 'search';
}"""


def empty_chart(message: str) -> go.Figure:
    """An empty chart with a message (before any run, or when a view does not apply)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 15})
    fig.update_layout(template="plotly_white", height=300, xaxis={"visible": False}, yaxis={"visible": False},
                      font={"family": figures.FONT})
    return fig


def export_buttons(name: str, lang: str) -> html.Div:
    """PNG / HTML / CSV buttons with the chart's own download slot (charts download independently)."""
    return html.Div([html.Button(fmt.upper(), id={"type": "export", "chart": name, "fmt": fmt},
                                 className="export", title=i18n.t("export.title", lang, fmt=fmt.upper()))
                     for fmt in FORMATS] + [dcc.Download(id={"type": "download", "chart": name})], className="exports")


def card(name: str, graph_id: str, lang: str) -> html.Div:
    return html.Div([dcc.Graph(id=graph_id, figure=empty_chart(i18n.t("run.first", lang)),
                               config={"displaylogo": False}), export_buttons(name, lang)], className="card")


def sweep_names(runs_dir: Path) -> list[str]:
    """Names of the stores directly under ``runs_dir`` that hold a sweep (an experiment with design
    factors). The browser only ever sees and sends these names, never a server path."""
    out = []
    for exp in sorted(runs_dir.glob("*/experiment.json")):
        try:
            if json.loads(exp.read_text(encoding="utf-8")).get("factors"):
                out.append(exp.parent.name)
        except (OSError, ValueError):
            continue
    return out


def sweep_store(runs_dir: Path, name) -> Store | None:
    """The sweep store called ``name`` under ``runs_dir``; None for anything else (a path, ``..``, a
    store that is not a sweep), so a crafted request cannot read a store elsewhere on the server."""
    return Store(runs_dir / name) if isinstance(name, str) and name in sweep_names(runs_dir) else None


def year_slider(slider_id: str) -> html.Div:
    """A year slider; the wrapper leaves room so that the first and last year labels are not cut."""
    return html.Div(dcc.Slider(id=slider_id, min=0, max=1, step=1, value=0, marks=None,
                               tooltip={"placement": "bottom"}), className="year-slider")


def glossary(lang: str) -> html.Div:
    """Every metric with its unit and one or two sentences on what it measures."""
    return html.Div([html.P(i18n.t("glossary.intro", lang)), html.Dl([
        item for key in i18n.METRICS for item in (html.Dt(i18n.metric_label(key, lang)), html.Dd(i18n.explain(key, lang)))
    ], className="glossary")])


def guided_card(card: str, loaded: dict, lang: str) -> html.Div:
    """Scenario card A or B of the guided comparison: preset, rule search, notes and the rule panel
    (filled in by :func:`_guided_callbacks` from the preset)."""
    presets = [n for n in loaded]
    return html.Div([
        html.H3(i18n.t("card", lang, card=card)),
        html.Label(i18n.t("preset", lang)),
        dcc.Dropdown(id=f"g-preset-{card}", options=[{"label": n, "value": n} for n in presets],
                     value=presets[0], clearable=False),
        dcc.Input(id=f"g-search-{card}", type="search", placeholder=i18n.t("search", lang), debounce=False,
                  className="search"),
        html.Div(id=f"g-note-{card}", className="note prereq"),
        html.Div(id=f"g-changed-{card}", className="note changed-list"),
        html.Div(id=f"g-rules-{card}", className="rules"),
    ], className="scenario-card", id=f"card-{card}")


def build_layout(loaded: dict, lang: str, font_missing: bool) -> html.Div:
    """The page in ``lang``."""
    def tr(key, **kw):
        return i18n.t(key, lang, **kw)

    builder = html.Div([
        html.Div([
            html.Label(tr("scenario"), htmlFor="scenario"),
            dcc.Dropdown(id="scenario", options=[{"label": n, "value": n} for n in loaded],
                         value=next(iter(loaded)), clearable=False),
            html.Div(id="scenario-description", className="note"),
            html.Label(tr("replications"), htmlFor="replications"),
            dcc.Input(id="replications", type="number", min=1, max=MAX_REPLICATIONS, step=1,
                      value=min(next(iter(loaded.values())).replications, MAX_REPLICATIONS)),
            html.Div([html.Button(tr("run"), id="run", className="primary"),
                      html.Button(tr("cancel"), id="cancel", disabled=True)], className="buttons"),
            html.Div(id="estimate", className="note"),
            html.Progress(id="progress", max=1, value=0),
            html.Div(id="status", className="status"),
            html.Div(id="error", className="error"),
        ], className="sidebar"),
        html.Div(controls.rule_controls(lang), className="rules"),
    ], className="builder")

    fans = html.Div([card(f"fan:{s.id}", f"fan-{s.id}", lang) for s in figures.FANS], className="grid", id="fans")
    slides = html.Div([html.Button(tr("previous"), id="slide-prev"), html.Button(tr("next"), id="slide-next")],
                      className="slides")
    showing = html.Div([
        html.Div([html.Label(tr("run.picker")), dcc.Dropdown(id="run-select", options=[], placeholder=tr("no.run"))]),
        html.Div([html.Label(tr("replication.picker")), dcc.Dropdown(id="rep-select", options=[], clearable=False)]),
    ], className="row2 showing")
    ab = html.Div([
        html.Div([html.Div([html.Label("A"), dcc.Dropdown(id="ab-a", options=[])]),
                  html.Div([html.Label("B"), dcc.Dropdown(id="ab-b", options=[])]),
                  html.Div([html.Label(tr("metric")), dcc.Dropdown(
                      id="ab-column", options=[{"label": i18n.metric_label(c, lang), "value": c} for c in COLUMNS],
                      value="output", clearable=False)])], className="row3"),
        html.Div(id="ab-note", className="note"),
        html.Ul(id="ab-verdict", className="verdict"),
        html.Div([card("ab-fan", "ab-fan", lang), card("ab-diff", "ab-diff", lang)], className="grid"),
        html.H4(tr("ab.table")),
        html.Div(id="ab-table", className="table"),
        export_buttons("ab-table", lang),
    ])
    park_map = html.Div([
        html.Div([html.Button(tr("play"), id="map-play"), html.Label(tr("year")), year_slider("map-year")],
                 className="player"),
        dcc.Interval(id="map-timer", interval=PLAY_MS, disabled=True),
        card("map", "map", lang),
    ])
    network = html.Div([
        html.Div([html.Label(tr("park")), dcc.Dropdown(id="net-park", options=[{"label": tr("all.parks"), "value": -1}],
                                                       value=-1, clearable=False)], className="picker"),
        html.Label(tr("year")),
        year_slider("net-year"),
        card("flows", "flows", lang),
        html.Details([html.Summary(tr("firm.network")), card("network", "network", lang)], className="family"),
    ])
    sweeps = html.Div([
        html.Div([html.Div([html.Label(tr("sweep.store")), dcc.Dropdown(id="sweep-store", options=[])]),
                  html.Div([html.Label(tr("metric")), dcc.Dropdown(id="sweep-metric", options=[])])], className="row3"),
        html.Button(tr("reload"), id="sweep-reload"),
        card("sweep", "sweep", lang),
        html.H4(tr("sweep.runs")),
        html.Div(id="sweep-runs", className="table"),
    ])
    guided = html.Div([
        html.P(tr("guided.intro"), className="note"),
        html.Div([guided_card(card, loaded, lang) for card in "AB"], className="cards"),
        html.Div([html.Label(tr("replications"), htmlFor="g-replications"),
                  dcc.Input(id="g-replications", type="number", min=1, max=MAX_REPLICATIONS, step=1, value=10),
                  html.Button(tr("run.both"), id="g-run", className="primary"),
                  html.Span(id="g-estimate", className="note"),
                  html.Progress(id="g-progress", max=1, value=0), html.Span(id="g-status", className="status")],
                 className="g-runbar"),
        html.Div(id="g-error", className="error"),
        html.Div(id="g-verdict", className="verdict"),
    ])
    banner = [html.Div(tr("font.missing"), id="font-warning", className="warning")] if font_missing else []
    return html.Div([
        dcc.Store(id="session", storage_type="session"),
        dcc.Store(id="job"),
        dcc.Store(id="runs-version", data=0),
        dcc.Store(id="seen-done"),
        dcc.Store(id="page-lang", data=lang),
        dcc.Store(id="slide", data=0),
        dcc.Store(id="projector-applied"),
        dcc.Store(id="scenario-replications", data={n: min(s.replications, MAX_REPLICATIONS) for n, s in loaded.items()}),
        dcc.Interval(id="poll", interval=400, disabled=True),
        html.Div([html.H2(tr("title")),
                  dcc.RadioItems(id="lang", options=[{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
                                 value=lang, inline=True, className="lang-switch"),
                  dcc.Checklist(id="projector", options=[{"label": tr("projector"), "value": "on"}], value=[],
                                inline=True, persistence=True, persistence_type="local", className="projector-switch")],
                 className="header"),
        *banner,
        showing,
        dcc.Tabs(id="tabs", value="guided", children=[
            dcc.Tab(label=tr("tab.guided"), value="guided", children=guided),
            dcc.Tab(label=tr("tab.builder"), value="builder", children=builder),
            dcc.Tab(label=tr("tab.series"), value="series", children=[slides, fans]),
            dcc.Tab(label=tr("tab.ab"), value="ab", children=ab),
            dcc.Tab(label=tr("tab.map"), value="map", children=park_map),
            dcc.Tab(label=tr("tab.network"), value="network", children=network),
            dcc.Tab(label=tr("tab.sweeps"), value="sweeps", children=sweeps),
            dcc.Tab(label=tr("tab.room"), value="room", children=[
                html.Div([html.Button(tr("session.export"), id="session-export"), dcc.Download(id="session-file"),
                          dcc.Upload(html.Button(tr("session.import")), id="session-import", accept=".zip"),
                          html.Span(id="session-note", className="note")], className="buttons"),
                html.H4(tr("room.title")),
                html.Button(tr("reload"), id="room-reload"), html.Div(id="room-runs", className="table")]),
            dcc.Tab(label=tr("tab.glossary"), value="glossary", children=glossary(lang)),
        ]),
    ])


def require_pin(server, pin: str) -> None:
    """Every request needs the room's PIN once (then a cookie holding a keyed hash of it, never the PIN)."""
    secret = secrets.token_bytes(32)
    token = hmac.new(secret, pin.encode("utf-8"), hashlib.sha256).hexdigest()

    @server.route("/_pin", methods=["POST"])
    def check_pin():
        if hmac.compare_digest(flask.request.form.get("pin", ""), pin):
            response = flask.redirect("/")
            response.set_cookie("parksim_pin", token, httponly=True, samesite="Strict")
            return response
        return PIN_PAGE.format(error="✗ PIN"), 401

    @server.before_request
    def gate():
        if flask.request.path == "/_pin" or hmac.compare_digest(flask.request.cookies.get("parksim_pin", ""), token):
            return None
        return PIN_PAGE.format(error=""), 401


def create_app(runs_dir: str | Path = "runs", scenarios: tuple[str, ...] = DOCUMENT_SCENARIOS,
               manager: JobManager | None = None, pin: str | None = None) -> Dash:
    """The dashboard app; ``scenarios`` are names or paths offered in the builder; with ``pin`` every
    visitor enters it once (for a room on a non-local address).

    The page is built per request in the language of the browser's ``parksim_lang`` cookie (kept in
    step with localStorage by ``assets/lang.js``), with ``<html lang>`` set to it.
    """
    runs_dir = Path(runs_dir)
    manager = manager or JobManager()
    loaded = {}
    for ref in scenarios:
        s = load_scenario(ref)
        loaded[s.name] = s
    font_missing = cjk_font_missing()
    if font_missing:
        print(i18n.t("font.missing", "zh") + "\n" + i18n.t("font.missing", "en"), file=sys.stderr)
    app = Dash(__name__, title="ParkSim", serve_locally=True, update_title=None,
               assets_folder=str(Path(__file__).parent / "assets"), suppress_callback_exceptions=True)
    app.manager = manager
    saved = SavedRuns(runs_dir / "dashboard")
    app.saved = saved
    if manager.saver is None:
        manager.saver = lambda session, rid, label, scenario, config, n, outcomes: saved.save(
            session, rid, loaded[scenario], config.policy, n, label, outcomes)
    if pin:
        require_pin(app.server, pin)
    index = app.interpolate_index
    app.interpolate_index = lambda **kw: index(**kw).replace("<html>", f'<html lang="{i18n.HTML_LANG[i18n.current()]}">', 1)
    app.layout = lambda: build_layout(loaded, i18n.current(), font_missing)
    app.clientside_callback(SESSION_JS, Output("session", "data"), Input("session", "modified_timestamp"),
                            State("session", "data"))
    app.clientside_callback(LANG_JS, Output("page-lang", "data"), Input("lang", "value"), State("page-lang", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(REPLICATIONS_JS, Output("replications", "value"), Input("scenario", "value"),
                            State("scenario-replications", "data"), prevent_initial_call=True)
    app.clientside_callback(PROJECTOR_JS, Output("projector-applied", "data"), Input("projector", "value"),
                            Input("slide", "data"), Input("tabs", "value"))
    app.clientside_callback(SLIDE_JS, Output("slide", "data"), Input("slide-prev", "n_clicks"),
                            Input("slide-next", "n_clicks"), State("slide", "data"), prevent_initial_call=True)
    for card in "AB":
        app.clientside_callback(SEARCH_JS, Output(f"g-search-{card}", "className"), Input(f"g-search-{card}", "value"),
                                State(f"g-search-{card}", "id"), prevent_initial_call=True)
    _builder_callbacks(app, manager, loaded, saved)
    _guided_callbacks(app, manager, loaded)
    _estimate_callbacks(app, manager)
    _chart_callbacks(app, manager, saved, runs_dir)
    return app


def _control_ids(group) -> dict[str, list[dict]]:
    return {kind: [item["id"] for item in items] for kind, items in zip(("rule-on", "param", "weight"), group)}


def _builder_callbacks(app: Dash, manager: JobManager, loaded: dict, saved: SavedRuns) -> None:
    controls_out = [Output({"type": t, **k}, "value") for t, k in
                    (("rule-on", {"rule": ALL}), ("param", {"rule": ALL, "name": ALL}), ("weight", {"indicator": ALL}))]
    controls_in = [State({"type": t, **k}, "value") for t, k in
                   (("rule-on", {"rule": ALL}), ("param", {"rule": ALL, "name": ALL}), ("weight", {"indicator": ALL}))]

    @app.callback(*controls_out, Output("scenario-description", "children"), Input("scenario", "value"))
    def show_scenario(name):
        s = loaded[name]
        v = controls.values_of(s.policy, _control_ids(ctx.outputs_list[:3]))
        parks = f"{len(s.world.parks)} parks" if s.world.parks else f"{s.world.n_parks} generated parks"
        return (v["rule-on"], v["param"], v["weight"],
                f"{s.description} ({parks}, {s.world.years} years from {s.world.start_year}; root seed {s.seed})")

    @app.callback(Output("job", "data"), Output("error", "children"),
                  Input("run", "n_clicks"), State("session", "data"), State("scenario", "value"),
                  State("replications", "value"), *controls_in, prevent_initial_call=True)
    def start_run(_, session, name, replications, *values):
        lang = i18n.current()
        if not session:
            raise PreventUpdate
        if not isinstance(replications, int) or not 1 <= replications <= MAX_REPLICATIONS:
            return dash.no_update, i18n.t("bad.replications", lang, value=replications, max=MAX_REPLICATIONS)
        s = loaded[name]
        ids = _control_ids(ctx.states_list[3:])
        try:
            policy = controls.policy_of(ids, dict(zip(("rule-on", "param", "weight"), values)))
        except ConfigError as e:
            return dash.no_update, i18n.t("not.run", lang, error=e)
        changed = controls.changes(s.policy, policy)
        label = f"{s.name}" + (f" ({', '.join(changed)})" if changed else "")
        try:
            job = manager.submit(session, label, s.name, RunConfig(s.world, policy, s.targets), s.seed,
                                 replications, s.description)
        except Busy as e:
            return dash.no_update, str(e)
        return job.id, ""

    @app.callback(Input("cancel", "n_clicks"), State("session", "data"), State("job", "data"),
                  prevent_initial_call=True)
    def cancel_run(_, session, job_id):
        manager.cancel(session, job_id)

    @app.callback(Output("progress", "value"), Output("status", "children"), Output("run", "disabled"),
                  Output("cancel", "disabled"), Output("poll", "disabled"), Output("runs-version", "data"),
                  Output("g-progress", "value"), Output("g-status", "children"), Output("g-run", "disabled"),
                  Output("seen-done", "data"),
                  Input("job", "data"), Input("poll", "n_intervals"), State("session", "data"),
                  State("runs-version", "data"), State("seen-done", "data"), prevent_initial_call=True)
    def show_progress(job_id, _, session, version, seen):
        """Progress; each newly finished replication bumps ``runs-version`` so the charts stream in."""
        lang = i18n.current()
        job = manager.get(session, job_id)
        if job is None:
            raise PreventUpdate
        if job.status == RUNNING:
            text = i18n.t("status.running", lang, id=job.id, label=job.label, done=job.done, total=job.total)
            fresh = job.done != seen and job.done > 0
            return (job.progress, text, True, False, False, version + 1 if fresh else dash.no_update,
                    job.progress, text, True, job.done)
        text = (i18n.t("status.finished", lang, id=job.id, label=job.label, seconds=job.seconds,
                       status=i18n.t(f"status.{job.status}", lang)) + (f": {job.error}" if job.error else ""))
        progress = 1 if job.status == DONE else job.progress
        return progress, text, False, True, True, version + 1, progress, text, False, None

    @app.callback(Output("run-select", "options"), Output("run-select", "value"), Output("ab-a", "options"),
                  Output("ab-a", "value"), Output("ab-b", "options"), Output("ab-b", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("ab-b", "value"))
    def list_runs(_, session, previous_b):
        lang = i18n.current()
        runs = _all_runs(manager, saved, session)
        options = [{"label": i18n.t("run.option", lang, id=jid, label=r.label, n=r.replications), "value": jid}
                   for jid, r in runs.items()]
        ids = list(runs)
        latest = ids[-1] if ids else None
        a = previous_b if previous_b in runs and previous_b != latest else (ids[-2] if len(ids) > 1 else latest)
        return options, latest, options, a, options, latest


def _guided_callbacks(app: Dash, manager: JobManager, loaded: dict) -> None:
    """Cards A and B: the preset fills the rule panel; switching a rule on switches on what it needs
    (with a note); changed levers are highlighted and listed; one button runs both on common seeds; the
    verdicts follow when the pair is done."""
    def card_ids(kind: str, card: str, **keys):
        return {"type": kind, "card": card, **keys}

    for card in "AB":
        @app.callback(Output(f"g-rules-{card}", "children"), Input(f"g-preset-{card}", "value"))
        def fill_rules(name, card=card):
            return controls.guided_rules(loaded[name].policy, card, i18n.current())

        @app.callback(Output(card_ids("g-on", card, rule=ALL), "value"), Output(f"g-note-{card}", "children"),
                      Output(f"g-changed-{card}", "children"), Output(card_ids("g-block", card, rule=ALL), "className"),
                      Input(card_ids("g-on", card, rule=ALL), "value"),
                      Input(card_ids("g-param", card, rule=ALL, name=ALL), "value"),
                      Input(card_ids("g-weight", card, indicator=ALL), "value"),
                      State(f"g-preset-{card}", "value"), prevent_initial_call=True)
        def check_card(on_values, params, weights, name, card=card):
            lang = i18n.current()
            on_ids = [i["id"] for i in ctx.inputs_list[0]]
            on = {i["rule"]: controls.ON in (v or []) for i, v in zip(on_ids, on_values)}
            needed = controls.prerequisites(on)
            note = ""
            if needed:
                for rid, users in needed.items():
                    on[rid] = True
                    note = i18n.t("prereq", lang, needed=f"{rid} {i18n.rule_name(rid, lang)}", users=", ".join(users))
                on_values = [[controls.ON] if on[i["rule"]] else [] for i in on_ids]
            ids = {"rule-on": on_ids, "param": [i["id"] for i in ctx.inputs_list[1]],
                   "weight": [i["id"] for i in ctx.inputs_list[2]]}
            try:
                policy = controls.policy_of(ids, {"rule-on": on_values, "param": params, "weight": weights})
            except ConfigError as e:
                return on_values, f"{note} {e}".strip(), "", ["rule"] * len(on_ids)
            preset = loaded[name].policy
            changed_rules = {c.split(" ")[0].split(".")[0] for c in controls.changes(preset, policy)}
            words = controls.describe(preset, policy, lang)
            listed = i18n.t("changed", lang) + "; ".join(words) if words else i18n.t("changed.none", lang)
            classes = ["rule changed" if i["rule"] in changed_rules else "rule"
                       for i in (b["id"] for b in ctx.outputs_list[3])]
            return on_values, note, listed, classes

    states = [State(card_ids(kind, card, **keys), "value") for card in "AB" for kind, keys in
              (("g-on", {"rule": ALL}), ("g-param", {"rule": ALL, "name": ALL}), ("g-weight", {"indicator": ALL}))]

    @app.callback(Output("job", "data", allow_duplicate=True), Output("g-error", "children"),
                  Input("g-run", "n_clicks"), State("session", "data"), State("g-preset-A", "value"),
                  State("g-preset-B", "value"), State("g-replications", "value"), *states, prevent_initial_call=True)
    def run_both(_, session, preset_a, preset_b, replications, *values):
        lang = i18n.current()
        if not session:
            raise PreventUpdate
        if not isinstance(replications, int) or not 1 <= replications <= MAX_REPLICATIONS:
            return dash.no_update, i18n.t("bad.replications", lang, value=replications, max=MAX_REPLICATIONS)
        parts = []
        for k, (card, name) in enumerate((("A", preset_a), ("B", preset_b))):
            ids = _control_ids(ctx.states_list[4 + 3 * k: 7 + 3 * k])
            try:
                policy = controls.policy_of(ids, dict(zip(("rule-on", "param", "weight"), values[3 * k: 3 * k + 3])))
            except ConfigError as e:
                return dash.no_update, i18n.t("not.run", lang, error=f"{card}: {e}")
            s = loaded[name]
            changed = controls.changes(s.policy, policy)
            label = f"{card}: {s.name}" + (f" ({', '.join(changed)})" if changed else "")
            parts.append((label, s.name, RunConfig(s.world, policy, s.targets), s.description))
        try:
            job = manager.submit_parts(session, parts, loaded[preset_a].seed, replications)
        except Busy as e:
            return dash.no_update, str(e)
        return job.id, ""

    @app.callback(Output("g-verdict", "children"), Input("runs-version", "data"), State("session", "data"),
                  State("job", "data"), prevent_initial_call=True)
    def show_verdict(_, session, job_id):
        lang = i18n.current()
        job = manager.get(session, job_id)
        if job is None or job.parts != 2 or job.status != DONE:
            raise PreventUpdate
        a, b = job.results.values()
        words = controls.describe(Policy.from_dict(a.policy), Policy.from_dict(b.policy), lang)
        head = i18n.t("verdict.head", lang, changes="; ".join(words) if words else i18n.t("verdict.same", lang))
        return [html.P(head, className="verdict-head"),
                html.Ul([html.Li(v) for v in verdicts(comparison_table(a, b), lang)]),
                html.P(i18n.t("verdict.next", lang), className="note")]


def _estimate_callbacks(app: Dash, manager: JobManager) -> None:
    """The expected time of a run, shown before it is started (from the last run of the same scenarios)."""
    for out, scenarios, reps in (("estimate", ["scenario"], "replications"),
                                 ("g-estimate", ["g-preset-A", "g-preset-B"], "g-replications")):
        @app.callback(Output(out, "children"), *[Input(s, "value") for s in scenarios], Input(reps, "value"),
                      Input("runs-version", "data"))
        def show_estimate(*values):
            lang = i18n.current()
            names, replications = values[:-2], values[-2]
            seconds = manager.estimate(tuple(names), replications) if isinstance(replications, int) else None
            return i18n.t("estimate", lang, seconds=f"{max(seconds, 1):.0f}") if seconds else i18n.t("estimate.none", lang)


def _all_runs(manager: JobManager, saved: SavedRuns, session) -> dict:
    """The session's runs: reopened from the store (earlier servers), then this server's, the one
    going included as far as it got."""
    if not session:
        return {}
    return {**saved.reopened(session), **manager.results(session, live=True)}


def _runs(manager: JobManager, saved: SavedRuns, session, *job_ids):
    """The session's runs for ``job_ids`` (PreventUpdate-free: None when one is missing)."""
    results = _all_runs(manager, saved, session)
    picked = [results.get(j) for j in job_ids]
    return None if any(r is None for r in picked) else picked


def _year_marks(years: list[int]) -> dict:
    return {int(y): str(y) for y in years[::max(1, len(years) // 8)]} | {int(years[-1]): str(years[-1])}


def _chart_callbacks(app: Dash, manager: JobManager, saved: SavedRuns, runs_dir: Path) -> None:
    @app.callback(*[Output(f"fan-{s.id}", "figure") for s in figures.FANS],
                  Output("rep-select", "options"), Output("rep-select", "value"),
                  Output("map-year", "min"), Output("map-year", "max"), Output("map-year", "value"),
                  Output("map-year", "marks"), Output("net-year", "min"), Output("net-year", "max"),
                  Output("net-year", "value"), Output("net-year", "marks"), Output("net-park", "options"),
                  Input("run-select", "value"), Input("projector", "value"), State("session", "data"))
    def draw_run(job_id, projector, session):
        lang = i18n.current()
        runs = _runs(manager, saved, session, job_id)
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
        runs = _runs(manager, saved, session, job_id)
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
        runs = _runs(manager, saved, session, job_id)
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
        runs = _runs(manager, saved, session, a, b)
        if runs is None:
            empty = empty_chart(i18n.t("choose.two", lang))
            return empty, empty, None, "", []
        ra, rb = runs
        note = "" if ra.root_seed == rb.root_seed else i18n.t("ab.seeds", lang, a=ra.root_seed, b=rb.root_seed)
        raw = chart("ab-table", runs)[0]
        return (chart("ab-fan", runs, column=column, lang=lang)[1], chart("ab-diff", runs, column=column, lang=lang)[1],
                html_table(shown_table(raw, lang)), note, [html.Li(v) for v in verdicts(raw, lang)])

    @app.callback(Output("room-runs", "children"), Input("room-reload", "n_clicks"), Input("tabs", "value"))
    def list_room(_, tab):
        """Facilitator view: every group's saved runs (groups are browser sessions, shown by a short id)."""
        if tab != "room":
            raise PreventUpdate
        lang = i18n.current()
        rows = [{i18n.t("col.group", lang): r["session"][:8], i18n.t("col.run", lang): r["label"],
                 i18n.t("scenario", lang): r["scenario"], i18n.t("col.saved", lang): r["saved"]}
                for r in saved.records()]
        return html_table(pd.DataFrame(rows)) if rows else i18n.t("room.none", lang)

    @app.callback(Output("session-file", "data"), Input("session-export", "n_clicks"), State("session", "data"),
                  prevent_initial_call=True)
    def export_session(_, session):
        """This group's saved runs as one file."""
        if not saved.records(session):
            raise PreventUpdate
        return dcc.send_bytes(saved.export(session), f"parksim_session_{session[:8]}.zip")

    @app.callback(Output("session-note", "children"), Output("runs-version", "data", allow_duplicate=True),
                  Input("session-import", "contents"), State("session", "data"), State("runs-version", "data"),
                  prevent_initial_call=True)
    def import_session(contents, session, version):
        """A session file's runs join this group's runs (listed in the run pickers)."""
        lang = i18n.current()
        if not contents:
            raise PreventUpdate
        try:
            names = saved.import_(session, base64.b64decode(contents.split(",", 1)[-1]))
        except ConfigError as e:
            return i18n.t("not.imported", lang, error=e), dash.no_update
        return i18n.t("imported", lang, n=len(names)), version + 1

    @app.callback(Output("sweep-store", "options"), Input("sweep-reload", "n_clicks"))
    def list_sweeps(_):
        return [{"label": name, "value": name} for name in sweep_names(runs_dir)]

    @app.callback(Output("sweep-metric", "options"), Output("sweep-metric", "value"), Input("sweep-store", "value"))
    def list_sweep_metrics(name):
        store = sweep_store(runs_dir, name)
        if store is None:
            return [], None
        m = ok_metrics(store)
        factors = set(store.experiment().get("factors", []))
        names = [c for c in m.columns if c not in factors and c not in ("run_id", "point", "replication", "seed")
                 and pd.api.types.is_numeric_dtype(m[c])]
        return [{"label": n, "value": n} for n in names], ("output" if "output" in names else names[0])

    @app.callback(Output("sweep", "figure"), Input("sweep-store", "value"), Input("sweep-metric", "value"))
    def draw_sweep(name, metric):
        lang = i18n.current()
        if name and sweep_store(runs_dir, name) is None:
            return empty_chart(i18n.t("sweep.refused", lang, name=str(name)[:80]))
        if not name or not metric:
            return empty_chart(i18n.t("sweep.choose", lang))
        return _sweep_chart(sweep_store(runs_dir, name), metric)[1]

    @app.callback(Output("sweep-runs", "children"), Input("sweep", "clickData"),
                  State("sweep-store", "value"), State("sweep-metric", "value"), prevent_initial_call=True)
    def sweep_click(click, name, metric):
        store = sweep_store(runs_dir, name)
        if not click or store is None:
            raise PreventUpdate
        factors = store.experiment()["factors"]
        pt = click["points"][0]
        values = {factors[0]: pt["x"], **({factors[1]: pt["y"]} if len(factors) > 1 else {})}
        rows = figures.runs_behind(ok_metrics(store), values)
        cols = ["run_id", "point", "replication", "seed", *factors, metric]
        return html_table(rows[cols])

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
            data, fig = _sweep_chart(store, sweep_metric)
            return dcc.send_bytes(render(data, fig, fmt), f"{sweep_name}_{sweep_metric}.{fmt}")
        runs = _runs(manager, saved, session, *((a, b) if name.startswith("ab-") else (run_id,)))
        if runs is None:
            raise PreventUpdate
        year = {"map": map_year, "network": net_year, "flows": net_year}.get(name)
        data, fig = chart(name, runs, column=column, year=year, park=None if park in (None, -1) else park,
                          replication=replication, lang=i18n.current())
        return dcc.send_bytes(render(data, fig, fmt), filename(name.replace(":", "_"), runs, fmt, year))


def _sweep_chart(store: Store, metric: str):
    factors = store.experiment()["factors"]
    m = ok_metrics(store)
    return figures.sweep_table(m, factors[:2], metric), figures.sweep_figure(m, factors, metric)


def shown(fig: go.Figure, projector) -> go.Figure:
    """A chart as drawn on the page: enlarged in projector mode."""
    return figures.for_projector(fig) if projector and "on" in projector else fig


def html_table(table: pd.DataFrame) -> html.Table:
    """A plain HTML table, numbers written out without scientific notation; each cell names its
    column (``data-column``)."""
    def cell(v):
        return i18n.number(v) if isinstance(v, float) else str(v)
    return html.Table([html.Thead(html.Tr([html.Th(c) for c in table.columns])),
                       html.Tbody([html.Tr([html.Td(cell(v), **{"data-column": c}) for c, v in zip(table.columns, row)])
                                   for row in table.itertuples(index=False)])])
