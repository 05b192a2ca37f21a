"""Cox proportional-hazards models via lifelines, with the Schoenfeld-residual PH check.

netsurv does not re-implement the Cox model: :func:`cox` validates the registry frame, builds
the design matrix (categorical covariates as indicator columns against a reference level),
fits lifelines' ``CoxPHFitter`` (Efron ties, as R ``coxph``; case weights, delayed entry and
strata passed through) and runs lifelines' ``proportional_hazard_test`` (scaled Schoenfeld
residuals against rank-transformed time, the Grambsch–Therneau test R's
``cox.zph(transform="rank")`` reports per term). Breslow ties, which lifelines does not
offer, come from statsmodels' ``PHReg`` (strata and delayed entry passed through).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from netsurv.counting.validate import (
    as_by,
    check_columns,
    check_names,
    exclusions,
    refuse_non_real,
)
from netsurv.errors import InputError
from netsurv.results.bands import z_value
from netsurv.results.cox import CoxResult
from netsurv.rules import missing_reason

__all__ = ["cox"]

_T, _E, _W, _S = "__time__", "__event__", "__weight__", "__entry__"
_PRECISION = (
    1e-12  # lifelines' Newton tolerance (its default 1e-7 leaves ~1e-6 in the coefficients)
)


def _is_categorical(s: pd.Series) -> bool:
    return bool(
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(s)
        or pd.api.types.is_string_dtype(s)
        or pd.api.types.is_bool_dtype(s)
    )


def _design(
    data: pd.DataFrame, covariates: tuple[str, ...], reference: Mapping[str, Any]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Indicator columns for categorical covariates, numbers for the rest; term metadata."""
    cols: dict[str, np.ndarray] = {}
    terms: list[dict[str, Any]] = []
    for var in covariates:
        s = data[var]
        if not _is_categorical(s):
            cols[var] = pd.to_numeric(s).to_numpy(dtype=np.float64)
            terms.append({"variable": var, "level": pd.NA, "term": var, "reference": False})
            continue
        cat = s.astype("category").cat.remove_unused_categories()
        levels = [str(c) for c in cat.cat.categories]
        if len(levels) < 2:
            raise InputError(
                f"covariates: {var!r} has one level ({levels}) among the analysed rows; "
                "drop it from covariates"
            )
        ref = str(reference.get(var, levels[0]))
        if ref not in levels:
            raise InputError(f"reference[{var!r}]={ref!r}: not a level; choose one of {levels}")
        text = cat.astype(str).to_numpy()
        terms.append({"variable": var, "level": ref, "term": f"{var}={ref}", "reference": True})
        for lev in levels:
            if lev != ref:
                cols[f"{var}={lev}"] = (text == lev).astype(np.float64)
                terms.append(
                    {"variable": var, "level": lev, "term": f"{var}={lev}", "reference": False}
                )
    return pd.DataFrame(cols, index=data.index), terms


def _usable_rows(df: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, pd.Series]:
    """Rows without an exclusion reason or NA in a used column; counts by reason (the
    rulebook's reasons and order, as every estimator counts them)."""
    masks = [
        (missing_reason(col), df[col].isna().to_numpy(dtype=bool)) for col in dict.fromkeys(columns)
    ]
    return exclusions(df, masks)


