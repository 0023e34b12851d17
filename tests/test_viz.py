"""Dashboard pieces without a browser: figure builders, controls, background jobs, exports, report, CLI."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from parksim.cli import main
from parksim.experiments.executors import make_executor
from parksim.experiments.runner import RunConfig, RunTask, execute, plan, replication_seeds, run_one
from parksim.experiments.store import Store
from parksim.scenarios.loader import load_scenario
from parksim.simulation import ConfigError, Policy, simulate
from parksim.simulation.policy import RULE_IDS, RULES
from parksim.simulation.world import ParkSpec
from parksim.viz import controls, figures, outlines
from parksim.viz.data import Observer, RunData
from parksim.viz.export import COLUMNS, chart, comparison_table, render, sector_keys
from parksim.viz.jobs import CANCELLED, DONE, Busy, JobManager
from parksim.viz.report import build_report
from tests.conftest import TINY_WORLD, run_model, small_world, write

TINY = small_world(years=5, n_parks=5, n_cities=2, initial_firms=80, projects_per_year=30.0)
SECTORS = ("a", "b", "c")
DATA = Path(__file__).resolve().parents[1] / "scenarios" / "data"


def wait_done(manager, session, job_id, timeout=60):
    deadline = time.time() + timeout
    while manager.get(session, job_id).status == "running":
        assert time.time() < deadline, "job did not finish"
        time.sleep(0.05)
    assert manager.get(session, job_id).saved.wait(timeout)          # written to the store after it shows done
    return manager.get(session, job_id)


@pytest.fixture(scope="module")
def runs():
    """Two finished dashboard runs of the tiny world, A (no policy) and B (E1 on), 3 replications each."""
    manager = JobManager("serial")
    out = []
    for label, policy in (("A", Policy()), ("B", Policy().set("E1", enabled=True, national=400.0, provincial=300.0))):
        job = manager.submit("s1", label, label, RunConfig(TINY, policy), 7, 3)
        out.append(wait_done(manager, "s1", job.id).result)
    return out


def series_table(values: dict[int, list[float]]) -> pd.DataFrame:
    """A yearly series table: replication r has values[r] over years 2000.."""
    return pd.DataFrame([{"replication": r, "seed": 100 + r, "year": 2000 + i, "output": v}
                         for r, vs in values.items() for i, v in enumerate(vs)])


# ----------------------------------------------------------------------------- figures

def test_fan_table_is_median_and_5_95_band():
    t = figures.fan_table(series_table({r: [r, 10 * r] for r in range(21)}), "output")
    assert t["median"].tolist() == [10, 100]
    assert t["low"].tolist() == pytest.approx([1, 10]) and t["high"].tolist() == pytest.approx([19, 190])
    assert t["n"].tolist() == [21, 21]


def test_fan_chart_draws_band_and_median_per_run_and_column():
    spec = figures.FAN_BY_ID["land"]
    s = pd.DataFrame({"replication": [0, 0, 1, 1], "seed": 1, "year": [1, 2, 1, 2],
                      "land_granted": [4.0, 6, 2, 8], "land_built": 1.0, "land_idle": [0.0, 1, 2, 3]})
    fig = figures.fan_chart({"x": s, "y": s}, spec)
    assert len(fig.data) == 3 * 3 * 2                             # band high, band low, median per line
    median = next(t for t in fig.data if t.name == "x · Land granted")
    assert list(median.y) == [3.0, 7.0]
    assert "2 replications" in fig.layout.title.text


def test_difference_chart_pairs_on_seed():
    a = series_table({0: [1.0, 2.0], 1: [3.0, 4.0], 2: [5.0, 6.0]})
    b = a.assign(output=a["output"] + np.where(a["replication"] == 0, 1.0, 3.0))
    d = figures.difference_table(a, b, "output")
    assert d["diff"].tolist() == pytest.approx([7 / 3, 7 / 3]) and (d["n"] == 3).all()
    fig = figures.difference_chart(a, b, "output", ("A", "B"))
    assert list(fig.data[2].y) == pytest.approx([7e-4 / 3, 7e-4 / 3])          # 万元 shown as 亿元
    assert fig.layout.yaxis.title.text == "100 million yuan (亿元)"
    assert d["ci_low"].iloc[0] < 7 / 3 < d["ci_high"].iloc[0]
    unpaired = figures.difference_table(a, b.assign(seed=b["seed"] + 1000), "output")
    assert unpaired.empty


def test_park_map_draws_the_year_asked_for_and_names_it():
    """One year per figure (the dashboard's year slider picks it); sizes scale over all years."""
    parks = pd.DataFrame({"year": [1, 1, 2, 2], "park": [0, 1, 0, 1], "name": ["p0", "p1", "p0", "p1"],
                          "x": [0.0, 10, 0, 10], "y": [0.0, 5, 0, 5], "output": [0.0, 4, 1, 16],
                          "top_sector": ["a", "b", "a", "b"], "level": "city", "status": ["normal"] * 3 + ["revoked"],
                          "alive": True})
    first = figures.park_map(parks, SECTORS, year=1)
    assert "Parks in 1:" in first.layout.title.text and not first.frames and not first.layout.updatemenus
    assert {t.name: len(t.x) for t in first.data} == {"a": 0, "b": 1, "no output": 1}   # park 0 has no output in 1
    last = {t.name: t for t in figures.park_map(parks, SECTORS).data}                      # default: the last year
    assert last["b"].marker.symbol[0] == "x"                      # revoked
    assert last["b"].marker.size[0] == pytest.approx(50) and last["a"].marker.size[0] == pytest.approx(8 + 42 / 4)
    assert {str(c[3]) for t in last.values() for c in (t.customdata if t.customdata is not None else [])} == {"2"}


def test_outline_point_in_polygon_leaves_holes_outside():
    """Even-odd rule: a point in a ring's hole (an enclave) is outside, one in the band inside."""
    square = np.array([[0.0, 0], [4, 0], [4, 4], [0, 4]])
    hole = np.array([[1.0, 1], [3, 1], [3, 3], [1, 3]])
    got = outlines.inside(np.array([0.5, 2.0, 5.0]), np.array([0.5, 2.0, 2.0]), (square, hole))
    assert got.tolist() == [True, False, False]


def test_outlines_cover_henan_and_zhengzhou_lies_in_it():
    """The bundled outlines have 河南, and 郑州's coordinates (adcode table) fall in it and in 郑州市 only."""
    table = pd.read_csv(DATA / "places_adcode.csv", dtype={"adcode": str})
    zz = table[table["adcode"] == "410100"].iloc[0]
    henan = outlines.provinces()["410000"]
    assert henan.name == "河南" and henan.contains(zz["longitude"], zz["latitude"])
    assert not outlines.provinces()["110000"].contains(zz["longitude"], zz["latitude"])
    assert [o.name for o in outlines.prefectures("410000") if o.contains(zz["longitude"], zz["latitude"])] == ["郑州市"]
    assert outlines.province_of([zz["longitude"], 0.0], [zz["latitude"], 0.0]).tolist() == ["410000", ""]


def test_outline_decoder_reads_echarts_compressed_rings():
    """ECharts' Macao ring (china.js) decodes, from its encodeOffsets, to points around Macao."""
    spec = importlib.util.spec_from_file_location("build_outlines", DATA / "build_outlines.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    ring = build.decode_ring("@@kÊd\x90°å§s", [116279, 22639])
    assert ring[0] == (116279 / 1024, 22639 / 1024)
    assert len(ring) == 5 and all(113.45 < lon < 113.65 and 22.05 < lat < 22.25 for lon, lat in ring)


def test_outline_file_names_its_source_and_licence():
    """The README row and china_outlines.md name the packages, versions, licences and the build script."""
    row = next(line for line in (DATA / "README.md").read_text().splitlines() if "`china_outlines.csv`" in line)
    assert "echarts-countries-pypkg` 0.1.6" in row and "echarts-china-provinces-pypkg` 0.0.3" in row
    note = (DATA / "china_outlines.md").read_text()
    assert all(w in note for w in ("MIT", "BSD-3", "attribution", "审图号", "build_outlines.py", "Douglas-Peucker"))


@pytest.fixture(scope="module")
def henan_parks():
    """The park panel of one henan_2017 run (catalogue parks at their geocoded places)."""
    scenario = load_scenario("henan_2017")
    return simulate(scenario.world, scenario.policy, seed=1).parks


def test_henan_map_draws_the_province_outline_and_parks_at_their_lon_lat(henan_parks):
    """A real-place run: 河南's outline and prefectures under the parks, markers at lon/lat, true shape."""
    fig = figures.park_map(henan_parks, sector_keys())
    kinds = {(t.meta or {}).get("outline"): t for t in fig.data if t.meta}
    assert kinds["province"].name == "河南" and kinds["province"].meta["adcode"] == "410000"
    assert kinds["prefecture"].x.count(None) >= 18                       # 18 prefecture rings at least
    year = henan_parks[henan_parks["year"] == henan_parks["year"].max()].set_index("name")
    parks = [t for t in fig.data if not t.meta]
    assert sum(len(t.x) for t in parks) == len(year)
    for t in parks:
        assert list(t.x) == pytest.approx(year.loc[list(t.text), "lon"].tolist())
        assert list(t.y) == pytest.approx(year.loc[list(t.text), "lat"].tolist())
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / np.cos(np.radians(henan_parks["lat"].mean())))
    largest = set(year.nlargest(figures.MAP_LABELS, "output").index)      # labelled where a free place is left
    assert 0 < len(fig.layout.annotations) <= figures.MAP_LABELS and {a.text for a in fig.layout.annotations} <= largest
    assert "synthetic" not in fig.layout.title.text


def test_map_outlines_every_province_with_a_park_and_no_other():
    """Parks in 郑州 and 合肥 draw 河南 and 安徽, not their neighbours; the view spans both."""
    parks = pd.DataFrame({"year": 1, "park": [0, 1], "name": ["p0", "p1"], "lon": [113.62, 117.23],
                          "lat": [34.75, 31.82], "x": 0.0, "y": 0.0, "output": [1.0, 2.0], "top_sector": "a",
                          "level": "city", "status": "active", "alive": True, "place": ["410100", "340100"]})
    fig = figures.park_map(parks, SECTORS)
    assert sorted(t.name for t in fig.data if (t.meta or {}).get("outline") == "province") == ["安徽", "河南"]
    assert fig.layout.xaxis.range[0] < 113.62 and fig.layout.xaxis.range[1] > 117.23


def test_synthetic_map_draws_its_parks_on_real_outlines_with_its_generated_places():
    """A generated world lies around its stated centre (default: the middle of 河南): the parks at their
    lon/lat on 河南's outline, its generated counties and cities as markers (cities labelled), degrees on
    the axes (no km), and the subtitle says the places are generated. (Before: no outlines at all.)"""
    out = simulate(TINY, Policy(), seed=3)
    fig = figures.park_map(out.parks, sector_keys(), places=out.places)
    assert {t.name for t in fig.data if (t.meta or {}).get("outline") == "province"} == {"河南"}
    counties = next(t for t in fig.data if t.name == "counties (synthetic)")
    cities = next(t for t in fig.data if t.name == "cities (synthetic)")
    assert len(counties.x) == (out.places["level"] == "county").sum() and len(cities.x) == TINY.n_cities
    year = out.parks[out.parks["year"] == out.parks["year"].max()].set_index("name")
    parks = [t for t in fig.data if not t.meta and t.name not in (counties.name, cities.name)]
    assert sum(len(t.x) for t in parks) == len(year) == TINY.n_parks
    for t in parks:
        assert list(t.x) == pytest.approx(year.loc[list(t.text), "lon"].tolist())
    assert {a.text for a in fig.layout.annotations} >= set(cities.text)          # the cities are labelled
    assert fig.layout.xaxis.ticksuffix == "°E" and "km" not in fig.layout.xaxis.title.text
    assert "generated" in fig.layout.title.text


def _label_boxes(px, py, names, order, shifts):
    half_h = figures.LABEL_PX[1] / 2
    return {k: (px[k] + dx, py[k] + dy, figures.LABEL_PX[0] * len(names[k]) / 2, half_h)
            for k, shift in zip(order, shifts) if shift is not None for dx, dy in [shift]}


def test_map_labels_in_a_dense_cluster_touch_neither_each_other_nor_other_bubbles():
    """A hand-made cluster: a big park with three parks on its spot, four small ones packed around it and one
    far away. Labels are placed largest first; no two label boxes overlap, no label box covers another
    bubble's centre or reaches into its disc; a label with no free place is left out (None)."""
    px = np.array([100.0, 100.0, 100.0, 100.0, 130.0, 70.0, 100.0, 100.0, 115.0, 300.0])
    py = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 125.0, 75.0, 115.0, 300.0])
    radius = np.array([20.0, 8.0, 6.0, 5.0, 6.0, 6.0, 5.0, 5.0, 4.0, 10.0])
    names = ["经济技术开发区", "高新区", "新城工业园区", "物流园", "东区", "西区", "北区", "南区", "小园", "远方园区"]
    order = list(range(len(px)))
    shifts = figures.place_labels(px, py, radius, names, order)
    boxes = _label_boxes(px, py, names, order, shifts)
    assert shifts[0] is not None and shifts[-1] == (0.0, 10.0 + figures.LABEL_GAP + figures.LABEL_PX[1] / 2)
    assert None in shifts                                                    # too dense for every label
    for k, (cx, cy, hw, hh) in boxes.items():
        for j, (ox, oy, ow, oh) in boxes.items():
            assert j == k or abs(cx - ox) >= hw + ow or abs(cy - oy) >= hh + oh, (names[k], names[j])
        for j in range(len(px)):
            if (px[j], py[j]) == (px[k], py[k]):
                continue                                                     # its own spot
            nx, ny = np.clip(px[j], cx - hw, cx + hw), np.clip(py[j], cy - hh, cy + hh)
            assert np.hypot(nx - px[j], ny - py[j]) >= radius[j], (names[k], names[j])


