"""Interventions during a run: designations, re-declared leading industries, changed levers, new parks.

A schedule is data, a tuple of the frozen records below carried by ``WorldConfig.schedule``, so a run
stays a pure function of (world, policy, seed) whether the schedule came from a scenario file's
``[[schedule]]`` tables or from :meth:`ParkModel.schedule`. :func:`check` validates a whole schedule
before anything runs; :func:`apply` carries out a year's interventions at the start of that year's
plan phase, before the land quota is split, and logs each as an event of kind ``schedule``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import burn_in, chains, new_parks
from .errors import ConfigError, check_keys
from .params import check_value
from .policy import LEVELS, RULE_IDS, RULES, Policy
from .state import ACTIVE, PRODUCING, REVOKED
from .world import ParkSpec, WorldConfig

REVOKED_LEVEL = "revoked"
TARGET_LEVELS = (*LEVELS, REVOKED_LEVEL)
NEW_PARK_KEYS = ("year", "place", "name", "level", "area_mu", "leading", "urban", "lon", "lat", "infrastructure")
NEW_PARK_INFRASTRUCTURE = 0.2
"""Infrastructure of a zone when it opens: the value the model gives the parks it creates each year."""

SETUP_ONLY = {
    "world.years": "the horizon is fixed when the run starts",
    "world.start_year": "the horizon is fixed when the run starts",
    "world.burn_in": "the year the rules start from is fixed when the run starts",
    "world.n_parks": "generated parks are drawn at set-up (schedule new parks with place = … instead)",
    "world.n_cities": "generated parks are drawn at set-up",
    "world.national_share": "generated parks are drawn at set-up (schedule a level change instead)",
    "world.provincial_share": "generated parks are drawn at set-up (schedule a level change instead)",
    "world.city_share": "generated parks are drawn at set-up (schedule a level change instead)",
    "world.urban_share": "generated parks are drawn at set-up",
    **{f"world.{k}": "generated places are drawn at set-up"
       for k in ("region_lon", "region_lat", "region_km", "city_km", "counties_per_city")},
    "world.initial_firms": "initial firms are placed at set-up",
}
"""Parameters read only when the model is set up: changing them mid-run would do nothing, so a
schedule that tries is refused. Every other scalar world and policy parameter is read afresh each
year (demand, choice weights, prices, the land quota, build-out, production, exit, finance, rules)."""


@dataclass(frozen=True)
class Designate:
    """Set a park's level (designate, upgrade, downgrade) or revoke it (``level = "revoked"``)."""

    year: int
    park: str
    level: str


@dataclass(frozen=True)
class Declare:
    """Re-declare a park's leading industries (sector keys, first wish first)."""

    year: int
    park: str
    leading: tuple[str, ...]


@dataclass(frozen=True)
class SetLever:
    """Change one scalar parameter (``policy.<rule>.<param>`` or ``world.<param>``) from ``year`` on."""

    year: int
    path: str
    value: Any


@dataclass(frozen=True)
class CreatePark:
    """Open a new park in ``spec.city`` (a city label); without a position it sits at the centroid of
    the city's parks when it opens, in the place most of them lie in (``new_parks.city_site``)."""

    year: int
    spec: ParkSpec
    located: bool = False           # lon and lat were given


Intervention = Designate | Declare | SetLever | CreatePark


def factor_field(path: str, where: str) -> dataclasses.Field:
    """The dataclass field a factor path names: ``policy.<rule>.<param>`` or ``world.<param>`` (scalars only)."""
    parts = path.split(".") if isinstance(path, str) else []
    if len(parts) == 3 and parts[0] == "policy" and parts[1] in RULES:
        fields = {f.name: f for f in dataclasses.fields(RULES[parts[1]])}
        if parts[2] in fields and fields[parts[2]].type in ("int", "float", "bool"):
            return fields[parts[2]]
        raise ConfigError(where, path, f"a scalar parameter of rule {parts[1]}: "
                          + ", ".join(n for n, f in fields.items() if f.type in ("int", "float", "bool")))
    if len(parts) == 2 and parts[0] == "world":
        fields = {f.name: f for f in dataclasses.fields(WorldConfig)}
        if parts[1] in fields and fields[parts[1]].type in ("int", "float", "bool"):
            return fields[parts[1]]
        raise ConfigError(where, path, "a scalar world parameter: "
                          + ", ".join(n for n, f in fields.items() if f.type in ("int", "float", "bool")))
    raise ConfigError(where, path, "a factor path 'policy.<rule id>.<parameter>' (rule ids "
                      + ", ".join(RULE_IDS) + ") or 'world.<parameter>'")


