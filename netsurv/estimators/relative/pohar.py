"""The grouped (life-table) Pohar Perme estimator of net survival, as Stata ``strs``'s
``pohar`` option computes it (Coviello, Seppä, Dickman, Bonaventure 2015, *Stata J*
15:173–185; Pohar Perme, Stare, Estève 2012, *Biometrics* 68:113–120).

Each subject entering interval i = (a, a + L] is weighted by the inverse of its expected
survival at the interval's midpoint, w = 1 / S*(a + L/2). With weighted sums over those
entering, n_w = Σ w, deaths d_w = Σ w d, withdrawals c_w = Σ w c, expected deaths
d*_w = Σ w ∫ λ* over the subject's time in the interval, and d2_w = Σ w² d:

    interval net survival  p_PP = 1 − (d_w − d*_w) / (n_w − c_w / 2),
    cumulative             S_PP = Π p_PP,
    standard error         SE(S_PP) = S_PP · sqrt(Σ d2_w / (n_w − c_w / 2)²),

and the confidence interval of ``conf_type`` from SE(log S_PP) = SE / S_PP, not capped at 1
(net survival may exceed 1). Expected survival (S*, λ*) follows the table's conventions: the
exact life-table walk with SEER's, the popmort cell of the interval's start with strs's.
popEpi ``survtab(surv.method = "lifetable", relsurv.method = "pp")`` uses the same interval
formula; its 0.4.10 weights differ (see ``tests/reference/README_pohar.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netsurv.results.bands import confidence_band

__all__ = ["Pairs", "pohar_columns"]


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


def pohar_columns(pairs: Pairs, conf_type: str, conf_level: float) -> dict[str, np.ndarray]:
    """The weighted sums and the Pohar Perme net survival per interval (module docstring)."""
    k, n_int = pairs.shape
    size = k * n_int
    w = np.exp(pairs.lam_mid)  # 1 / S*(midpoint)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(pairs.cell, weights=x, minlength=size)

    n_w = total(w)
    d_w = total(w * pairs.died)
    c_w = total(w * pairs.withdrawn)
    e_w = total(w * pairs.hazard_exit)
    d2_w = total(w * w * pairs.died)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = n_w - c_w / 2
        p = 1 - (d_w - e_w) / eff
        net = np.cumprod(p.reshape(k, n_int), axis=1).ravel()
        se_log = np.sqrt(np.cumsum((d2_w / eff**2).reshape(k, n_int), axis=1).ravel())
        lower, upper = confidence_band(net, se_log, conf_type, conf_level, upper_limit=None)
    return {
        "n_start_weighted": n_w,
        "n_events_weighted": d_w,
        "n_lost_weighted": c_w,
        "expected_events_weighted": e_w,
        "n_effective_weighted": eff,
        "interval_net": p,
        "net": net,
        "std_err_net": net * se_log,
        "lower_net": lower,
        "upper_net": upper,
    }
