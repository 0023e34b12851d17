"""Scenario-builder controls generated from the policy's own metadata.

Every rule of :mod:`parksim.simulation.policy` becomes a switch, and every parameter a slider whose range,
step and unit come from its ``param(default, lo, hi, unit)`` declaration; the label shows the rule
id and the first line of its docstring, the hover text the whole docstring with its source clause.
A rule or parameter added to the policy appears here without any change.
"""

from __future__ import annotations

import dataclasses
import math
import re

from dash import dcc, html

from parksim.simulation import ConfigError, Policy, WorldConfig
from parksim.simulation.params import check_value
from parksim.simulation.policy import INDICATORS, NEEDS_EVALUATION, RULE_IDS, RULES

from . import i18n

ON = "on"


@dataclasses.dataclass(frozen=True)
class SliderSpec:
    """One parameter's slider: where it sits, its range, step and unit."""

    rule: str
    name: str
    kind: str
    default: float
    lo: float
    hi: float
    step: float
    unit: str


def rule_summary(rid: str) -> tuple[str, str, str]:
    """(first docstring line, source clause, whole docstring) of a rule."""
    doc = " ".join((RULES[rid].__doc__ or "").split())
    first = (RULES[rid].__doc__ or rid).strip().splitlines()[0].split(" Source:")[0]
    source = re.search(r"Source: ([^)]*\)?[^.]*)", doc)
    return first, source.group(1).strip() if source else "", doc


def slider_spec(rid: str, f: dataclasses.Field) -> SliderSpec:
    """Range and step of a parameter: its declared bounds; an open upper bound shows up to 4× the default."""
    m, default = f.metadata, f.default
    lo = m.get("lo") if m.get("lo") is not None else min(0.0, -abs(default) * 4 or -1.0)
    hi = m.get("hi")
    if hi is None or hi > 50 * max(abs(default), 1):
        hi = max(4 * abs(default), lo + (10 if f.type == "int" else 1))
    if f.type == "int":
        step = 1
    else:
        raw = (hi - lo) / 100
        step = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    return SliderSpec(rid, f.name, f.type, default, lo, hi, step, m.get("unit", ""))


SLIDERS = tuple(slider_spec(rid, f) for rid in RULE_IDS for f in dataclasses.fields(RULES[rid])
                if f.name != "enabled" and f.type in ("int", "float"))
# Text parameters with a set of choices (C2.mode, S4.base): radio buttons, {(rule, name): choices}.
CHOICES = {(rid, f.name): f.metadata["choices"] for rid in RULE_IDS for f in dataclasses.fields(RULES[rid])
           if f.metadata.get("choices")}
# World parameters a workshop may change per run (the rest is the scenario's world): the burn-in years.
WORLD_CONTROLS = ("burn_in",)
KINDS = ("rule-on", "param", "weight", "choice")
WEIGHT_DEFAULTS = RULES["V1"]().weights


def _slider(component_id: dict, spec_lo, spec_hi, step, value, label: str) -> html.Div:
    return html.Div(className="param", children=[
        html.Label(label),
        dcc.Slider(id=component_id, min=spec_lo, max=spec_hi, step=step, value=value, allow_direct_input=True,
                   marks={spec_lo: i18n.number(spec_lo), spec_hi: i18n.number(spec_hi)},
                   tooltip={"placement": "bottom"}, updatemode="mouseup")])