# --------------------------------------------------------------------------- reading entries

def parse(entry: Mapping[str, Any], where: str) -> Intervention:
    """One intervention from a ``[[schedule]]`` table: ``year``, then ``park`` with ``level`` or
    ``leading``, or ``place`` with a new park's ``level`` and ``area_mu``, or one lever path = value."""
    if not isinstance(entry, Mapping):
        raise ConfigError(where, entry, "a table with year and one action ([[schedule]])")
    year = entry.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ConfigError(f"{where}.year", year, "an integer calendar year")
    levers = [k for k in entry if isinstance(k, str) and "." in k]
    for key, value in entry.items():
        if key in ("policy", "world") and isinstance(value, Mapping):
            raise ConfigError(f"{where}.{key}", value, f'a quoted lever path, e.g. "{key}.….…" = value '
                              "(unquoted dots make nested tables)")
    if "place" in entry:
        return _new_park(entry, year, where)
    if "park" in entry:
        check_keys(entry, ("year", "park", "level", "leading"), where, "a key of a park entry")
        park = entry["park"]
        if not isinstance(park, str) or not park:
            raise ConfigError(f"{where}.park", park, "a park name")
        if ("level" in entry) == ("leading" in entry):
            raise ConfigError(where, dict(entry), "exactly one action for the park: level = … or leading = [...]")
        if "level" in entry:
            return Designate(year, park, _level(entry["level"], f"{where}.level", TARGET_LEVELS))
        return Declare(year, park, _leading(entry["leading"], f"{where}.leading"))
    if len(levers) == 1 and set(entry) == {"year", levers[0]}:
        path, value = levers[0], entry[levers[0]]
        check_value(factor_field(path, f"{where}.{path}"), value, f"{where}.{path}")
        if path in SETUP_ONLY:
            raise ConfigError(f"{where}.{path}", value, f"a parameter read every year ({SETUP_ONLY[path]})")
        return SetLever(year, path, float(value) if factor_field(path, where).type == "float" else value)
    check_keys(entry, ("year",), where, "year and one action: park = … (with level or leading), place = … "
               "(a new park), or one lever 'policy.<rule>.<param>' / 'world.<param>' =")
    raise ConfigError(where, dict(entry), "one action besides year: park = …, place = … or a lever path = value")


