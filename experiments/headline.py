"""The headline metrics of a run: what the store's metrics table, summaries and comparisons report."""

from .costs import COST_METRICS

# Headline metrics: final-year values of the yearly series, totals over the run, and the cost-effectiveness
# metrics of the finance accounts (:mod:`.costs`; absent from runs without accounts).
FINAL = ("output", "output_in_parks", "value_added", "tax", "employment", "firms_producing",
         "share_producing_in_parks", "tax_per_mu", "investment_intensity", "land_granted", "land_idle",
         "hightech_share", "top3_share", "declared_share", "chain_completeness", "eg_gamma_mean",
         "pollution", "energy", "parks_active", "parks_revoked_total")
TOTALS = ("entries", "exits", "projects_lost", "land_recovered", "subsidies_paid", "idle_fees")
HEADLINE = FINAL + tuple(f"total_{k}" for k in TOTALS) + COST_METRICS
