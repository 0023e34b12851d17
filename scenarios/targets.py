"""The targets the five documents set (end of POLICY_RULES.md), read from ``data/targets.csv``.

Each row is one target: the seed document, the calendar year it is due, the metric that measures
it (see :mod:`parksim.experiments.targets`), an argument of the metric (a threshold in 万元, a base year, a
share), a comparison (``>=``, ``<=`` or ``~`` for "about": within 10%) and the value. A row with no
metric is a target the model cannot measure; it is listed and reported as not evaluated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TARGETS = Path(__file__).parent / "data" / "targets.csv"
OPS = (">=", "<=", "~")


@dataclass(frozen=True)
class Target:
    """One document target."""

    id: str
    seed: str
    year: int
    metric: str          # '' when the model cannot measure it
    arg: float | None
    op: str
    value: float
    description: str
    source: str

    def met(self, measured: float) -> bool:
        """Whether a measured value reaches the target (NaN never does)."""
        if measured != measured:
            return False
        if self.op == ">=":
            return measured >= self.value
        if self.op == "<=":
            return measured <= self.value
        return abs(measured - self.value) <= 0.1 * abs(self.value)


@lru_cache(maxsize=1)
def read_targets(path: Path = TARGETS) -> dict[str, Target]:
    """All targets by id, in file order."""
    out: dict[str, Target] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["op"] not in OPS:
                raise ValueError(f"{path.name}: target {row['id']}: op {row['op']!r} is not one of {OPS}")
            out[row["id"]] = Target(id=row["id"], seed=row["seed"], year=int(row["year"]), metric=row["metric"],
                                    arg=float(row["arg"]) if row["arg"] else None, op=row["op"],
                                    value=float(row["value"]), description=row["description"], source=row["source"])
    return out


def target_ids() -> tuple[str, ...]:
    """Known target ids."""
    return tuple(read_targets())
