"""Places in the model: the hierarchy, every park's place and position, the km projection, scenario
places and their sizes, and runs that are what they were before places existed."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import write

from parksim.experiments.runner import plan
from parksim.scenarios import adcodes
from parksim.scenarios.loader import load_scenario
from parksim.simulation import ConfigError, ParkModel, ParkSpec, WorldConfig, simulate
from parksim.simulation.places import Place, check_hierarchy, haversine_km, project_km, unproject_km
from parksim.simulation.world import generate_parks

PARK = '[[world.parks]]\nname = "a"\nlevel = "city"\narea_mu = 1000.0\n'


def synthetic(seed: int, **world):
    """The places and parks of a generated world with this seed."""
    model = ParkModel(WorldConfig(years=1, initial_firms=0, **world), rng=seed)
    return model, tuple(model.places.values())


def test_synthetic_world_has_a_consistent_hierarchy():
    """A generated world has one province, n_cities cities under it and counties_per_city counties under each."""
    _, places = synthetic(3, n_parks=30, n_cities=4, counties_per_city=5)
    check_hierarchy(places)
    levels = [p.level for p in places]
    assert (levels.count("province"), levels.count("city"), levels.count("county")) == (1, 4, 20)
    assert all(p.synthetic and p.lon is not None and p.lat is not None for p in places)


def test_every_generated_park_lies_in_a_county_of_its_city():
    """Each park's place is a county whose parent city is the park's city label, and the nearest such county."""
    model, places = synthetic(4, n_parks=30, n_cities=4)
    by_id = {p.id: p for p in places}
    for park in model.park_agents:
        county = by_id[model.place_ids[model.parks.place[park.row]]]
        assert county.level == "county" and by_id[county.parent].name == park.city
        siblings = [p for p in places if p.parent == county.parent]
        d = haversine_km([p.lon for p in siblings], [p.lat for p in siblings], park.lon, park.lat)
        assert county is siblings[int(np.argmin(d))]


def test_synthetic_places_lie_in_the_stated_region():
    """City centres are inside the region's square about its centre, counties inside their city's square."""
    world = dict(n_parks=20, n_cities=6, region_lon=104.0, region_lat=30.6, region_km=300.0, city_km=80.0)
    _, places = synthetic(5, **world)
    origin = (104.0, 30.6)
    for p in places:
        x, y = project_km(p.lon, p.lat, origin)
        limit = 150.0 + (40.0 if p.level == "county" else 0.0)
        assert abs(x) <= limit + 1e-6 and abs(y) <= limit + 1e-6


def test_same_seed_gives_the_same_places():
    """Places are drawn with the model's generator: one seed, one set of places; another seed, others."""
    assert synthetic(7)[1] == synthetic(7)[1]
    assert synthetic(7)[1] != synthetic(8)[1]


def test_generated_parks_are_drawn_as_before_places():
    """generate_parks draws the counties from a spawned generator: the parent's next draw is unchanged."""
    world = WorldConfig()
    sectors = ParkModel(WorldConfig(years=1, initial_firms=0), rng=0).sectors
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    generate_parks(world, sectors.keys, sectors.demand_share, a)
    generate_parks(dataclasses.replace(world, counties_per_city=2, city_km=10.0), sectors.keys, sectors.demand_share, b)
    assert a.random() == b.random()


@pytest.mark.parametrize("zone,adcode,lon,lat", [
    ("长葛经济技术开发区", "411082", 113.813714, 34.19592),      # 长葛 → 长葛市 (county-level city of 许昌)
    ("郑州经济技术开发区", "410100", 113.625328, 34.746611),      # 郑州 → 郑州市
])
def test_henan_catalogue_parks_sit_at_their_geocoded_place(zone, adcode, lon, lat):
    """A catalogue zone's place and position are its county's or city's adcode and centre in the table."""
    park = next(p for p in load_scenario("henan_2017").world.parks if p.name == zone)
    assert (park.place, park.lon, park.lat) == (adcode, lon, lat)
    assert (adcodes.place(adcode).longitude, adcodes.place(adcode).latitude) == (lon, lat)


