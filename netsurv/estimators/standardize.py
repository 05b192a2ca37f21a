"""Age-standardised net survival with the International Cancer Survival Standards (ICSS).

Net survival is estimated separately in the five ICSS age groups (15–44, 45–54, 55–64,
65–74, 75+) and combined with fixed weights (Corazziari, Quinn, Capocaccia, Eur J Cancer
2004;40:2307-16): S_std(t) = Σ_g w_g S_g(t), Var S_std(t) = Σ_g w_g² Var S_g(t) (the age
groups are independent samples). ICSS 1 suits cancers whose incidence rises with age (all the
digestive and lung sites where NENs arise), ICSS 2 broadly constant incidence, ICSS 3 young
adults.

Rules, as SEER*Stat and the CONCORD programme apply them in spirit (a standardised figure is
only given when every age group contributes an estimate):

* patients under 15 have no ICSS weight: they are left out and counted
  (``excluded`` reason "age under 15 (no ICSS weight)");
* if an age group has fewer than ``min_patients`` patients (default 10; configurable — no
  survival-specific official threshold was found), or its net survival at t is undefined
  (nobody followed that long), the standardised estimate at t is not given (NaN) and
  ``note`` says which group and why. Groups are never merged or reweighted silently.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.validate import as_by
from netsurv.errors import InputError
from netsurv.estimators.relative.net import relative_survival
from netsurv.results.bands import ConfType, confidence_band
from netsurv.results.curves import SurvivalCurves
from netsurv.results.standardized import StandardizedSurvival

__all__ = ["AGE_GROUPS", "ICSS", "StandardizedSurvival", "standardize"]

AGE_GROUPS = ("15-44", "45-54", "55-64", "65-74", "75+")
_AGE_EDGES = [15, 45, 55, 65, 75, np.inf]
# Corazziari et al. 2004, broad age groups (SEER "Std Case Distribution", popEpi ICSS summed)
ICSS: dict[str, dict[str, float]] = {
    "ICSS1": dict(zip(AGE_GROUPS, (0.07, 0.12, 0.23, 0.29, 0.29), strict=True)),
    "ICSS2": dict(zip(AGE_GROUPS, (0.28, 0.17, 0.21, 0.20, 0.14), strict=True)),
    "ICSS3": dict(zip(AGE_GROUPS, (0.60, 0.10, 0.10, 0.10, 0.10), strict=True)),
}
AGE_GROUP_COLUMN = "icss_age_group"
UNDER_15 = "age under 15 (no ICSS weight)"


def _weights(weights: str | Mapping[str, float]) -> dict[str, float]:
    if isinstance(weights, str):
        key = weights.upper().replace(" ", "").replace("-", "")
        if key not in ICSS:
            raise InputError(f"standard={weights!r}: choose 'ICSS1', 'ICSS2', 'ICSS3' or a dict")
        return ICSS[key]
    w = {str(k): float(v) for k, v in weights.items()}
    if set(w) != set(AGE_GROUPS):
        raise InputError(f"standard: give one weight for each age group {list(AGE_GROUPS)}")
    if abs(sum(w.values()) - 1) > 1e-9 or min(w.values()) < 0:
        raise InputError(
            f"standard: weights must be non-negative and sum to 1 (they sum to {sum(w.values())})"
        )
    return w


def standardize(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    standard: str | Mapping[str, float] = "ICSS1",
    age: str = "age_dx",
    times: Sequence[float] = (12, 36, 60),
    min_patients: int = 10,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    **kwargs: Any,
) -> StandardizedSurvival:
    """Age-standardised net survival at ``times`` per stratum of ``by``.

    Parameters
    ----------
    df, by : registry frame and grouping columns.
    standard : the age standard: "ICSS1" (default), "ICSS2", "ICSS3", or a dict
        {age group: weight}. (``weights=`` is its old name, accepted with a
        DeprecationWarning: in netsurv ``weights=`` always names frequency weights.)
    age : age at diagnosis in years (completed years are grouped as they are: 44 is 15–44).
    times : follow-up times (unit of ``time``; months by default).
    min_patients : smallest age group for which an estimate is combined (see module doc).
    **kwargs : passed to :func:`netsurv.relative_survival` (``method``, ``time``, ``event``,
        ``time_unit``, ``sex``, ``year``, ``date_dx``, ``lifetable``, ...).
    """
    if "weights" in kwargs:
        warnings.warn("standardize(weights=...) is now standard=...", DeprecationWarning, 2)
        standard = kwargs.pop("weights")
    w = _weights(standard)
    by_cols = as_by(by)
    fit = relative_survival(
        _with_age_groups(df, age),
        by=[*by_cols, AGE_GROUP_COLUMN],
        age=age,
        conf_type=conf_type,
        conf_level=conf_level,
        **kwargs,
    )
    cells = _cells(fit, by_cols, times, w, min_patients)
    agg = _weighted_sums(cells, [*by_cols, "time"], conf_type, conf_level)
    by_age = cells[[*by_cols, AGE_GROUP_COLUMN, "weight", "n", "time", "survival", "std_err"]]
    return StandardizedSurvival(
        agg, by_age.rename(columns={AGE_GROUP_COLUMN: "age_group"}), w, fit.excluded
    )


def _with_age_groups(df: pd.DataFrame, age: str) -> pd.DataFrame:
    """A copy with the standard's age group per row; patients under 15 are excluded with the
    reason :data:`UNDER_15` (no standard covers them)."""
    if age not in df.columns:
        raise InputError(f"age={age!r}: no such column")
    if AGE_GROUP_COLUMN in df.columns:
        raise InputError(f"the frame already has a column {AGE_GROUP_COLUMN!r}; rename it")
    a = pd.to_numeric(df[age], errors="coerce")
    work = df.copy()
    work[AGE_GROUP_COLUMN] = pd.cut(a, _AGE_EDGES, right=False, labels=list(AGE_GROUPS))
    reason = (
        work["exclusion"].astype("string")
        if "exclusion" in work.columns
        else pd.Series(pd.NA, index=work.index, dtype="string")
    )
    work["exclusion"] = reason.mask(reason.isna() & (a < 15), UNDER_15)
    return work


def _cells(
    fit: SurvivalCurves,
    by_cols: tuple[str, ...],
    times: Sequence[float],
    w: dict[str, float],
    min_patients: int,
) -> pd.DataFrame:
    """Every (stratum, age group, time) cell with its survival, weight and patients, and a
    note where an age group is too small or not followed so long (so a gap is visible)."""
    at = fit.at(list(times))
    counts = fit.strata.copy()
    counts["n"] = fit.n
    at = at.merge(counts, on=[*by_cols, AGE_GROUP_COLUMN], how="left")
    strata = fit.strata[list(by_cols)].drop_duplicates() if by_cols else pd.DataFrame(index=[0])
    full = strata.merge(pd.DataFrame({AGE_GROUP_COLUMN: list(AGE_GROUPS)}), how="cross")
    full = full.merge(pd.DataFrame({"time": list(times)}), how="cross")
    full[AGE_GROUP_COLUMN] = full[AGE_GROUP_COLUMN].astype(str)
    at[AGE_GROUP_COLUMN] = at[AGE_GROUP_COLUMN].astype(str)
    cells = full.merge(at, on=[*by_cols, AGE_GROUP_COLUMN, "time"], how="left")
    cells["weight"] = cells[AGE_GROUP_COLUMN].map(w)
    cells["n"] = cells["n"].fillna(0)
    cells["note"] = np.where(
        cells["n"] < min_patients,
        cells[AGE_GROUP_COLUMN] + ": " + cells["n"].astype(int).astype(str) + " patients",
        np.where(
            cells["survival"].isna(), cells[AGE_GROUP_COLUMN] + ": not followed so long", None
        ),
    )
    return cells


def _weighted_sums(
    cells: pd.DataFrame, keys: list[str], conf_type: ConfType, conf_level: float
) -> pd.DataFrame:
    """Sum of w S and of w^2 SE^2 over the age groups of each key; no estimate where a cell
    carries a note; the interval on ``conf_type``'s scale."""
    cells = cells.assign(
        wS=cells["weight"] * cells["survival"],
        wV=cells["weight"] ** 2 * cells["std_err"] ** 2,
    )
    agg = cells.groupby(keys, sort=False, observed=True).agg(
        survival=("wS", lambda s: s.sum(min_count=len(s))),
        var=("wV", lambda s: s.sum(min_count=len(s))),
        note=("note", lambda s: "; ".join(x for x in s if x) or pd.NA),
    )
    agg = agg.reset_index()
    agg.loc[agg["note"].notna(), ["survival", "var"]] = np.nan
    agg["std_err"] = np.sqrt(agg.pop("var"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lo, hi = confidence_band(
            agg["survival"].to_numpy(),
            (agg["std_err"] / agg["survival"]).to_numpy(),
            conf_type,
            conf_level,
        )
    agg["lower"], agg["upper"] = lo, hi
    return agg[[*keys, "survival", "std_err", "lower", "upper", "note"]]