def _level(value, where: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(where, value, "one of " + ", ".join(allowed))
    return value


def _leading(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
        raise ConfigError(where, value, "a list of sector keys")
    if len(set(value)) != len(value):
        raise ConfigError(where, value, "distinct sector keys")
    return tuple(value)


def _new_park(entry: Mapping, year: int, where: str) -> CreatePark:
    check_keys(entry, NEW_PARK_KEYS, where, "a key of a new-park entry")
    place = entry["place"]
    if not isinstance(place, str) or not place:
        raise ConfigError(f"{where}.place", place, "a place name (the city of the new park)")
    for key in ("level", "area_mu"):
        if key not in entry:
            raise ConfigError(f"{where}.{key}", None, "a required key of a new park (place, level, area_mu)")
    name = entry.get("name", f"{place} {year}")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}.name", name, "a non-empty string")
    if ("lon" in entry) != ("lat" in entry):
        raise ConfigError(f"{where}.{'lat' if 'lon' in entry else 'lon'}", None, "lon and lat together (degrees), or neither")
    for key in ("area_mu", "lon", "lat", "infrastructure"):
        v = entry.get(key, 0.0)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(f"{where}.{key}", v, "a number")
    if not isinstance(entry.get("urban", False), bool):
        raise ConfigError(f"{where}.urban", entry["urban"], "true/false")
    spec = ParkSpec(name=name, level=_level(entry["level"], f"{where}.level", LEVELS),
                    area_mu=float(entry["area_mu"]), city=place,
                    leading=_leading(entry.get("leading", []), f"{where}.leading"),
                    urban=entry.get("urban", False),
                    lon=float(entry["lon"]) if "lon" in entry else None, lat=float(entry["lat"]) if "lat" in entry else None,
                    infrastructure=float(entry.get("infrastructure", NEW_PARK_INFRASTRUCTURE)))
    return CreatePark(year, spec, located="lon" in entry)


def to_entry(item: Intervention) -> dict[str, Any]:
    """The ``[[schedule]]`` table of an intervention (the inverse of :func:`parse`)."""
    if isinstance(item, Designate):
        return {"year": item.year, "park": item.park, "level": item.level}
    if isinstance(item, Declare):
        return {"year": item.year, "park": item.park, "leading": list(item.leading)}
    if isinstance(item, SetLever):
        return {"year": item.year, item.path: item.value}
    s = item.spec
    entry = {"year": item.year, "place": s.city, "name": s.name, "level": s.level, "area_mu": s.area_mu,
             "leading": list(s.leading), "urban": s.urban, "infrastructure": s.infrastructure}
    return {**entry, "lon": s.lon, "lat": s.lat} if item.located else entry


# --------------------------------------------------------------------------- validation

def check(schedule: tuple[Intervention, ...], world: WorldConfig, policy: Policy, sector_keys: tuple[str, ...],
          parks: Mapping[str, int | None], places: set[str] | None, where: str = "schedule") -> None:
    """Raise ConfigError (naming ``where[i]``, the key, value and what is allowed) for an entry that
    could not apply: a year outside the horizon, an unknown park or place, an unknown sector, more
    leading industries than C1/C5 allow, or a lever value that makes the policy or world invalid.

    Args:
        parks: the parks at the start, name → level code (None where not known before the run).
        places: the places that have parks (None where not known before the run).
    """
    levels, known_places = dict(parks), None if places is None else set(places)
    pol, wld = policy, world
    first, last = world.start_year + 1, world.start_year + world.years
    for i, item in sorted(enumerate(schedule), key=lambda e: e[1].year):
        here = f"{where}[{i}]"
        if not first <= item.year <= last:
            raise ConfigError(f"{here}.year", item.year,
                              f"a year the run steps through, {first}-{last} (start_year + 1 to start_year + years)")
        if isinstance(item, (Designate, Declare)) and item.park not in levels:
            raise ConfigError(f"{here}.park", item.park, "a park of the run: " + _names(levels))
        if isinstance(item, Designate) and item.level != REVOKED_LEVEL:
            levels[item.park] = LEVELS.index(item.level)
        elif isinstance(item, Declare):
            _check_leading(item.leading, levels[item.park], pol, sector_keys, f"{here}.leading")
        elif isinstance(item, SetLever):
            pol, wld = _set(pol, wld, item, here)
        elif isinstance(item, CreatePark):
            item.spec.check(here, sector_keys)
            if item.spec.name in levels:
                raise ConfigError(f"{here}.name", item.spec.name, "a name no other park uses")
            if not item.located and known_places is not None and item.spec.city not in known_places:
                raise ConfigError(f"{here}.place", item.spec.city, "a place that has parks (its new park opens at "
                                  "their centroid): " + ", ".join(sorted(known_places)) + "; or give lon and lat")
            _check_leading(item.spec.leading, LEVELS.index(item.spec.level), pol, sector_keys, f"{here}.leading")
            levels[item.spec.name] = LEVELS.index(item.spec.level)
            if known_places is not None:
                known_places.add(item.spec.city)


def _names(levels: Mapping[str, Any]) -> str:
    names = list(levels)
    return ", ".join(names[:20]) + (f", … ({len(names)} parks)" if len(names) > 20 else "")


def _check_leading(leading: tuple[str, ...], level: int | None, policy: Policy, sector_keys: tuple[str, ...],
                   where: str) -> None:
    for key in leading:
        if key not in sector_keys:
            raise ConfigError(where, key, "a sector key: " + ", ".join(sector_keys))
    cap = chains.declared_cap(policy, LEVELS.index("national") if level is None else level)
    if cap is not None and len(leading) > cap:
        raise ConfigError(where, list(leading), f"at most {cap} leading industries at this park's level "
                          "(C1: max_national for national parks, max_other for others; C5: one)")


def _set(policy: Policy, world: WorldConfig, item: SetLever, where: str) -> tuple[Policy, WorldConfig]:
    """Policy and world with the lever set; ConfigError if the combination is invalid."""
    head, *rest = item.path.split(".")
    try:
        if head == "policy":
            return policy.set(rest[0], **{rest[1]: item.value}), world
        return policy, dataclasses.replace(world, **{rest[0]: item.value})
    except ConfigError as e:
        raise ConfigError(f"{where}.{item.path} → {e.where}", e.value, e.allowed) from None


# --------------------------------------------------------------------------- applying

def apply(model) -> None:
    """Carry out this year's interventions in the order they were scheduled; each is logged."""
    for item in model.world.schedule:
        if item.year != model.year:
            continue
        if isinstance(item, Designate):
            _designate(model, _row(model, item.park), item.level)
        elif isinstance(item, Declare):
            p = _row(model, item.park)
            _declare(model, p, [model.sectors.keys.index(k) for k in item.leading])
            model.recorder.event("schedule", "C1", park=p, detail="leading = " + ", ".join(item.leading))
        elif isinstance(item, SetLever):
            _lever(model, item)
        else:
            _open(model, item)


def designated_rows(model) -> set[int]:
    """Rows of the parks whose level this year's schedule sets (the cause of their change of standing)."""
    names = {item.park for item in model.world.schedule if isinstance(item, Designate) and item.year == model.year}
    return {a.row for a in model.park_agents if a.name in names}


def _row(model, name: str) -> int:
    return next(a.row for a in model.park_agents if a.name == name)


def _designate(model, p: int, level: str) -> None:
    pk = model.parks
    before = _level_now(pk, p)
    if level == REVOKED_LEVEL:
        pk.status[p] = REVOKED
        pk.quota[p] = 0.0
        model.recorder.event("schedule", "level", park=p, detail=f"{before} -> revoked")
        return
    pk.level[p] = LEVELS.index(level)
    pk.status[p] = ACTIVE if pk.status[p] == REVOKED else pk.status[p]
    model.recorder.event("schedule", "level", park=p, value=float(pk.level[p]), detail=f"{before} -> {level}")
    held = np.flatnonzero(model.declared[p])
    cap = chains.declared_cap(model.policy, int(pk.level[p]))
    if cap is not None and len(held) > cap:          # a downgrade keeps the industries with most output
        f = model.firms
        m = (f.park == p) & (f.state == PRODUCING)
        output = np.bincount(f.sector[m], weights=f.output[m], minlength=model.sectors.n)
        _declare(model, p, list(held[np.argsort(-output[held], kind="stable")]))


def _level_now(pk, p: int) -> str:
    return REVOKED_LEVEL if pk.status[p] == REVOKED else LEVELS[pk.level[p]]


def _declare(model, p: int, wish: list[int]) -> None:
    """The park's declared industries from its wish list, under the C1/C5 cap and C4's count of others."""
    others = np.delete(model.declared, p, axis=0).sum(0)
    model.declared[p] = chains.declare(model.policy, [wish], model.parks.level[p:p + 1], model.sectors.n,
                                       np.array([0]), taken=others)[0]


def _lever(model, item: SetLever) -> None:
    head, *rest = item.path.split(".")
    if head == "policy":
        burn_in.set_rule(model, rest[0], **{rest[1]: item.value})       # waits for the rules' start if due
        rule = rest[0]
    else:
        model.world = dataclasses.replace(model.world, **{rest[0]: item.value})
        if rest[0] == "land_quota":
            model.government.land_quota = item.value
        rule = "world"
    model.recorder.event("schedule", rule, value=float(item.value), detail=f"{item.path} = {item.value!r}")


def _open(model, item: CreatePark) -> None:
    place, lon, lat = new_parks.city_site(model, item.spec.city)
    spec = item.spec if item.located else dataclasses.replace(item.spec, lon=lon, lat=lat)
    spec = dataclasses.replace(spec, place=place)
    first = new_parks.open_new_parks(model, (spec,))
    model.recorder.event("schedule", "park", park=first, value=float(LEVELS.index(spec.level)),
                         detail=f"new park {spec.name} in {spec.city}")
