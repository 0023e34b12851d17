"""Real parks from the 2018 development-zone catalogue (中国开发区审核公告目录（2018年版）).

The catalogue (``data/china_development_zones_2018.csv``, described in
``data/china_development_zones_2018.md``) lists 2,543 national and provincial zones. This module
turns the rows of one province (optionally some of its places) into :class:`parksim.simulation.ParkSpec`
records:

- level from the approval authority: 国务院 → ``national``, 省政府 → ``provincial``;
- area in mu = approved hectares × 15;
- leading industries (主导产业, items separated by 、) mapped to sector keys through
  ``data/industry_map.csv`` (term → sector key, blank = a known term with no model sector); terms
  that are not in the table and terms without a sector are counted and reported, never dropped
  silently;
- infrastructure from the zone's age: ``0.3 + 0.02`` a year since approval, capped at 0.9;
- ``urban`` (inside a city planning area, rule E3) when the place label is not a county (县) or a
  county-level city (…市): a heuristic, the catalogue has no such field;
- the place and position the zone was geocoded to (``data/places_zones.csv``, written by
  :func:`write_zones`): the county's or city's adcode and its centre in
  lon/lat. Zones of one place share its centre (no offset is invented); a zone with no position
  has none (none in the 2018 catalogue).
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from parksim.simulation import ConfigError, ParkSpec
from parksim.simulation.policy import LEVELS

from . import adcodes

DATA = Path(__file__).parent / "data"
CATALOGUE = DATA / "china_development_zones_2018.csv"
INDUSTRY_MAP = DATA / "industry_map.csv"
ZONES_TABLE = DATA / "places_zones.csv"
DOCUMENT_PARKS = DATA / "document_parks.csv"
BONDED = "海关特殊监管区域"          # zone type of bonded zones: new creations, not upgrades of an older zone
LEVEL_OF_APPROVAL = {"国务院": "national", "省政府": "provincial"}
MU_PER_HA = 15.0


@dataclass(frozen=True)
class CatalogueParks:
    """Parks built from the catalogue, with what could not be mapped.

    ``unmapped`` counts leading-industry terms missing from the mapping table; ``no_sector`` counts
    terms the table knows but maps to no model sector (tourism, trade, paper, …).
    """

    province: str
    parks: tuple[ParkSpec, ...]
    unmapped: dict[str, int] = field(default_factory=dict)
    no_sector: dict[str, int] = field(default_factory=dict)

    def levels(self) -> dict[str, int]:
        """Number of parks per level."""
        return dict(Counter(p.level for p in self.parks))

    def report(self) -> str:
        """Human-readable summary: parks per level and every term that was not mapped, with counts."""
        lines = [f"{self.province}: {len(self.parks)} parks ("
                 + ", ".join(f"{n} {lvl}" for lvl, n in sorted(self.levels().items())) + ")"]
        if self.unmapped:
            lines.append("  terms not in industry_map.csv: "
                         + ", ".join(f"{t} ×{n}" for t, n in _by_count(self.unmapped)))
        if self.no_sector:
            lines.append("  terms with no model sector: "
                         + ", ".join(f"{t} ×{n}" for t, n in _by_count(self.no_sector)))
        return "\n".join(lines)


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@lru_cache(maxsize=2)
def read_catalogue(path: Path = CATALOGUE) -> pd.DataFrame:
    """The catalogue as a DataFrame (``approved`` and ``code`` kept as text)."""
    return pd.read_csv(path, dtype={"code": str, "approved": str, "city": str, "leading_industries": str})


@lru_cache(maxsize=2)
def read_industry_map(path: Path = INDUSTRY_MAP) -> dict[str, str]:
    """Term → sector key ('' for a known term with no model sector); sector keys are checked."""
    from parksim.simulation.sectors import default_sectors
    keys = set(default_sectors().keys)
    mapping: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            term, sector = row["term"].strip(), (row["sector"] or "").strip()
            if sector and sector not in keys:
                raise ConfigError(f"{path.name}:{line}.sector", sector, "a sector key: " + ", ".join(sorted(keys)))
            if term in mapping:
                raise ConfigError(f"{path.name}:{line}.term", term, "each term once")
            mapping[term] = sector
    return mapping


def split_terms(text) -> list[str]:
    """Leading-industry items of one row (separated by 、), trimmed of stray punctuation."""
    if not isinstance(text, str):
        return []
    return [t.strip().strip(".。,，;；") for t in text.split("、") if t.strip().strip(".。,，;；")]


def map_terms(terms: list[str], mapping: dict[str, str]) -> tuple[tuple[str, ...], list[str], list[str]]:
    """Sector keys for ``terms`` (first occurrence order, no repeats), unknown terms, terms with no sector."""
    keys: list[str] = []
    unknown, empty = [], []
    for term in terms:
        if term not in mapping:
            unknown.append(term)
        elif not mapping[term]:
            empty.append(term)
        elif mapping[term] not in keys:
            keys.append(mapping[term])
    return tuple(keys), unknown, empty


def is_urban(place: str) -> bool:
    """Heuristic: a zone is inside a city planning area unless its place is a county or county-level city."""
    return "县" not in place and not place.endswith("市")


@lru_cache(maxsize=2)
def read_zones(path: Path = ZONES_TABLE) -> dict[str, tuple[str, float | None, float | None]]:
    """Each zone's geocoded place by zone code: (adcode, longitude, latitude), None where it has no position."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: (r["adcode"], float(r["longitude"]) if r["longitude"] else None,
                            float(r["latitude"]) if r["latitude"] else None) for r in csv.DictReader(f)}


