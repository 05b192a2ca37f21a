"""Excess-hazard (relative-survival) regression: the Poisson GLM for grouped data.

The model (Dickman, Sloggett, Hills, Hakulinen 2004, *Stat Med* 23:51–64) splits follow-up at
``breaks`` and groups it by interval × covariate pattern. In group j with d_j deaths,
y_j person-time and d*_j expected deaths (from the population life table),

    d_j ~ Poisson(mu_j),   log(mu_j − d*_j) = log(y_j) + β_interval + x_j β,

so exp(β) are excess hazard ratios and exp(β_interval) the baseline excess hazard per unit of
time. It is fitted by statsmodels' GLM (IRLS) with a link ``log(mu − d*)``, exactly the model of
R ``relsurv::rsadd(method = "glm.poi")``. Expected deaths follow relsurv: subject i present in
interval (a, b] contributes y_i × (−log p*_i) / (b − a), where p*_i is its expected survival
over the whole interval from its attained age and calendar time at a.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal, Unpack

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.families import links
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import DomainWarning

from netsurv.counting.validate import as_by
from netsurv.errors import InputError
from netsurv.estimators.relative.ratemap import RateKeywords, RateMap, rate_map
from netsurv.estimators.relative.subjects import Subjects, anniversary_hazard, subjects
from netsurv.ratetables.walk import cumhaz_at, walk
from netsurv.results.excess import (
    INTERVAL,
    ExcessHazardResult,
    LikelihoodRatioTest,
    covariate_design,
    covariate_levels,
)

__all__ = ["ExcessHazardResult", "LikelihoodRatioTest", "excess_hazard", "grouped_data"]


class _ExcessLog(links.Link):
    """Link g(mu) = log(mu − d*) with a fixed d* per observation."""

    def __init__(self, dstar: np.ndarray) -> None:
        self.dstar = dstar

    def __call__(self, p: Any) -> Any:
        return np.log(p - self.dstar)

    def inverse(self, z: Any) -> Any:
        return self.dstar + np.exp(z)

    def deriv(self, p: Any) -> Any:
        return 1.0 / (p - self.dstar)

    def deriv2(self, p: Any) -> Any:
        return -1.0 / (p - self.dstar) ** 2

    def inverse_deriv(self, z: Any) -> Any:
        return np.exp(z)

    def inverse_deriv2(self, z: Any) -> Any:
        return np.exp(z)


class _ExcessPoisson(families.Poisson):
    """Poisson error with the excess-hazard link; starts where relsurv starts (mu > d*)."""

    def __init__(self, dstar: np.ndarray) -> None:
        super().__init__(link=_ExcessLog(dstar), check_link=False)
        self.dstar = dstar

    def starting_mu(self, y: Any) -> Any:
        return np.maximum(y, self.dstar) + 0.1


def grouped_data(
    s: Subjects, covariates: pd.DataFrame, breaks_days: np.ndarray, strs: bool = False
) -> pd.DataFrame:
    """Deaths, person-time (days) and expected deaths per interval × covariate pattern.

    ``covariates`` holds one row per subject of ``s`` (the grouping columns). Subjects are
    followed from 0 (or their entry time) to their exit, censored at the last break.
    ``strs``: the expected hazard of an interval is that of the popmort cell at its start
    (:func:`~.subjects.anniversary_hazard`), as Stata ``strs`` computes d*.
    """
    n, b = len(s.days), breaks_days
    k = len(b) - 1
    if strs:
        whole = np.floor(b[:-1] / 365.24 + 1e-9).astype(np.int64)  # years since diagnosis
        subj = np.repeat(np.arange(n), k)
        # -log(annual probability) per 365.24-day year of follow-up (strs's y in years)
        annual = anniversary_hazard(s, subj, np.tile(whole, n)) * s.table.days_per_age_year
        rate = (annual / 365.24).reshape(n, k)
    else:
        # expected cumulative hazard of every subject at every break (exact walk)
        pieces = walk(s.table, s.age, s.pos, s.sex, s.race, np.full(n, b[-1]))
        cum = cumhaz_at(pieces, n, b)  # n x (k + 1)
        rate = np.diff(cum, axis=1) / np.diff(b)[None, :]  # average expected hazard per day
    start = np.zeros(n) if s.entry is None else s.entry
    lo = np.maximum(b[None, :-1], start[:, None])
    y = np.clip(np.minimum(s.days[:, None], b[None, 1:]) - lo, 0.0, None)
    died = (s.status > 0)[:, None] & (s.days[:, None] > b[None, :-1])
    died &= (s.days[:, None] <= b[None, 1:]) & (s.days[:, None] > start[:, None])
    pattern, table = _pattern_codes(covariates)
    cell = (pattern[:, None] * k + np.arange(k)[None, :]).ravel()
    size = len(table) * k
    sums = {
        "deaths": np.bincount(cell, weights=died.ravel().astype(float), minlength=size),
        "person_time": np.bincount(cell, weights=y.ravel(), minlength=size),
        "expected": np.bincount(cell, weights=(y * rate).ravel(), minlength=size),
    }
    j = np.tile(np.arange(k), len(table))
    out = table.iloc[np.repeat(np.arange(len(table)), k)].reset_index(drop=True)
    out["start"], out["end"], out["_interval"] = b[:-1][j], b[1:][j], j
    for name, v in sums.items():
        out[name] = v
    return out.loc[out["person_time"] > 0].reset_index(drop=True)


def _pattern_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each row's covariate pattern and the table of distinct patterns."""
    if frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=[0])
    codes = frame.groupby(list(frame.columns), sort=True, observed=True, dropna=False).ngroup()
    table = frame.assign(_code=codes.to_numpy()).drop_duplicates("_code").sort_values("_code")
    return codes.to_numpy(dtype=np.int64), table.drop(columns="_code").reset_index(drop=True)


