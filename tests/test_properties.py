"""Randomised invariants: random valid worlds and policies drawn from the declared parameter ranges.

Every int, float and bool parameter of :class:`WorldConfig` and of each rule is drawn from its
``param()`` metadata, so a parameter added later is covered without touching this file. Only the sizes
that set the cost of a run (years, parks, firms, projects) are drawn from small ranges, so that an
example runs in a fraction of a second. Half the worlds have explicit parks drawn from the ranges
``ParkSpec.check`` allows. Each rule is on or off at random, and about one example in ten
has every rule on; rules that use the ranking (``NEEDS_EVALUATION``) turn V1 on with them.

CI runs ``PROFILE`` (a bounded, derandomised number of examples); ``benchmarks/bench_properties.py``
runs the same strategy for thousands.
"""

from __future__ import annotations

import dataclasses

from conftest import assert_accounts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parksim.simulation import ParkModel, ParkSpec, Policy, WorldConfig
from parksim.simulation.params import MAX_AREA_MU
from parksim.simulation.policy import INDICATORS, LEVELS, NEEDS_EVALUATION, RULE_IDS, RULES
from parksim.simulation.sectors import default_sectors

SECTORS = default_sectors()

# The sizes that make a run slow, each drawn from a small range instead of its declared one.
SMALL = {"years": (1, 8), "n_parks": (1, 6), "n_cities": (1, 4), "initial_firms": (0, 120),
         "projects_per_year": (0.0, 60.0), "new_parks_per_year": (0.0, 2.0), "project_growth": (-0.5, 0.3),
         "links_per_firm": (0, 8), "C3.induced_projects": (0.0, 1.0), "burn_in": (0, 8)}
# Orderings the records check across parameters (WorldConfig.__post_init__, policy._check_pairs):
# drawn values are sorted into them.
ORDERED = {"world": [("investment_min", "investment_max"), ("leading_wish_min", "leading_wish_max")],
           "L2": [("county_key_min", "city_key_min", "reserve_min")], "L8": [("min_factor", "max_factor")],
           "V6": [("class_c_min", "class_b_min", "class_a_min")]}
SHARES = (("national_share", "provincial_share", "city_share"),     # generated park levels: sum <= 1
          ("vat_share_of_tax", "cit_share_of_tax"))                   # a firm's tax mix (finance.py): sum <= 1

PROFILE = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def value_of(f: dataclasses.Field, key: str) -> st.SearchStrategy:
    """Any valid value of one declared parameter (or of its small range, for the sizes in SMALL).

    Half the time a parameter keeps its default, so that a case moves some parameters to the ends of
    their ranges while the rest keep an economy going in which the rules have something to act on.
    """
    m = f.metadata
    lo, hi = SMALL.get(key, (m["lo"], m["hi"]))
    if m.get("choices"):
        anywhere = st.sampled_from(m["choices"])
    elif f.type == "bool":
        anywhere = st.booleans()
    elif f.type == "int":
        anywhere = st.integers(lo, hi)
    else:
        anywhere = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return anywhere if key in SMALL else st.one_of(st.just(f.default), anywhere)


def values_of(draw, cls: type, owner: str) -> dict:
    """A draw of every scalar parameter of ``cls`` but ``enabled``, with its orderings restored."""
    values = {f.name: draw(value_of(f, f"{owner}.{f.name}" if owner != "world" else f.name))
              for f in dataclasses.fields(cls) if f.type in ("int", "float", "bool") and f.name != "enabled"}
    for group in ORDERED.get(owner, ()):
        for name, value in zip(group, sorted(values[n] for n in group)):
            values[name] = value
    return values


@st.composite
def parks(draw) -> tuple[ParkSpec, ...]:
    """Explicit parks anywhere in the ranges ParkSpec.check allows, in one to three cities."""
    specs = []
    for i in range(draw(st.integers(*SMALL["n_parks"]))):
        specs.append(ParkSpec(
            name=f"p{i}", level=draw(st.sampled_from(LEVELS)), city=draw(st.sampled_from(("a", "b", "c"))),
            area_mu=draw(st.floats(0, MAX_AREA_MU, exclude_min=True)),
            lon=draw(st.floats(-180, 180)), lat=draw(st.floats(-90, 90)),
            urban=draw(st.booleans()), infrastructure=draw(st.floats(0, 1)),
            leading=tuple(draw(st.lists(st.sampled_from(SECTORS.keys), max_size=6, unique=True)))))
    return tuple(specs)


@st.composite
def worlds(draw) -> WorldConfig:
    """A small world with every other parameter anywhere in its declared range; half have explicit parks."""
    values = values_of(draw, WorldConfig, "world")
    for group in SHARES:
        total = sum(values[k] for k in group)
        if total > 1:
            values.update({k: values[k] / total * (1 - 1e-9) for k in group})
    values["burn_in"] = min(values["burn_in"], values["years"])           # the rules' base year within the run
    world = WorldConfig(**values)
    return world.with_parks(draw(parks())) if draw(st.booleans()) else world


@st.composite
def weights(draw) -> dict:
    """V1 indicator weights: a random non-empty subset of indicators, weights adding up to 1."""
    chosen = draw(st.lists(st.sampled_from(INDICATORS), min_size=1, unique=True))
    raw = [draw(st.floats(0.01, 1.0)) for _ in chosen]
    return {k: w / sum(raw) for k, w in zip(chosen, raw)}


@st.composite
def policies(draw) -> Policy:
    """Each rule on or off (all on about one time in ten), every parameter from its declared range."""
    everything = draw(st.integers(0, 9)) == 0
    on = {rid for rid in RULE_IDS if everything or draw(st.booleans())}
    if on & set(NEEDS_EVALUATION):
        on.add("V1")
    rules = {rid: {**values_of(draw, RULES[rid], rid), "enabled": rid in on} for rid in RULE_IDS}
    rules["V1"]["weights"] = draw(weights())
    return Policy.from_dict(rules)


def run_checked(world: WorldConfig, policy: Policy, seed: int) -> ParkModel:
    """Run to the horizon and check the ledgers; any exception is a failure of the property."""
    model = ParkModel(world, policy, rng=seed)
    for _ in range(world.years):
        model.step()
    assert_accounts(model)
    model.release()
    return model


CASES = st.tuples(worlds(), policies(), st.integers(0, 2**32 - 1))


@PROFILE
@given(case=CASES)
def test_random_worlds_and_policies_run_and_keep_the_accounts(case):
    """Any valid world and policy runs without raising, and land, money and population balance."""
    run_checked(*case)
