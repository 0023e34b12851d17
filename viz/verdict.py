"""Plain-language verdicts of a comparison: one sentence per headline metric from the paired differences
B − A on common seeds, e.g. "工业产值：下降 3.0%（−6.0% 至 +0.2%），在随机波动范围内"."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from parksim.experiments.costs import INCREMENTAL
from parksim.experiments.headline import HEADLINE

from . import i18n

VERDICT_METRICS = ("output", "tax", "employment", "tax_per_mu", "investment_intensity", "land_idle", "eg_gamma_mean",
                   "cost_per_job", "extra_cost_per_job", "fiscal_balance_pv")
# What the guided comparison sets side by side: what a job cost, what the budget gained or lost, what is owed.
SIDE_BY_SIDE = ("cost_per_job", "extra_cost_per_job", "cost_per_tax", "fiscal_balance_pv", "debt_end")
WORDS = {"up": ("上升", "up"), "down": ("下降", "down"), "same": ("不变", "unchanged"),
         "noise": ("在随机波动范围内", "within random variation"),
         "real": ("超出随机波动，差异可信", "beyond random variation: a real difference"),
         "to": ("至", "to"), "undefined": ("无定义（B 平均没有多于 A 的增量）", "undefined (B gains no more than A on average)"),
         "no.pairs": ("无定义（没有一次重复有正的增量）", "undefined (no replication gained anything)")}


def _w(key: str, lang: str) -> str:
    return i18n.pick(WORDS[key], lang)


def sentence(row, lang: str) -> str:
    """The verdict on one row of :func:`parksim.experiments.compare.paired_differences`."""
    name = i18n.metric_name(row.metric, lang)
    if row.metric in INCREMENTAL:
        return incremental_sentence(row, name, lang)
    if row.n == 0:                                 # e.g. a cost per job where no run gained jobs
        return f"{name}{'：' if lang == 'zh' else ': '}{_w('no.pairs', lang)}"
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


def incremental_sentence(row, name: str, lang: str) -> str:
    """What each extra unit B gained over A cost: a price with its CI, not a direction."""
    colon = "：" if lang == "zh" else ": "
    if math.isnan(row.diff):
        return f"{name}{colon}{_w('undefined', lang)}"
    factor, unit = i18n.metric_unit(row.metric, lang)
    price = f"{i18n.number(row.diff * factor)} {unit}"
    band = f"{i18n.number(row.ci_low * factor)} {_w('to', lang)} {i18n.number(row.ci_high * factor)}"
    verdict = _w("real" if row.significant else "noise", lang)
    return f"{name}{colon}{price}（{band}），{verdict}" if lang == "zh" else f"{name}{colon}{price} ({band}), {verdict}"


def verdicts(table: pd.DataFrame, lang: str, metrics: tuple[str, ...] = VERDICT_METRICS) -> list[str]:
    """Sentences for ``metrics`` found in a paired-difference table, in that order, then for every row of
    the table beyond the headline metrics (:func:`parksim.viz.export.extra_metrics`, e.g. a cost per job
    or a fiscal balance once the runs report them): a new metric needs a row in the translation table only."""
    rows = {r.metric: r for r in table.itertuples(index=False)}
    extra = [m for m in rows if m not in HEADLINE and m not in INCREMENTAL and m not in metrics]
    return [sentence(rows[m], lang) for m in (*metrics, *extra) if m in rows]


def side_by_side(table: pd.DataFrame, lang: str, metrics: tuple[str, ...] = SIDE_BY_SIDE) -> pd.DataFrame:
    """Cost per job and the fiscal balance (and debt) of A and B next to each other (issue 13 item 3): one
    column per metric with its unit, rows A, B and B − A with its 95% CI (for B's extra money per extra
    job, only that row: the price of what B adds); empty where the runs have no finance accounts (an old
    store), so the caller says so instead."""
    rows = {r.metric: r for r in table.itertuples(index=False) if r.metric in metrics}
    shown = [m for m in metrics if m in rows]
    if not shown:
        return pd.DataFrame()
    out = {"": [i18n.t("row.a", lang), i18n.t("row.b", lang), i18n.t("row.diff", lang)]}
    for m in shown:
        r, (factor, _) = rows[m], i18n.metric_unit(m, lang)
        out[i18n.metric_label(m, lang)] = [
            i18n.number(r.mean_a * factor), i18n.number(r.mean_b * factor),
            f"{i18n.number(r.diff * factor)} ({i18n.number(r.ci_low * factor)} … {i18n.number(r.ci_high * factor)})"
            if np.isfinite(r.ci_low) else i18n.number(r.diff * factor)]
    return pd.DataFrame(out)
