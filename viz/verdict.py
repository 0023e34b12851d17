"""Plain-language verdicts of a comparison: one sentence per headline metric from the paired differences
B − A on common seeds, e.g. "工业产值：下降 3.0%（−6.0% 至 +0.2%），在随机波动范围内"."""

from __future__ import annotations

import math

import pandas as pd

from parksim.experiments.headline import HEADLINE

from . import i18n

VERDICT_METRICS = ("output", "tax", "employment", "tax_per_mu", "investment_intensity", "land_idle", "eg_gamma_mean")
WORDS = {"up": ("上升", "up"), "down": ("下降", "down"), "same": ("不变", "unchanged"),
         "noise": ("在随机波动范围内", "within random variation"),
         "real": ("超出随机波动，差异可信", "beyond random variation: a real difference"),
         "to": ("至", "to")}


def _w(key: str, lang: str) -> str:
    return i18n.pick(WORDS[key], lang)


def sentence(row, lang: str) -> str:
    """The verdict on one row of :func:`parksim.experiments.compare.paired_differences`."""
    name = i18n.metric_name(row.metric, lang)
    base = row.mean_a
    if base and not math.isnan(base):
        change, lo, hi = row.diff / abs(base), row.ci_low / abs(base), row.ci_high / abs(base)
        size = f"{abs(100 * change):.1f}%"
        band = f"{i18n.percent(lo)} {_w('to', lang)} {i18n.percent(hi)}"
    else:
        factor, unit = i18n.metric_unit(row.metric, lang)
        change = row.diff
        size = f"{i18n.number(abs(row.diff * factor))} {unit}".strip()
        band = f"{i18n.number(row.ci_low * factor)} {_w('to', lang)} {i18n.number(row.ci_high * factor)}"
    direction = "up" if change > 0 else "down" if change < 0 else "same"
    verdict = _w("real" if row.significant else "noise", lang)
    if lang == "zh":
        return f"{name}：{_w(direction, lang)} {size}（{band}），{verdict}"
    return f"{name}: {_w(direction, lang)} {size} ({band}), {verdict}"


def verdicts(table: pd.DataFrame, lang: str, metrics: tuple[str, ...] = VERDICT_METRICS) -> list[str]:
    """Sentences for ``metrics`` found in a paired-difference table, in that order, then for every row of
    the table beyond the headline metrics (:func:`parksim.viz.export.extra_metrics`, e.g. a cost per job
    or a fiscal balance once the runs report them): a new metric needs a row in the translation table only."""
    rows = {r.metric: r for r in table.itertuples(index=False)}
    extra = [m for m in rows if m not in HEADLINE and m not in metrics]
    return [sentence(rows[m], lang) for m in (*metrics, *extra) if m in rows]
