"""Comparing net survival between groups: the Pohar Perme test (R ``relsurv::rs.diff``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd
from scipy import stats

from netsurv.errors import InputError
from netsurv.estimators.relative.ratemap import RateKeywords, RateMap, rate_map
from netsurv.estimators.relative.subjects import subjects
from netsurv.estimators.relative.sums import diff_sums
from netsurv.results.nettest import NetSurvivalTest

__all__ = ["relative_survival_test"]


def relative_survival_test(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str],
    time: str = "survival_months",
    event: str = "dead",
    rates: RateMap | None = None,
    **rate_keywords: Unpack[RateKeywords],
) -> NetSurvivalTest:
    """Compare net survival between the groups of ``by`` (Graffeo et al. 2016; R ``rs.diff``).

    On a grid of every day up to the last follow-up, with weights 1/S_P,i:
    Z_k = Σ_t [dN_k^w − Y_k^w / Y^w · dN^w], dN^w = Σ dN_i/S_P,i − Σ Y_i ΔΛ_P,i/S_P,i;
    cov = Σ_k Σ_t (e_k − Y^w/Y^w_total)(…)ᵀ Σ dN_i/S_P,i²; statistic = Z C⁻¹ Zᵀ on k−1
    groups, chi-square with k−1 degrees of freedom. Follow-up is converted to days; on
    whole-month data the grid has a point at every day as in R. ``rates`` and
    ``**rate_keywords``: population matching, as in :func:`netsurv.relative_survival`
    (:class:`~netsurv.estimators.relative.ratemap.RateMap`; no ``entry``).
    """
    s = subjects(
        df,
        time=time,
        event=event,
        by=by,
        rmap=rate_map(rates, rate_keywords, caller="relative_survival_test", refuse=("entry",)),
    )
    k = len(s.strata)
    if k < 2:
        raise InputError(f"by={by!r}: only one group in the data; compare at least two groups")
    _, q = diff_sums(s.table, s.stratum, k, s.days, s.status, s.age, s.pos, s.sex, s.race)
    w_risk, w_event = q.weighted_at_risk, q.weighted_events - q.weighted_expected
    total_risk, total_event = w_risk.sum(axis=0), w_event.sum(axis=0)
    use = total_risk > 0
    share = w_risk[:, use] / total_risk[use]
    z = (w_event[:, use] - share * total_event[use]).sum(axis=1)
    eye = np.eye(k)
    cov = np.zeros((k, k))
    for g in range(k):  # per group: k x k outer products summed over the grid
        dev = eye[g][:, None] - share
        cov += (dev * q.weighted_events_sq[g, use]) @ dev.T
    zz = z[:-1]
    stat = float(zz @ np.linalg.solve(cov[:-1, :-1], zz))
    table = s.strata.copy()
    table["n"] = np.bincount(s.stratum, minlength=k)
    table["n_events"] = np.bincount(s.stratum, weights=s.status, minlength=k)
    table["z"] = z
    return NetSurvivalTest(
        stat, k - 1, float(stats.chi2.sf(stat, k - 1)), table, cov, excluded=s.excluded
    )