def test_panel_and_places_table_carry_every_park_place():
    """The park panel has each park's place, lon, lat; the places table lists each park once, in its place."""
    world, policy = load_scenario("henan_2017").configure()
    out = simulate(dataclasses.replace(world, years=1, burn_in=0, initial_firms=200), policy, seed=1)
    first = out.parks[out.parks.year == out.parks.year.min()]
    changge = first[first.name == "长葛经济技术开发区"].iloc[0]
    assert (changge.place, changge.lon, changge.lat) == ("411082", 113.813714, 34.19592)
    assert out.places.n_parks.sum() == len(first)
    row = out.places[out.places.id == "411082"].iloc[0]
    assert (row["name"], row.level, row.parent, row.parks) == ("长葛市", "county", "411000", "长葛经济技术开发区")
    assert {"410000", "411000"} <= set(out.places.id)          # the ancestors are listed too


def test_km_plane_is_the_equirectangular_projection_of_lon_lat():
    """x = R·Δλ·cos φ0, y = R·Δφ (R = 6371.0088 km): one degree east and north of (113°E, 34°N) by hand."""
    # R·π/180 = 111.19508 km; cos 34° = 0.8290376 → x = 92.18490 km.
    x, y = project_km(114.0, 35.0, (113.0, 34.0))
    assert x == pytest.approx(92.18490, abs=1e-5) and y == pytest.approx(111.19508, abs=1e-5)
    lon, lat = unproject_km(x, y, (113.0, 34.0))
    assert lon == pytest.approx(114.0, abs=1e-12) and lat == pytest.approx(35.0, abs=1e-12)


def test_model_km_plane_is_centred_on_the_parks():
    """Explicit parks' x/y are their projection about the middle of their bounding box in lon/lat."""
    specs = (ParkSpec("w", "city", 100.0, lon=113.0, lat=34.0), ParkSpec("e", "city", 100.0, lon=115.0, lat=36.0))
    model = ParkModel(WorldConfig(years=1, initial_firms=0).with_parks(specs), rng=1)
    assert model.origin == (114.0, 35.0)
    x, y = project_km([113.0, 115.0], [34.0, 36.0], (114.0, 35.0))
    assert np.allclose(model.parks.x, x) and np.allclose(model.parks.y, y)


def test_park_without_a_position_gets_none_invented():
    """A Python park with no place or position lies in its city label's place, with nan lon/lat and x/y."""
    model = ParkModel(WorldConfig(years=1, initial_firms=0).with_parks((ParkSpec("a", "city", 100.0, city="c"),)),
                      rng=1)
    assert model.place_ids == ["label:c"] and model.places["label:c"].lon is None
    assert np.isnan(model.parks.lon[0]) and np.isnan(model.parks.x[0])


def test_haversine_one_degree_of_meridian():
    """One degree along a meridian is π·R/180 = 111.195 km; a point is 0 km from itself."""
    assert haversine_km(113.0, 34.0, 113.0, 35.0) == pytest.approx(111.195, abs=1e-3)
    assert haversine_km(113.0, 34.0, 113.0, 34.0) == 0.0


def test_haversine_is_vectorised():
    """Arrays broadcast: one origin against many places equals the distances one by one."""
    lon = np.array([116.4, 121.5, 113.8])
    lat = np.array([39.9, 31.2, 34.2])
    many = haversine_km(114.3, 30.6, lon, lat)
    assert many.shape == (3,)
    assert np.allclose(many, [haversine_km(114.3, 30.6, a, b) for a, b in zip(lon, lat)])


@pytest.mark.parametrize("ref", ["长葛市", "长葛", "411082"])
def test_scenario_park_naming_a_place_resolves_it(tmp_path, ref):
    """place = a full name, short name or adcode gives the adcode, the place's centre and its prefecture city."""
    scenario = load_scenario(write(tmp_path, "s.toml", PARK + f'place = "{ref}"\n'))
    park = scenario.world.parks[0]
    assert (park.place, park.lon, park.lat, park.city) == ("411082", 113.813714, 34.19592, "许昌市")
    assert [p.id for p in scenario.world.places] == ["410000", "411000", "411082"]


def test_scenario_park_with_an_unknown_place_is_a_clear_error(tmp_path):
    """An unknown place name is a ConfigError naming the file, the park's key and the value."""
    with pytest.raises(ConfigError, match=r"s\.toml.*world\.parks\[0\]\.place.*'长葛葛'.*adcode"):
        load_scenario(write(tmp_path, "s.toml", PARK + 'place = "长葛葛"\n'))


