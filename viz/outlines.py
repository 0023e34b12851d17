"""China's province and prefecture outlines, bundled offline, for drawing parks on a real map.

The rings come from ECharts' China maps as pyecharts ships them on PyPI (MIT), simplified to 0.01°;
``scenarios/data/china_outlines.md`` gives the source, the licence and how the file was built. They are
read once and drawn as plain lines, so a map needs neither plotly's geo layer nor its CDN.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

FILE = "china_outlines.csv"


@dataclass(frozen=True)
class Outline:
    """One province or prefecture: ``adcode`` (6 digits), its name, its province's name and its rings
    as arrays of (lon, lat) in degrees (outer rings and holes alike)."""

    level: str
    adcode: str
    name: str
    province: str
    rings: tuple[np.ndarray, ...]

    def contains(self, lon: float, lat: float) -> bool:
        """Even-odd rule over all rings, so a hole (an enclave) is outside."""
        return bool(inside(np.array([lon]), np.array([lat]), self.rings)[0])


def inside(lon: np.ndarray, lat: np.ndarray, rings: tuple[np.ndarray, ...]) -> np.ndarray:
    """For each point, whether an odd number of ring edges cross the ray to its east (point in polygon)."""
    odd = np.zeros(len(lon), dtype=bool)
    for ring in rings:
        x0, y0 = ring[:, 0], ring[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        straddles = (y0[None, :] > lat[:, None]) != (y1[None, :] > lat[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = x0 + (lat[:, None] - y0) * (x1 - x0) / (y1 - y0)
        odd ^= (straddles & (lon[:, None] < cross)).sum(axis=1) % 2 == 1
    return odd


@cache
def outlines() -> tuple[Outline, ...]:
    """Every outline in the bundled file, provinces first."""
    with (files("parksim.scenarios") / "data" / FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))           # rows of one outline are adjacent, rings in order
    out = []
    for key, group in itertools.groupby(rows, key=lambda r: (r["level"], r["adcode"], r["name"], r["province"])):
        rings = tuple(np.array(r["points"].replace(" ", ",").split(","), dtype=float).reshape(-1, 2) for r in group)
        out.append(Outline(*key, rings))
    return tuple(out)


def provinces() -> dict[str, Outline]:
    """Province outlines by adcode (e.g. '410000' → 河南)."""
    return {o.adcode: o for o in outlines() if o.level == "province"}


def prefectures(province: str) -> list[Outline]:
    """The prefecture outlines of one province (by its adcode)."""
    return [o for o in outlines() if o.level == "prefecture" and o.adcode[:2] == province[:2]]


def province_of(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Adcode of the province containing each point ('' where none does: abroad, at sea, or nan)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    found = np.full(len(lon), "", dtype=object)
    for adcode, outline in provinces().items():
        open_ = found == ""
        if open_.any():
            found[np.flatnonzero(open_)[inside(lon[open_], lat[open_], outline.rings)]] = adcode
    return found


def lines(rings: list[np.ndarray]) -> tuple[list[float | None], list[float | None]]:
    """Rings as one polyline for a scatter trace: each ring closed, rings separated by None."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        closed = np.vstack([ring, ring[:1]])
        xs += [*closed[:, 0].tolist(), None]
        ys += [*closed[:, 1].tolist(), None]
    return xs, ys