def excess_hazard(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    covariates: str | Sequence[str] = (),
    breaks: Sequence[float] = (0, 12, 24, 36, 48, 60),
    interactions: Sequence[tuple[str, str]] = (),
    group_by: str | Sequence[str] = (),
    rates: RateMap | None = None,
    conf_level: float = 0.95,
    conventions: Literal["relsurv", "strs"] = "relsurv",
    **rate_keywords: Unpack[RateKeywords],
) -> ExcessHazardResult:
    """Fit an excess-hazard (relative-survival) Poisson regression to registry data.

    Parameters
    ----------
    df : canonical registry frame (one row per tumour).
    time, event : follow-up (in ``time_unit``) and death indicator.
    covariates : model covariates. Categorical and string columns get one excess hazard ratio
        per level against the first level (category order; sorted for strings); numeric
        columns enter linearly (per unit).
    breaks : interval boundaries in ``time_unit``, starting at 0; the baseline excess hazard is
        constant within each interval; follow-up beyond the last break is censored.
    interactions : pairs of covariates whose product terms enter the model. A pair with
        ``"interval"`` — e.g. ``("extent", "interval")`` — lets that covariate's excess
        hazard ratio change between the intervals of ``breaks`` (a time-varying effect, as
        Dickman et al. 2004 model non-proportional excess hazards): its terms are the ratio
        in each later interval to the ratio in the first.
    group_by : extra columns to group by without modelling them (to fit a smaller model on the
        same grouped data as a larger one, as :meth:`ExcessHazardResult.lr_test` needs).
    rates, **rate_keywords : population matching, exactly as in
        :func:`netsurv.relative_survival` (:class:`~netsurv.estimators.relative.ratemap.RateMap`:
        time_unit, age, sex, year, date_dx, month, race, lifetable, completed_age, age_unit,
        zero_time, entry).
    conf_level : level of the Wald confidence intervals.
    conventions : how expected deaths d* are found. "relsurv" (default): each patient's
        exact walk through the rate table over the interval (R ``rsadd``). "strs" (Stata
        ``strs``, Dickman et al. 2004): the rate of the table cell at completed age at
        diagnosis + whole years and year of diagnosis + whole years (both moving on
        anniversaries of diagnosis) at the interval's start; ages are completed years and
        zero follow-up is left out (Stata ``stset``). The fit follows each program's GLM:
        IRLS with expected-information standard errors (R ``glm``) for "relsurv";
        Newton-Raphson with observed-information (OIM) standard errors (Stata ``glm``,
        ``link(rs d_star)``) for "strs" — they differ because the link is not canonical.

    Returns
    -------
    ExcessHazardResult
        ``table`` (term, level, ehr, lower, upper, p_value), ``baseline``, ``groups``,
        ``deviance``, ``df_resid``, ``aic``, ``lr_test()``, ``predict()``, ``plot()``.

    Examples
    --------
    With no population mortality and one interval the baseline excess hazard is the crude rate
    (deaths / person-time):

    >>> import numpy as np, pandas as pd
    >>> from netsurv.ratetables import RateTable
    >>> zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    >>> df = pd.DataFrame({"t": [2.0, 5, 5, 8], "d": [1, 0, 1, 1], "age_dx": 60.0,
    ...                    "sex": "female", "year_dx": 2010})
    >>> fit = excess_hazard(df, time="t", event="d", breaks=[0, 10], time_unit="years",
    ...                     lifetable=zero)
    >>> round(float(fit.baseline["excess_rate"].iloc[0]), 6)  # 3 deaths / 20 years
    0.15
    """
    covs = as_by(covariates)
    extra = tuple(c for c in as_by(group_by) if c not in covs)
    inter = tuple((str(a), str(b)) for a, b in interactions)
    if INTERVAL in covs:
        raise InputError(
            f"covariates: {INTERVAL!r} is the follow-up interval's name in interactions; "
            "rename that column"
        )
    for a, b in inter:
        if a not in (*covs, INTERVAL) or b not in (*covs, INTERVAL) or a == b:
            raise InputError(
                f"interactions: ({a!r}, {b!r}) must name two different covariates of the model"
            )
    b_unit = np.asarray(breaks, dtype=np.float64)
    if len(b_unit) < 2 or b_unit[0] != 0 or (np.diff(b_unit) <= 0).any():
        raise InputError(f"breaks={list(breaks)!r}: give increasing times starting at 0")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level!r}: give a probability such as 0.95")
    if conventions not in ("relsurv", "strs"):
        raise InputError(f"conventions={conventions!r}: choose 'relsurv' or 'strs'")
    strs = conventions == "strs"
    rmap = rate_map(rates, rate_keywords, caller="excess_hazard")
    s = subjects(
        df,
        time=time,
        event=event,
        by=(*covs, *extra),
        rmap=rmap.replace(
            completed_age=False if strs else rmap.completed_age,
            zero_time=None if strs else rmap.zero_time,
        ),
    )
    frame = df.iloc[s.rows][[*covs, *extra]].reset_index(drop=True)
    levels = {c: covariate_levels(frame[c]) for c in covs}
    groups = grouped_data(s, frame, b_unit * s.unit, strs=strs)
    groups["person_time"] /= s.unit
    j = groups["_interval"].to_numpy()
    groups["start"], groups["end"] = b_unit[:-1][j], b_unit[1:][j]  # in time_unit
    empty = sorted(set(range(len(b_unit) - 1)) - set(j.tolist()))
    if empty:
        k = empty[0]
        raise InputError(
            f"breaks: no follow-up in ({b_unit[k]:g}, {b_unit[k + 1]:g}]; end the breaks earlier"
        )
    return _fit(groups, covs, inter, levels, b_unit, rmap.time_unit, conf_level, s.excluded, strs)