def test_map_labels_of_parks_on_one_spot_ring_the_largest_bubble():
    """Parks of one generated city share a spot: their labels go around the largest bubble there (above,
    below, then beside), not inside it; the map leaves out the labels it cannot place."""
    px, py = np.array([50.0, 50.0, 50.0]), np.array([50.0, 50.0, 50.0])
    shifts = figures.place_labels(px, py, np.array([15.0, 5.0, 4.0]), ["经济技术开发区", "高新区", "新城园"], [0, 1, 2])
    up = 15.0 + figures.LABEL_GAP + figures.LABEL_PX[1] / 2
    assert shifts[0] == (0.0, up) and shifts[1] == (0.0, -up) and shifts[2][1] == 0.0 and abs(shifts[2][0]) > 15.0


def test_run_data_has_each_synthetic_replications_places():
    """A dashboard run keeps each replication's generated places (its observer read them at set-up); runner
    outcomes without them are set up again from the configuration and seed; both equal the run's own."""
    from parksim.experiments.runner import execute_task
    run = JobManager("serial")
    job = run.submit("s2", "p", "p", RunConfig(TINY, Policy()), 5, 2)
    data = wait_done(run, "s2", job.id).result
    assert set(data.tables["places"]["replication"]) == {0, 1}
    plain = RunData.from_outcomes("p", "p", RunConfig(TINY, Policy()), 5, [
        execute_task(RunTask(f"p00000-r{r:04d}", 0, r, seed, {}, RunConfig(TINY, Policy())))
        for r, seed in data.replication_seeds().items()])
    assert plain.tables["places"].empty
    for r, seed in data.replication_seeds().items():
        own = simulate(TINY, Policy(), seed=seed).places
        for got in (data.places_of(r), plain.places_of(r)):
            assert got["id"].tolist() == own["id"].tolist() and got["lon"].tolist() == pytest.approx(own["lon"].tolist())
    assert "counties (synthetic)" in {t.name for t in chart("map", [data], replication=1)[1].data}
    henan_like = dataclasses.replace(data, parks=data.parks.assign(place="410100"), places={})
    assert henan_like.places_of(0) is None                               # real places: none drawn


