"""The workshop dashboard (Dash): the app, its room PIN and the wiring of the page to its callbacks.

Everything the page needs is served by this process (Dash's own bundles, ``viz/assets``); nothing
comes from a CDN. Runs execute in the background (:mod:`parksim.viz.jobs`) and stay on the server under the
browser tab's session id, so each tab sees only its own runs. All charts come from
:func:`parksim.viz.export.chart`, which the download buttons use too. The page is :mod:`.layout`; the
callbacks are grouped by the tab they serve (:mod:`.run_callbacks`, :mod:`.chart_callbacks`,
:mod:`.room_callbacks`) and :mod:`.clientside`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import sys
from pathlib import Path

import flask
from dash import Dash

from parksim.scenarios.loader import load_scenario

from . import chart_callbacks, clientside, i18n, room_callbacks, run_callbacks
from .fonts import cjk_font_missing
from .jobs import JobManager
from .layout import build_layout
from .saved import SavedRuns

DOCUMENT_SCENARIOS = ("baseline", "nanyang_2009", "xuchang_2012", "lanzhou_2012", "chizhou_2015", "henan_2017")
PIN_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>ParkSim</title></head>
<body style="font: 20px sans-serif; margin: 3rem"><form method="post" action="/_pin">
<label>PIN（会议室口令 / room PIN）: <input name="pin" type="password" autofocus></label>
<button>OK</button> <b>{error}</b></form></body></html>"""


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
    visitor enters it once (for a room on a non-local address). A pool ``manager`` starts and warms its
    workers at once, in the background (:meth:`JobManager.warm_up`).

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
    if manager.saver is None:          # the run's world as it ran (the builder's world controls change it)
        manager.saver = lambda session, rid, label, scenario, config, n, outcomes: saved.save(
            session, rid, dataclasses.replace(loaded[scenario], world=config.world), config.policy, n, label, outcomes)
    if pin:
        require_pin(app.server, pin)
    index = app.interpolate_index
    app.interpolate_index = lambda **kw: index(**kw).replace("<html>", f'<html lang="{i18n.HTML_LANG[i18n.current()]}">', 1)
    app.layout = lambda: build_layout(loaded, i18n.current(), font_missing)
    clientside.register(app)
    run_callbacks.register(app, manager, loaded, saved)
    chart_callbacks.register(app, manager, saved, runs_dir)
    room_callbacks.register(app, saved, runs_dir)
    if manager.executor == "pool":
        manager.warm_up()              # in the background: the page is served at once, the first run meets a warm pool
    return app