def cox(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    covariates: Sequence[str] = ("grade", "extent", "age_dx", "site_group"),
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    entry: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = False,
    conf_level: float = 0.95,
    reference: Mapping[str, Any] | None = None,
    ph_sample: int | None = 20_000,
    duration: str | None = None,
) -> CoxResult:
    """Fit a Cox proportional-hazards model and test proportional hazards per term.

    Parameters
    ----------
    df : canonical registry frame (or any DataFrame with the named columns).
    time, event : follow-up time and event (bool or 0/1) columns, as in every estimator
        (``duration=`` is the old name of ``time=``, accepted with a DeprecationWarning).
    covariates : columns in the model. Categorical, string and boolean columns become
        indicators against a reference level (the first category, i.e. G1 or localized for
        netsurv's ordered categoricals; "unknown" is kept as its own level); numeric columns
        enter linearly (hazard ratio per unit).
    strata : columns whose levels get separate baseline hazards (no hazard ratio).
    weights : column of case weights (lifelines ``weights_col``; R ``coxph(weights=)``).
        Standard errors are model based unless ``robust=True`` (advisable for
        non-integer, e.g. inverse-probability, weights).
    entry : column of entry times (delayed entry / left truncation, R
        ``Surv(entry, time, event)``): at risk for an event at t when entry < t <= time.
        lifelines has no Schoenfeld residuals with delayed entry, so ``ph_test`` is then NaN
        (and ``warnings`` says so).
    ties : "efron" (default, lifelines, as R ``coxph``) or "breslow" (statsmodels ``PHReg``,
        R ``coxph(ties="breslow")``; no case weights). With Breslow ties the PH test and
        the concordance come from the Efron fit (lifelines).
    robust : sandwich standard errors (lifelines ``robust=True``; Efron only).
    conf_level : level of the hazard ratios' CIs.
    reference : reference level per categorical covariate, e.g. ``{"extent": "localized"}``.
    ph_sample : lifelines computes Schoenfeld residuals in time quadratic in the number of rows
        (about 40 s for 100,000 rows), so above this many rows the PH test is run on a
        random sample of this size (seed 0; the model refitted on it) and ``ph_rows`` says
        so. The hazard ratios always use every row. None: always test on every row.

    Rows with an ``exclusion`` reason or NA in any used column are left out and counted in
    ``excluded``.

    Returns
    -------
    CoxResult
        ``hazard_ratios``, ``ph_test``, ``concordance``, ``.plot()`` (forest plot); the lifelines
        fitter is ``model``.

    Examples
    --------
    >>> import netsurv as ns
    >>> df = ns.datasets.load_radiant4("pfs")
    >>> res = cox(df, time="time", event="event", covariates=["arm"],
    ...           reference={"arm": "placebo"})
    >>> round(float(res.hazard_ratios.query("term == 'arm=everolimus'")["hr"].iloc[0]), 2)
    0.56
    """
    if duration is not None:
        warnings.warn("cox(duration=...) is now time=...", DeprecationWarning, stacklevel=2)
        time = duration
    covs = as_by(covariates, "covariates")
    layers = as_by(strata, "strata")
    check_names({"time": time, "event": event, "weights": weights, "entry": entry})
    _check_options(covs, conf_level, ties, weights, robust)
    extra = tuple(c for c in (weights, entry) if c is not None)
    named = {"time": (time,), "event": (event,), "covariates": covs, "strata": layers}
    data, reasons = _analysed(df, tuple({**named, "weights/entry": extra}.items()))
    design, terms = _design(data, covs, reference or {})
    design = _outcome(design, data, time, event, weights, entry)
    opts = _with_strata(design, data, layers, weights, entry, robust)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitter = _lifelines_fit(design, conf_level, opts)
        ph_table, ph_rows = _ph_test(fitter, design, conf_level, opts, ph_sample)
        est = _estimates(fitter) if ties == "efron" else _breslow(design, terms, layers, entry)
    return CoxResult(
        hazard_ratios=_table(terms, est, ph_table.set_index("term"), conf_level),
        ph_test=ph_table,
        n=int(len(data)),
        n_events=int(design[_E].sum()),
        concordance=float(fitter.concordance_index_),
        conf_level=conf_level,
        time=time,
        event=event,
        covariates=covs,
        strata=layers,
        excluded=reasons,
        warnings=tuple(dict.fromkeys(str(w.message).splitlines()[0] for w in caught)),
        ph_rows=ph_rows,
        model=fitter,
        ties=ties,
        weights=weights,
        entry=entry,
        robust=robust,
    )


def _with_strata(
    design: pd.DataFrame,
    data: pd.DataFrame,
    layers: tuple[str, ...],
    weights: str | None,
    entry: str | None,
    robust: bool,
) -> dict[str, Any]:
    """Add the strata columns to the design; lifelines' options for the fit."""
    for layer in layers:
        design[layer] = data[layer].astype(str).to_numpy()
    return {
        "strata": list(layers) or None,
        "weights_col": _W if weights else None,
        "entry_col": _S if entry else None,
        "robust": robust,
    }


