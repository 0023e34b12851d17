"""The static report: one self-contained HTML file for a run or a comparison, readable offline.

plotly.js is inlined once in the page head and every chart is a div drawn by it; nothing is loaded
from the network. The file is written to a temporary name and renamed, so a failed report never
leaves a half-written file.
"""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from parksim.experiments.compare import mean_ci
from parksim.experiments.costs import (
    ACCOUNT_SHOWN,
    COST_METRICS,
    DEFAULT_TOP,
    account_table,
    base_year,
    mean_account_costs,
    runs_account_costs,
)
from parksim.experiments.headline import HEADLINE
from parksim.simulation.policy import RULE_IDS

from . import figures
from .controls import rule_summary
from .data import RunData
from .export import COLUMNS, chart, shown_table
from .i18n import (
    HTML_LANG,
    factor_label,
    indicator_name,
    metric_label,
    metric_name,
    metric_unit,
    number,
    param_name,
    rule_name,
    t,
)
from .verdict import side_by_side, verdicts

CSS = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5rem auto;max-width:1200px;
color:#222}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;
text-align:left}th{background:#f3f3f3}.chart{margin:1rem 0}.note{color:#555}"""


def summary_table(run: RunData) -> pd.DataFrame:
    """Headline metrics of one run: n, mean, sd and 95% CI over replications (stored units)."""
    rows = []
    for metric in HEADLINE:
        if metric in run.metrics:
            n, mean, sd, lo, hi = mean_ci(run.metrics[metric].to_numpy())
            rows.append({"metric": metric, "n": n, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def shown_summary(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`summary_table` as people read it: plain names, display units (亿元, %), the CI as one column."""
    rows = []
    for r in table.itertuples(index=False):
        factor, unit = metric_unit(r.metric, lang)
        rows.append({t("col.metric", lang): metric_name(r.metric, lang), t("col.unit", lang): unit,
                     t("col.runs", lang): number(r.n), t("col.mean", lang): number(r.mean * factor),
                     t("col.sd", lang): number(r.sd * factor),
                     t("col.ci", lang): f"{number(r.ci_low * factor)} … {number(r.ci_high * factor)}"})
    return pd.DataFrame(rows)


def report_charts(runs: list[RunData], lang: str = "en") -> list[tuple[str, object]]:
    """(title, figure) of every chart in the report, titles and axes in ``lang``: fans (A and B overlaid for
    a comparison), paired differences for a comparison, and the park map of each run's first replication."""
    out = []
    if len(runs) == 1:
        out += [(s.title(lang), chart(f"fan:{s.id}", runs, lang=lang)[1]) for s in figures.FANS]
    else:
        a, b = runs
        out += [(s.title(lang), figures.fan_chart({a.label: a.series, b.label: b.series}, s, lang)) for s in figures.FANS]
        out += [(f"{metric_name(c, lang)}: B − A", chart("ab-diff", runs, column=c, lang=lang)[1]) for c in COLUMNS]
    out += [(t("report.map", lang, label=r.label), chart("map", [r], lang=lang)[1]) for r in runs]
    return out


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=number, border=0, na_rep="–")


def _parameters_html(run: RunData, lang: str) -> str:
    if not run.policy:
        return f"<p class='note'>{t('report.unreadable', lang)}</p>"
    rows = []
    for rid in RULE_IDS:
        rule = run.policy.get(rid)            # a store written before a rule existed does not list it
        if not rule or not rule["enabled"]:
            continue
        _, source, _ = rule_summary(rid)
        params = ", ".join(f"{param_name(rid, k, lang)} = {number(v)}" if isinstance(v, (int, float)) else
                           f"{param_name(rid, k, lang)} = " + ", ".join(f"{indicator_name(i, lang)} {w:.3g}"
                                                                         for i, w in v.items())
                           for k, v in rule.items() if k != "enabled")
        rows.append({t("col.rule", lang): rid, t("col.what", lang): rule_name(rid, lang),
                     t("col.parameters", lang): params, t("col.source", lang): source})
    rules = _table_html(pd.DataFrame(rows)) if rows else f"<p>{t('report.no.rules', lang)}</p>"
    world = _table_html(pd.DataFrame([{t("col.parameter", lang): factor_label(f"world.{k}", lang), t("col.value", lang): v}
                                      for k, v in run.world.items() if not isinstance(v, (list, tuple, dict))]))
    return (f"<h3>{html.escape(run.label)}</h3><p class='note'>{html.escape(run.description)}</p>"
            f"<p>{t('report.seed', lang, seed=run.root_seed, n=run.replications)}</p>"
            f"<h4>{t('report.rules.on', lang)}</h4>{rules}"
            f"<details><summary>{t('report.world', lang)}</summary>{world}</details>")


def _costs_html(table: pd.DataFrame, lang: str) -> str:
    """Cost per job, fiscal balance and debt of A and B side by side with what they mean, or why they are missing."""
    costs = side_by_side(table, lang)
    if costs.empty:
        return f"<p class='note'>{t('costs.none', lang)}</p>"
    return (f"<h3>{t('costs.title', lang)}</h3>{_table_html(costs)}"
            f"<p class='note'>{t('costs.note', lang)}</p>")


def run_accounts(run: RunData) -> pd.DataFrame:
    """Per public account of one run (its replications): :func:`costs.mean_account_costs` of the stored
    ``finance`` table and park panel; empty without accounts."""
    accounts = run.tables.get("finance")
    if accounts is None or accounts.empty or run.parks.empty:
        return pd.DataFrame()
    base = base_year(run.world, int(accounts["year"].min()))
    return mean_account_costs(runs_account_costs(accounts, run.parks, base))


def accounts_table(runs: list[RunData], lang: str, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """The per-park (``top`` by public cost) and per-city table as people read it (A, B and B − A rows for
    a comparison), or an empty frame where a run has no stored accounts."""
    means = [run_accounts(r) for r in runs]
    if any(m.empty for m in means):
        return pd.DataFrame()
    table = account_table(*means, top=top)
    side = {"A": t("row.a", lang), "B": t("row.b", lang), "B − A": t("row.diff", lang)}
    rows = []
    for r in table.to_dict("records"):
        row = {t("col.account", lang): r["name"], t("col.account.kind", lang): t(f"account.{r['account_kind']}", lang)}
        if "side" in r:
            row[t("col.side", lang)] = side[r["side"]]
        row[t("col.runs", lang)] = number(r["runs"])
        for c in ACCOUNT_SHOWN:
            factor, _ = metric_unit(c, lang)
            row[metric_label(c, lang)] = number(r[c] * factor)
        rows.append(row)
    return pd.DataFrame(rows)


def _accounts_html(runs: list[RunData], lang: str, top: int) -> str:
    table = accounts_table(runs, lang, top)
    if table.empty:
        return f"<p class='note'>{t('accounts.none', lang)}</p>"
    return (f"<h2>{t('accounts.title', lang, top=top)}</h2>{_table_html(table)}"
            f"<p class='note'>{t('accounts.note', lang)}</p>")


def build_report(runs: list[RunData], lang: str = "en", top: int = DEFAULT_TOP) -> str:
    """The report page for one run or for a comparison of two (B − A), all in ``lang``: for a comparison,
    the plain-language verdicts first, then the table in the audience's units (亿元, %), the per-park (``top``
    by public cost) and per-city costs, then the charts."""
    title = " vs ".join(r.label for r in runs)
    when = f"{pd.Timestamp.now('UTC'):%Y-%m-%d %H:%M}"
    parts = [f"<h1>{html.escape(t('report.title', lang, title=title))}</h1>",
             f"<p class='note'>{t('report.generated', lang, when=when)}</p>"]
    if len(runs) == 2:
        table = chart("ab-table", runs)[0]
        parts += [f"<h2>{html.escape(t('report.comparison', lang, a=runs[0].label, b=runs[1].label))}</h2>",
                  "<ul class='verdict'>" + "".join(f"<li>{html.escape(v)}</li>" for v in verdicts(table, lang)) + "</ul>",
                  _costs_html(table, lang),
                  f"<p class='note'>{t('report.final', lang)}</p>",
                  _table_html(shown_table(table, lang)) if len(table) else f"<p>{t('report.unpaired', lang)}</p>"]
    for r in runs:
        parts += [f"<h2>{html.escape(t('report.headline', lang, label=r.label))}</h2>",
                  _table_html(shown_summary(summary_table(r), lang)),
                  f"<p class='note'>{t('costs.note' if any(c in r.metrics for c in COST_METRICS) else 'costs.none', lang)}</p>"]
    parts.append(_accounts_html(runs, lang, top))
    parts.append(f"<h2>{t('report.charts', lang)}</h2>")
    for i, (name, fig) in enumerate(report_charts(runs, lang)):
        parts.append(f"<div class='chart' data-title='{html.escape(name, quote=True)}'>"
                     + pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{i}") + "</div>")
    parts.append(f"<h2>{t('report.parameters', lang)}</h2>")
    parts += [_parameters_html(r, lang) for r in runs]
    return (f"<!DOCTYPE html><html lang='{HTML_LANG[lang]}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head>"
            f"<body>{''.join(parts)}</body></html>")


def write_report(runs: list[RunData], out: str | os.PathLike, lang: str = "en", top: int = DEFAULT_TOP) -> Path:
    """Write the report atomically (temporary file in the same directory, then rename)."""
    out = Path(out)
    text = build_report(runs, lang, top)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)                      # mkstemp makes it private; a report is for sharing
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
