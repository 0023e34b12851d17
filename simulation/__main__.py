"""`python -m parksim.simulation`: run the default scenario once and write its outputs as CSV."""

import sys
from pathlib import Path

from .run import simulate

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/default")
out.mkdir(parents=True, exist_ok=True)
result = simulate(seed=1)
for name in ("series", "parks", "firms", "events"):
    getattr(result, name).to_csv(out / f"{name}.csv", index=False)
last = result.series.iloc[-1]
print(f"default scenario, seed 1: {int(last.firms_producing)} producing firms, output {last.output:,.0f} 万元, "
      f"tax per mu {last.tax_per_mu:.1f} 万元 in {int(last.year)}")
print(f"outputs written to {out.resolve()}")
