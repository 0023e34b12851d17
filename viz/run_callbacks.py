"""Callbacks of the tabs that start runs: the guided comparison (cards A and B, one button for both, the
verdicts), the scenario builder (controls, Run, Cancel, progress) and the time estimate shown before a run.
Progress bumps ``runs-version``, which the run pickers and every chart follow."""

from __future__ import annotations

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from parksim.experiments.runner import RunConfig
from parksim.simulation import ConfigError, Policy

from . import controls, i18n
from .chart_callbacks import all_runs
from .export import chart, comparison_table
from .jobs import DONE, RUNNING, Busy, JobManager
from .layout import MAX_REPLICATIONS, html_table
from .saved import SavedRuns
from .verdict import side_by_side, verdicts


def register(app: Dash, manager: JobManager, loaded: dict, saved: SavedRuns) -> None:
    """Register the run callbacks; ``loaded`` maps scenario names to scenarios."""
    _builder_callbacks(app, manager, loaded, saved)
    _guided_callbacks(app, manager, loaded)
    _estimate_callbacks(app, manager, {name: s.world for name, s in loaded.items()})


def _control_ids(group) -> dict[str, list[dict]]:
    return {kind: [item["id"] for item in items] for kind, items in zip(controls.KINDS, group)}


PATTERNS = (("rule", ALL),), (("rule", ALL), ("name", ALL)), (("indicator", ALL),), (("rule", ALL), ("name", ALL))
"""The wildcard keys of the rule controls, in the order of :data:`controls.KINDS`."""


def _patterns(kinds: tuple[str, ...], card: str | None = None) -> list[dict]:
    return [{"type": kind, **({"card": card} if card else {}), **dict(keys)} for kind, keys in zip(kinds, PATTERNS)]


def _configure(s, ids: dict, values: list, world_ids: list, world_values: list) -> RunConfig:
    """The run configuration the controls show for scenario ``s`` (ConfigError naming a bad value)."""
    policy = controls.policy_of(ids, dict(zip(controls.KINDS, values)), s.policy)
    return RunConfig(controls.world_of(world_ids, world_values, s.world), policy, s.targets)


def _label(prefix: str, s, config: RunConfig) -> str:
    """A run's label: the scenario and what the controls changed (rules and run settings)."""
    changed = controls.changes(s.policy, config.policy) + [
        f"{name}={getattr(config.world, name)}" for name in controls.WORLD_CONTROLS
        if getattr(config.world, name) != getattr(s.world, name)]
    return prefix + s.name + (f" ({', '.join(changed)})" if changed else "")


