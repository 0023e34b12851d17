"""Scenario files: one TOML file per scenario, validated before anything runs.

A scenario file holds, at its top level::

    name = "nanyang_2009"          # defaults to the file name; used as the store directory name
    description = "…"
    extends = "baseline"           # another scenario (name or relative path) to start from
    replications = 10              # runs per design point
    seed = 2009                    # root seed: replication r uses SeedSequence(seed).spawn(...)[r]
    targets = ["000.parks_300yi"]  # document targets (scenarios/data/targets.csv) to evaluate
    burn_in = 5                    # years run before start_year with the rules off (see with_burn_in)

    [world]                        # simulation.WorldConfig parameters (the uncertainties/constants)
    years = 16
    [[world.parks]]                # explicit parks (place = "长葛市" or an adcode locates one), or:
    [world.catalogue]              # parks of the 2018 catalogue: province, cities, levels, and for a
                                   #   document's world prefecture = "南阳市", as_of = 2009 (levels then)
                                   #   and document = "000" (data/document_parks.csv)

    [[places]]                     # sizes of places (outside the parks): name or adcode, and any of
    name = "长葛市"                 #   population (persons), incumbent_firms, output (万元/year)
    population = 700000           # (an illustration, not a census figure)

    [policy.E1]                    # simulation.Policy: one table per rule id (the levers)
    enabled = true
    national = 250.0

    [[schedule]]                   # interventions during the run (simulation.schedule), one action each
    year = 2014
    park = "park_003"              # an existing park: level = "national" … "county" or "revoked",
    level = "national"             #   or leading = ["…"] to re-declare its leading industries
    [[schedule]]
    year = 2015
    place = "city_01"              # a new park: place, level, area_mu (name, leading, lon, lat optional)
    level = "provincial"
    area_mu = 5000
    [[schedule]]
    year = 2018
    "policy.E1.national" = 300.0   # a lever (policy.* or world.*) changes from this year on

    [sweep]                        # optional design for `parksim sweep`
    method = "factorial"           # factorial | list | lhs
    [sweep.levers]                 # policy.* paths
    "policy.E1.national" = [50, 100, 200]
    [sweep.uncertainties]          # world.* paths
    "world.projects_per_year" = [300, 400]

``extends`` chains are merged table by table (a later file overrides single values; arrays are
replaced whole, so a ``[[schedule]]`` array replaces the parent's). ``name`` and ``description`` are
never inherited. A name is looked up beside the
extending file, then in ``scenarios/``; a path may point anywhere, but only to a ``.toml`` file.

Files are UTF-8. A leading byte-order mark, which TOML parsers reject but Windows editors (Notepad,
Excel) write, carries no content and is dropped; any other encoding (GBK, UTF-16) is refused, naming
the first byte that is not UTF-8. A file that sets nothing (empty, or only comments) is refused too:
it would silently run the defaults. Every error is a
:class:`parksim.simulation.ConfigError` whose message names the file that set the value, the key path,
the value and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parksim.simulation import ConfigError, ParkSpec, Policy, WorldConfig
from parksim.simulation.chains import consolidate
from parksim.simulation.errors import check_keys
from parksim.simulation.places import SIZES
from parksim.simulation.policy import LEVELS
from parksim.simulation.schedule import check as check_schedule
from parksim.simulation.schedule import factor_field as _factor_field
from parksim.simulation.schedule import parse as parse_intervention
from parksim.simulation.schedule import to_entry
from parksim.simulation.sectors import default_sectors

from . import adcodes
from .catalogue import CatalogueParks, parks_from_catalogue
from .targets import target_ids

SCENARIO_DIR = Path(__file__).parent
TOP_KEYS = ("name", "description", "extends", "replications", "seed", "targets", "burn_in", "world", "policy",
            "sweep", "schedule", "places")
NOT_INHERITED = ("name", "description", "extends")
SWEEP_KEYS = ("method", "levers", "uncertainties", "points", "samples", "seed")
SWEEP_METHODS = ("factorial", "list", "lhs")
CATALOGUE_KEYS = ("province", "cities", "levels", "prefecture", "as_of", "document")
PLACE_KEYS = ("name", "adcode", *SIZES)
PARK_KEYS = tuple(f.name for f in dataclasses.fields(ParkSpec))
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_SEED = 2**63 - 1
MAX_REPLICATIONS = 100_000
MAX_DESIGN = 1_000_000
MAX_BURN_IN = 50
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SweepSpec:
    """A design over factors: ``levers`` (policy.* paths) and ``uncertainties`` (world.* paths).

    For ``factorial`` each factor maps to its list of levels; for ``lhs`` to ``(low, high)`` and
    ``samples`` points are drawn with ``seed``; for ``list`` the ``points`` are given one by one.
    """

    method: str
    levers: dict[str, Any] = field(default_factory=dict)
    uncertainties: dict[str, Any] = field(default_factory=dict)
    points: tuple[dict, ...] = ()
    samples: int = 0
    seed: int = 0

    @property
    def factors(self) -> dict[str, Any]:
        """All factors, levers first."""
        return {**self.levers, **self.uncertainties}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: world, policy, replications, root seed, targets and an optional sweep."""

    name: str
    description: str
    world: WorldConfig
    policy: Policy
    replications: int = 1
    seed: int = 0
    targets: tuple[str, ...] = ()
    sweep: SweepSpec | None = None
    path: Path | None = None
    files: tuple[Path, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)
    catalogue: CatalogueParks | None = field(default=None, repr=False)
    burn_in: int = 0

    @property
    def document_start(self) -> int:
        """The document's start year (the scenario's ``start_year`` before the burn-in moved it back):
        the state recorded in that year is the base year's, the document's rules act from the next."""
        return self.world.start_year + self.world.burn_in

    def configure(self, point: Mapping[str, Any] | None = None, where: str = "") -> tuple[WorldConfig, Policy]:
        """World and policy with the values of a design point (``{"policy.E1.national": 100, …}``) set.

        Raises ConfigError (naming ``where``, e.g. the file and design point) if the result is invalid.
        """
        if not point:
            return self.world, self.policy
        world = {k: v for k, v in self.data.get("world", {}).items() if k not in ("parks", "catalogue")}
        policy = copy.deepcopy(dict(self.data.get("policy", {})))
        for path, value in point.items():
            head, *rest = path.split(".")
            if head == "world":
                world[rest[0]] = value
            else:
                policy.setdefault(rest[0], {})[rest[1]] = value
        try:
            built_world = WorldConfig.from_dict(world)
            built_policy = Policy.from_dict(policy)
            built_world = (built_world.with_parks(self.world.parks).with_places(self.world.places)
                           .with_schedule(self.world.schedule))
            _check_schedule(built_world, built_policy)
        except ConfigError as e:
            raise ConfigError(f"{where}{e.where}", e.value, e.allowed) from None
        return built_world, built_policy

    def replace(self, **changes) -> Scenario:
        """A copy with some fields changed (e.g. ``replications`` or ``seed`` from the command line)."""
        if "replications" in changes:
            _check_int(changes["replications"], 1, MAX_REPLICATIONS, "replications", "replications")
        if "seed" in changes:
            _check_int(changes["seed"], 0, MAX_SEED, "seed", "root seed")
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """Hash of what defines each run (world, policy, root seed, targets, parks, schedule); not the
        replication count.

        Replication r has the same seed whatever the count, so more replications extend an experiment;
        the design of a sweep is identified separately (experiments.runner.plan). The schedule enters
        only when there is one, so fingerprints of scenarios without one are those they always had.
        """
        data = {k: v for k, v in _plain(self.data).items() if k not in ("replications", "seed", "sweep")}
        runs = {"data": data, "seed": self.seed, "targets": list(self.targets),
                "parks": [dataclasses.asdict(p) for p in self.world.parks]}
        if self.world.schedule:
            runs["schedule"] = [to_entry(i) for i in self.world.schedule]
        blob = json.dumps(runs, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def factor_kind(self, path: str) -> str:
        """The scalar type of a factor path: ``int``, ``float`` or ``bool``."""
        return _factor_field(path, "factor").type


def available() -> list[str]:
    """Names of the scenario files shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def find_scenario(ref: str | os.PathLike, relative_to: Path | None = None, where: str = "scenario") -> Path:
    """Path of a scenario given by name (``nanyang_2009``) or path (``my/file.toml``)."""
    text = os.fspath(ref)
    looks_like_path = text.endswith(".toml") or "/" in text or os.sep in text
    candidates = []
    if looks_like_path:
        p = Path(text).expanduser()
        candidates.append(p if p.is_absolute() or relative_to is None else relative_to / p)
    else:
        if relative_to is not None:
            candidates.append(relative_to / f"{text}.toml")
        candidates.append(SCENARIO_DIR / f"{text}.toml")
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise ConfigError(where, text, "an existing scenario file or one of the scenario names: " + ", ".join(available()))


def load_scenario(ref: str | os.PathLike, *, replications: int | None = None, seed: int | None = None) -> Scenario:
    """Read, merge (``extends``) and validate a scenario; nothing is run or written.

    Args:
        ref: a scenario name (a file in ``scenarios/``) or a path to a TOML file.
        replications: override the file's replications.
        seed: override the file's root seed.

    Raises:
        ConfigError: naming the file, key path, value and what is allowed.
    """
    path = find_scenario(ref)
    chain = _read_chain(path, ())
    merged: dict = {}
    origin: dict[tuple, str] = {}
    for file, data in chain:
        _merge(merged, {k: v for k, v in data.items() if k not in NOT_INHERITED}, origin, _show(file), ())
    leaf_file, leaf = chain[-1]
    shown = _show(leaf_file)
    scenario = _build(merged, origin, leaf, shown, path, tuple(f for f, _ in chain))
    if replications is not None or seed is not None:
        changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
        try:
            scenario = scenario.replace(**changes)
        except ConfigError as e:
            raise ConfigError(f"command line: {e.where}", e.value, e.allowed) from None
    return scenario


# --------------------------------------------------------------------------- reading and merging

def _show(path: Path) -> str:
    """A path as short as possible: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _read(path: Path) -> dict:
    """One file's tables, checked for what can be checked alone (encoding, TOML, top-level keys)."""
    data = read_toml(path, _show(path))
    if not data:
        raise ConfigError(_show(path), "", 'a scenario that sets at least one key, e.g. extends = "baseline" '
                          "(the file is empty or holds only comments)")
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{_show(path)}: {key}", value, "a top-level key: " + ", ".join(TOP_KEYS))
    for key in ("world", "policy", "sweep"):
        if key in data and not isinstance(data[key], dict):
            raise ConfigError(f"{_show(path)}: {key}", data[key], f"a table ([{key}])")
    for key in ("schedule", "places"):
        if key in data and not (isinstance(data[key], list) and data[key]):
            raise ConfigError(f"{_show(path)}: {key}", data[key], f"a non-empty array of tables ([[{key}]])")
    return data


def read_toml(path: Path, shown: str) -> dict:
    """A TOML input file's tables; ConfigError (naming ``shown``) if it is unreadable, not UTF-8 or not TOML.

    A leading UTF-8 byte-order mark is dropped: TOML parsers reject it, Windows editors write it.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise ConfigError(shown, e.strerror, "a readable file") from None
    body = raw.removeprefix(BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        before = body[:e.start]
        line, column = before.count(b"\n") + 1, e.start - before.rfind(b"\n")
        raise ConfigError(shown, f"byte 0x{body[e.start]:02x} at line {line}, column {column}",
                          "a UTF-8 text file (re-save it as UTF-8; GBK, UTF-16 and other encodings are not read)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(shown, str(e), "valid TOML (https://toml.io)") from None


def _read_chain(path: Path, seen: tuple[Path, ...]) -> list[tuple[Path, dict]]:
    """The extends chain, base first; a file met twice is a cycle."""
    if path in seen:
        cycle = " -> ".join(_show(p) for p in (*seen, path))
        raise ConfigError(f"{_show(seen[-1])}: extends", cycle, "a chain of extends without cycles")
    data = _read(path)
    if "extends" not in data:
        return [(path, data)]
    ref = data["extends"]
    if not isinstance(ref, str) or not ref:
        raise ConfigError(f"{_show(path)}: extends", ref, "the name or relative path of another scenario")
    parent = find_scenario(ref, path.parent, where=f"{_show(path)}: extends")
    if parent.suffix != ".toml":
        raise ConfigError(f"{_show(path)}: extends", ref, "a scenario name or the path of a .toml file")
    return _read_chain(parent, (*seen, path)) + [(path, data)]


def _merge(base: dict, over: Mapping, origin: dict, file: str, prefix: tuple) -> None:
    for key, value in over.items():
        here = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origin, file, here)
        else:
            base[key] = copy.deepcopy(value)
            for k in [k for k in origin if k[:len(here)] == here]:
                del origin[k]
            origin[here] = file
            if isinstance(value, dict):
                _mark(value, origin, file, here)


def _mark(table: dict, origin: dict, file: str, prefix: tuple) -> None:
    for key, value in table.items():
        origin[(*prefix, key)] = file
        if isinstance(value, dict):
            _mark(value, origin, file, (*prefix, key))


def _file_of(where: str, origin: dict, default: str) -> str:
    """The file that set the longest prefix of a key path such as ``world.parks[3].level``."""
    path = where.split(" ")[0]
    best, file = -1, default
    for key, f in origin.items():
        text = ".".join(key)
        if (path == text or path.startswith(text + ".") or path.startswith(text + "[")) and len(text) > best:
            best, file = len(text), f
    return file


def _in_file(e: ConfigError, origin: dict, leaf: str) -> ConfigError:
    """Prefix a key-path error with the scenario file, and the file of the chain that set the value."""
    setter = _file_of(e.where, origin, leaf)
    where = f"{leaf}: {e.where}" if setter == leaf else f"{leaf}: {e.where} (set in {setter})"
    return ConfigError(where, e.value, e.allowed)


# --------------------------------------------------------------------------- validation

def _check_int(value, lo, hi, where, what) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(where, value, f"an integer in [{lo}, {hi}] ({what})")
    return value


def _build(merged: dict, origin: dict, leaf: dict, shown: str, path: Path, files: tuple[Path, ...]) -> Scenario:
    """Validate the merged tables; errors carry plain key paths and get the file names here."""
    try:
        return _validate(merged, origin, leaf, shown, path, files)
    except ConfigError as e:
        raise _in_file(e, origin, shown) from None


def _validate(merged: dict, origin: dict, leaf: dict, shown: str, path: Path, files: tuple[Path, ...]) -> Scenario:
    burn_in = _check_int(merged.get("burn_in", 0), 0, MAX_BURN_IN, "burn_in",
                         "years run before the document's start year without its rules")
    merged = with_burn_in(merged, burn_in)
    name = leaf.get("name", path.stem)
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ConfigError("name", name, "letters, digits, '_', '-' or '.', starting with a letter or digit")
    description = leaf.get("description", "")
    if not isinstance(description, str):
        raise ConfigError("description", description, "a string")
    replications = _check_int(merged.get("replications", 1), 1, MAX_REPLICATIONS, "replications", "runs per design point")
    seed = _check_int(merged.get("seed", 0), 0, MAX_SEED, "seed", "root seed")
    targets = merged.get("targets", [])
    if not isinstance(targets, list):
        raise ConfigError("targets", targets, "a list of target ids")
    known = target_ids()
    for i, t in enumerate(targets):
        if t not in known:
            raise ConfigError(f"targets[{i}]", t, "a target id of scenarios/data/targets.csv: " + ", ".join(known))
    world_table = dict(merged.get("world", {}))
    catalogue = None
    parks_table = world_table.pop("parks", None)
    cat_table = world_table.pop("catalogue", None)
    world = WorldConfig.from_dict(world_table)
    if parks_table is not None and cat_table is not None:
        raise ConfigError("world.catalogue", cat_table, "either world.parks or world.catalogue, not both")
    if parks_table is not None:
        world = world.with_parks(_parks(parks_table, "world.parks"))
    elif cat_table is not None:
        catalogue = _catalogue(cat_table, "world.catalogue", world.start_year)
        world = world.with_parks(catalogue.parks)
    sizes = _place_sizes(merged.get("places", []), "places")
    world = world.with_places(adcodes.model_places([p.place for p in world.parks if p.place.isdigit()], sizes))
    policy = Policy.from_dict(merged.get("policy", {}))
    world = world.with_schedule(parse_intervention(e, f"schedule[{i}]") for i, e in enumerate(merged.get("schedule", [])))
    _check_schedule(world, policy)
    sweep = _sweep(merged["sweep"]) if "sweep" in merged else None
    scenario = Scenario(name=name, description=description, world=world, policy=policy,
                        replications=replications, seed=seed, targets=tuple(targets), sweep=sweep,
                        path=path, files=files, data=merged, catalogue=catalogue, burn_in=burn_in)
    if sweep is not None:
        _check_factor_values(scenario)
    return scenario


def with_burn_in(merged: dict, years: int) -> dict:
    """The merged tables with ``years`` of burn-in before the document's start year.

    start_year moves back and years lengthen by ``years``, and ``world.burn_in`` is set to ``years``:
    the model runs those years with the rules off and puts the file's policy in force in the year after
    the document's start year (:mod:`parksim.simulation.burn_in`), so the rules act in the same calendar
    years as without a burn-in and count their years, base-year tax and energy baseline from there.
    projects_per_year is shifted (divided by (1 + project_growth)^years) so the file's value holds in
    the document's start year.
    """
    if not years:
        return merged
    out = copy.deepcopy(merged)
    world = out.setdefault("world", {})
    if "burn_in" in world:
        raise ConfigError("world.burn_in", world["burn_in"], "left out when the scenario sets a top-level burn_in "
                          "(which sets it)")
    built = WorldConfig.from_dict({k: v for k, v in world.items() if k not in ("parks", "catalogue")})
    world["start_year"] = built.start_year - years
    world["years"] = built.years + years
    world["burn_in"] = years
    world["projects_per_year"] = built.projects_per_year / (1 + built.project_growth) ** years
    return out


def _parks(table, where: str) -> tuple[ParkSpec, ...]:
    from parksim.simulation.sectors import default_sectors
    keys = tuple(default_sectors().keys)
    if not isinstance(table, list) or not table:
        raise ConfigError(where, table, "a non-empty array of park tables ([[world.parks]])")
    specs, names = [], set()
    for i, p in enumerate(table):
        here = f"{where}[{i}]"
        if not isinstance(p, dict):
            raise ConfigError(here, p, "a table with name, level, area_mu")
        check_keys(p, PARK_KEYS, here, "a park field")
        for key in ("name", "level", "area_mu"):
            if key not in p:
                raise ConfigError(f"{here}.{key}", None, "a required park field (name, level, area_mu)")
        for key, ok, allowed in (("name", lambda v: isinstance(v, str) and v, "a non-empty string"),
                                 ("city", lambda v: isinstance(v, str), "a string"),
                                 ("urban", lambda v: isinstance(v, bool), "true/false"),
                                 ("leading", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                                  "a list of sector keys"),
                                 ("level", lambda v: isinstance(v, str), "a string"),
                                 ("area_mu", _is_number, "a number > 0 (mu)"),
                                 ("lon", _is_number, "a longitude (degrees)"), ("lat", _is_number, "a latitude (degrees)"),
                                 ("infrastructure", _is_number, "a number in [0, 1]")):
            if key in p and not ok(p[key]):
                raise ConfigError(f"{here}.{key}", p[key], allowed)
        if p["name"] in names:
            raise ConfigError(f"{here}.name", p["name"], "a name no other park uses")
        names.add(p["name"])
        spec = ParkSpec(**{**p, **_located(p, here), "leading": tuple(p.get("leading", ())),
                           **{k: float(p[k]) for k in ("area_mu", "lon", "lat", "infrastructure") if k in p}})
        spec.check(here, keys)
        specs.append(spec)
    return tuple(specs)


def _located(park: Mapping, where: str) -> dict:
    """A park's ``place`` (a name or adcode) as its adcode, with the place's position (unless lon/lat
    are given) and, unless given, the place's prefecture city as its ``city``."""
    if "place" not in park:
        return {}
    found = adcodes.resolve(park["place"], f"{where}.place")
    pos = adcodes.position(found.adcode)
    out = {"place": found.adcode, "city": park.get("city", adcodes.city_of(found.adcode).name)}
    if pos and "lon" not in park and "lat" not in park:
        out.update(lon=pos[0], lat=pos[1])
    return out


def _place_sizes(table, where: str) -> dict[str, dict[str, float]]:
    """Sizes of ``[[places]]`` by adcode. Each entry names one place (``name`` or ``adcode``) and gives
    any of population, incumbent_firms, output: finite numbers in [0, places.SIZES[key]]."""
    sizes: dict[str, dict[str, float]] = {}
    for i, entry in enumerate(table):
        here = f"{where}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(here, entry, "a table with name or adcode and population, incumbent_firms, output")
        check_keys(entry, PLACE_KEYS, here, "a key of a place")
        if ("name" in entry) == ("adcode" in entry):
            raise ConfigError(here, entry, "exactly one of name or adcode")
        key = "name" if "name" in entry else "adcode"
        found = adcodes.resolve(entry[key], f"{here}.{key}")
        if found.adcode in sizes:
            raise ConfigError(f"{here}.{key}", entry[key], "a place no other [[places]] entry names")
        values = {k: entry[k] for k in SIZES if k in entry}
        for k, v in values.items():
            if not _is_number(v) or not 0 <= v <= SIZES[k]:
                raise ConfigError(f"{here}.{k}", v, f"a finite number in [0, {SIZES[k]:g}]")
        sizes[found.adcode] = {k: float(v) for k, v in values.items()}
    return sizes


def _check_schedule(world: WorldConfig, policy: Policy) -> None:
    """The schedule against the parks known before the run: explicit or catalogue parks (after C7
    consolidation) by name, level and place; generated parks by name (park_000, …), their levels and
    places being drawn with each run's seed (the model checks those when it is set up)."""
    if not world.schedule:
        return
    if world.parks:
        specs, _ = consolidate(policy, world.parks)
        parks, places = {s.name: LEVELS.index(s.level) for s in specs}, {s.city or s.name for s in specs}
    else:
        parks, places = {f"park_{i:03d}": None for i in range(world.n_parks)}, None
    check_schedule(world.schedule, world, policy, tuple(default_sectors().keys), parks, places)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _catalogue(table, where: str, year: int) -> CatalogueParks:
    if not isinstance(table, dict):
        raise ConfigError(where, table, "a table with province (and optionally cities, levels)")
    check_keys(table, CATALOGUE_KEYS, where, "a catalogue key")
    province = table.get("province")
    if not isinstance(province, str):
        raise ConfigError(f"{where}.province", province, "a province name as in the catalogue, e.g. 河南省")
    for key in ("cities", "levels"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}.{key}", value, "a list of strings")
    for key, allowed in (("prefecture", "a prefecture city of the province, e.g. 南阳市"),
                         ("document", "a document id of scenarios/data/document_parks.csv, e.g. 000")):
        if key in table and not (isinstance(table[key], str) and table[key]):
            raise ConfigError(f"{where}.{key}", table[key], allowed)
    as_of = table.get("as_of")
    if as_of is not None:
        _check_int(as_of, 1900, 2200, f"{where}.as_of", "the year the levels are taken as of")
    return parks_from_catalogue(province, tuple(table.get("cities", [])), tuple(table.get("levels", [])),
                                year=year, where=where, prefecture=table.get("prefecture", ""), as_of=as_of,
                                document=table.get("document", ""))


def _sweep(table: dict) -> SweepSpec:
    check_keys(table, SWEEP_KEYS, "sweep", "a sweep key")
    method = table.get("method", "factorial")
    if method not in SWEEP_METHODS:
        raise ConfigError("sweep.method", method, "one of " + ", ".join(SWEEP_METHODS))
    groups = {}
    for group, head in (("levers", "policy"), ("uncertainties", "world")):
        factors = table.get(group, {})
        if not isinstance(factors, dict):
            raise ConfigError(f"sweep.{group}", factors, "a table of factor paths")
        for path, levels in factors.items():
            here = f"sweep.{group}.{path}"
            if not path.startswith(head + "."):
                raise ConfigError(here, path, f"a {head}.* path ({group} are {head} parameters)")
            _factor_field(path, here)
            if method == "factorial":
                if not isinstance(levels, list) or not levels:
                    raise ConfigError(here, levels, "a non-empty list of levels (factorial design)")
                if len(set(map(repr, levels))) != len(levels):
                    raise ConfigError(here, levels, "distinct levels")
            elif method == "lhs":
                if not (isinstance(levels, dict) and set(levels) == {"low", "high"}
                        and _is_number(levels["low"]) and _is_number(levels["high"]) and levels["low"] < levels["high"]):
                    raise ConfigError(here, levels, "{ low = <number>, high = <number> } with low < high (Latin hypercube)")
            else:
                raise ConfigError(here, levels, "no factors with method = \"list\": give [[sweep.points]] instead")
        groups[group] = dict(factors)
    points = table.get("points", [])
    samples = table.get("samples", 0)
    seed = table.get("seed", 0)
    if method == "list":
        if not isinstance(points, list) or not points:
            raise ConfigError("sweep.points", points, "a non-empty array of tables ([[sweep.points]])")
        for i, point in enumerate(points):
            if not isinstance(point, dict) or not point:
                raise ConfigError(f"sweep.points[{i}]", point, "a table of factor path = value")
            for path in point:
                _factor_field(path, f"sweep.points[{i}]")
    elif "points" in table:
        raise ConfigError("sweep.points", points, 'points only with method = "list"')
    if method == "lhs":
        _check_int(samples, 1, MAX_DESIGN, "sweep.samples", "Latin hypercube sample size")
        _check_int(seed, 0, MAX_SEED, "sweep.seed", "sampling seed")
    elif "samples" in table:
        raise ConfigError("sweep.samples", samples, 'samples only with method = "lhs"')
    if method != "list" and not (groups["levers"] or groups["uncertainties"]):
        raise ConfigError("sweep", table, "at least one factor in [sweep.levers] or [sweep.uncertainties]")
    if method == "factorial":
        size = 1
        for levels in (*groups["levers"].values(), *groups["uncertainties"].values()):
            size *= len(levels)
        if size > MAX_DESIGN:
            raise ConfigError("sweep", size, f"a design of at most {MAX_DESIGN} points")
    return SweepSpec(method, groups["levers"], groups["uncertainties"], tuple(points), samples, seed)


def _check_factor_values(scenario: Scenario) -> None:
    """Each factor level (or LHS bound, or listed point) must give a valid world and policy on its own."""
    sweep = scenario.sweep
    if sweep.method == "list":
        for i, point in enumerate(sweep.points):
            scenario.configure(point, where=f"sweep.points[{i}] → ")
        return
    for group in ("levers", "uncertainties"):
        for path, levels in getattr(sweep, group).items():
            values = levels if sweep.method == "factorial" else [levels["low"], levels["high"]]
            kind = scenario.factor_kind(path)
            for value in values:
                if kind == "int" and sweep.method == "lhs":
                    value = int(round(value))
                scenario.configure({path: value}, where=f"sweep.{group}.{path} = {value!r} → ")


def _plain(value):
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