@pytest.mark.skipif(not shutil.which("chromium") and not os.environ.get("PARKSIM_REQUIRE_BROWSER"),
                    reason="kaleido needs Debian's chromium (.ci/run installs it)")
def test_map_png_export_draws_the_outlines(henan_parks):
    """The kaleido PNG of a real-place map differs from the same map with its outline traces removed."""
    fig = figures.park_map(henan_parks, sector_keys())
    bare = go.Figure([t for t in fig.data if not t.meta], fig.layout)
    assert render(pd.DataFrame(), fig, "png") != render(pd.DataFrame(), bare, "png")


def test_network_figure_counts_links_of_the_year_and_park(monkeypatch):
    nodes = pd.DataFrame({"year": 1, "firm": [0, 1, 2, 3], "park": [0, 0, 1, 1], "sector": ["a", "b", "a", "c"],
                          "stage": ["upstream", "downstream", "upstream", "midstream"],
                          "leading": [True, False, False, False], "park_x": [0.0, 0, 50, 50], "park_y": 0.0})
    edges = pd.DataFrame({"year": [1, 1, 1, 2], "supplier": [0, 2, 0, 0], "customer": [1, 3, 3, 1]})
    fig = figures.network_figure(nodes, edges, 1, SECTORS)
    assert "4 firms, 3 links" in fig.layout.title.text
    assert np.isfinite(np.asarray(fig.data[0].x, float)).sum() == 6
    one = figures.network_figure(nodes, edges, 1, SECTORS, park=0)
    assert "2 firms, 1 links" in one.layout.title.text
    star = next(t for t in one.data if t.name == "a")
    assert star.marker.symbol[0] == "star" and star.type == "scatter"
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 3)                    # large networks go to WebGL
    assert {t.type for t in figures.network_figure(nodes, edges, 1, SECTORS).data} == {"scattergl"}


def test_sweep_figure_curve_heatmap_and_runs_behind():
    """The sweep view: mean and CI per swept value (in the metric's display unit, output in 亿元), plain
    names for the metric and the factors, and the runs behind a clicked point."""
    f1, f2 = "policy.E1.national", "world.margin_mean"
    m = pd.DataFrame([{"run_id": f"p{p}r{r}", "point": p, "replication": r, "seed": r, f1: a, f2: b,
                       "output": 1e4 * (a * 10 + b + r)} for p, (a, b) in enumerate([(1, 5), (1, 6), (2, 5), (2, 6)])
                      for r in range(3)])
    curve = figures.sweep_figure(m, [f1], "output")
    assert list(curve.data[2].x) == [1, 2] and list(curve.data[2].y) == pytest.approx([16.5, 26.5])
    assert curve.layout.xaxis.title.text == "E1 National-park intensity threshold"
    assert "100 million yuan" in curve.layout.yaxis.title.text
    heat = figures.sweep_figure(m, [f1, f2], "output", lang="zh")
    assert np.asarray(heat.data[0].z).tolist() == [[16, 26], [17, 27]]
    assert "工业产值" in heat.layout.title.text and heat.layout.yaxis.title.text == "平均利润率"
    assert "f1" not in str(heat.layout) and "margin_mean" not in str(heat.layout)
    behind = figures.runs_behind(m, {f1: 2, f2: "6"})
    assert behind["point"].unique().tolist() == [3] and len(behind) == 3
    with pytest.raises(ValueError, match="not a sweep"):
        figures.sweep_figure(m, [], "output")


def test_sweep_runs_table_and_factor_labels_are_plain():
    """The runs behind a sweep point: plain column names; factors named by their rule parameter or world name."""
    from parksim.viz import i18n
    from parksim.viz.room_callbacks import runs_shown
    rows = pd.DataFrame({"run_id": ["a"], "point": [0], "replication": [1], "seed": [7],
                         "policy.L2.county_key_min": [5000.0], "output": [2e5]})
    shown = runs_shown(rows, ["policy.L2.county_key_min"], "output", "zh")
    assert list(shown.columns) == ["运行", "设计点", "重复", "种子", "L2 县级重点项目投资下限", "工业产值（亿元）"]
    assert shown.iloc[0, -1] == pytest.approx(20.0)
    assert i18n.factor_label("world.not_listed", "en") == "world parameter not_listed"
    assert i18n.factor_label("world.margin_mean", "en") == "Mean profit margin"


# ----------------------------------------------------------------------------- per-park costs

def finance_run(policy: Policy, seeds=(11, 12)) -> RunData:
    """A run of the tiny world with its finance table (as a live run's outputs carry it)."""
    outs = [simulate(TINY, policy, seed=seed) for seed in seeds]

    def stacked(name):
        return pd.concat([getattr(o, name).assign(replication=r, seed=s) for r, (o, s) in enumerate(zip(outs, seeds))],
                         ignore_index=True)
    metrics = pd.DataFrame({"replication": range(len(seeds)), "seed": seeds, "point": 0})
    return RunData("fin", "fin", stacked("series"), stacked("parks"), metrics, world={"start_year": TINY.start_year},
                   tables={"finance": stacked("finance")})


def test_park_costs_add_up_to_the_region_and_divide_the_means():
    """Per-account public cost and fiscal balance, averaged over replications, sum to the region's mean
    (transfers cancel); cost per job is mean cost over mean jobs, undefined where no job was gained."""
    from parksim.experiments.costs import cost_metrics
    from parksim.viz.park_costs import park_costs
    run = finance_run(Policy().set("S1", enabled=True).set("L8", enabled=True))
    table = park_costs(run)
    region = [cost_metrics(g, TINY.start_year) for _, g in run.series.groupby("replication")]
    for column in ("public_cost", "fiscal_balance_pv"):
        assert table[column].sum() == pytest.approx(np.mean([m[column] for m in region]), rel=1e-6, abs=1e-6)
    assert table["public_cost"].sum() > 0
    parks = table[table["account_kind"] == "park"]
    assert list(table["account_kind"]).index("city") == len(parks) == TINY.n_parks      # parks first
    gained = parks["jobs_gained"] > 0
    assert parks.loc[gained, "cost_per_job"].to_numpy() == pytest.approx(
        (parks.loc[gained, "public_cost"] / parks.loc[gained, "jobs_gained"]).to_numpy())
    assert parks.loc[~gained, "cost_per_job"].isna().all() and (table["replications"] == 2).all()


def test_cost_chart_draws_parks_and_cities_or_says_there_is_no_finance_table():
    run = finance_run(Policy().set("S1", enabled=True))
    table, fig = chart("costs", [run], lang="zh")
    assert [t.type for t in fig.data] == ["bar", "bar"] and len(fig.data[1].y) == len(table)
    assert "（城市）" in fig.data[1].y[-1] and "2 次重复" in fig.layout.title.text
    from parksim.viz.park_costs import shown_costs
    assert list(shown_costs(table, "en").columns)[2:5] == ["Public money spent on instruments (100 million yuan (亿元))",
                                                            "Jobs gained (persons)", "Tax gained (cumulative) "
                                                            "(100 million yuan (亿元))"]
    bare = dataclasses.replace(run, tables={})
    table, fig = chart("costs", [bare], lang="en")
    assert table.empty and "no finance table" in fig.layout.annotations[0].text