def _builder_callbacks(app: Dash, manager: JobManager, loaded: dict, saved: SavedRuns) -> None:
    """The scenario builder: a scenario fills the controls; Run, Cancel, progress and the run pickers."""
    controls_out = [Output(p, "value") for p in _patterns(controls.KINDS)]
    controls_in = [State(p, "value") for p in _patterns(controls.KINDS)]
    world = {"type": "world", "name": ALL}

    @app.callback(*controls_out, Output(world, "value"), Output("scenario-description", "children"),
                  Input("scenario", "value"))
    def show_scenario(name):
        s = loaded[name]
        v = controls.values_of(s.policy, _control_ids(ctx.outputs_list[:4]))
        settings = [getattr(s.world, i["id"]["name"]) for i in ctx.outputs_list[4]]
        parks = f"{len(s.world.parks)} parks" if s.world.parks else f"{s.world.n_parks} generated parks"
        return (*(v[k] for k in controls.KINDS), settings,
                f"{s.description} ({parks}, {s.world.years} years from {s.world.start_year}; root seed {s.seed})")

    @app.callback(Output("job", "data"), Output("error", "children"),
                  Input("run", "n_clicks"), State("session", "data"), State("scenario", "value"),
                  State("replications", "value"), *controls_in, State(world, "value"), prevent_initial_call=True)
    def start_run(_, session, name, replications, *values):
        lang = i18n.current()
        if not session:
            raise PreventUpdate
        if not isinstance(replications, int) or not 1 <= replications <= MAX_REPLICATIONS:
            return dash.no_update, i18n.t("bad.replications", lang, value=replications, max=MAX_REPLICATIONS)
        s = loaded[name]
        n = len(controls.KINDS)
        try:
            config = _configure(s, _control_ids(ctx.states_list[3:3 + n]), values[:n],
                                [i["id"] for i in ctx.states_list[3 + n]], values[n])
        except ConfigError as e:
            return dash.no_update, i18n.t("not.run", lang, error=e)
        try:
            job = manager.submit(session, _label("", s, config), s.name, config, s.seed, replications, s.description)
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
        """Progress; the charts stream in: ``runs-version`` is bumped when the first replication is in and
        then each time the number finished has doubled (1, 2, 4, 8 …), so a 20-replication run redraws its
        charts about six times, not twenty (the server's drawing competes with the workers for the cores)."""
        lang = i18n.current()
        job = manager.get(session, job_id)
        if job is None:
            raise PreventUpdate
        if job.status == RUNNING:
            text = i18n.t("status.running", lang, id=job.id, label=job.label, done=job.done, total=job.total)
            fresh = job.done > 0 and (not seen or job.done >= 2 * seen)
            return (job.progress, text, True, False, False, version + 1 if fresh else dash.no_update,
                    job.progress, text, True, job.done if fresh else dash.no_update)
        text = (i18n.t("status.finished", lang, id=job.id, label=job.label, seconds=job.seconds,
                       status=i18n.t(f"status.{job.status}", lang)) + (f": {job.error}" if job.error else ""))
        progress = 1 if job.status == DONE else job.progress
        return progress, text, False, True, True, version + 1, progress, text, False, None

    @app.callback(Output("run-select", "options"), Output("run-select", "value"), Output("ab-a", "options"),
                  Output("ab-a", "value"), Output("ab-b", "options"), Output("ab-b", "value"),
                  Output("map-run-a", "options"), Output("map-run-a", "value"), Output("map-run-b", "options"),
                  Output("map-run-b", "value"),
                  Input("runs-version", "data"), State("session", "data"), State("ab-b", "value"))
    def list_runs(_, session, previous_b):
        """Every picker of a run: the latest run shown; A is the run before it (the guided comparison's A and
        B), on the A versus B tab and on the two maps."""
        lang = i18n.current()
        runs = all_runs(manager, saved, session)
        options = [{"label": i18n.t("run.option", lang, id=jid, label=r.label, n=r.replications), "value": jid}
                   for jid, r in runs.items()]
        ids = list(runs)
        latest = ids[-1] if ids else None
        a = previous_b if previous_b in runs and previous_b != latest else (ids[-2] if len(ids) > 1 else latest)
        return options, latest, options, a, options, latest, options, a, options, latest


