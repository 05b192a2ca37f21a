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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netsurv.counting.validate import check_columns
from netsurv.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CoxResult", "cox"]

_T, _E = "__time__", "__event__"


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model (frozen; build with :func:`cox`).

    ``hazard_ratios`` has one row per term, reference levels included: ``variable``,
    ``level`` (NA for numeric covariates), ``term``, ``reference`` (bool), ``hr``, ``lower``,
    ``upper`` (CI at ``conf_level``), ``coef`` (log HR), ``std_err``, ``p_value`` (Wald),
    ``ph_statistic`` and ``ph_p_value`` (Schoenfeld test of that term).
    ``ph_test`` is lifelines' test table (``term``, ``statistic``, ``p_value``), computed on
    ``ph_rows`` rows (all rows, or a random sample for large data: see ``ph_sample``).
    """

    hazard_ratios: pd.DataFrame
    ph_test: pd.DataFrame
    n: int
    n_events: int
    concordance: float
    conf_level: float
    duration: str
    event: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    excluded: pd.Series
    warnings: tuple[str, ...] = ()
    ph_rows: int = 0
    model: Any = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`hazard_ratios`."""
        return self.hazard_ratios.copy()

    def forest_frame(self) -> pd.DataFrame:
        """Rows for :func:`netsurv.plot_forest`: a header per categorical variable, then its
        levels (indented), reference levels marked."""
        rows: list[dict[str, Any]] = []
        for var, part in self.hazard_ratios.groupby("variable", sort=False):
            if part["level"].isna().all():
                rows.append({**part.iloc[0].to_dict(), "label": f"{var} (per unit)"})
                continue
            rows.append(
                {
                    "label": str(var),
                    "hr": np.nan,
                    "lower": np.nan,
                    "upper": np.nan,
                    "reference": False,
                    "ph_p_value": np.nan,
                }
            )
            for rec in part.to_dict("records"):
                rows.append({**rec, "label": f"    {rec['level']}"})
        return pd.DataFrame(rows)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Forest plot of the hazard ratios with the PH test beside them (see
        :func:`netsurv.plot_forest`)."""
        from netsurv.present.plotting import plot_forest

        return plot_forest(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return str(self.hazard_ratios.to_html(index=False))

    def __repr__(self) -> str:
        cols = ["term", "hr", "lower", "upper", "p_value", "ph_p_value"]
        return (
            f"CoxResult(n={self.n}, events={self.n_events}, concordance={self.concordance:.3f})"
            f"\n{self.hazard_ratios[cols].to_string(index=False)}"
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


def _usable_rows(df: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, dict[str, int]]:
    """Rows without an exclusion reason or NA in a used column; counts by reason."""
    keep = np.ones(len(df), dtype=bool)
    reasons: dict[str, int] = {}
    if "exclusion" in df.columns:
        has = df["exclusion"].notna().to_numpy(dtype=bool)
        for name, k in df.loc[has, "exclusion"].astype(str).value_counts().items():
            reasons[str(name)] = int(k)
        keep &= ~has
    for col in dict.fromkeys(columns):
        na = df[col].isna().to_numpy(dtype=bool) & keep
        if na.any():
            reasons[f"{col} missing"] = int(na.sum())
            keep &= ~na
    return keep, reasons


def cox(
    df: pd.DataFrame,
    *,
    duration: str = "survival_months",
    event: str = "dead",
    covariates: Sequence[str] = ("grade", "extent", "age_dx", "site_group"),
    strata: str | Sequence[str] | None = None,
    conf_level: float = 0.95,
    reference: Mapping[str, Any] | None = None,
    ph_sample: int | None = 20_000,
) -> CoxResult:
    """Fit a Cox proportional-hazards model and test proportional hazards per term.

    Parameters
    ----------
    df : canonical registry frame (or any DataFrame with the named columns).
    duration, event : follow-up time and event (bool or 0/1) columns.
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
    >>> res = cox(df, duration="time", event="event", covariates=["arm"],
    ...           reference={"arm": "placebo"})
    >>> round(float(res.hazard_ratios.query("term == 'arm=everolimus'")["hr"].iloc[0]), 2)
    0.56
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError
    from lifelines.statistics import proportional_hazard_test

    covs = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    layers = (strata,) if isinstance(strata, str) else tuple(strata or ())
    if not covs:
        raise InputError("covariates: name at least one column, e.g. covariates=['grade']")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level!r}: give a probability such as 0.95")
    for param, cols in (
        ("duration", (duration,)),
        ("event", (event,)),
        ("covariates", covs),
        ("strata", layers),
    ):
        for col in cols:
            check_columns(df, {param: col})
    keep, reasons = _usable_rows(df, (duration, event, *covs, *layers))
    data = df.loc[keep]
    if len(data) == 0:
        raise InputError("cox: no rows left to analyse after exclusions and missing values")
    time = pd.to_numeric(data[duration], errors="coerce").to_numpy(dtype=np.float64)
    ev = data[event].astype("float64").to_numpy()
    if np.isnan(time).any() or (time < 0).any():
        raise InputError(f"duration={duration!r}: times must be non-negative numbers")
    if not np.isin(ev, (0.0, 1.0)).all():
        raise InputError(f"event={event!r}: code events as 1/True (event) and 0/False")
    design, terms = _design(data, covs, reference or {})
    design[_T], design[_E] = time, ev
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
        duration=duration,
        event=event,
        covariates=covs,
        strata=layers,
        excluded=pd.Series(reasons, dtype="int64", name="n_excluded"),
        warnings=tuple(dict.fromkeys(str(w.message).splitlines()[0] for w in caught)),
        ph_rows=ph_rows,
        model=fitter,
    )