def _fit(
    groups: pd.DataFrame,
    covs: tuple[str, ...],
    inter: tuple[tuple[str, str], ...],
    levels: dict[str, tuple[Any, ...] | None],
    b: np.ndarray,
    time_unit: str,
    conf_level: float,
    excluded: pd.Series,
    strs: bool = False,
) -> ExcessHazardResult:
    labels = [f"({lo:g}, {hi:g}]" for lo, hi in zip(b[:-1], b[1:], strict=True)]
    interval = [labels[i] for i in groups.pop("_interval").to_numpy()]
    groups.insert(groups.columns.get_loc("start"), "interval", interval)
    levels = {**levels, INTERVAL: tuple(labels)}
    x_cov, terms = covariate_design(groups, covs, inter, levels)
    base = pd.DataFrame(
        {f"interval={lab}": (groups["interval"] == lab).to_numpy(dtype=float) for lab in labels}
    )
    fit = _glm(groups, pd.concat([x_cov, base], axis=1), strs)
    params, se = fit.params, fit.bse
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    table = _ratios(terms, params, se, z)
    bc, bs = params[base.columns].to_numpy(), se[base.columns].to_numpy()
    baseline = pd.DataFrame(
        {
            "interval": labels,
            "start": b[:-1],
            "end": b[1:],
            "excess_rate": np.exp(bc),
            "lower": np.exp(bc - z * bs),
            "upper": np.exp(bc + z * bs),
            "coef": bc,
            "std_err": bs,
        }
    )
    groups["fitted"] = fit.fittedvalues
    return ExcessHazardResult(
        table=table,
        baseline=baseline,
        groups=groups,
        deviance=float(fit.deviance),
        df_resid=int(round(fit.df_resid)),
        aic=float(fit.aic),
        llf=float(fit.llf),
        params=params,
        cov=fit.cov_params(),
        covariates=covs,
        interactions=inter,
        levels=levels,
        breaks=tuple(float(v) for v in b),
        time_unit=time_unit,
        conf_level=conf_level,
        excluded=excluded,
    )