def _guided_callbacks(app: Dash, manager: JobManager, loaded: dict) -> None:
    """Cards A and B: the preset fills the rule panel; switching a rule on switches on what it needs
    (with a note); changed levers are highlighted and listed; one button runs both on common seeds; the
    verdicts follow when the pair is done."""
    def card_ids(kind: str, card: str, **keys):
        return {"type": kind, "card": card, **keys}

    guided_kinds = ("g-on", "g-param", "g-weight", "g-choice")
    for card in "AB":
        @app.callback(Output(f"g-rules-{card}", "children"), Output({"type": "g-world", "card": card, "name": ALL}, "value"),
                      Input(f"g-preset-{card}", "value"))
        def fill_rules(name, card=card):
            settings = [getattr(loaded[name].world, i["id"]["name"]) for i in ctx.outputs_list[1]]
            return controls.guided_rules(loaded[name].policy, card, i18n.current()), settings

        @app.callback(Output(card_ids("g-on", card, rule=ALL), "value"), Output(f"g-note-{card}", "children"),
                      Output(f"g-changed-{card}", "children"), Output(card_ids("g-block", card, rule=ALL), "className"),
                      Input(card_ids("g-on", card, rule=ALL), "value"),
                      Input(card_ids("g-param", card, rule=ALL, name=ALL), "value"),
                      Input(card_ids("g-weight", card, indicator=ALL), "value"),
                      Input(card_ids("g-choice", card, rule=ALL, name=ALL), "value"),
                      State(f"g-preset-{card}", "value"), prevent_initial_call=True)
        def check_card(on_values, params, weights, choices, name, card=card):
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
            ids = _control_ids(ctx.inputs_list[:4])
            try:
                policy = controls.policy_of(ids, {"rule-on": on_values, "param": params, "weight": weights,
                                                  "choice": choices}, loaded[name].policy)
            except ConfigError as e:
                return on_values, f"{note} {e}".strip(), "", ["rule"] * len(on_ids)
            preset = loaded[name].policy
            changed_rules = {c.split(" ")[0].split(".")[0] for c in controls.changes(preset, policy)}
            words = controls.describe(preset, policy, lang)
            listed = i18n.t("changed", lang) + "; ".join(words) if words else i18n.t("changed.none", lang)
            classes = ["rule changed" if i["rule"] in changed_rules else "rule"
                       for i in (b["id"] for b in ctx.outputs_list[3])]
            return on_values, note, listed, classes

    per_card = len(guided_kinds) + 1              # the rule controls and the run settings of a card
    states = [State(p, "value") for card in "AB" for p in (*_patterns(guided_kinds, card),
                                                           {"type": "g-world", "card": card, "name": ALL})]

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
            first, n = 4 + per_card * k, per_card - 1
            mine = values[per_card * k: per_card * (k + 1)]
            s = loaded[name]
            try:
                config = _configure(s, _control_ids(ctx.states_list[first: first + n]), mine[:n],
                                    [i["id"] for i in ctx.states_list[first + n]], mine[n])
            except ConfigError as e:
                return dash.no_update, i18n.t("not.run", lang, error=f"{card}: {e}")
            parts.append((_label(f"{card}: ", s, config), s.name, config, s.description))
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
        table = comparison_table(a, b)
        costs = side_by_side(table, lang)
        cost_parts = ([html.H4(i18n.t("costs.title", lang)), html_table(costs), html.P(i18n.t("costs.note", lang),
                      className="note")] if len(costs) else [html.P(i18n.t("costs.none", lang), className="note")])
        per_park = [html.H4(i18n.t("costs.ab", lang)),
                    html.Div([html.Div(dcc.Graph(id=f"g-costs-{side}", figure=chart("costs", [run], lang=lang)[1],
                                                 config={"displaylogo": False}), className="card")
                              for side, run in zip("ab", (a, b))], className="grid g-costs")]
        return [html.P(head, className="verdict-head"), html.Ul([html.Li(v) for v in verdicts(table, lang)]),
                *cost_parts, *per_park, html.P(i18n.t("verdict.next", lang), className="note")]


def _estimate_callbacks(app: Dash, manager: JobManager, worlds: dict) -> None:
    """The expected time of a run, shown before it is started (from the last run of the same scenarios, or
    before their first run from the size of their worlds)."""
    for out, scenarios, reps in (("estimate", ["scenario"], "replications"),
                                 ("g-estimate", ["g-preset-A", "g-preset-B"], "g-replications")):
        @app.callback(Output(out, "children"), *[Input(s, "value") for s in scenarios], Input(reps, "value"),
                      Input("runs-version", "data"))
        def show_estimate(*values):
            lang = i18n.current()
            names, replications = values[:-2], values[-2]
            seconds = manager.estimate(tuple(names), replications, worlds) if isinstance(replications, int) else None
            return i18n.t("estimate", lang, seconds=f"{max(seconds, 1):.0f}") if seconds else i18n.t("estimate.none", lang)
