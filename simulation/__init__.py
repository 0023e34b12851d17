"""ParkSim's model: firms, parks and government under the rules of POLICY_RULES.md."""

from .errors import ConfigError
from .model import ParkModel
from .observe import RunOutputs
from .policy import RULE_IDS, Policy
from .run import simulate
from .world import ParkSpec, WorldConfig

__all__ = ["ConfigError", "ParkModel", "Policy", "ParkSpec", "RULE_IDS", "RunOutputs", "WorldConfig", "simulate"]
