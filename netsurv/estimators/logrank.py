"""Comparing survival curves: the k-sample log-rank test and its G-rho family (R ``survdiff``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from netsurv.counting.kernel import count_prepared
from netsurv.counting.segments import segment_cumsum
from netsurv.counting.sources import refuse_weightless_strata, to_counts, without_unknown_groups
from netsurv.counting.strata import strata_codes
from netsurv.counting.table import Counts
from netsurv.counting.validate import (
    as_by,
    check_columns,
    prepare,
    unknown_label_mask,
)
from netsurv.errors import InputError
from netsurv.estimators.logrank_sums import PooledRisk, pool_counts
from netsurv.results.comparison import TEST_NAMES, LogrankResult
from netsurv.rules import LOGRANK_MAX_GROUPS, UNKNOWN_GROUP_REASON, UNKNOWN_LABELS

__all__ = ["TESTS", "logrank"]

TESTS = tuple(TEST_NAMES)
_ALIASES = {
    "logrank": "log-rank",
    "wilcoxon": "gehan-wilcoxon",
    "gehan": "gehan-wilcoxon",
    "gehan-breslow": "gehan-wilcoxon",
    "peto": "peto-prentice",
    "fh": "fleming-harrington",
}


def logrank(
    df: pd.DataFrame | Counts | Any,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    strata: str | Sequence[str] | None = None,
    rho: float = 0.0,
    trend: bool = False,
    scores: Sequence[float] | None = None,
    weights: str | None = None,
    entry: str | None = None,
    include_unknown: bool = False,
    test: str = "log-rank",
    p: float | None = None,
    q: float | None = None,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    progress: bool = False,
) -> LogrankResult:
    """Test equality of survival curves across the groups of ``by``.

    Parameters
    ----------
    by : grouping column(s); groups labelled "unknown" are left out (and counted in
        ``excluded``) unless ``include_unknown=True``.
    strata : column(s) for a stratified test (R ``survdiff(... + strata(x))``): observed,
        expected and variance are summed over strata.
    rho : G-rho weight S(t-)^rho from the pooled Kaplan–Meier within stratum; 0 = log-rank,
        1 = Peto-Peto modification of the Gehan-Wilcoxon test.
    trend : test for trend across ordered groups (in category order) with ``scores``
        (default 1, 2, …, k): U = sum s_g (O_g - E_g), chi2 = U^2 / (s' V s), 1 dof.
    weights : frequency weights (integer weights give exactly the expanded rows' test).
        The weight *family* of the test is ``test=`` (``weights`` was already taken).
    test : the weighted log-rank family; each weight is computed from the pooled data of the
        test stratum at event time t: "log-rank" (1), "gehan-wilcoxon" (n(t), the number at
        risk; alias "wilcoxon"), "tarone-ware" (sqrt n(t)), "peto-prentice"
        (S~(t) = prod_{s<=t} (1 - d_s / (n_s + 1)); alias "peto": Kleinbaum & Klein's
        "Peto"), "fleming-harrington" (S(t-)^p (1 - S(t-))^q with the pooled Kaplan–Meier S;
        give ``p`` and ``q``). ``rho`` is FH(rho, 0), R ``survdiff``'s G-rho.
    p, q : the Fleming–Harrington exponents (only with ``test="fleming-harrington"``).
    df, engine : as in :func:`netsurv.estimators.kaplan_meier` — a DataFrame, a :class:`netsurv.Counts`
        table made with ``by = strata + by``, or a large source counted by an engine.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "d": [1, 1, 1, 1], "g": ["a", "b", "a", "b"]})
    >>> # by hand: O_a = 2, E_a = 1/2 + 1/3 + 1/2 = 4/3, V = 1/4 + 2/9 + 1/4 = 13/18
    >>> round(logrank(df, time="t", event="d", by="g").statistic, 6)  # (2/3)^2 / (13/18) = 8/13
    0.615385
    """
    weighting = _check_test(test, rho, p, q)
    groups = as_by(by)
    if not groups:
        raise InputError("by: name the column(s) whose groups to compare, e.g. by='extent'")
    layers = as_by(strata)
    both = sorted(set(layers) & set(groups))
    if both:
        raise InputError(
            f"strata={strata!r}, by={by!r}: {', '.join(map(repr, both))} in both; a column "
            "either splits the test (strata=) or defines the groups compared (by=)"
        )
    if isinstance(df, Counts) or engine is not None or not isinstance(df, pd.DataFrame):
        if isinstance(df, Counts):
            counts = df if include_unknown else without_unknown_groups(df, groups)
        else:
            counts = to_counts(
                df,
                time=time,
                event=event,
                by=(*layers, *groups),
                weights=weights,
                entry=entry,
                engine=engine,
                memory_limit=memory_limit,
                progress=progress,
                unknown_groups=None if include_unknown else groups,
            )
        counts = refuse_weightless_strata(counts, weights)
        return _test(counts, layers, groups, rho, trend, scores, counts.excluded, weighting)
    counts, excluded = _count_frame(
        df, time, event, layers, groups, weights, entry, include_unknown
    )
    return _test(counts, layers, groups, rho, trend, scores, excluded, weighting)


def _count_frame(
    df: pd.DataFrame,
    time: str,
    event: str,
    layers: tuple[str, ...],
    groups: tuple[str, ...],
    weights: str | None,
    entry: str | None,
    include_unknown: bool,
) -> tuple[Counts, pd.Series]:
    """The counts of an in-memory frame, without unknown groups unless asked, and what was
    left out (unknown groups first, then the rulebook's exclusions)."""
    for g in groups:
        check_columns(df, {"by": g})
    for s in layers:
        check_columns(df, {"strata": s})
    data = df
    unknown = pd.Series(dtype="int64")
    if not include_unknown:
        mask = np.zeros(len(df), dtype=bool)
        for g in groups:
            mask |= unknown_label_mask(df[g])
        if len(df) and mask.all():
            raise InputError(
                f"by={groups!r}: every group label of the {len(df)} rows means unknown "
                f"({', '.join(sorted(UNKNOWN_LABELS))}): nothing to compare; pass "
                "include_unknown=True to compare them anyway"
            )
        if mask.any():
            data = df.loc[~mask]
            unknown = pd.Series({UNKNOWN_GROUP_REASON: int(mask.sum())})
    prep = prepare(
        data, time=time, event=event, by=(*layers, *groups), weights=weights, entry=entry
    )
    if len(prep.strata) > LOGRANK_MAX_GROUPS:  # refuse before counting when it is clear
        _limit_groups(len(prep.strata[list(groups)].drop_duplicates()), groups)
    counts = refuse_weightless_strata(count_prepared(prep), weights)
    return counts, pd.concat([unknown, prep.excluded]).astype("int64")


def _check_test(
    test: str, rho: float, p: float | None, q: float | None
) -> tuple[str, float | None, float | None]:
    """The canonical name of the test and its Fleming–Harrington (p, q)."""
    for param, value in (("rho", rho), ("p", p), ("q", q)):
        if value is None and param != "rho":
            continue
        real = isinstance(value, int | float | np.integer | np.floating)
        if isinstance(value, bool) or not real or not np.isfinite(value):  # type: ignore[arg-type]
            raise InputError(f"{param}={value!r}: give a finite number, e.g. {param}=1")
    name = _ALIASES.get(str(test).lower(), str(test).lower())
    if name not in TEST_NAMES:
        raise InputError(f"test={test!r}: choose one of {', '.join(TESTS)}")
    if rho != 0 and name != "log-rank":
        raise InputError(
            f"rho={rho!r} with test={test!r}: rho is the G-rho family; use "
            f"test='fleming-harrington', p={rho!r}, q=0 instead"
        )
    if name == "fleming-harrington":
        if p is None or q is None or p < 0 or q < 0:
            raise InputError(
                "test='fleming-harrington': give p= and q= (non-negative), e.g. p=1, q=1"
            )
        return name, float(p), float(q)
    if p is not None or q is not None:
        raise InputError(f"p=, q= belong to test='fleming-harrington', not test={test!r}")
    return name, None, None


def _weight(
    family: tuple[float, str, float | None, float | None],
    n_all: np.ndarray,
    d_all: np.ndarray,
    row_layer: np.ndarray,
) -> np.ndarray:
    """Weight of each pooled row (test stratum x time): one vector, whatever the groups."""
    rho, test, p, q = family
    if test == "gehan-wilcoxon":
        return n_all.astype(np.float64)
    if test == "tarone-ware":
        return np.sqrt(n_all)
    if test == "peto-prentice":  # prod over s <= t of (1 - d/(n + 1)), restarted per stratum
        return np.exp(segment_cumsum(np.log1p(-d_all / (n_all + 1.0)), row_layer))
    if test == "log-rank" and rho == 0:
        return np.ones(len(n_all))
    # pooled Kaplan–Meier just before t, restarted in each test stratum
    step = np.log1p(-np.where(n_all > 0, d_all / n_all, 0.0))
    zero = np.isneginf(step)
    cum = segment_cumsum(np.where(zero, 0.0, step), row_layer) - np.where(zero, 0.0, step)
    zeros_before = segment_cumsum(zero.astype(float), row_layer) - zero
    s = np.where(zeros_before > 0, 0.0, np.exp(cum))
    if test == "log-rank":
        return s**rho
    return s ** (p or 0.0) * (1.0 - s) ** (q or 0.0)


def _layout(
    counts: Counts, layers: tuple[str, ...], groups: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Test-stratum code and group code of each stratum of the counts, and the group table."""
    layer_of, _, _ = strata_codes(counts.strata, layers)
    group_of, group_table, _ = strata_codes(counts.strata, groups)
    return layer_of, group_of, group_table


def _limit_groups(n_groups: int, groups: tuple[str, ...]) -> None:
    if n_groups > LOGRANK_MAX_GROUPS:
        raise InputError(
            f"by={groups!r}: {n_groups:,} groups to compare; the log-rank test compares at most "
            f"{LOGRANK_MAX_GROUPS:,} (its variance is a groups x groups matrix, and a test over "
            "so many groups says nothing useful): combine rare levels into fewer groups, or move "
            "columns from by= to strata="
        )


def _quadratic_form(v: np.ndarray, x: np.ndarray) -> float:
    """x' V^-1 x (R ``survdiff``: ``solve(vv, temp2)``); least squares when V is singular."""
    try:
        return float(x @ np.linalg.solve(v, x))
    except np.linalg.LinAlgError:
        return float(x @ np.linalg.lstsq(v, x, rcond=None)[0])


def _test(
    counts: Counts,
    layers: tuple[str, ...],
    groups: tuple[str, ...],
    rho: float,
    trend: bool,
    scores: Sequence[float] | None,
    excluded: pd.Series,
    weighting: tuple[str, float | None, float | None] = ("log-rank", None, None),
) -> LogrankResult:
    test, fh_p, fh_q = weighting
    layer_of, group_of, group_table = _layout(counts, layers, groups)
    n_groups = len(group_table)
    if n_groups < 2:
        raise InputError(
            f"by={groups!r}: need at least two groups to compare, found {n_groups} "
            "(groups labelled 'unknown' are left out unless include_unknown=True)"
        )
    _limit_groups(n_groups, groups)
    pool = pool_counts(counts, layer_of, group_of, n_groups)
    observed, expected, variance = _sums(pool, (rho, test, fh_p, fh_q), n_groups)
    diff = observed - expected
    if trend:
        statistic, dof, used_scores = _trend_statistic(diff, variance, scores, n_groups)
    else:
        statistic, used_scores = _chi2_statistic(diff, variance, expected), None
        dof = int(np.count_nonzero(expected > 0)) - 1
    n = np.bincount(
        group_of[counts.stratum], weights=counts.n_events + counts.n_censored, minlength=n_groups
    )
    table = group_table.reset_index(drop=True).assign(
        n=n[:n_groups], observed=observed, expected=expected
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        table["(O-E)^2/E"] = diff**2 / expected
    p_value = float(stats.chi2.sf(statistic, dof)) if dof > 0 else np.nan
    return LogrankResult(
        statistic=float(statistic),
        dof=int(dof),
        p_value=p_value,
        table=table,
        variance=variance,
        rho=float(rho),
        by=groups,
        strata=layers,
        trend=trend,
        scores=used_scores,
        excluded=excluded,
        test=test,
        p=fh_p,
        q=fh_q,
    )


def _sums(
    pool: PooledRisk, family: tuple[float, str, float | None, float | None], n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted observed and expected events per group and their variance matrix."""
    n_all, d_all = pool.n_all, pool.d_all
    with np.errstate(divide="ignore", invalid="ignore"):
        w = _weight(family, n_all, d_all, pool.row_layer)
        factor = np.where(n_all > 1, w**2 * d_all * (n_all - d_all) / (n_all - 1), 0.0)
        per_risk = np.where(n_all > 0, 1.0 / n_all, 0.0)  # p_gt = n_gt / n_t
    observed = np.bincount(pool.group, weights=w[pool.row] * pool.events, minlength=n_groups)
    expected = pool.risk_sum(w * d_all * per_risk)  # sum_t w_t d_t n_gt / n_t
    return observed, expected, pool.variance(factor, per_risk)


def _chi2_statistic(diff: np.ndarray, variance: np.ndarray, expected: np.ndarray) -> float:
    """(O - E)' V^- (O - E) over the groups with expected events, one group dropped (V has
    rank k - 1), as R ``survdiff``."""
    keep = np.flatnonzero(expected > 0)
    sub = keep[1:]
    return _quadratic_form(variance[np.ix_(sub, sub)], diff[sub]) if len(sub) else 0.0


def _trend_statistic(
    diff: np.ndarray, variance: np.ndarray, scores: Sequence[float] | None, n_groups: int
) -> tuple[float, int, np.ndarray]:
    """U = s'(O - E), chi2 = U^2 / (s' V s) on 1 dof, with scores 1..k by default."""
    s = np.arange(1.0, n_groups + 1) if scores is None else np.asarray(scores, dtype=float)
    if s.shape != (n_groups,) or not np.isfinite(s).all():
        raise InputError(f"scores: give {n_groups} finite scores, one per group, got {np.shape(s)}")
    u = float(s @ diff)
    v = float(s @ variance @ s)
    return (u * u / v if v > 0 else np.nan), 1, s