def infrastructure_of(approved: str, year: int) -> float:
    """0.3 + 0.02 a year since approval (``YYYY.MM``; the first of two dates), within [0.3, 0.9]."""
    first = str(approved).split("/")[0]
    try:
        since = int(first.split(".")[0])
    except ValueError:
        return 0.3
    return float(min(max(0.3 + 0.02 * (year - since), 0.3), 0.9))


def parks_from_catalogue(province: str, cities: tuple[str, ...] | list[str] = (), levels: tuple[str, ...] | list[str] = (),
                         year: int = 2018, where: str = "world.catalogue", prefecture: str = "",
                         as_of: int | None = None, document: str = "") -> CatalogueParks:
    """ParkSpec records for the zones of ``province`` (full Chinese name, e.g. 河南省).

    Args:
        province: province-level unit as written in the catalogue.
        cities: keep only zones whose place label (``city`` column) is one of these; empty keeps all.
        levels: keep only these levels (``national``, ``provincial``); empty keeps both.
        year: the calendar year the parks are built for (infrastructure grows with age).
        where: key path used in error messages.
        prefecture: keep only zones geocoded inside this prefecture city of ``province`` (its name,
            e.g. 南阳市: the ``city`` column is a place label, not the prefecture).
        as_of: levels as of this year (:func:`as_of_year`); None keeps the 2018 levels.
        document: a seed id of ``data/document_parks.csv``: add the parks that document names or
            counts and apply its rows to the catalogue zones (:func:`apply_document`).

    Returns:
        CatalogueParks with the parks in catalogue code order and the unmapped terms with counts.

    Raises:
        ConfigError: unknown province, place or level, or a selection with no zones.
    """
    cat = read_catalogue()
    provinces = sorted(cat["province"].unique())
    if province not in provinces:
        raise ConfigError(f"{where}.province", province, "a province in the 2018 catalogue: " + ", ".join(provinces))
    rows = cat[cat["province"] == province].sort_values("code", kind="stable")
    if cities:
        known = set(rows["city"])
        for c in cities:
            if c not in known:
                raise ConfigError(f"{where}.cities", c, f"a place label of {province} in the catalogue: "
                                  + ", ".join(sorted(known)))
        rows = rows[rows["city"].isin(list(cities))]
    if prefecture:
        code = prefecture_code(province, prefecture, f"{where}.prefecture")
        zones = read_zones()
        rows = rows[[zones[c][0][:4] == code[:4] for c in rows["code"]]]
    if as_of is not None:
        rows = rows[[not _created_later(r, as_of) for _, r in rows.iterrows()]]
    level = rows["approval_level"].map(LEVEL_OF_APPROVAL)
    if level.isna().any():
        bad = rows.loc[level.isna(), "approval_level"].iloc[0]
        raise ConfigError(f"{where}: catalogue approval_level", bad, ", ".join(LEVEL_OF_APPROVAL))
    for lvl in levels:
        if lvl not in LEVEL_OF_APPROVAL.values():
            raise ConfigError(f"{where}.levels", lvl, "national or provincial (the catalogue has no other levels)")
    if levels:
        keep = level.isin(list(levels))
        rows, level = rows[keep], level[keep]
    if rows.empty:
        raise ConfigError(where, {"province": province, "cities": list(cities), "levels": list(levels),
                                  "prefecture": prefecture}, "a selection with at least one zone")
    if as_of is not None:
        level = pd.Series([as_of_year(lvl, a, as_of) for lvl, a in zip(level, rows["approved"])], index=level.index)
    mapping = read_industry_map()
    zones = read_zones()
    unmapped: Counter = Counter()
    no_sector: Counter = Counter()
    parks = []
    for (_, row), lvl in zip(rows.iterrows(), level):
        keys, unknown, empty = map_terms(split_terms(row["leading_industries"]), mapping)
        unmapped.update(unknown)
        no_sector.update(empty)
        place, lon, lat = zones[row["code"]]
        parks.append(ParkSpec(name=row["name"], level=lvl, area_mu=round(float(row["area_ha"]) * MU_PER_HA, 2),
                              city=row["city"], leading=keys, urban=is_urban(row["city"]),
                              place=place, lon=lon, lat=lat,
                              infrastructure=round(infrastructure_of(row["approved"], year), 3)))
    result = CatalogueParks(province, tuple(parks), dict(unmapped), dict(no_sector))
    if document:
        if not prefecture:
            raise ConfigError(f"{where}.document", document, "a document with the prefecture its parks lie in "
                              "(prefecture = \"…市\")")
        result = apply_document(result, document, tuple(rows["code"]), year, f"{where}.document", code)
    return result


