"""What the charts read: one scenario's replications as tables, from a dashboard run or from a store.

:class:`RunData` holds the runner's tables for every replication (series, park panel, metrics, and
in ``tables`` the investment ledger, growth decomposition, finance and, for synthetic worlds, the generated
places, each with its seed) plus, for dashboard runs, the supplier network of the first replication year
by year, which that replication's :class:`Observer` read while it ran. Charts only ever read these tables.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parksim.experiments.compare import ok_metrics
from parksim.experiments.runner import RunConfig
from parksim.experiments.store import OUTPUT_TABLES, Store
from parksim.simulation import ConfigError, ParkModel, simulate
from parksim.simulation.places import SYNTHETIC
from parksim.simulation.sectors import STAGES
from parksim.simulation.state import live_rows


@dataclass
class RunData:
    """One scenario's replications: tables keyed by ``replication`` and ``seed``."""

    label: str
    scenario: str
    series: pd.DataFrame
    parks: pd.DataFrame
    metrics: pd.DataFrame
    policy: dict = field(default_factory=dict)
    world: dict = field(default_factory=dict)
    root_seed: int | None = None
    description: str = ""
    nodes: pd.DataFrame | None = None
    edges: pd.DataFrame | None = None
    config: RunConfig | None = field(default=None, repr=False)
    traces: dict = field(default_factory=dict, repr=False)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)   # OUTPUT_TABLES by name
    places: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)   # set up again, by replication

    @property
    def replications(self) -> int:
        return int(self.metrics["seed"].nunique()) if len(self.metrics) else 0

    def replication_seeds(self) -> dict[int, int]:
        """Seed of each replication, by replication number."""
        m = self.metrics.sort_values("replication")
        return dict(zip(m["replication"].astype(int), m["seed"].astype(int)))

    def pick(self, replication: int | None) -> int:
        """``replication`` if the run has it, else its lowest replication."""
        seeds = self.replication_seeds()
        return int(replication) if replication in seeds else min(seeds, default=0)

    def parks_of(self, replication: int | None = None) -> pd.DataFrame:
        """The park panel of one replication (default: the lowest)."""
        return self.parks[self.parks["replication"] == self.pick(replication)]

    def first_parks(self) -> pd.DataFrame:
        """The park panel of the lowest replication."""
        return self.parks_of(None)

    def places_of(self, replication: int | None = None) -> pd.DataFrame | None:
        """The generated places (province, cities, counties) of one replication of a synthetic world, which
        draws them anew for each seed: the run's ``places`` table where it has one, else the model set up
        again from the run's configuration and seed (set-up only, no year run; then kept). None for a world
        of real places (the map draws their outlines) or a store without the table."""
        r = self.pick(replication)
        parks = self.parks_of(r)
        if "place" not in parks or not parks["place"].astype(str).str.startswith(SYNTHETIC).any():
            return None
        stored = self.tables.get("places")
        if stored is not None and len(stored):
            return stored[stored["replication"] == r]
        if r not in self.places and self.config is not None:
            model = ParkModel(self.config.world, self.config.policy, rng=self.replication_seeds()[r])
            try:
                self.places[r] = model.places_table()
            finally:
                model.release()
        return self.places.get(r)

    def network(self, replication: int | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        """(nodes, edges) of one replication's supplier network: the first one is traced with the run,
        others on first use (then kept); None where the run has no model configuration (a store)."""
        r = self.pick(replication)
        if r == self.pick(None) and self.nodes is not None:
            return self.nodes, self.edges
        if r not in self.traces and self.config is not None:
            self.traces[r] = network_trace(self.config, self.replication_seeds()[r])
        return self.traces.get(r, (None, None))

    @classmethod
    def from_outcomes(cls, label: str, scenario: str, config: RunConfig, root_seed: int,
                      outcomes: list[dict], description: str = "") -> RunData:
        """From :func:`parksim.experiments.runner.execute_task` outcomes (failed runs are left out); an
        outcome's ``places`` (collected by an :class:`Observer`) go to the ``places`` table."""
        ok = sorted((o for o in outcomes if o["status"] == "ok"), key=lambda o: o["replication"])

        metrics = pd.DataFrame([{"replication": o["replication"], "seed": o["seed"], "point": 0, **o["metrics"]}
                                for o in ok])
        return cls(label, scenario, stacked_table(ok, "series"), stacked_table(ok, "parks"), metrics,
                   policy=config.policy.to_dict(), world=_world_dict(config), root_seed=root_seed,
                   description=description, config=config,
                   tables={name: stacked_table(ok, name) for name in (*OUTPUT_TABLES, "places")})

    @classmethod
    def from_store(cls, store: Store, point: int = 0) -> RunData:
        """One design point of a store (``parksim run`` output), for reports.

        Raises:
            ConfigError: not a store, or no successful runs at that point.
        """
        if not store.exists():
            raise ConfigError("store", str(store.path), "a result directory written by `parksim run` "
                              "(holding experiment.json) or the name of a scenario already run")
        exp = store.experiment()
        metrics = ok_metrics(store)
        metrics = metrics[metrics["point"] == point] if len(metrics) else metrics
        if metrics.empty:
            raise ConfigError("store", f"{store.path} point {point}", "a store with successful runs at that point")
        seeds = metrics[["run_id", "seed"]]
        series, parks, *tables = (store.read(name).merge(seeds, on="run_id") if store.files(name) else pd.DataFrame()
                                  for name in ("series", "parks", *OUTPUT_TABLES))
        policy, world = _scenario_tables(store, point)
        return cls(exp.get("scenario", store.path.name), exp.get("scenario", store.path.name), series, parks,
                   metrics, policy=policy, world=world, root_seed=exp.get("root_seed"),
                   description=exp.get("description", ""), tables=dict(zip(OUTPUT_TABLES, tables)))


def stacked_table(outcomes: list[dict], name: str) -> pd.DataFrame:
    """Table ``name`` of every outcome that has it, stacked, with its ``replication`` and ``seed``."""
    frames = [o[name].assign(replication=o["replication"], seed=o["seed"]) for o in outcomes
              if o.get(name) is not None and len(o[name])]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _world_dict(config: RunConfig) -> dict:
    return {f.name: getattr(config.world, f.name) for f in dataclasses.fields(config.world)
            if f.name not in ("parks", "places", "schedule")}


def _scenario_tables(store: Store, point: int) -> tuple[dict, dict]:
    """Policy and world of one design point as it ran, read from the store (not from the scenario file,
    which may have changed since); empty for stores written before the points were kept."""
    resolved = store.point(point)
    if resolved is None:
        return {}, {}
    return resolved["policy"], resolved["world"]


@dataclass
class Observer:
    """What a replication collects from its model while it runs, beside the runner's outcome (the
    ``on_year`` hook of :func:`parksim.simulation.simulate`; a dataclass, so that it pickles for a pool):
    with ``network``, the supplier network after set-up and after each year (:func:`network_now`); with
    ``places``, the generated places of a synthetic world at set-up (they are drawn then and never change),
    so that the map has them without setting the model up again, and a saved run keeps them."""

    network: bool = False
    places: bool = False
    nodes: list = field(default_factory=list, repr=False)
    edges: list = field(default_factory=list, repr=False)
    places_table: pd.DataFrame | None = field(default=None, repr=False)
    _set_up: bool = field(default=False, repr=False)

    def __call__(self, model: ParkModel) -> None:
        if self.places and not self._set_up:
            table = model.places_table()
            if table["id"].astype(str).str.startswith(SYNTHETIC).any():
                self.places_table = table
        self._set_up = True
        if self.network:
            n, e = network_now(model)
            self.nodes.append(n)
            self.edges.append(e)

    def trace(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The network traced: (nodes, edges) of every year."""
        return pd.concat(self.nodes, ignore_index=True), pd.concat(self.edges, ignore_index=True)


def network_trace(config: RunConfig, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The supplier network of one run, every year: (nodes, edges), read after set-up and after each year
    (:func:`network_now`) of the run with that seed. Firms outside any park are left out (the map and the
    network are about parks). A dashboard run traces its first replication as it runs (:class:`Observer`);
    this runs the model again, for another replication on demand."""
    observer = Observer(network=True)
    simulate(config.world, config.policy, seed=seed, on_year=observer)
    return observer.trace()


def network_now(model: ParkModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's supply network now, from its arrays: live firms in parks (nodes) and the distinct
    supplier → customer links among them (edges); the same graph as :meth:`ParkModel.supply_network`
    without its firms outside parks, built without networkx (a python object per firm and year made
    the trace cost twice a run)."""
    f, sectors = model.firms, model.sectors
    rows = live_rows(model.firms)
    rows = rows[f.park[rows] >= 0]
    member = np.zeros(len(f.park), bool)
    member[rows] = True
    src, dst = model.links.live()
    keep = member[src] & member[dst]
    pairs = np.unique(np.stack([src[keep], dst[keep]], axis=1), axis=0) if keep.any() else np.zeros((0, 2), np.int64)
    park = f.park[rows]
    nodes = pd.DataFrame({
        "year": model.year, "firm": rows.astype(int), "park": park.astype(int),
        "sector": pd.Categorical.from_codes(f.sector[rows], sectors.keys),
        "stage": pd.Categorical.from_codes(sectors.stage[f.sector[rows]], STAGES),
        "leading": f.leading[rows].astype(bool), "park_x": model.parks.x[park], "park_y": model.parks.y[park]})
    edges = pd.DataFrame({"year": model.year, "supplier": pairs[:, 0].astype(int), "customer": pairs[:, 1].astype(int)})
    return nodes, edges