def param_label(spec: SliderSpec, lang: str) -> str:
    """A parameter's plain name and unit, e.g. ``国家级园区投资强度门槛（万元/亩）``."""
    name, unit = i18n.param_name(spec.rule, spec.name, lang), i18n.unit_name(spec.unit, lang)
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def rule_block(rid: str, lang: str = "en", policy: Policy | None = None, card: str | None = None) -> html.Div:
    """A rule's switch, plain name, one-line explanation in English (hover: docstring and source), source and
    parameter sliders.

    With ``policy`` the controls start at its values (else at the rule's defaults); with ``card`` ("A",
    "B") the component ids are the guided comparison's (``g-on``, ``g-param``, ``g-weight`` keyed by card).
    """
    first, source, doc = rule_summary(rid)
    values = (policy or Policy()).to_dict()[rid]
    key = {"card": card} if card else {}
    kind = ("g-on", "g-param", "g-weight", "g-choice") if card else KINDS
    children = [dcc.Checklist(id={"type": kind[0], **key, "rule": rid}, options=[{"label": f" {rid}", "value": ON}],
                              value=[ON] if values["enabled"] else [], inline=True, className="rule-switch"),
                html.Span(i18n.rule_name(rid, lang), className="rule-name", title=doc)]
    if lang == "en":                       # the docstring is English: in Chinese it stays the hover text
        children.append(html.Span(first.removeprefix(rid).lstrip(" :"), className="rule-text", title=doc))
    if source:
        children.append(html.Span(i18n.t("source", lang, source=source), className="rule-source", title=doc))
    for s in (s for s in SLIDERS if s.rule == rid):
        children.append(_slider({"type": kind[1], **key, "rule": rid, "name": s.name}, s.lo, s.hi, s.step,
                                values[s.name], param_label(s, lang)))
    for (r, name), choices in CHOICES.items():
        if r == rid:
            children.append(html.Div(className="param choice", children=[
                html.Label(i18n.param_name(rid, name, lang)),
                dcc.RadioItems(id={"type": kind[3], **key, "rule": rid, "name": name}, value=values[name], inline=True,
                               options=[{"label": i18n.choice_name(rid, name, c, lang), "value": c} for c in choices])]))
    if rid == "V1":
        children.append(html.Div(i18n.t("weights", lang), className="note"))
        children += [_slider({"type": kind[2], **key, "indicator": k}, 0.0, 1.0, 0.01, values["weights"].get(k, 0.0),
                             i18n.indicator_name(k, lang)) for k in INDICATORS]
    block_id = {"type": "g-block", "card": card, "rule": rid} if card else f"rule-{rid}"
    return html.Div(children, className="rule", id=block_id, title=doc)


def guided_rules(policy: Policy, card: str, lang: str) -> list:
    """The guided comparison's rule panel: the preset's own rules (those it switches on) first, every
    other rule under "more rules"."""
    on = [rid for rid in RULE_IDS if policy[rid].enabled]
    rest = [rid for rid in RULE_IDS if rid not in on]
    return [html.Div([rule_block(rid, lang, policy, card) for rid in on], className="preset-rules"),
            html.Details([html.Summary(i18n.t("more.rules", lang, n=len(rest))),
                          *[rule_block(rid, lang, policy, card) for rid in rest]], className="family more-rules")]


def rule_controls(lang: str = "en") -> list:
    """All rules grouped by family (collapsible sections)."""
    return [html.Details([html.Summary(i18n.family_name(letter, lang)),
                          *[rule_block(rid, lang) for rid in RULE_IDS if rid.startswith(letter)]],
                         open=True, className="family")
            for letter in i18n.FAMILIES]


def world_controls(lang: str, world: WorldConfig, card: str | None = None) -> html.Div:
    """The run settings of the world a workshop may change (:data:`WORLD_CONTROLS`), at ``world``'s values:
    number boxes whose ids are ``{"type": "world", "name": …}`` (``g-world`` keyed by ``card`` in the
    guided comparison)."""
    fields = {f.name: f for f in dataclasses.fields(WorldConfig)}
    key = {"type": "g-world", "card": card} if card else {"type": "world"}
    return html.Div([html.Div([html.Label(i18n.world_label(name, lang), title=i18n.setting_help(name, lang)),
                               dcc.Input(id={**key, "name": name}, type="number", step=1, value=getattr(world, name),
                                         min=fields[name].metadata["lo"], max=fields[name].metadata["hi"],
                                         debounce=True, className="world-input")], className="param world")
                     for name in WORLD_CONTROLS], className="world-controls")


def world_of(ids: list[dict], values: list, base: WorldConfig) -> WorldConfig:
    """``base`` with the run settings the controls show.

    Raises:
        simulation.ConfigError: a value out of range (e.g. a burn-in longer than the run), naming it.
    """
    fields = {f.name: f for f in dataclasses.fields(WorldConfig)}
    changed = {}
    for i, v in zip(ids, values):
        name = i["name"]
        check_value(fields[name], int(v) if isinstance(v, float) and v.is_integer() else v, f"world.{name}")
        changed[name] = int(v) if fields[name].type == "int" else v
    return dataclasses.replace(base, **changed)


def values_of(policy: Policy, ids: dict[str, list[dict]]) -> dict[str, list]:
    """Control values showing ``policy``, in the order of the component ids Dash passes to a callback."""
    rules = policy.to_dict()
    return {"rule-on": [[ON] if rules[i["rule"]]["enabled"] else [] for i in ids["rule-on"]],
            "param": [rules[i["rule"]][i["name"]] for i in ids["param"]],
            "weight": [rules["V1"]["weights"].get(i["indicator"], 0.0) for i in ids["weight"]],
            "choice": [rules[i["rule"]][i["name"]] for i in ids.get("choice", [])]}