def _analysed(
    df: pd.DataFrame, columns: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[pd.DataFrame, pd.Series]:
    """The rows the model can use and the count of the others by reason; ``columns`` pairs
    each parameter with its column names (for the error messages)."""
    for param, cols in columns:
        for col in cols:
            check_columns(df, {param: col})
    keep, reasons = _usable_rows(df, tuple(col for _, cols in columns for col in cols))
    if not keep.any():
        raise InputError("cox: no rows left to analyse after exclusions and missing values")
    return df.loc[keep], reasons


def _check_options(
    covs: tuple[str, ...], conf_level: float, ties: str, weights: str | None, robust: bool
) -> None:
    if not covs:
        raise InputError("covariates: name at least one column, e.g. covariates=['grade']")
    z_value(conf_level)  # a probability such as 0.95, else InputError
    if ties not in ("efron", "breslow"):
        raise InputError(f"ties={ties!r}: choose 'efron' or 'breslow'")
    if ties == "breslow" and (weights is not None or robust):
        raise InputError(
            "ties='breslow' (statsmodels PHReg) takes no case weights or robust errors; "
            "use ties='efron' with weights=/robust="
        )


def _outcome(
    design: pd.DataFrame,
    data: pd.DataFrame,
    time: str,
    event: str,
    weights: str | None,
    entry: str | None,
) -> pd.DataFrame:
    """Add the validated time, event, weight and entry columns to the design."""
    for param, col in (("time", time), ("event", event), ("weights", weights), ("entry", entry)):
        if col is not None:
            refuse_non_real(data[col], col, param)
    times = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=np.float64)
    ev = pd.to_numeric(data[event].astype(object), errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(times).all() or (times < 0).any():
        raise InputError(f"time={time!r}: times must be finite, non-negative numbers")
    if not np.isin(ev, (0.0, 1.0)).all():
        raise InputError(f"event={event!r}: code events as 1/True (event) and 0/False")
    design[_T], design[_E] = times, ev
    if weights is not None:
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=np.float64)
        if not ((w > 0) & np.isfinite(w)).all():
            raise InputError(f"weights={weights!r}: case weights must be positive numbers")
        design[_W] = w
    if entry is not None:
        s = pd.to_numeric(data[entry], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(s).any() or (s < 0).any() or not (s < times).all():
            raise InputError(
                f"entry={entry!r}: entry times must be non-negative and before {time!r}"
            )
        design[_S] = s
    return design


def _lifelines_fit(design: pd.DataFrame, conf_level: float, opts: dict[str, Any]) -> Any:
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    try:
        return CoxPHFitter(alpha=1 - conf_level).fit(
            design, duration_col=_T, event_col=_E, fit_options={"precision": _PRECISION}, **opts
        )
    except ConvergenceError as exc:
        raise InputError(
            f"cox: the model did not converge ({str(exc).splitlines()[0][:120]}); check for a "
            "constant covariate or a level with no events, and drop or merge it"
        ) from exc


def _ph_test(
    fitter: Any,
    design: pd.DataFrame,
    conf_level: float,
    opts: dict[str, Any],
    ph_sample: int | None,
) -> tuple[pd.DataFrame, int]:
    """lifelines' Schoenfeld test per term (on a sample of ``ph_sample`` rows for big data)."""
    from lifelines.statistics import proportional_hazard_test

    if opts["entry_col"] is not None:  # lifelines has no Schoenfeld residuals with entry
        warnings.warn(
            "cox: no proportional-hazards test with entry= (lifelines computes no Schoenfeld "
            "residuals for delayed entry); ph_test is NaN",
            UserWarning,
            stacklevel=3,
        )
        terms = list(fitter.params_.index)
        return pd.DataFrame({"term": terms, "statistic": np.nan, "p_value": np.nan}), 0
    if ph_sample is not None and len(design) > ph_sample:  # lifelines' test is O(n^2)
        sample = design.sample(n=ph_sample, random_state=0)
        ph = proportional_hazard_test(
            _lifelines_fit(sample, conf_level, opts), sample, time_transform="rank"
        )
        rows = ph_sample
    else:
        ph = proportional_hazard_test(fitter, design, time_transform="rank")
        rows = len(design)
    table = pd.DataFrame(
        {
            "term": list(ph.summary.index),
            "statistic": ph.summary["test_statistic"].to_numpy(),
            "p_value": ph.summary["p"].to_numpy(),
        }
    )
    return table, rows


def _estimates(fitter: Any) -> pd.DataFrame:
    """coef, std_err, p_value per design column from lifelines."""
    summ = fitter.summary
    return pd.DataFrame({"coef": summ["coef"], "std_err": summ["se(coef)"], "p_value": summ["p"]})


def _breslow(
    design: pd.DataFrame, terms: list[dict[str, Any]], layers: tuple[str, ...], entry: str | None
) -> pd.DataFrame:
    """coef, std_err, p_value with Breslow ties (statsmodels PHReg)."""
    from statsmodels.duration.hazard_regression import PHReg

    cols = [t["term"] for t in terms if not t["reference"]]
    # statsmodels counts a subject at risk at its entry time; R (and lifelines) from just
    # after it: move each entry up by one floating-point step
    start = np.nextafter(design[_S].to_numpy(), np.inf) if entry is not None else None
    strata = design[list(layers)].astype(str).agg("|".join, axis=1) if layers else None
    fit = PHReg(
        design[_T].to_numpy(),
        design[cols].to_numpy(),
        status=design[_E].to_numpy(),
        entry=start,
        strata=strata,
        ties="breslow",
    ).fit()
    return pd.DataFrame(
        {"coef": fit.params, "std_err": fit.bse, "p_value": fit.pvalues}, index=cols
    )


def _table(
    terms: list[dict[str, Any]], est: pd.DataFrame, ph: pd.DataFrame, conf_level: float
) -> pd.DataFrame:
    """One row per term (reference levels included): hr with Wald CI, p, the PH test."""
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    rows = []
    for t in terms:
        if t["reference"]:
            rows.append(
                {
                    **t,
                    "hr": 1.0,
                    "lower": np.nan,
                    "upper": np.nan,
                    "coef": 0.0,
                    "std_err": np.nan,
                    "p_value": np.nan,
                    "ph_statistic": np.nan,
                    "ph_p_value": np.nan,
                }
            )
            continue
        c, e = float(est.loc[t["term"], "coef"]), float(est.loc[t["term"], "std_err"])
        rows.append(
            {
                **t,
                "hr": np.exp(c),
                "lower": np.exp(c - z * e),
                "upper": np.exp(c + z * e),
                "coef": c,
                "std_err": e,
                "p_value": float(est.loc[t["term"], "p_value"]),
                "ph_statistic": float(ph.loc[t["term"], "statistic"]),
                "ph_p_value": float(ph.loc[t["term"], "p_value"]),
            }
        )
    return pd.DataFrame(rows)
