"""The adcode table: its hierarchy, the catalogue's geocoding and distances between its places."""

import csv

import pytest

from parksim.scenarios import adcodes as P
from parksim.scenarios import catalogue
from parksim.simulation import ConfigError

# China's extent, incl. the South China Sea islands: 73.5–135.1°E, 3.8–53.6°N.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.8, 54.0)


def _zone(name):
    return next(g for g in catalogue.geocode_catalogue() if g.name == name)


def test_catalogue_geocoded_share_at_least_95_percent():
    """At least 95% of the 2,543 zones get the coordinates of their county or city, and none is left without any."""
    cov = catalogue.coverage()
    assert cov["zones"] == 2543
    assert cov["share_county_or_city"] >= 0.95
    assert cov["missing"] == 0
    assert cov["county"] + cov["city"] + cov["province"] == 2543


def test_handfix_adcodes_exist_with_the_stated_place_name():
    """Every hand-fix row names a catalogue zone, an adcode of the table, that adcode's own name and a reason."""
    codes = {r["code"] for r in catalogue.catalogue_rows()}
    for code, fix in P.handfixes().items():
        assert code in codes, code
        assert P.place(fix["adcode"]).name == fix["place"], (code, fix)
        assert fix["reason"].strip(), code


def test_every_handfix_changes_the_automatic_match():
    """A hand-fix row that the matcher already gets right would be dead weight: each one changes the result."""
    rows = {r["code"]: r for r in catalogue.catalogue_rows()}
    for code, fix in P.handfixes().items():
        assert P.geocode(rows[code], fixes={}).adcode != fix["adcode"], code


def test_changge_zone_maps_to_changge_in_xuchang():
    """长葛经济技术开发区 (label 长葛) lies in 长葛市, a county-level city of 许昌."""
    g = _zone("长葛经济技术开发区")
    assert (g.place, g.match) == ("长葛市", "county")
    assert [p.name for p in P.ancestors(g.adcode)] == ["长葛市", "许昌市", "河南省"]


def test_zhengzhou_etdz_maps_to_zhengzhou_city():
    """郑州经济技术开发区 names only its city: a city match with the city's coordinates."""
    g = _zone("郑州经济技术开发区")
    assert (g.place, g.match, g.position) == ("郑州市", "city", "city")


def test_city_and_district_label_maps_to_the_district():
    """A label naming a city and one of its districts (肇庆高要区) gives the district."""
    g = _zone("广东肇庆高要区产业转移工业园区")
    assert (g.place, P.place(g.adcode).parent) == ("高要区", P.find("肇庆市")[0].adcode)


def test_named_city_beats_a_same_named_district_elsewhere():
    """唐山海港 is a zone of 唐山, not of 秦皇岛's 海港区."""
    assert _zone("河北唐山海港经济开发区").place == "唐山市"


def test_autonomous_county_matches_by_its_short_name():
    """景谷林产 finds 景谷傣族彝族自治县: the ethnic part of an autonomous county's name is dropped."""
    assert _zone("景谷林产工业园区").place == "景谷傣族彝族自治县"
    assert P.short_name("木垒哈萨克自治县") == "木垒"
    assert P.short_name("东乡族自治县") == "东乡"


def test_unmatched_zone_falls_back_to_its_province_not_an_invented_position():
    """A label and name with no known place give the province, labelled as such, with the province's coordinates."""
    g = P.geocode({"code": "X1", "name": "无名工业园区", "province": "河南省", "city": "无名"}, fixes={})
    henan = P.province_by_name("河南")
    assert (g.match, g.how, g.position) == ("province", "province", "province")
    assert (g.longitude, g.latitude) == (henan.longitude, henan.latitude)


def test_place_without_coordinates_borrows_its_parents_and_says_so():
    """清江浦区 has no coordinates in the table: its position is 淮安市's, reported at city level."""
    qjp = P.find("清江浦区")[0]
    assert qjp.longitude is None
    huaian = P.place(qjp.parent)
    assert P.position(qjp.adcode) == (huaian.longitude, huaian.latitude, "city")


def test_unknown_adcode_and_province_are_clear_errors():
    """An adcode or province that is not in the table raises ConfigError naming it."""
    with pytest.raises(ConfigError, match="999999"):
        P.place("999999")
    with pytest.raises(ConfigError, match="火星"):
        P.province_by_name("火星")


def test_all_coordinates_lie_within_china():
    """Every place with a position lies inside China's bounding box."""
    for p in P.places().values():
        if p.longitude is not None:
            assert CHINA_LON[0] <= p.longitude <= CHINA_LON[1], p
            assert CHINA_LAT[0] <= p.latitude <= CHINA_LAT[1], p


def test_geocoded_zones_lie_within_their_province():
    """Each zone's place belongs to the province the catalogue gives for it."""
    rows = {r["code"]: r for r in catalogue.catalogue_rows()}
    for g in catalogue.geocode_catalogue():
        assert P.ancestors(g.adcode)[-1].name == rows[g.code]["province"], g


def test_hierarchy_county_under_city_of_same_province():
    """A county's parent is a city of its province, or the province itself where no prefecture stands between
    (municipalities and province-administered county-level units, adcodes xx90xx)."""
    for p in P.places().values():
        if p.level == "county":
            parent = P.place(p.parent)
            assert parent.province == p.province, p
            if parent.level == "province":
                assert P.is_municipality(parent.adcode) or p.adcode[2:4] == "90", p
            else:
                assert parent.level == "city", p
        elif p.level == "city":
            assert P.place(p.parent).level == "province" and p.parent == p.province, p


def test_municipalities_are_derived_from_the_table():
    """Exactly 北京, 天津, 上海 and 重庆 have counties directly under them and no prefecture cities."""
    found = {p.name for p in P.places().values() if p.level == "province" and P.is_municipality(p.adcode)}
    assert found == {"北京市", "天津市", "上海市", "重庆市"}


def test_haversine_beijing_shanghai():
    """Beijing–Shanghai centres are about 1,067 km apart (hand computation with the table's coordinates)."""
    # Δlat = 8.673839°, Δlon = 5.066268°, mean R = 6371.0088 km → 1,067.3 km.
    assert P.distance_km(P.find("北京")[0].adcode, P.find("上海")[0].adcode) == pytest.approx(1067.3, abs=0.5)


def test_shipped_zone_table_equals_the_geocoder():
    """places_zones.csv is what geocode_catalogue() gives today (rerun write_zones() after a change)."""
    with open(catalogue.ZONES_TABLE, encoding="utf-8", newline="") as f:
        shipped = [tuple(r.values()) for r in csv.DictReader(f)]
    fresh = [tuple("" if v is None else str(v) for v in vars(g).values()) for g in catalogue.geocode_catalogue()]
    assert shipped == fresh