def _glm(groups: pd.DataFrame, x: pd.DataFrame, strs: bool) -> Any:
    """Poisson GLM of the deaths on ``x`` with the log(mu - d*) link and log person-time
    offset (Dickman et al. 2004), fitted to convergence (statsmodels): by Newton-Raphson with
    observed-information (OIM) errors as Stata glm if ``strs``, else by IRLS (Fisher scoring)
    with expected-information errors as R glm."""
    with warnings.catch_warnings():  # the link is meant for this family (log(mu - d*))
        warnings.simplefilter("ignore", DomainWarning)
        model = GLM(
            groups["deaths"].to_numpy(),
            x,
            family=_ExcessPoisson(groups["expected"].to_numpy()),
            offset=np.log(groups["person_time"].to_numpy()),
        )
    if strs:
        return model.fit(method="newton", tol=1e-12, maxiter=100, disp=False)
    try:
        return model.fit(tol=1e-12, maxiter=100)
    except ValueError as exc:  # IRLS stepped to fitted deaths <= expected deaths in a group
        raise InputError(
            "excess_hazard: the IRLS fit (R glm's method) failed: in some group the fitted "
            "deaths reached the expected deaths, so an excess hazard ratio is at its boundary "
            "(0). Merge sparse covariate levels or intervals, drop an interaction, or fit with "
            f"conventions='strs' (Newton-Raphson, as Stata glm). statsmodels said: {exc}"
        ) from exc


def _ratios(
    terms: list[dict[str, Any]], params: pd.Series, se: pd.Series, z: float
) -> pd.DataFrame:
    """One row per term: excess hazard ratio with its Wald interval and p-value; a reference
    level has ratio 1 and nothing else."""
    rows = []
    for t in terms:
        if t["reference"]:
            c, e = 0.0, np.nan
            ratio = {"ehr": 1.0, "lower": np.nan, "upper": np.nan, "p_value": np.nan}
        else:
            c, e = float(params[t["column"]]), float(se[t["column"]])
            with np.errstate(over="ignore"):  # a term at the boundary (exp(c) -> 0): upper inf
                upper = np.exp(c + z * e)
            ratio = {
                "ehr": np.exp(c),
                "lower": np.exp(c - z * e),
                "upper": upper,
                "p_value": 2 * stats.norm.sf(abs(c / e)),
            }
        rows.append({**t, **ratio, "coef": c, "std_err": e})
    return pd.DataFrame(rows).drop(columns="column")
