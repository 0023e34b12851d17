"""The dashboard page: its layout in one language, tab by tab, and the small building blocks (chart
cards with their export buttons, year sliders, tables). No callbacks here: they live in
:mod:`.run_callbacks`, :mod:`.chart_callbacks` and :mod:`.room_callbacks`, by the tab they serve."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from . import controls, figures, i18n
from .export import COLUMNS, FORMATS

MAX_REPLICATIONS = 200
PLAY_MS = 700
# Chart views drawn only while their tab is open, and only again when what they show changed: each keeps
# the key of what it drew last in a store "<view>-drawn" (a tab switch alone redraws nothing).
DRAWN = ("fans", "ab", "map-a", "map-b", "net", "costs")


def empty_chart(message: str) -> go.Figure:
    """An empty chart with a message (before any run, or when a view does not apply)."""
    return figures.note_figure(message)


def export_buttons(name: str, lang: str) -> html.Div:
    """PNG / HTML / CSV buttons with the chart's own download slot (charts download independently)."""
    return html.Div([html.Button(fmt.upper(), id={"type": "export", "chart": name, "fmt": fmt},
                                 className="export", title=i18n.t("export.title", lang, fmt=fmt.upper()))
                     for fmt in FORMATS] + [dcc.Download(id={"type": "download", "chart": name})], className="exports")


def card(name: str, graph_id: str, lang: str) -> html.Div:
    return html.Div([dcc.Graph(id=graph_id, figure=empty_chart(i18n.t("run.first", lang)),
                               config={"displaylogo": False}), export_buttons(name, lang)], className="card")



def year_slider(slider_id: str) -> html.Div:
    """A year slider; the wrapper leaves room so that the first and last year labels are not cut."""
    return html.Div(dcc.Slider(id=slider_id, min=0, max=1, step=1, value=0, marks=None,
                               tooltip={"placement": "bottom"}), className="year-slider")


def map_side(side: str, graph_id: str, lang: str) -> html.Div:
    """One of the two park maps (A and B side by side): its run and replication pickers, then the map, whose
    subtitle names the run, the replication and its seed."""
    return html.Div([
        html.H4(i18n.t("map.side", lang, side=side.upper())),
        html.Div([html.Div([html.Label(i18n.t("run.picker", lang)),
                            dcc.Dropdown(id=f"map-run-{side}", options=[], placeholder=i18n.t("no.run", lang))]),
                  html.Div([html.Label(i18n.t("replication.picker", lang)),
                            dcc.Dropdown(id=f"map-rep-{side}", options=[], clearable=False)])], className="row2"),
        card(graph_id, graph_id, lang),
    ], className="map-side", id=f"map-side-{side}")


def glossary(lang: str) -> html.Div:
    """Every metric with its unit and one or two sentences on what it measures."""
    def setting(key):
        rid, _, name = key.rpartition(".")
        return f"{rid} {i18n.param_name(rid, name, lang)}" if rid else i18n.world_label(name, lang)
    return html.Div([html.P(i18n.t("glossary.intro", lang)), html.Dl([
        item for key in i18n.METRICS for item in (html.Dt(i18n.metric_label(key, lang)), html.Dd(i18n.explain(key, lang)))
    ], className="glossary"), html.H4(i18n.t("glossary.settings", lang)), html.Dl([
        item for key in i18n.SETTING_HELP for item in (html.Dt(setting(key)), html.Dd(i18n.setting_help(key, lang)))
    ], className="glossary", id="glossary-settings")])


def guided_card(card: str, loaded: dict, lang: str) -> html.Div:
    """Scenario card A or B of the guided comparison: preset, rule search, notes and the rule panel
    (filled in by :func:`_guided_callbacks` from the preset)."""
    presets = [n for n in loaded]
    return html.Div([
        html.H3(i18n.t("card", lang, card=card)),
        html.Label(i18n.t("preset", lang)),
        dcc.Dropdown(id=f"g-preset-{card}", options=[{"label": n, "value": n} for n in presets],
                     value=presets[0], clearable=False),
        controls.world_controls(lang, loaded[presets[0]].world, card),
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
            controls.world_controls(lang, next(iter(loaded.values())).world),
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
        html.Div([map_side(side, graph, lang) for side, graph in (("a", "map"), ("b", "map-b"))], className="grid maps"),
    ])
    network = html.Div([
        html.Div([html.Label(tr("park")), dcc.Dropdown(id="net-park", options=[{"label": tr("all.parks"), "value": -1}],
                                                       value=-1, clearable=False)], className="picker"),
        html.Label(tr("year")),
        year_slider("net-year"),
        card("flows", "flows", lang),
        html.Details([html.Summary(tr("firm.network")), card("network", "network", lang)], className="family"),
    ])
    costs = html.Div([card("costs", "costs", lang), html.Div(id="costs-table", className="table")])
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
        *[dcc.Store(id=f"{view}-drawn") for view in DRAWN],
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
            dcc.Tab(label=tr("tab.costs"), value="costs", children=costs),
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
