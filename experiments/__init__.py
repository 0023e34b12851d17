"""Running experiments: one run, sweeps with replications, result store, comparisons, targets.

Everything the ``parksim`` command does is one import away::

    from parksim.experiments import run, sweep, run_one, compare, Store
    report = run("nanyang_2009", executor="pool")          # runs/nanyang_2009, resumable
    metrics = report.store.read("metrics")                  # one row per run
    table = compare(Store("runs/baseline"), Store("runs/nanyang_2009"))  # or compare_scenarios(a, b)
"""

from .compare import compare, summarise, target_shares
from .design import design_for, explicit, full_factorial, latin_hypercube
from .executors import DaskExecutor, PoolExecutor, SerialExecutor, make_executor
from .headline import HEADLINE
from .runner import Plan, Report, RunConfig, RunResult, compare_scenarios, execute, plan, replication_seeds, run, run_one, sweep
from .store import Store, StoreBusy, StoreDamaged, StoreError, StoreMismatch

__all__ = ["DaskExecutor", "HEADLINE", "Plan", "PoolExecutor", "Report", "RunConfig", "RunResult", "SerialExecutor",
           "Store", "StoreBusy", "StoreDamaged", "StoreError", "StoreMismatch", "compare", "compare_scenarios",
           "design_for", "execute", "explicit", "full_factorial", "latin_hypercube", "make_executor", "plan",
           "replication_seeds", "run", "run_one", "summarise", "sweep", "target_shares"]
