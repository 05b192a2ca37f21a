"""Cox proportional-hazards models via lifelines, with the Schoenfeld-residual PH check.

netsurv does not re-implement the Cox model: :func:`cox` validates the registry frame, builds
the design matrix (categorical covariates as indicator columns against a reference level),
fits lifelines' ``CoxPHFitter`` (Efron ties, as R ``coxph``) and runs lifelines'
``proportional_hazard_test`` (scaled Schoenfeld residuals against rank-transformed time, the
Grambsch–Therneau test R's ``cox.zph(transform="rank")`` reports per term).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.validate import check_columns, exclusions
from netsurv.errors import InputError
from netsurv.results.cox import CoxResult
from netsurv.rules import missing_reason

__all__ = ["cox"]

_T, _E = "__time__", "__event__"


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
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError
    from lifelines.statistics import proportional_hazard_test

    if duration is not None:
        warnings.warn("cox(duration=...) is now time=...", DeprecationWarning, stacklevel=2)
        time = duration
    covs = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    layers = (strata,) if isinstance(strata, str) else tuple(strata or ())
    if not covs:
        raise InputError("covariates: name at least one column, e.g. covariates=['grade']")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level!r}: give a probability such as 0.95")
    for param, cols in (
        ("time", (time,)),
        ("event", (event,)),
        ("covariates", covs),
        ("strata", layers),
    ):
        for col in cols:
            check_columns(df, {param: col})
    keep, reasons = _usable_rows(df, (time, event, *covs, *layers))
    data = df.loc[keep]
    if len(data) == 0:
        raise InputError("cox: no rows left to analyse after exclusions and missing values")
    times = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=np.float64)
    ev = data[event].astype("float64").to_numpy()
    if np.isnan(times).any() or (times < 0).any():
        raise InputError(f"time={time!r}: times must be non-negative numbers")
    if not np.isin(ev, (0.0, 1.0)).all():
        raise InputError(f"event={event!r}: code events as 1/True (event) and 0/False")
    design, terms = _design(data, covs, reference or {})
    design[_T], design[_E] = times, ev
    for layer in layers:
        design[layer] = data[layer].astype(str).to_numpy()
    fitter = CoxPHFitter(alpha=1 - conf_level)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter.fit(design, duration_col=_T, event_col=_E, strata=list(layers) or None)
        except ConvergenceError as exc:
            raise InputError(
                f"cox: the model did not converge ({str(exc).splitlines()[0][:120]}); check for a "
                "constant covariate or a level with no events, and drop or merge it"
            ) from exc
        ph_rows = len(design)
        if ph_sample is not None and len(design) > ph_sample:  # lifelines' test is O(n^2)
            sample = design.sample(n=ph_sample, random_state=0)
            ph_fit = CoxPHFitter(alpha=1 - conf_level).fit(
                sample, duration_col=_T, event_col=_E, strata=list(layers) or None
            )
            ph_rows = ph_sample
            ph = proportional_hazard_test(ph_fit, sample, time_transform="rank")
        else:
            ph = proportional_hazard_test(fitter, design, time_transform="rank")
    summ = fitter.summary
    ph_table = pd.DataFrame(
        {
            "term": list(ph.summary.index),
            "statistic": ph.summary["test_statistic"].to_numpy(),
            "p_value": ph.summary["p"].to_numpy(),
        }
    )
    ph_by_term = ph_table.set_index("term")
    lo_col, hi_col = [c for c in summ.columns if c.startswith("exp(coef) ") and "%" in c][:2]
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
        r = summ.loc[t["term"]]
        rows.append(
            {
                **t,
                "hr": float(r["exp(coef)"]),
                "lower": float(r[lo_col]),
                "upper": float(r[hi_col]),
                "coef": float(r["coef"]),
                "std_err": float(r["se(coef)"]),
                "p_value": float(r["p"]),
                "ph_statistic": float(ph_by_term.loc[t["term"], "statistic"]),
                "ph_p_value": float(ph_by_term.loc[t["term"], "p_value"]),
            }
        )
    return CoxResult(
        hazard_ratios=pd.DataFrame(rows),
        ph_test=ph_table,
        n=int(len(data)),
        n_events=int(ev.sum()),
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
    )