# ----------------------------------------------------------------------------- controls

def test_every_rule_and_parameter_has_a_control():
    blocks = {b.id: b for family in controls.rule_controls() for b in family.children[1:]}
    assert list(blocks) == [f"rule-{rid}" for rid in RULE_IDS]
    numeric = {(rid, f.name) for rid in RULE_IDS for f in dataclasses.fields(RULES[rid]) if f.type in ("int", "float")}
    assert {(s.rule, s.name) for s in controls.SLIDERS} == numeric
    for s in controls.SLIDERS:
        assert s.lo <= s.default <= s.hi and s.step > 0
    e1 = next(s for s in controls.SLIDERS if (s.rule, s.name) == ("E1", "national"))
    assert e1.unit == "万元/mu" and (e1.lo, e1.hi) == (0, 1000)
    first, source, doc = controls.rule_summary("E1")
    assert source.startswith("004 §(九)") and "Source" not in first and "250" in doc


def _ids():
    return {"rule-on": [{"rule": r} for r in RULE_IDS],
            "param": [{"rule": s.rule, "name": s.name} for s in controls.SLIDERS],
            "weight": [{"indicator": k} for k in controls.INDICATORS]}


@pytest.mark.parametrize("name", ["baseline", "nanyang_2009", "xuchang_2012", "lanzhou_2012", "chizhou_2015",
                                  "henan_2017"])
def test_controls_show_and_rebuild_each_scenario_policy(name):
    policy = load_scenario(name).policy
    ids = _ids()
    rebuilt = controls.policy_of(ids, controls.values_of(policy, ids), policy)
    assert controls.changes(policy, rebuilt) == []
    assert rebuilt.enabled_rules() == policy.enabled_rules()


def test_controls_report_changes_and_bad_combinations():
    ids = _ids()
    values = controls.values_of(Policy(), ids)
    values["param"][ids["param"].index({"rule": "E1", "name": "national"})] = 320
    values["rule-on"][RULE_IDS.index("E1")] = [controls.ON]
    assert controls.changes(Policy(), controls.policy_of(ids, values)) == ["E1 on", "E1.national=320"]
    values["rule-on"][RULE_IDS.index("V4")] = [controls.ON]
    with pytest.raises(ConfigError, match="policy.V4.enabled"):
        controls.policy_of(ids, values)
    values["param"][0] = None
    with pytest.raises(ConfigError, match="policy.L2.county_key_min"):
        controls.policy_of(ids, values)


def test_choice_and_burn_in_controls_reach_the_configuration():
    """C2.mode is a radio in C2's block and S4.base in S4's; the chosen value and a burn-in typed in the run
    settings go into the policy and the world; a burn-in longer than the run is refused, naming it."""
    block = controls.rule_block("C2", "zh")
    radio = next(c for c in block.children if "choice" in getattr(c, "className", "")).children[1]
    assert radio.id == {"type": "choice", "rule": "C2", "name": "mode"} and radio.value == "gate"
    assert [o["value"] for o in radio.options] == ["gate", "target"] and radio.options[1]["label"].startswith("考核目标")
    assert {k[:2] for k in controls.CHOICES} == {("C2", "mode"), ("S4", "base")}
    ids = {**_ids(), "choice": [{"rule": r, "name": n} for r, n in controls.CHOICES]}
    values = controls.values_of(Policy(), ids)
    values["choice"][ids["choice"].index({"rule": "C2", "name": "mode"})] = "target"
    policy = controls.policy_of(ids, values)
    assert policy.C2.mode == "target" and controls.changes(Policy(), policy) == ["C2.mode=target"]
    assert controls.describe(Policy().set("C2", enabled=True), policy.set("C2", enabled=True), "en") == [
        "Form (entry gate / evaluated target) entry gate (below target: leading-industry projects only) → "
        "evaluated target (no project refused; parks below it court more)"]
    box = controls.world_controls("en", TINY).children[0].children[1]
    assert box.id == {"type": "world", "name": "burn_in"} and box.value == 0
    assert controls.world_of([box.id], [2], TINY).burn_in == 2
    with pytest.raises(ConfigError, match="world.burn_in"):
        controls.world_of([box.id], [TINY.years + 1], TINY)
    with pytest.raises(ConfigError, match="world.burn_in"):
        controls.world_of([box.id], [None], TINY)


def test_glossary_explains_the_choice_and_run_settings():
    from parksim.viz import i18n
    from parksim.viz.layout import glossary
    terms = [dt.children for dt in glossary("zh").children[3].children[::2]]
    assert terms == ["C2 形式（入园门槛 / 考核目标）", "政策生效前的预热年数", "S4 " + i18n.param_name("S4", "base", "zh")]
    assert all(i18n.setting_help(k, lang) for k in i18n.SETTING_HELP for lang in i18n.LANGS)


# ----------------------------------------------------------------------------- jobs

