"""The adcode table: China's provinces, prefecture cities and counties with real positions, and the
geocoder that puts the catalogue's zones on them (the model's own place records are
:mod:`parksim.simulation.places`).

The open economy needs distances that mean something (spillovers decay with them, investors compare
places), so every place carries the longitude and latitude of its centre point from a published adcode
table (``data/places_adcode.csv``, copied from the ``cpca`` 0.5.5 package, MIT, whose data come from
Vonng/adcode, CC BY 4.0: codes of 2016-07 with AMap centres in GCJ-02; see ``data/places_adcode.md``).
Nothing here invents a position: a place the table gives no coordinates takes those of its nearest
ancestor that has them, and the result says which level they belong to.

The 2018 catalogue has no administrative codes, only a province and a short place label
(``city``: "长葛", "肇庆高要区", "中关村科技园区"). :func:`geocode` matches that label, and failing that
the zone's name, against the names of the province's cities and counties, offline and in pure Python.
``data/places_handfix.csv`` corrects the matches that are wrong or missing, each with its reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from parksim.simulation import ConfigError
from parksim.simulation.places import Place as ModelPlace
from parksim.simulation.places import haversine_km

DATA = Path(__file__).parent / "data"
ADCODE_TABLE = DATA / "places_adcode.csv"
HANDFIX_TABLE = DATA / "places_handfix.csv"

# Short forms of the autonomous regions and SARs, as the catalogue and cpca's matcher write them.
REGION_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
                "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏",
                "香港特别行政区": "香港", "澳门特别行政区": "澳门"}
# The ethnic groups that name autonomous prefectures, counties and banners ("本溪满族自治县" → 本溪):
# the 55 minority nationalities, plus 各族 ("all nationalities").
NATIONS = ("蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
           "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
           "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
           "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 各族").split()
# Names drop the 族 at times ("木垒哈萨克自治县"), and a one-nation name keeps the nation ("东乡族自治县" → 东乡).
_AUTONOMOUS = re.compile("^(.{2,}?)(?:" + "|".join(n[:-1] + "族?" for n in sorted(NATIONS, key=len, reverse=True))
                         + ")+自治[州县旗]$|^(.{2,})族自治[州县旗]$")
# Administrative suffixes, longest first; a short name keeps at least two characters.
_SUFFIXES = ("自治州", "自治县", "自治旗", "地区", "林区", "特区", "新区", "省", "市", "县", "区", "旗", "盟")


@dataclass(frozen=True)
class Place:
    """One administrative place. ``parent`` is '' for a province; longitude/latitude are None where
    the source table has none (a few counties abolished or created around 2016)."""

    adcode: str
    name: str
    level: str
    parent: str
    longitude: float | None
    latitude: float | None

    @property
    def province(self) -> str:
        """Adcode of the province the place lies in (the first two digits)."""
        return self.adcode[:2] + "0000"


@dataclass(frozen=True)
class Geocode:
    """Where one catalogue zone lies.

    ``adcode``/``match`` name the most specific place found (``match`` is ``county``, ``city`` or
    ``province``; a municipality such as 北京市 counts as a city). ``how`` says what gave it: the place
    ``label``, the zone ``name``, the ``handfix`` table, or nothing (``province``: the province alone).
    ``position`` is the level whose coordinates the zone gets (the place's own, else its nearest
    ancestor's; '' when none).
    """

    code: str
    name: str
    adcode: str
    place: str
    match: str
    how: str
    longitude: float | None
    latitude: float | None
    position: str


def short_name(name: str) -> str:
    """The name without its administrative suffix, as the catalogue's place labels write it.

    "许昌市" → 许昌, "本溪满族自治县" → 本溪, "浦东新区" → 浦东; "泾县" stays (one character would
    match too much).
    """
    if name in REGION_SHORT:
        return REGION_SHORT[name]
    m = _AUTONOMOUS.match(name)
    if m:
        return m.group(1) or m.group(2)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def places(path: Path = ADCODE_TABLE) -> dict[str, Place]:
    """All places of the adcode table by adcode (read once; the table is immutable data)."""
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lon = float(row["longitude"]) if row["longitude"] else None
            lat = float(row["latitude"]) if row["latitude"] else None
            out[row["adcode"]] = Place(row["adcode"], row["name"], row["level"], row["parent"], lon, lat)
    return out


def place(adcode: str) -> Place:
    """The place with this 6-digit adcode; a clear error names the code if it is not in the table."""
    table = places()
    if adcode not in table:
        raise ConfigError("adcode", adcode, f"a 6-digit code of {ADCODE_TABLE.name}, e.g. '411082' (长葛市)")
    return table[adcode]


@cache
def _children() -> dict[str, tuple[str, ...]]:
    kids: dict[str, list[str]] = {}
    for p in places().values():
        kids.setdefault(p.parent, []).append(p.adcode)
    return {k: tuple(v) for k, v in kids.items()}


def children(adcode: str) -> list[Place]:
    """The places directly under this one (a province's cities and direct counties, a city's counties)."""
    return [places()[c] for c in _children().get(place(adcode).adcode, ())]


def is_municipality(adcode: str) -> bool:
    """True for a province-level city (北京, 天津, 上海, 重庆): a province whose counties sit directly
    under it with no prefecture city between. Derived from the table, not a hard-coded list."""
    p = place(adcode)
    kids = children(adcode)
    return p.level == "province" and bool(kids) and all(k.level == "county" for k in kids)


def ancestors(adcode: str) -> list[Place]:
    """The parent chain from the place itself up to its province, e.g. 长葛市 → 许昌市 → 河南省."""
    chain = [place(adcode)]
    while chain[-1].parent:
        chain.append(place(chain[-1].parent))
    return chain


def tier(adcode: str) -> str:
    """The level a place counts as for geocoding: its table level, except that a municipality is a city."""
    p = place(adcode)
    return "city" if p.level == "province" and is_municipality(adcode) else p.level


def position(adcode: str) -> tuple[float, float, str] | None:
    """(longitude, latitude, tier) of the place, or of its nearest ancestor with coordinates; None if
    no ancestor has any. Returning the tier keeps a borrowed position from passing for a precise one."""
    for p in ancestors(adcode):
        if p.longitude is not None and p.latitude is not None:
            return p.longitude, p.latitude, tier(p.adcode)
    return None


@cache
def _index() -> dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """(province adcode, key) → (places whose full name is the key, places whose short name is)."""
    full: dict[tuple[str, str], list[str]] = {}
    short: dict[tuple[str, str], list[str]] = {}
    for p in places().values():
        if p.level == "province":
            continue
        full.setdefault((p.province, p.name), []).append(p.adcode)
        s = short_name(p.name)
        if s != p.name:
            short.setdefault((p.province, s), []).append(p.adcode)
    keys = set(full) | set(short)
    return {k: (tuple(full.get(k, ())), tuple(short.get(k, ()))) for k in keys}


def find(name: str, within: str | None = None) -> list[Place]:
    """Places called ``name`` (full name, or short name as in "长葛"), optionally only those under the
    place ``within`` (an adcode). Names repeat across China (鼓楼区 is in four cities), hence a list."""
    provinces = [within[:2] + "0000"] if within else [p.adcode for p in places().values() if p.level == "province"]
    found = []
    for prov in provinces:
        if place(prov).name == name or short_name(place(prov).name) == name:
            found.append(prov)
        full, short = _index().get((prov, name), ((), ()))
        found.extend(full or short)
    if within:
        found = [a for a in found if within in {q.adcode for q in ancestors(a)}]
    return [places()[a] for a in found]


def province_by_name(name: str) -> Place:
    """The province-level place with this full or short name ("河南省", "河南", "广西")."""
    for p in places().values():
        if p.level == "province" and name in (p.name, short_name(p.name)):
            return p
    raise ConfigError("province", name, f"a province-level name of {ADCODE_TABLE.name}, e.g. 河南省 or 河南")


def _scan(text: str, province: str) -> list[tuple[str, ...]]:
    """Place names found in ``text`` from left to right, longest name first at each position.

    Each hit is the tuple of candidate adcodes for that name: the places with that full name if any,
    else those with that short name, so "长沙县" means the county and "长沙" the city (its short name
    also fits 长沙县; the catalogue's labels use short city names, so a city wins a tie with its own county).
    """
    index = _index()
    hits, i = [], 0
    while i < len(text):
        for j in range(len(text), i + 1, -1):
            entry = index.get((province, text[i:j]))
            if entry:
                full, short = entry
                cands = full or short
                cities = [a for a in cands if places()[a].level == "city"]
                if cities and all(a in cities or places()[a].parent in cities for a in cands):
                    cands = tuple(cities)
                hits.append(cands)
                i = j
                break
        else:
            i += 1
    return hits


def _resolve(hits: list[tuple[str, ...]]) -> str | None:
    """The most specific place the hits agree on: a county, else the city; None if nothing or only
    ambiguous names were found.

    When a city is named, only counties inside it count: "唐山海港" is a zone of 唐山, not of
    秦皇岛's 海港区, and "梧州进口再生资源" is not in 资源县.
    """
    cities = {a for h in hits for a in h if places()[a].level == "city"}
    counties = {a for h in hits for a in h if places()[a].level == "county"}
    if cities:
        counties = {a for a in counties if places()[a].parent in cities}
    if len(counties) == 1:
        return counties.pop()
    if counties:
        parents = {places()[a].parent for a in counties}
        if len(parents) == 1 and places()[next(iter(parents))].level == "city":
            cities = parents
    return cities.pop() if len(cities) == 1 else None


def _strip_province(name: str, province: Place) -> str:
    for prefix in (province.name, short_name(province.name)):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@cache
def handfixes(path: Path = HANDFIX_TABLE) -> dict[str, dict[str, str]]:
    """The hand-fix table by zone code: ``adcode``, the ``place`` name it must have, and the ``reason``."""
    with open(path, encoding="utf-8", newline="") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def geocode(row: Mapping[str, str], fixes: Mapping[str, Mapping[str, str]] | None = None) -> Geocode:
    """Place one catalogue row (needs ``code``, ``name``, ``province``, ``city``).

    Order: the hand-fix table; then the place label (``city`` column); then the zone's name without its
    province prefix; then the province alone. The label goes first because it is the catalogue's own
    statement of the place; the name helps where the label is a town or a park (label 张江, name
    张江高新区黄浦园 → 黄浦区).
    """
    fixes = handfixes() if fixes is None else fixes
    province = province_by_name(row["province"])
    fix = fixes.get(row["code"])
    if fix:
        adcode, how = fix["adcode"], "handfix"
    else:
        adcode, how = _resolve(_scan(row["city"], province.adcode)), "label"
        if adcode is None:
            adcode, how = _resolve(_scan(_strip_province(row["name"], province), province.adcode)), "name"
        if adcode is None:
            adcode, how = province.adcode, "province"
    pos = position(adcode)
    lon, lat, pos_tier = pos if pos else (None, None, "")
    return Geocode(row["code"], row["name"], adcode, place(adcode).name, tier(adcode), how, lon, lat, pos_tier)


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between the positions of two places (by adcode); an error if either has none."""
    pa, pb = position(a), position(b)
    if pa is None or pb is None:
        raise ConfigError("adcode", a if pa is None else b, "a place that has, or lies in a place that has, coordinates")
    return float(haversine_km(pa[0], pa[1], pb[0], pb[1]))


def resolve(ref: str, where: str) -> Place:
    """The one place a scenario names: a 6-digit adcode, or a full or short name ("长葛市", "长葛").

    Raises:
        ConfigError: naming ``where``, for an unknown name or code, or a name several places share
            (listing them with their parents, so the adcode can be given instead).
    """
    if not isinstance(ref, str) or not ref:
        raise ConfigError(where, ref, "a place name or 6-digit adcode of places_adcode.csv, e.g. 长葛市 or 411082")
    if ref.isdigit():
        if ref not in places():
            raise ConfigError(where, ref, f"a 6-digit code of {ADCODE_TABLE.name}, e.g. '411082' (长葛市)")
        return places()[ref]
    found = find(ref)
    if not found:
        raise ConfigError(where, ref, f"the name of a province, city or county of {ADCODE_TABLE.name}, "
                          "e.g. 长葛市, or its 6-digit adcode")
    if len(found) > 1:
        shown = "; ".join(f"{p.adcode} {p.name} ({'/'.join(a.name for a in ancestors(p.adcode)[1:])})" for p in found)
        raise ConfigError(where, ref, f"one place: {len(found)} share this name, give the adcode of one: {shown}")
    return found[0]


def city_of(adcode: str) -> Place:
    """The prefecture city a place lies in (a municipality counts as a city), or the place itself
    if it is a province: the ``city`` label a park named by its place gets for C7."""
    return next((p for p in ancestors(adcode) if tier(p.adcode) == "city"), place(adcode))


def model_places(adcodes: Iterable[str], sizes: Mapping[str, Mapping[str, float]] | None = None
                 ) -> tuple[ModelPlace, ...]:
    """The model's place records for these adcodes and all their ancestors, parents first (by adcode),
    with the sizes given per adcode. A place without coordinates in the table keeps none."""
    sizes = sizes or {}
    wanted = {a.adcode for code in (*adcodes, *sizes) for a in ancestors(code)}
    return tuple(ModelPlace(p.adcode, p.name, p.level, p.parent, p.longitude, p.latitude, **sizes.get(p.adcode, {}))
                 for p in (places()[a] for a in sorted(wanted)))