def unmapped_terms(province: str | None = None) -> dict[str, int]:
    """Counts of catalogue terms missing from the mapping table (all provinces, or one)."""
    cat = read_catalogue()
    if province:
        cat = cat[cat["province"] == province]
    mapping = read_industry_map()
    counts: Counter = Counter()
    for text in cat["leading_industries"]:
        counts.update(t for t in split_terms(text) if t not in mapping)
    return dict(counts)


# --------------------------------------------------------------------------- a document's own parks

def prefecture_code(province: str, name: str, where: str) -> str:
    """The adcode of prefecture city ``name`` (e.g. 南阳市) of ``province``; ConfigError otherwise."""
    prov = adcodes.province_by_name(province)
    cities = {p.name: p.adcode for p in adcodes.children(prov.adcode) if adcodes.tier(p.adcode) == "city"}
    if name not in cities:
        raise ConfigError(where, name, f"a prefecture city of {province}: " + ", ".join(sorted(cities)))
    return cities[name]


def _approved(approved) -> int:
    """Year of a zone's approval at its 2018 level (``YYYY.MM``; the first of two dates)."""
    return int(str(approved).split("/")[0].split(".")[0])


def _created_later(row, year: int) -> bool:
    """A bonded zone approved after ``year`` did not exist then (it is a new creation, not an upgrade)."""
    return row["zone_type"] == BONDED and _approved(row["approved"]) > year


def as_of_year(level: str, approved, year: int) -> str:
    """A zone's level in ``year``: its 2018 level if approved at it by then, else one level lower.

    The catalogue gives only the approval date of the current level; a zone approved later was, by
    the rule used here, one level lower before (a national zone provincial, a provincial one city).
    """
    return level if _approved(approved) <= year else LEVELS[max(LEVELS.index(level) - 1, 0)]