def test_dashboard_run_equals_the_runner(runs):
    """Same scenario and root seed → the runner's seeds and identical tables, so identical charts."""
    a = runs[0]
    seeds = replication_seeds(7, 3)
    assert a.metrics["seed"].tolist() == seeds
    ref = run_one(RunConfig(TINY, Policy()), seeds[1])
    mine = a.series[a.series["replication"] == 1].drop(columns=["replication", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, ref.series)
    again = JobManager("serial")
    job = again.submit("x", "A", "A", RunConfig(TINY, Policy()), 7, 3)
    b = wait_done(again, "x", job.id).result
    pd.testing.assert_frame_equal(b.series, a.series)
    assert chart("fan:output", [b])[1].to_json() == chart("fan:output", [a])[1].to_json()


def test_network_trace_matches_the_model_at_the_end(runs):
    a = runs[0]
    model = run_model(TINY, Policy(), int(a.metrics["seed"].iloc[0]))
    g = model.supply_network()
    g.remove_nodes_from([n for n, park in g.nodes(data="park") if park < 0])
    last = a.nodes["year"].max()
    assert set(a.nodes.loc[a.nodes["year"] == last, "firm"]) == set(g.nodes)
    assert len(a.edges[a.edges["year"] == last]) == g.number_of_edges()
    assert a.nodes["year"].nunique() == TINY.years + 1


def test_sessions_never_see_each_other():
    manager = JobManager("serial")
    job = manager.submit("alice", "A", "A", RunConfig(TINY, Policy()), 1, 1)
    wait_done(manager, "alice", job.id)
    assert manager.get("bob", job.id) is None and manager.jobs("bob") == [] and manager.results("bob") == {}
    assert not manager.cancel("bob", job.id)
    assert list(manager.results("alice")) == [job.id]


def test_memory_keeps_the_newest_runs_per_session_and_overall():
    """Each session keeps its last ``keep`` runs; all sessions together their last ``keep_total``."""
    manager = JobManager("serial", keep=2, keep_total=3)
    done = [wait_done(manager, s, manager.submit(s, s, s, RunConfig(TINY, Policy()), 1, 1).id).id
            for s in ("a", "a", "a", "b", "b")]
    assert list(manager.results("a")) == [done[2]]          # a's two newest, minus the oldest overall
    assert list(manager.results("b")) == done[3:]


def test_cancel_stops_a_run_and_busy_refuses_a_second():
    manager = JobManager("serial")
    job = manager.submit("s", "long", "long", RunConfig(TINY, Policy()), 1, 200)
    with pytest.raises(Busy):
        manager.submit("s", "again", "again", RunConfig(TINY, Policy()), 1, 1)
    while job.done == 0:
        time.sleep(0.01)
    assert manager.cancel("s", job.id)
    assert manager.get("s", job.id).status == CANCELLED                # at once, not after the replication
    done = job.done
    time.sleep(0.5)
    assert job.status == CANCELLED and 0 < job.done <= done + 1 < 200 and job.result is None
    other = manager.submit("s", "next", "next", RunConfig(TINY, Policy()), 1, 1)   # free again
    assert wait_done(manager, "s", other.id).status == DONE


def test_failed_configuration_is_reported_not_raised():
    manager = JobManager("serial")
    bad = RunConfig(TINY.with_parks((ParkSpec("p", "city", 1000.0, leading=("no_such_sector",)),)), Policy())
    job = wait_done(manager, "s", manager.submit("s", "bad", "bad", bad, 1, 2).id)
    assert job.status == "failed" and job.error


# ----------------------------------------------------------------------------- export

def test_exports_csv_html_png(runs):
    data, fig = chart("fan:output", runs[:1])
    rows = pd.read_csv(pd.io.common.BytesIO(render(data, fig, "csv")))
    assert len(rows) == 3 * (TINY.years + 1) and {"seed", "year", "output"} <= set(rows.columns)
    page = render(data, fig, "html").decode()
    assert "<script src" not in page and "<link" not in page            # plotly.js inlined, nothing fetched
    with pytest.raises(ValueError, match="allowed"):
        render(data, fig, "gif")


@pytest.mark.skipif(not shutil.which("chromium") and not os.environ.get("PARKSIM_REQUIRE_BROWSER"),
                    reason="kaleido needs Debian's chromium (.ci/run installs it)")
def test_png_export_through_kaleido_and_the_system_chromium(runs):
    png = render(*chart("map", runs[:1]), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_ab_charts_use_the_paired_comparison(runs):
    table = comparison_table(*runs)
    row = table.set_index("metric").loc["output"]
    assert row["n"] == 3 and row["diff"] == pytest.approx(row["mean_b"] - row["mean_a"])
    data, fig = chart("ab-diff", runs, column="land_idle")
    assert len(data) == TINY.years + 1 and list(fig.data[2].y) == pytest.approx(data["diff"].tolist())
    network, _ = chart("network", runs[:1], year=int(runs[0].nodes["year"].max()), park=0)
    assert (network["supplier_park"] == 0).all() and (network["customer_park"] == 0).all()


# ----------------------------------------------------------------------------- report and CLI

@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Two stores of a tiny scenario pair run with the same root seed (like `parksim run`)."""
    tmp = tmp_path_factory.mktemp("stores")
    out = []
    for name, extra in (("tiny_a", ""), ("tiny_b", "[policy.L1]\nenabled = true\n")):
        path = write(tmp, f"{name}.toml", f'name = "{name}"\nreplications = 3\nseed = 5\n[world]\n{TINY_WORLD}{extra}')
        store = Store(tmp / "runs" / name)
        execute(plan(str(path)), store, make_executor("serial"), progress=False)
        out.append(store)
    return tmp, out


def test_report_of_a_comparison_is_self_contained(stores, capsys):
    tmp, (a, _b) = stores
    out = tmp / "cmp.html"
    assert main(["report", str(a.path), "tiny_b", "--runs", str(tmp / "runs"), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    n_charts = len(figures.FANS) + len(COLUMNS) + 2               # fans, B − A per column, a map per run
    assert page.count("class='chart'") == n_charts and page.count("Plotly.newPlot") == n_charts
    assert page.count("plotly.js v") == 1 and "<script src" not in page and "<link" not in page
    assert "Comparison: tiny_b − tiny_a" in page and "L1" in page
    assert "report:" in capsys.readouterr().out


def test_report_bad_input_exits_2_and_writes_nothing(stores, tmp_path, capsys):
    _tmp, (a, _) = stores
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "r.html")]) == 2
    assert "RUN 1: got" in capsys.readouterr().err and not (tmp_path / "r.html").exists()
    assert main(["report", str(a.path), str(a.path), str(a.path)]) == 2
    assert main(["report", str(a.path), "--out", str(tmp_path)]) == 2
    assert "--out" in capsys.readouterr().err
    (tmp_path / "afile").write_text("")
    assert main(["report", str(a.path), "--out", str(tmp_path / "afile" / "r.html")]) == 2   # a path inside a file
    assert "--out" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]


def test_dashboard_refuses_a_busy_port(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port: got {port}" in err and "free port" in err
    assert main(["dashboard", "--host", "not a host"]) == 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = str(s.getsockname()[1])
    assert main(["dashboard", "--port", free, "--workers", "0"]) == 2
    assert main(["dashboard", "--port", free, "--scenario", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert "--workers: got 0" in err and "scenario: got 'no_such_scenario'" in err


def test_report_from_store_matches_store_tables(stores):
    _, (a, _) = stores
    from parksim.viz.data import RunData
    run = RunData.from_store(a)
    assert run.replications == 3 and set(run.series["seed"]) == set(a.read("metrics")["seed"])
    assert run.policy["L1"]["enabled"] is False and run.world["years"] == 3
    page = build_report([run])
    assert page.count("class='chart'") == len(figures.FANS) + 1


# ----------------------------------------------------------------------------- language and units

def test_translation_table_names_every_rule_parameter_metric_and_indicator():
    """One table gives a Chinese and an English plain name for everything the dashboard shows."""
    from parksim.experiments.headline import HEADLINE
    from parksim.simulation.policy import INDICATORS
    from parksim.viz import i18n
    for lang in i18n.LANGS:
        assert all(i18n.rule_name(rid, lang) for rid in RULE_IDS)
        assert all(i18n.param_name(s.rule, s.name, lang) != s.name for s in controls.SLIDERS)
        assert all(i18n.unit_name(s.unit, lang) for s in controls.SLIDERS if s.unit)
        assert all(k in i18n.INDICATORS and i18n.indicator_name(k, lang) for k in INDICATORS)
        for col in (*HEADLINE, *COLUMNS):
            assert i18n.metric_name(col, lang) != col and i18n.explain(col, lang)
    assert i18n.param_name("E1", "national", "zh") == "国家级园区投资强度门槛"
    assert i18n.metric_label("eg_gamma_mean", "zh") == "产业集聚指数 (EG γ)"
    assert i18n.metric_label("output", "zh") == "工业产值（亿元）"


def test_numbers_are_written_without_scientific_notation():
    from parksim.viz import i18n
    assert i18n.number(1.5e7) == "15,000,000" and i18n.number(0.000123) == "0.000123"
    assert i18n.number(1234.5678) == "1,235" and i18n.number(0.5) == "0.500" and i18n.number(float("nan")) == "–"
    assert i18n.percent(-0.031) == "-3.1%"


def test_comparison_table_reads_in_yi_yuan_and_percent(runs):
    """The A-versus-B table: plain names, output in 亿元, relative change in %, no 'e+' anywhere."""
    from parksim.viz.export import shown_table
    raw = comparison_table(*runs)
    table = shown_table(raw, "zh")
    row = table.set_index("指标").loc["工业产值"]
    assert row["单位"] == "亿元"
    expected = raw.set_index("metric").loc["output", "mean_a"] / 1e4
    assert float(row["A 均值"].replace(",", "")) == pytest.approx(expected, rel=1e-2)
    assert row["相对变化"].endswith("%")
    assert not table.astype(str).apply(lambda c: c.str.contains(r"\de[+-]\d")).any().any()


def test_cjk_font_check_reads_fontconfig(monkeypatch):
    """The start-up check finds the installed Noto CJK fonts, and says nothing without fc-list."""
    from parksim.viz import fonts
    if shutil.which("fc-list"):
        assert (fonts.cjk_fonts() != []) == (not fonts.cjk_font_missing())
    monkeypatch.setenv("PATH", "")
    assert fonts.cjk_fonts() is None and not fonts.cjk_font_missing()


@pytest.mark.skipif(not shutil.which("chromium") and not os.environ.get("PARKSIM_REQUIRE_BROWSER"),
                    reason="kaleido needs Debian's chromium (.ci/run installs it)")
def test_png_export_draws_chinese_glyphs_not_empty_boxes():
    """A PNG with Chinese text differs from the same text in code points no font has (which Chromium
    draws as identical empty boxes); two such box strings render alike, so the check can fail."""
    import plotly.graph_objects as go

    from parksim.viz.export import render

    def png(text):
        fig = go.Figure()
        fig.update_layout(title=text, font={"family": figures.FONT, "size": 40}, height=200, template="plotly_white",
                          xaxis={"visible": False}, yaxis={"visible": False})
        return render(pd.DataFrame(), fig, "png")
    boxes_a, boxes_b = png("\U000F0001\U000F0002\U000F0003\U000F0004"), png("\U000F0011\U000F0012\U000F0013\U000F0014")
    assert boxes_a == boxes_b                                     # missing glyphs: the same empty boxes
    assert png("工业产值") != boxes_a and png("工业产值") != png("产业集聚")


def test_verdicts_say_direction_size_band_and_whether_it_is_noise():
    """A plain sentence per headline metric from the paired differences (relative to A's mean)."""
    from parksim.viz.verdict import verdicts
    table = pd.DataFrame([
        {"metric": "output", "n": 20, "mean_a": 1000.0, "mean_b": 970.0, "diff": -30.0, "ci_low": -60.0,
         "ci_high": 2.0, "rel_change": -0.03, "significant": False},
        {"metric": "tax", "n": 20, "mean_a": 100.0, "mean_b": 110.0, "diff": 10.0, "ci_low": 5.0, "ci_high": 15.0,
         "rel_change": 0.1, "significant": True}])
    zh = verdicts(table, "zh")
    assert zh == ["工业产值：下降 3.0%（-6.0% 至 +0.2%），在随机波动范围内",
                  "税收：上升 10.0%（+5.0% 至 +15.0%），超出随机波动，差异可信"]
    assert verdicts(table, "en")[0] == "Industrial output: down 3.0% (-6.0% to +0.2%), within random variation"


def test_a_new_metric_joins_the_comparison_and_the_verdicts_with_a_translation_row_only(runs, monkeypatch):
    """A metric both runs report beyond the headline ones (e.g. a new cost ratio) gets a row in the
    comparison table and a verdict once the translation table names it; unnamed columns stay out."""
    from parksim.viz import i18n
    from parksim.viz.verdict import verdicts
    a, b = (dataclasses.replace(r, metrics=r.metrics.assign(cost_per_mu=10.0 + r.metrics["replication"] * k,
                                                            unnamed=1.0)) for r, k in zip(runs, (1.0, 2.0)))
    assert "cost_per_mu" not in set(comparison_table(a, b)["metric"])
    monkeypatch.setitem(i18n.METRICS, "cost_per_mu", ("每亩土地的成本", "Cost per mu", "wan", "", ""))
    table = comparison_table(a, b)
    assert "cost_per_mu" in set(table["metric"]) and "unnamed" not in set(table["metric"])
    said = verdicts(table, "zh")
    from parksim.viz.verdict import VERDICT_METRICS
    assert said[-1].startswith("每亩土地的成本：上升") and len(said) == len(set(VERDICT_METRICS) & set(table["metric"])) + 1


def test_a_pair_runs_both_scenarios_on_the_same_seeds():
    """The guided comparison's one button: A and B in one job, each equal to its own run on the same seeds."""
    manager = JobManager("serial")
    b_policy = Policy().set("E1", enabled=True, national=400.0, provincial=300.0)
    job = manager.submit_parts("s", [("A", "a", RunConfig(TINY, Policy()), ""), ("B", "b", RunConfig(TINY, b_policy), "")],
                               7, 2)
    job = wait_done(manager, "s", job.id)
    assert job.status == DONE and job.total == 4 and job.progress == 1
    runs = manager.results("s")
    assert list(runs) == [f"{job.id}A", f"{job.id}B"]
    a, b = runs[f"{job.id}A"], runs[f"{job.id}B"]
    assert a.metrics["seed"].tolist() == b.metrics["seed"].tolist() == replication_seeds(7, 2)
    alone = run_one(RunConfig(TINY, b_policy), replication_seeds(7, 2)[1])
    mine = b.series[b.series["replication"] == 1].drop(columns=["replication", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.series)


def test_the_server_limits_runs_going_at_once():
    """max_running over all sessions: a third session is told to wait while two runs go."""
    manager = JobManager("serial", max_running=2)
    jobs = [manager.submit(s, "x", "x", RunConfig(TINY, Policy()), 1, 50) for s in ("s1", "s2")]
    with pytest.raises(Busy, match="limit"):
        manager.submit("s3", "x", "x", RunConfig(TINY, Policy()), 1, 1)
    for j in jobs:
        manager.cancel(j.session, j.id)
        wait_done(manager, j.session, j.id)
    assert manager.submit("s3", "x", "x", RunConfig(TINY, Policy()), 1, 1)


# ----------------------------------------------------------------------------- room mode

def test_sweep_picker_offers_store_names_and_refuses_paths(tmp_path):
    """The sweep picker lists names under --runs only; a path, '..' or a non-sweep name reads nothing."""
    from parksim.viz.room_callbacks import sweep_names, sweep_store
    for where, factors in ((tmp_path / "runs" / "s1", ["policy.E1.national"]), (tmp_path / "runs" / "plain", []),
                           (tmp_path / "elsewhere" / "s2", ["policy.E1.national"])):
        where.mkdir(parents=True)
        (where / "experiment.json").write_text(f'{{"factors": {factors!r}}}'.replace("'", '"'), encoding="utf-8")
    runs = tmp_path / "runs"
    assert sweep_names(runs) == ["s1"]
    assert sweep_store(runs, "s1").path == runs / "s1"
    for crafted in (str(tmp_path / "elsewhere" / "s2"), "../elsewhere/s2", "plain", str(runs / "s1"), None, ["s1"]):
        assert sweep_store(runs, crafted) is None


def test_pin_is_asked_once_then_remembered(tmp_path):
    """With a PIN, every page and callback answers 401 until the PIN is given; a wrong PIN is refused."""
    from parksim.viz.app import create_app
    base = write(tmp_path, "tiny.toml", f'name = "tiny"\nreplications = 2\n[world]\n{TINY_WORLD}')
    client = create_app(tmp_path / "runs", (str(base),), JobManager("serial"), pin="2468").server.test_client()
    assert client.get("/").status_code == 401 and client.get("/_dash-layout").status_code == 401
    assert client.post("/_pin", data={"pin": "1357"}).status_code == 401
    assert client.post("/_pin", data={"pin": "2468"}).status_code == 302
    assert client.get("/").status_code == 200 and client.get("/_dash-layout").status_code == 200
    assert "2468" not in client.get_cookie("parksim_pin").value


def test_dashboard_room_options_are_checked(capsys):
    """--max-runs and --pin are checked before anything is served (exit 2)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = str(s.getsockname()[1])
    assert main(["dashboard", "--port", free, "--max-runs", "0"]) == 2
    assert main(["dashboard", "--port", free, "--pin", " "]) == 2
    err = capsys.readouterr().err
    assert "--max-runs: got 0" in err and "--pin: got ' '" in err


def test_results_stream_in_while_a_run_goes():
    """With live=True the replications finished so far are a run of their own (same id as the final run)."""
    manager = JobManager("serial")
    job = manager.submit("s", "long", "long", RunConfig(TINY, Policy()), 1, 40)
    while job.done < 2:
        time.sleep(0.01)
    partial = manager.results("s", live=True)[job.id]
    assert manager.results("s") == {} and 2 <= partial.replications < 40 and "…" in partial.label
    assert partial.metrics["seed"].tolist() == replication_seeds(1, 40)[:partial.replications]
    manager.cancel("s", job.id)
    assert job.id not in manager.results("s", live=True)


def test_a_cancelled_jobs_tasks_stop_in_the_worker_and_others_go_on(tmp_path):
    """Cancel marks the job and signals the workers: a task of that job abandons its run at once (no
    outcome), a queued one is skipped, and a task of another job ignores the signal. The signal comes
    from an observer in the run's third year, so it lands mid-run however fast the machine is."""
    import signal

    from parksim.viz.worker import CANCEL_SIGNAL, JobTask, run_job_task

    @dataclasses.dataclass
    class SignalMidRun(Observer):
        mark: str = ""            # the job's cancel mark, made just before the signal ("" = another job's)

        def __call__(self, model):
            super().__call__(model)
            if model.year_index == 3:
                if self.mark:
                    Path(self.mark).touch()
                os.kill(os.getpid(), CANCEL_SIGNAL)

    config = RunConfig(small_world(years=10, n_parks=8, initial_firms=400, projects_per_year=200.0), Policy())
    mark = str(tmp_path / "run1")
    task = RunTask("p00000-r0000", 0, 0, 1, {}, config)
    assert run_job_task(JobTask(task, mark, SignalMidRun(network=True, mark=mark))) == {"status": CANCELLED}
    assert run_job_task(JobTask(task, mark)) == {"status": CANCELLED}     # queued: skipped
    other = str(tmp_path / "run2")
    outcome = run_job_task(JobTask(task, other, SignalMidRun(network=True, places=True)))
    assert outcome["status"] == "ok" and len(outcome["trace"][0]) and len(outcome["places"])
    assert signal.getsignal(CANCEL_SIGNAL) is not signal.SIG_DFL


def test_the_observer_gives_the_runners_outcome_and_the_network_trace_in_one_run():
    """The first replication traces its network while it runs: the trace equals a second run's
    (``network_trace``), the outcome equals the runner's without the observer, and the places are the
    set-up's."""
    from parksim.experiments.runner import execute_task
    from parksim.experiments.store import OUTPUT_TABLES
    from parksim.viz.data import network_trace
    config, seed = RunConfig(TINY, Policy().set("E1", enabled=True)), replication_seeds(4, 1)[0]
    observer = Observer(network=True, places=True)
    seen = execute_task(RunTask("p00000-r0000", 0, 0, seed, {}, config), on_year=observer)
    plain = execute_task(RunTask("p00000-r0000", 0, 0, seed, {}, config))
    assert seen["status"] == plain["status"] == "ok" and seen["metrics"] == plain["metrics"]
    for name in ("series", "parks", "events", *OUTPUT_TABLES):
        pd.testing.assert_frame_equal(seen[name], plain[name])
    nodes, edges = observer.trace()
    again = network_trace(config, seed)
    pd.testing.assert_frame_equal(nodes, again[0])
    pd.testing.assert_frame_equal(edges, again[1])
    assert nodes["year"].nunique() == TINY.years + 1
    pd.testing.assert_frame_equal(observer.places_table, simulate(TINY, config.policy, seed=seed).places)


def test_the_network_is_traced_by_the_first_replication_and_the_run_is_saved_after_it_shows_done():
    """The trace comes back with the run's first replication (no task of its own); the store is written
    after the job shows done (``saved`` says when)."""
    written = []
    manager = JobManager("serial", saver=lambda *args: (time.sleep(0.3), written.append(args[1])))
    job = manager.submit("s", "a", "a", RunConfig(TINY, Policy()), 1, 3)
    while job.status == "running":
        time.sleep(0.01)
    assert job.status == DONE and job.done == 3 and job.progress == 1
    assert job.saved.wait(30) and written == [job.id]
    first = replication_seeds(1, 3)[0]
    model = run_model(TINY, Policy(), first)
    g = model.supply_network()
    g.remove_nodes_from([n for n, park in g.nodes(data="park") if park < 0])
    last = job.result.nodes["year"].max()
    assert set(job.result.nodes.loc[job.result.nodes["year"] == last, "firm"]) == set(g.nodes)


def test_warm_up_starts_the_pool_and_warms_every_worker(tmp_path):
    """warm_up (called by create_app for a pool) starts the shared pool in the background; each worker
    has run the warm-up; the next run uses that pool."""
    from parksim.viz.app import create_app
    from parksim.viz.worker import warm_worker, worker_pids
    manager = JobManager("pool", 2)
    try:
        create_app(tmp_path, scenarios=("baseline",), manager=manager)
        assert manager.warm.wait(120) and manager.warm_seconds > 0
        pool = manager._warm
        assert len(worker_pids(pool)) == 2
        assert manager.warm_up() is manager.warm_up()                       # once
        assert set(pool.map(warm_worker, range(2))) <= set(worker_pids(pool))
        job = wait_done(manager, "s", manager.submit("s", "a", "a", RunConfig(TINY, Policy()), 1, 2).id)
        assert job.status == DONE and manager._warm is pool
    finally:
        manager.close()


def test_while_the_pool_warms_the_first_replication_runs_in_the_server():
    """A run submitted before the warm-up ends runs its first replication in the job's thread (its charts
    come without waiting for the pool) and queues the rest on the pool; once warm, all go to the pool."""
    import threading

    from parksim.viz.worker import JobTask

    class Pool:                                   # an executor that runs here and records what it was given
        def map(self, fn, tasks):
            self.given = list(tasks)
            return [dict(fn(t), ran="pool") for t in self.given]

    tasks = [JobTask(RunTask(f"p00000-r{r:04d}", 0, r, s, {}, RunConfig(TINY, Policy())), "/nonexistent-mark")
             for r, s in enumerate(replication_seeds(1, 3))]
    manager = JobManager("pool", 2)
    manager._warming = threading.Thread(target=lambda: None)         # a warm-up that has not ended
    pool = Pool()
    outcomes = list(manager._stream(pool, tasks))
    assert [o["replication"] for o in outcomes] == [0, 1, 2] and "ran" not in outcomes[0]
    assert pool.given == tasks[1:] and outcomes[0]["pid"] == os.getpid()
    manager.warm.set()
    assert [o.get("ran") for o in manager._stream(pool, tasks)] == ["pool"] * 3 and pool.given == tasks


def test_the_worker_pool_is_started_once_and_shared():
    """A warm executor: the second run reuses the first run's pool; close() stops it."""
    manager = JobManager("pool", 2)
    try:
        first = wait_done(manager, "s", manager.submit("s", "a", "a", RunConfig(TINY, Policy()), 1, 2).id)
        pool = manager._warm
        second = wait_done(manager, "t", manager.submit("t", "b", "b", RunConfig(TINY, Policy()), 1, 2).id)
        assert first.status == second.status == DONE and manager._warm is pool
    finally:
        manager.close()
    assert manager._warm is None


def test_estimate_comes_from_the_last_run_of_each_scenario():
    """Before a scenario has run: the capacity model's time of its world shared over the workers (none
    without the world); then seconds per replication × replications of its last run."""
    from parksim.experiments.capacity import estimate_world
    assert JobManager("pool", 4).estimate(("a",), 10, {"a": TINY}) == pytest.approx(
        float(estimate_world(TINY).seconds) / 4 * 10)
    manager = JobManager("serial")
    assert manager.estimate(("a",), 10) is None
    job = wait_done(manager, "s", manager.submit("s", "a", "a", RunConfig(TINY, Policy()), 1, 2).id)
    assert manager.estimate(("a",), 10) == pytest.approx(job.seconds / 2 * 10)
    assert manager.estimate(("a", "b"), 10) is None


# ----------------------------------------------------------------------------- saved runs

def test_a_saved_run_is_reopened_after_a_restart(tmp_path):
    """A dashboard run is written as a store; a later server (another SavedRuns) reopens it with the same
    tables for the same session, lists it for the facilitator, and never for another session."""
    from parksim.viz.saved import SavedRuns
    scenario = load_scenario(str(write(tmp_path, "tiny.toml", f'name = "tiny"\nseed = 3\n[world]\n{TINY_WORLD}')))
    session = "0123abcd-4567-89ef"
    first = SavedRuns(tmp_path / "runs" / "dashboard")
    policy = Policy().set("E1", enabled=True)

    def saver(sess, rid, label, name, config, n, outcomes):
        return first.save(sess, rid, scenario, config.policy, n, label, outcomes)
    manager = JobManager("serial", saver=saver)
    job = wait_done(manager, session, manager.submit(session, "tiny (E1 on)", "tiny", RunConfig(scenario.world, policy),
                                                     scenario.seed, 2).id)
    assert job.status == DONE and not job.error
    assert first.reopened(session) == {}                             # this server's runs are in memory
    later = SavedRuns(tmp_path / "runs" / "dashboard")
    (name, run), = later.reopened(session).items()
    assert name.endswith(job.id) and run.label.startswith("tiny (E1 on)")
    pd.testing.assert_frame_equal(run.metrics[["seed", "output"]].reset_index(drop=True),
                                  job.result.metrics[["seed", "output"]].reset_index(drop=True))
    assert [r["session"] for r in later.records()] == [session]
    assert later.reopened("99999999-other") == {}
    assert first.save("../../etc", "x", scenario, policy, 1, "x", []) is None      # not a session id: nothing written
    assert not (tmp_path / "etc").exists()


def test_a_saved_synthetic_run_reopened_shows_the_same_generated_places(tmp_path):
    """The store keeps no places: the dashboard saves each replication's generated places beside it, so a
    reopened synthetic run (a fresh SavedRuns on the same folder) has the live run's places and its map
    the county markers."""
    from parksim.viz.saved import SavedRuns
    scenario = load_scenario(str(write(tmp_path, "tiny.toml", f'name = "tiny"\nseed = 3\n[world]\n{TINY_WORLD}')))
    session = "0123abcd-4567-89ef"
    first = SavedRuns(tmp_path / "runs" / "dashboard")
    manager = JobManager("serial", saver=lambda sess, rid, label, name, config, n, outcomes: first.save(
        sess, rid, scenario, config.policy, n, label, outcomes))
    job = wait_done(manager, session, manager.submit(session, "tiny", "tiny", RunConfig(scenario.world, scenario.policy),
                                                     scenario.seed, 2).id)
    assert job.saved.wait(30) and not job.error
    (_, run), = SavedRuns(tmp_path / "runs" / "dashboard").reopened(session).items()
    assert run.config is None                                  # nothing to set up again from
    for r, seed in job.result.replication_seeds().items():
        live = job.result.places_of(r)
        assert len(live) and live["id"].tolist() == simulate(scenario.world, scenario.policy, seed=seed).places["id"].tolist()
        pd.testing.assert_frame_equal(run.places_of(r).reset_index(drop=True), live.reset_index(drop=True))
    assert "counties (synthetic)" in {t.name for t in chart("map", [run], replication=1)[1].data}


def test_report_of_a_comparison_opens_with_the_verdicts_in_chinese(stores, capsys):
    """--lang zh: <html lang>, the verdict sentences first, the table in 亿元 and %, no scientific notation."""
    tmp, (a, b) = stores
    out = tmp / "zh.html"
    assert main(["report", str(a.path), str(b.path), "--lang", "zh", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<html lang='zh-CN'>" in page and "<li>工业产值：" in page and "亿元" in page
    assert page.index("<li>工业产值：") < page.index("<table")
    body = page[page.index("<body>"):page.index("<div class='chart'")]
    assert not re.search(r"\de[+-]\d", body)
    titles = re.findall(r"data-title='([^']*)'", page)
    assert "工业产值" in titles and "园区地图：tiny_a" in titles and "工业产值: B − A" in titles
    shown = page[page.index("</head>"):]                        # the page without plotly.js
    for english in ("Industrial output", "Park map", "Headline metrics", "Rules on", '"Year"', "median and 5"):
        assert english not in shown, english                # chart titles, axes and headings are all Chinese
    assert '"text":' + json.dumps("年份") in shown and "主要指标：tiny_a" in page and "投资强度门槛" not in body


def test_a_session_is_exported_and_imported_as_one_file(tmp_path):
    """Export gives one zip; importing it into another session there (or on another server) reopens the
    same runs; a crafted file (an entry climbing out with '..') is refused with nothing written."""
    import io
    import zipfile

    from parksim.viz.saved import SavedRuns
    scenario = load_scenario(str(write(tmp_path, "tiny.toml", f'name = "tiny"\nseed = 3\n[world]\n{TINY_WORLD}')))
    saved = SavedRuns(tmp_path / "runs" / "dashboard")
    manager = JobManager("serial", saver=lambda s, rid, label, name, config, n, outcomes: saved.save(
        s, rid, scenario, config.policy, n, label, outcomes))
    job = wait_done(manager, "aaaa1111", manager.submit("aaaa1111", "tiny", "tiny", RunConfig(scenario.world,
                                                                                                scenario.policy), 3, 2).id)
    file = saved.export("aaaa1111")
    other = SavedRuns(tmp_path / "elsewhere" / "dashboard")
    assert other.import_("bbbb2222", file) == [f"{saved.stamp}-{job.id}"]
    (run,) = other.reopened("bbbb2222").values()
    assert run.metrics["seed"].tolist() == job.result.metrics["seed"].tolist()
    with pytest.raises(ConfigError, match="runs not already"):
        other.import_("bbbb2222", file)
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr(f"{saved.stamp}-run9/../../../evil.txt", "x")
    with pytest.raises(ConfigError, match="entries"):
        other.import_("cccc3333", evil.getvalue())
    with pytest.raises(ConfigError, match="zip"):
        other.import_("cccc3333", b"not a zip")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "elsewhere" / "dashboard" / "cccc3333").exists()


def test_sector_flows_count_links_within_parks_and_draw_a_sankey():
    """Flows between sectors: links inside one park only (a link across parks is not a park's chain)."""
    nodes = pd.DataFrame({"year": 1, "firm": [0, 1, 2, 3], "park": [0, 0, 1, 1], "sector": ["a", "b", "a", "c"],
                          "stage": "upstream", "leading": False, "park_x": 0.0, "park_y": 0.0})
    edges = pd.DataFrame({"year": [1, 1, 1, 2], "supplier": [0, 2, 0, 0], "customer": [1, 3, 3, 1]})
    flows = figures.sector_flows(nodes, edges, 1)
    assert sorted(map(tuple, flows.to_numpy().tolist())) == [("a", "b", 1), ("a", "c", 1)]
    assert figures.sector_flows(nodes, edges, 1, park=0).to_numpy().tolist() == [["a", "b", 1]]
    fig = figures.chain_sankey(flows, SECTORS, "t", names={"a": "甲"})
    assert list(fig.data[0].node.label) == ["甲", "b", "c"] and list(fig.data[0].link.value) == [1, 1]


def test_report_sets_cost_per_job_and_fiscal_balance_side_by_side_or_says_the_accounts_are_missing(runs):
    """Issue 11 §4 / 13 item 3: the comparison report shows A's and B's cost per job and discounted fiscal
    balance in one table when the runs carry them, and a plain note (no crash) when they do not (old stores)."""
    from parksim.experiments.costs import COST_METRICS
    from parksim.viz import i18n
    page = build_report(runs, "en")
    assert i18n.t("costs.title", "en") in page and "Public money per job gained (万元 per job)" in page
    assert i18n.t("costs.none", "en") not in page
    old = [dataclasses.replace(r, metrics=r.metrics.drop(columns=[c for c in COST_METRICS if c in r.metrics]),
                               policy={k: v for k, v in r.policy.items() if k != "S8"}) for r in runs]
    assert i18n.t("costs.none", "zh") in build_report(old, "zh")           # a store from before S8 and the accounts
