"""Local-government finance and platform debt (S1-S8, L6, L8; ODD §7.18).

Every public account — each park (its management committee with its platform company, S8) and each
local government (one per city label) — is a row of one yearly ledger; money moves only through it.
"""

from __future__ import annotations

import numpy as np


def spendable(model) -> np.ndarray:
    """万元 each park can still pay this year: its cash plus the debt room its platform has left (S8)."""
    pk = model.parks
    return np.maximum(pk.cash, 0.0) + np.maximum(pk.debt_limit - pk.debt, 0.0)


def expected_award_coverage(model) -> np.ndarray:
    """Share of an award claim a firm expects each park to pay: what it paid of last year's claims
    (1 before any claim), so a firm's expected subsidy is what the park can actually pay."""
    return np.clip(model.parks.award_coverage, 0.0, 1.0)