@lru_cache(maxsize=2)
def read_document_parks(path: Path = DOCUMENT_PARKS) -> tuple[dict[str, str], ...]:
    """The rows of ``document_parks.csv`` (described in ``document_parks.md``), checked."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = tuple(csv.DictReader(f))
    for line, r in enumerate(rows, start=2):
        here = f"{path.name}:{line}"
        if r["level"] not in LEVELS:
            raise ConfigError(f"{here}.level", r["level"], "one of " + ", ".join(LEVELS))
        if not r["replaces"] and not r["adcode"]:
            raise ConfigError(here, r["name"], "a park that replaces a catalogue zone or has an adcode")
        if r["adcode"]:
            adcodes.place(r["adcode"])
        if not r["source"] or not r["assumption"]:
            raise ConfigError(here, r["name"], "a source clause and the assumption used")
    return rows


def _median_area(parks: list[ParkSpec], level: str) -> float:
    """Median area of ``parks`` at ``level``, or at the nearest level above that has parks."""
    for lvl in LEVELS[LEVELS.index(level):]:
        areas = [p.area_mu for p in parks if p.level == lvl]
        if areas:
            return float(pd.Series(areas).median())
    return float(pd.Series([p.area_mu for p in parks]).median())


def apply_document(found: CatalogueParks, document: str, codes: tuple[str, ...], year: int,
                   where: str, prefecture: str) -> CatalogueParks:
    """The catalogue parks with a document's rows applied (``data/document_parks.csv``).

    A row that ``replaces`` a zone takes its place (several rows replacing one zone split its area
    equally); its level comes from the document, its area, place and leading industries from the row
    where given, else from the zone. A row without ``replaces`` is a park the document names or
    counts: blank area = median of the selection's catalogue parks of its level (after the level
    rows), no approval date so the lowest infrastructure. Positions are those of the adcode's place,
    which must lie in ``prefecture`` (an adcode).
    """
    rows = [r for r in read_document_parks() if r["document"] == document]
    if not rows:
        known = sorted({r["document"] for r in read_document_parks()})
        raise ConfigError(where, document, "a document of document_parks.csv: " + ", ".join(known))
    by_code = dict(zip(codes, found.parks))
    for r in rows:
        if r["adcode"] and r["adcode"][:4] != prefecture[:4]:
            raise ConfigError(where, document, f"a document whose parks lie in the prefecture {prefecture} "
                              f"({r['name']} is in {r['adcode']})")
        if r["replaces"] and r["replaces"] not in by_code:
            raise ConfigError(where, r["replaces"], f"a zone of this selection ({r['name']} replaces it)")
    splits = Counter(r["replaces"] for r in rows if r["replaces"])
    first = {r["replaces"]: r for r in reversed(rows) if r["replaces"]}
    base = [dataclasses.replace(p, level=first[c]["level"]) if c in first else p for c, p in by_code.items()]
    mapping = read_industry_map()
    unmapped, no_sector = Counter(found.unmapped), Counter(found.no_sector)
    extra = []
    for r in rows:
        zone = by_code.get(r["replaces"])
        adcode = r["adcode"] or zone.place
        lon, lat, _ = adcodes.position(adcode)
        if r["leading"]:
            leading, unknown, empty = map_terms(split_terms(r["leading"]), mapping)
            unmapped.update(unknown)
            no_sector.update(empty)
        else:
            leading = zone.leading if zone else ()
        if r["area_mu"]:
            area = float(r["area_mu"])
        elif zone:
            area = zone.area_mu / splits[r["replaces"]]
        else:
            area = _median_area(base, r["level"])
        extra.append(ParkSpec(name=r["name"], level=r["level"], area_mu=round(area, 2),
                              city=adcodes.place(adcode).name if r["adcode"] or not zone else zone.city,
                              leading=leading, urban=_urban(adcode) if r["adcode"] or not zone else zone.urban,
                              place=adcode, lon=lon, lat=lat,
                              infrastructure=zone.infrastructure if zone else infrastructure_of("", year)))
    kept = [p for c, p in by_code.items() if c not in splits]
    return CatalogueParks(found.province, tuple(kept + extra), dict(unmapped), dict(no_sector))


def _urban(adcode: str) -> bool:
    """A park placed at a prefecture city or in one of its districts (区) lies in its planning area (E3)."""
    return adcodes.tier(adcode) == "city" or adcodes.place(adcode).name.endswith("区")


def catalogue_rows(path: Path = CATALOGUE) -> list[dict]:
    """The catalogue's rows as dictionaries, in file order."""
    return read_catalogue(path).to_dict("records")


@lru_cache(maxsize=2)
def geocode_catalogue(path: Path = CATALOGUE) -> tuple[adcodes.Geocode, ...]:
    """Every zone of the catalogue geocoded, in file order (cached: the inputs are shipped data)."""
    return tuple(adcodes.geocode(r) for r in catalogue_rows(path))


def write_zones(path: Path = ZONES_TABLE) -> int:
    """Write every zone's geocode to a CSV (the shipped ``places_zones.csv``) and return the row count.

    The table is derived data, shipped so that the mapping can be read and reviewed without running
    code; a test keeps it equal to :func:`geocode_catalogue`, so rerun this after changing the matcher
    or the hand-fix table.
    """
    geocodes = geocode_catalogue()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(adcodes.Geocode.__dataclass_fields__)
        for g in geocodes:
            w.writerow("" if v is None else v for v in vars(g).values())
    return len(geocodes)


def coverage(geocodes: Iterable[adcodes.Geocode] | None = None) -> dict[str, float]:
    """How many zones have coordinates of which level, and the share with a county's or city's.

    Keys: ``zones``, ``county``, ``city``, ``province`` (position only of the province), ``missing``
    (no position), ``share_county_or_city``; ``municipality`` counts the ``city`` zones placed only at a
    municipality's centre (北京, 天津, 上海, 重庆: a city, but a large one), and ``handfix`` the rows the
    hand-fix table decided.
    """
    geocodes = geocode_catalogue() if geocodes is None else tuple(geocodes)
    levels = Counter(g.position or "missing" for g in geocodes)
    n = len(geocodes)
    return {"zones": n, "county": levels["county"], "city": levels["city"], "province": levels["province"],
            "missing": levels["missing"], "share_county_or_city": (levels["county"] + levels["city"]) / n if n else 0.0,
            "municipality": sum(g.position == "city" and adcodes.place(g.adcode).level == "province" for g in geocodes),
            "handfix": sum(g.how == "handfix" for g in geocodes)}
