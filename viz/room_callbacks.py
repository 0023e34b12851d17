"""Callbacks of the room and sweep tabs: the facilitator's list of every group's saved runs, a group's
session exported and imported as one file, and the sweeps found in the runs directory (by name only)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from parksim.experiments.compare import ok_metrics
from parksim.experiments.store import Store
from parksim.simulation import ConfigError

from . import figures, i18n
from .layout import empty_chart, html_table
from .saved import SavedRuns


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


def register(app: Dash, saved: SavedRuns, runs_dir: Path) -> None:
    """Register the room callbacks: the facilitator's list, session export and import, sweeps."""
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
        lang = i18n.current()
        return ([{"label": i18n.metric_label(n, lang), "value": n} for n in names],
                "output" if "output" in names else names[0])

    @app.callback(Output("sweep", "figure"), Input("sweep-store", "value"), Input("sweep-metric", "value"))
    def draw_sweep(name, metric):
        lang = i18n.current()
        if name and sweep_store(runs_dir, name) is None:
            return empty_chart(i18n.t("sweep.refused", lang, name=str(name)[:80]))
        if not name or not metric:
            return empty_chart(i18n.t("sweep.choose", lang))
        return sweep_chart(sweep_store(runs_dir, name), metric, lang)[1]

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
        return html_table(runs_shown(rows, factors, metric, i18n.current()))


def sweep_chart(store: Store, metric: str, lang: str = "en"):
    """(table, figure) of a sweep's ``metric`` against its design factors."""
    factors = store.experiment()["factors"]
    m = ok_metrics(store)
    return figures.sweep_table(m, factors[:2], metric), figures.sweep_figure(m, factors, metric, lang)


def runs_shown(rows: pd.DataFrame, factors: list[str], metric: str, lang: str) -> pd.DataFrame:
    """The runs behind a sweep point as people read them: plain column names, the metric in its unit."""
    scale, _ = i18n.metric_unit(metric, lang)
    shown = {"run_id": i18n.t("col.run", lang), "point": i18n.t("col.point", lang),
             "replication": i18n.t("col.replication", lang), "seed": i18n.t("col.seed", lang),
             **{f: i18n.factor_label(f, lang) for f in factors}, metric: i18n.metric_label(metric, lang)}
    return rows[list(shown)].assign(**{metric: rows[metric] * scale}).rename(columns=shown)
