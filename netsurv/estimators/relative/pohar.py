"""The grouped (life-table) Pohar Perme estimator of net survival.

Each subject entering interval (a, a + L] is weighted by the inverse of its expected survival
at the interval's midpoint, w = 1 / S*(a + L/2) (Pohar Perme, Stare, Estève 2012, *Biometrics*
68:113–120; in life tables: Seppä and Pokhrel, strs 1.4, and Coviello, Seppä, Dickman,
Bonaventure 2015, *Stata J* 15:173–185). With weighted sums over those entering, n_w = Σ w,
deaths d_w = Σ w d, withdrawals c_w = Σ w c (alive, leaving inside the interval) and
d2_w = Σ w² d, two interval formulas are offered:

``"strs"`` (default; Stata ``strs ..., pohar``, Dickman's published tables):
    λ_i = −log p*_i, the subject's expected hazard over the whole interval; a weighted mean
    λ_w = Σ w h λ / Σ w h with h = 1/2 for those who die or withdraw in the interval and 1
    otherwise; interval net survival p_PP = (1 − d_w / (n_w − c_w/2)) · exp(λ_w);
    SE(S_PP) = S_PP · sqrt(Σ d2_w / (n_w − c_w/2 − d_w/2)²); the log-log interval is S_PP
    itself where S_PP ≥ 1 (as strs).
``"popepi"`` (R popEpi ``survtab(surv.method = "lifetable", relsurv.method = "pp")``'s
    formula): expected deaths d*_w = Σ w ∫ λ* over the subject's time in the interval;
    p_PP = 1 − (d_w − d*_w) / (n_w − c_w/2); SE(S_PP) = S_PP · sqrt(Σ d2_w / (n_w − c_w/2)²)
    (popEpi 0.4.10 itself divides by the unweighted n'; see tests/reference/README_pohar.md).

Cumulative net survival S_PP is the product of the interval values; confidence intervals use
SE(log S_PP) = SE / S_PP and are not capped at 1 (net survival may exceed 1). Expected
survival (S*, λ*) follows the life table's conventions: the exact life-table walk with
SEER's, the popmort cell at the interval's start with strs's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from netsurv.results.bands import confidence_band

__all__ = ["POHAR_FORMULAS", "Pairs", "PoharFormula", "pohar_columns"]

PoharFormula = Literal["strs", "popepi"]
POHAR_FORMULAS = ("strs", "popepi")


@dataclass(frozen=True)
class Pairs:
    """One row per (subject, life-table interval it enters).

    ``cell`` = stratum · n_intervals + interval; ``died``/``withdrawn``: it leaves in this
    interval by death / alive inside it; ``lam_mid``: its expected cumulative hazard at the
    interval's midpoint; ``hazard_exit``: expected hazard from the interval's start to its
    exit from the interval (its own time in it); ``hazard``: over the whole interval."""

    shape: tuple[int, int]  # strata, intervals
    cell: np.ndarray
    died: np.ndarray
    withdrawn: np.ndarray
    lam_mid: np.ndarray
    hazard_exit: np.ndarray
    hazard: np.ndarray


def pohar_columns(
    pairs: Pairs, conf_type: str, conf_level: float, formula: PoharFormula = "strs"
) -> dict[str, np.ndarray]:
    """The weighted sums and the Pohar Perme net survival per interval (module docstring)."""
    k, n_int = pairs.shape
    w = np.exp(pairs.lam_mid)  # 1 / S*(midpoint)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(pairs.cell, weights=x, minlength=k * n_int)

    n_w, d_w, c_w = total(w), total(w * pairs.died), total(w * pairs.withdrawn)
    d2_w = total(w * w * pairs.died)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = n_w - c_w / 2
        if formula == "strs":
            half = np.where(pairs.died | pairs.withdrawn, 0.5, 1.0)
            lam_w = total(w * half * pairs.hazard) / total(w * half)
            expected = lam_w * eff  # reported as weighted expected deaths
            p = (1 - d_w / eff) * np.exp(lam_w)
            var = d2_w / (eff - d_w / 2) ** 2
        else:
            expected = total(w * pairs.hazard_exit)
            p = 1 - (d_w - expected) / eff
            var = d2_w / eff**2
        grid = (k, n_int)
        net = np.cumprod(p.reshape(grid), axis=1).ravel()
        se_log = np.sqrt(np.cumsum(var.reshape(grid), axis=1).ravel())
        lower, upper = confidence_band(net, se_log, conf_type, conf_level, upper_limit=None)
        if formula == "strs":  # strs: no interval where net survival is 1 or more
            lower, upper = np.where(net >= 1, net, lower), np.where(net >= 1, net, upper)
    return {
        "n_start_weighted": n_w,
        "n_events_weighted": d_w,
        "n_lost_weighted": c_w,
        "expected_events_weighted": expected,
        "n_effective_weighted": eff,
        "interval_net": p,
        "net": net,
        "std_err_net": net * se_log,
        "lower_net": lower,
        "upper_net": upper,
    }
