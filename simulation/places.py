"""Places: the province, prefecture cities and counties that parks lie in, with real positions and sizes.

Every park belongs to a place, and every place has a longitude and latitude (degrees, GCJ-02 for the
adcode table's places), so that distances mean something: spillovers decay with them
(:mod:`spillovers`) and local investors weigh them (:mod:`investment`). A place also carries its size
outside the parks (population, incumbent firms, output), from which the outside-park economy starts
(:mod:`outside`).

Places come from three sources: the adcode table (:mod:`parksim.scenarios.adcodes`, for catalogue
and named parks), a scenario's ``[[places]]`` tables (sizes), or :func:`generate_places` for a
synthetic world (ids ``syn:…``, labelled synthetic). The model's km plane (``x``, ``y``, kept for
maps) is :func:`project_km` of the positions about a stated origin, never an invented plane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ConfigError

LEVELS = ("province", "city", "county")
"""Province → prefecture city (地级市, or a municipality) → county (区/县/县级市)."""
EARTH_RADIUS_KM = 6371.0088       # mean Earth radius (IUGG), the usual choice for the haversine formula
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
SIZES = {"population": 2e9, "incumbent_firms": 1e8, "output": 1e11}
"""Largest allowed value of each size (persons; firms; 万元 a year): China has 1.4e9 people and an
industrial output near 1.3e10 万元, so only a typo exceeds these."""
SYNTHETIC = "syn:"


@dataclass(frozen=True)
class Place:
    """One place: ``id`` is its 6-digit adcode or a synthetic id (``syn:…``); ``parent`` is '' for a
    province. ``lon``/``lat`` are None where no position is known; the sizes are None where not given."""

    id: str
    name: str
    level: str
    parent: str = ""
    lon: float | None = None
    lat: float | None = None
    population: float | None = None
    incumbent_firms: float | None = None
    output: float | None = None

    @property
    def synthetic(self) -> bool:
        """True for a place generated for a synthetic world rather than read from the adcode table."""
        return self.id.startswith(SYNTHETIC)

    def check(self, where: str) -> None:
        """Raise ConfigError on an unknown level, a position off the globe or a size that is not a
        finite number in its declared range (nan, inf and negatives included)."""
        if not isinstance(self.id, str) or not self.id:
            raise ConfigError(f"{where}.id", self.id, "an adcode or a place id")
        if self.level not in LEVELS:
            raise ConfigError(f"{where}.level", self.level, "one of " + ", ".join(LEVELS))
        bounds = {"lon": (-180.0, 180.0, "degrees"), "lat": (-90.0, 90.0, "degrees"),
                  **{k: (0.0, hi, "persons" if k == "population" else "firms" if k == "incumbent_firms" else "万元/year")
                     for k, hi in SIZES.items()}}
        for key, (lo, hi, unit) in bounds.items():
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
                raise ConfigError(f"{where}.{key}", value, f"a number in [{lo:g}, {hi:g}] ({unit})")


def check_hierarchy(places: tuple[Place, ...], where: str = "world.places") -> None:
    """Raise ConfigError unless ids are unique and each parent is a listed place one level up
    (a county may sit directly under a province, as the municipalities' districts do)."""
    by_id: dict[str, Place] = {}
    for i, p in enumerate(places):
        p.check(f"{where}[{i}]")
        if p.id in by_id:
            raise ConfigError(f"{where}[{i}].id", p.id, "an id no other place uses")
        by_id[p.id] = p
    for i, p in enumerate(places):
        if not p.parent:
            continue
        parent = by_id.get(p.parent)
        if parent is None or LEVELS.index(parent.level) >= LEVELS.index(p.level):
            raise ConfigError(f"{where}[{i}].parent", p.parent, f"a listed place above the {p.level} {p.name}")


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees; arrays broadcast.

    The haversine form (Sinnott 1984, "Virtues of the haversine", Sky & Telescope 68:159) is accurate
    for short distances too, which matters for spillovers between neighbouring counties. A sphere of
    the mean Earth radius is within 0.5 % of the ellipsoid, well below the error of a county seat
    standing for a whole county, or the GCJ-02 offset of the table's coordinates (under 1 km).
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def project_km(lon, lat, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection about ``origin`` (lon0, lat0): x = R·Δλ·cos φ0 east, y = R·Δφ north, km.

    Within a province (a few hundred km) its distances differ from the great circle's by well under
    1 %; it serves maps and the km columns of the outputs, while distances use :func:`haversine_km`.
    """
    lon0, lat0 = origin
    x = KM_PER_DEGREE * math.cos(math.radians(lat0)) * (np.asarray(lon, dtype=float) - lon0)
    y = KM_PER_DEGREE * (np.asarray(lat, dtype=float) - lat0)
    return x, y


def unproject_km(x, y, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`project_km`: (lon, lat) in degrees of points x, y km from ``origin``."""
    lon0, lat0 = origin
    lon = lon0 + np.asarray(x, dtype=float) / (KM_PER_DEGREE * math.cos(math.radians(lat0)))
    return lon, lat0 + np.asarray(y, dtype=float) / KM_PER_DEGREE


def centre(lon, lat) -> tuple[float, float] | None:
    """The middle of the bounding box of the positions given (None if there are none): the origin
    of the km plane of a world whose parks have real positions."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    return float((lon[ok].min() + lon[ok].max()) / 2), float((lat[ok].min() + lat[ok].max()) / 2)


def generate_places(n_cities: int, counties_per_city: int, origin: tuple[float, float], city_xy: np.ndarray,
                    city_km: float, rng: np.random.Generator) -> tuple[Place, ...]:
    """A synthetic province: one province at ``origin``, ``n_cities`` cities at ``city_xy`` (km from
    the origin, drawn by the caller) and ``counties_per_city`` counties each, uniform in a square of
    side ``city_km`` around their city. Ids are ``syn:P``, ``syn:C00``, ``syn:C00.K0``; city names
    are ``city_00`` (the parks' ``city`` label), county names ``city_00-county_0``."""
    province = Place(f"{SYNTHETIC}P", "synthetic province", "province", "", *map(float, origin))
    lon, lat = unproject_km(city_xy[:, 0], city_xy[:, 1], origin)
    out = [province]
    offsets = rng.uniform(-city_km / 2, city_km / 2, (n_cities, counties_per_city, 2))
    for c in range(n_cities):
        city = Place(f"{SYNTHETIC}C{c:02d}", f"city_{c:02d}", "city", province.id, float(lon[c]), float(lat[c]))
        out.append(city)
        klon, klat = unproject_km(city_xy[c, 0] + offsets[c, :, 0], city_xy[c, 1] + offsets[c, :, 1], origin)
        out.extend(Place(f"{city.id}.K{k}", f"{city.name}-county_{k}", "county", city.id, float(klon[k]), float(klat[k]))
                   for k in range(counties_per_city))
    return tuple(out)


def nearest(places: tuple[Place, ...], lon: float, lat: float) -> Place:
    """The place of ``places`` (all with positions) closest to (lon, lat) by great-circle distance."""
    d = haversine_km([p.lon for p in places], [p.lat for p in places], lon, lat)
    return places[int(np.argmin(d))]


def places_table(places: tuple[Place, ...], park_places: list[str], park_names: list[str]) -> pd.DataFrame:
    """One row per place: its record, whether it is synthetic, and the parks that lie in it (``parks``,
    names joined by ';', in row order; ``n_parks``). A park counts in its own place only, not in the
    place's ancestors, so the column sums to the number of parks."""
    by_place: dict[str, list[str]] = {}
    for place, name in zip(park_places, park_names):
        by_place.setdefault(place, []).append(name)
    rows = [{**{k: getattr(p, k) for k in Place.__dataclass_fields__}, "synthetic": p.synthetic,
             "n_parks": len(by_place.get(p.id, ())), "parks": ";".join(by_place.get(p.id, ()))} for p in places]
    return pd.DataFrame(rows, columns=[*Place.__dataclass_fields__, "synthetic", "n_parks", "parks"])


def city_rows(places: list[Place]) -> np.ndarray:
    """For each place (in the given order), the row of the city it belongs to: its prefecture city for a
    county, itself for a city, a province or a county whose parent is not listed or is a province (a
    municipality's district, whose own county is its city). Parks and firms of one city share it."""
    row = {p.id: i for i, p in enumerate(places)}
    out = np.arange(len(places))
    for i, p in enumerate(places):
        parent = row.get(p.parent)
        if p.level == "county" and parent is not None and places[parent].level == "city":
            out[i] = parent
    return out