def policy_of(ids: dict[str, list[dict]], values: dict[str, list], base: Policy | None = None) -> Policy:
    """The policy the controls show; text parameters without a control are ``base``'s (the scenario's
    policy), else their defaults.

    Raises:
        simulation.ConfigError: an invalid combination (e.g. V4 on without V1), naming the parameter.
    """
    kinds = {(s.rule, s.name): s for s in SLIDERS}
    table: dict[str, dict] = {rid: {"enabled": False} for rid in RULE_IDS}
    for rid, fields in (base.to_dict() if base is not None else {}).items():
        table[rid].update({k: v for k, v in fields.items() if isinstance(v, str)})
    for i, v in zip(ids["rule-on"], values["rule-on"]):
        table[i["rule"]]["enabled"] = ON in (v or [])
    for i, v in zip(ids["param"], values["param"]):
        spec = kinds[(i["rule"], i["name"])]
        if not isinstance(v, (int, float)):
            raise ConfigError(f"policy.{spec.rule}.{spec.name}", v, f"a number in [{spec.lo:g}, {spec.hi:g}] {spec.unit}")
        table[i["rule"]][i["name"]] = round(v) if spec.kind == "int" else float(v)
    for i, v in zip(ids.get("choice", []), values.get("choice", [])):
        table[i["rule"]][i["name"]] = v
    weights = {i["indicator"]: float(v or 0.0) for i, v in zip(ids["weight"], values["weight"])}
    total = sum(weights.values())
    if total > 0:
        table["V1"]["weights"] = {k: w / total for k, w in weights.items() if w > 0}
    return Policy.from_dict(table)


def changes(base: Policy, new: Policy) -> list[str]:
    """What the controls changed against the scenario's own policy, e.g. ``["E1 on", "E1.national=300"]``."""
    old, now = base.to_dict(), new.to_dict()
    out = []
    for rid in RULE_IDS:
        if old[rid]["enabled"] != now[rid]["enabled"]:
            out.append(f"{rid} {'on' if now[rid]['enabled'] else 'off'}")
        for key, value in now[rid].items():
            if key != "enabled" and not _same(value, old[rid][key]):
                out.append(f"{rid}.{key} changed" if isinstance(value, dict) else
                           f"{rid}.{key}={value}" if isinstance(value, str) else f"{rid}.{key}={value:g}")
    return out


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, str) or isinstance(b, str):           # a choice parameter (S4.base, C2.mode)
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)


def prerequisites(on: dict[str, bool]) -> dict[str, list[str]]:
    """Rules to switch on because a rule that is on needs them: {needed rule: [rules needing it]}
    (V1's ranking for L4, V2, V3, V4, V5, V7)."""
    users = [rid for rid in NEEDS_EVALUATION if on.get(rid)]
    return {"V1": users} if users and not on.get("V1") else {}


def describe(old: Policy, new: Policy, lang: str) -> list[str]:
    """What changed from ``old`` to ``new`` in plain words, e.g. ``国家级园区投资强度门槛 250 → 400 万元/亩``."""
    a, b = old.to_dict(), new.to_dict()
    specs = {(s.rule, s.name): s for s in SLIDERS}
    out = []
    for rid in RULE_IDS:
        if a[rid]["enabled"] != b[rid]["enabled"]:
            out.append(i18n.t("rule.on" if b[rid]["enabled"] else "rule.off", lang, rid=rid,
                              name=i18n.rule_name(rid, lang)))
        if not b[rid]["enabled"]:
            continue
        for key, value in b[rid].items():
            if key == "enabled" or _same(value, a[rid][key]):
                continue
            if isinstance(value, dict):
                out.append(i18n.t("weights.changed", lang, rid=rid))
            elif isinstance(value, str):
                out.append(f"{i18n.param_name(rid, key, lang)} {i18n.choice_name(rid, key, a[rid][key], lang)} → "
                           f"{i18n.choice_name(rid, key, value, lang)}")
            else:
                spec = specs[(rid, key)]
                out.append(f"{i18n.param_name(rid, key, lang)} {i18n.number(a[rid][key])} → {i18n.number(value)} "
                           f"{i18n.unit_name(spec.unit, lang)}".strip())
    return out