def test_scenario_park_with_an_ambiguous_place_lists_the_candidates(tmp_path):
    """鼓楼区 is in four cities: the error lists them with their adcodes so one can be chosen."""
    with pytest.raises(ConfigError, match=r"world\.parks\[0\]\.place.*4 share this name.*410204 鼓楼区 \(开封市/河南省\)"):
        load_scenario(write(tmp_path, "s.toml", PARK + 'place = "鼓楼区"\n'))


def test_places_sizes_are_stored_on_the_world_and_in_the_resolved_world(tmp_path):
    """[[places]] sizes land on WorldConfig.places and in the store's resolved world of each point."""
    text = (PARK + 'place = "长葛市"\n[[places]]\nname = "长葛市"\npopulation = 690000\nincumbent_firms = 1200\n'
            'output = 4.5e6\n[[places]]\nadcode = "411000"\npopulation = 4.3e6\n')
    scenario = load_scenario(write(tmp_path, "s.toml", text))
    by_id = {p.id: p for p in scenario.world.places}
    assert (by_id["411082"].population, by_id["411082"].incumbent_firms, by_id["411082"].output) == (690000.0, 1200.0, 4.5e6)
    assert by_id["411000"].population == 4.3e6 and by_id["410000"].population is None
    resolved = plan(scenario).points().world.iloc[0]
    assert '"population": 690000.0' in resolved and '"id": "411082"' in resolved


@pytest.mark.parametrize("entry,key,value", [
    ('name = "长葛市"\npopulation = -1', "population", "-1"),
    ('name = "长葛市"\noutput = nan', "output", "nan"),
    ('name = "长葛市"\nincumbent_firms = inf', "incumbent_firms", "inf"),
    ('name = "长葛市"\npopulation = "many"', "population", "'many'"),
    ('name = "长葛市"\npopulation = 3e9', "population", "3000000000"),
    ('name = "长葛葛"\npopulation = 1', "name", "'长葛葛'"),
    ('adcode = "999999"', "adcode", "'999999'"),
    ('name = "长葛市"\npeople = 5', "people", "5"),
])
def test_places_sizes_are_validated(tmp_path, entry, key, value):
    """A bad [[places]] entry is a ConfigError naming the file, the entry, the key, the value and what is allowed."""
    with pytest.raises(ConfigError, match=rf"s\.toml.*places\[0\]\.{key}: got {value}.*allowed: \S"):
        load_scenario(write(tmp_path, "s.toml", f'extends = "baseline"\n[[places]]\n{entry}\n'))


def test_places_entry_must_name_one_place(tmp_path):
    """An entry with neither (or both) of name and adcode is refused."""
    with pytest.raises(ConfigError, match=r"places\[0\].*exactly one of name or adcode"):
        load_scenario(write(tmp_path, "s.toml", 'extends = "baseline"\n[[places]]\npopulation = 5\n'))


@pytest.mark.parametrize("field,value", [("population", math.nan), ("output", -1.0), ("incumbent_firms", math.inf),
                                         ("lat", 95.0)])
def test_place_given_in_python_refuses_bad_numbers(field, value):
    """WorldConfig.with_places checks every place's numbers, naming the place's index and key."""
    place = dataclasses.replace(Place("411082", "长葛市", "county"), **{field: value})
    with pytest.raises(ConfigError, match=rf"world\.places\[0\]\.{field}"):
        WorldConfig().with_places((place,))


def test_place_hierarchy_needs_its_parents():
    """A place whose parent is not listed one level up is refused."""
    with pytest.raises(ConfigError, match=r"world\.places\[0\]\.parent"):
        WorldConfig().with_places((Place("411082", "长葛市", "county", "411000"),))


def test_scheduled_new_park_lies_in_a_place():
    """A park opened by schedule in a city gets the place most of the city's parks lie in, at their centroid."""
    model = ParkModel(WorldConfig(years=3, n_parks=10, n_cities=2, initial_firms=50), rng=2)
    model.schedule(2011, place="city_01", level="county", area_mu=500.0, name="fresh")
    for _ in range(2):
        model.step()
    new = next(a for a in model.park_agents if a.name == "fresh")
    rows = [a.row for a in model.park_agents if a.city == "city_01" and a.name != "fresh"]
    place = model.place_ids[model.parks.place[new.row]]
    assert place.startswith("syn:C01.K")
    assert new.lon == pytest.approx(model.parks.lon[rows].mean()) and new.lat == pytest.approx(model.parks.lat[rows].mean())
