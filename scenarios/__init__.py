"""What to run: scenario files (TOML), their loader and validation, and parks from the 2018 catalogue.

``load_scenario("nanyang_2009")`` reads ``scenarios/nanyang_2009.toml`` (or any path), follows its
``extends`` chain and returns a validated :class:`Scenario` (world, policy, replications, root
seed, targets, optional sweep design). Nothing runs and nothing is written for an invalid file.
"""

from .catalogue import CatalogueParks, parks_from_catalogue
from .loader import Scenario, SweepSpec, available, find_scenario, load_scenario
from .targets import Target, read_targets

__all__ = ["CatalogueParks", "Scenario", "SweepSpec", "Target", "available", "find_scenario", "load_scenario",
           "parks_from_catalogue", "read_targets"]
