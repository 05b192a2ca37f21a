"""Result of :func:`netsurv.excess_hazard`: excess hazard ratios, baseline, predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from netsurv.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "INTERVAL",
    "ExcessHazardResult",
    "LikelihoodRatioTest",
    "covariate_design",
    "covariate_levels",
]

INTERVAL = "interval"  # the follow-up interval, as a name in interactions (time-varying effects)


def covariate_levels(values: pd.Series) -> tuple[Any, ...] | None:
    """Levels of a categorical covariate in model order (the first is the reference), or
    None for a numeric covariate (entered linearly).

    Categoricals keep their category order (netsurv's ordered categoricals: G1, localized
    first); other non-numeric columns are sorted, as R's ``factor`` does.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return tuple(c for c in values.cat.categories if c in present)
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return tuple(sorted(values.dropna().unique(), key=str))
    return None


def covariate_design(
    frame: pd.DataFrame,
    covariates: tuple[str, ...],
    interactions: tuple[tuple[str, str], ...],
    levels: Mapping[str, tuple[Any, ...] | None],
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Design columns for covariate patterns: indicators of the non-reference levels of each
    categorical covariate, the value of each numeric one, products for interactions; and the
    table rows (term, level, reference, column) in that order."""
    cols: dict[str, np.ndarray] = {}
    terms: list[dict[str, Any]] = []
    parts: dict[str, list[tuple[str, str, np.ndarray]]] = {}
    for var in covariates:
        lev = levels[var]
        if lev is None:
            x = pd.to_numeric(frame[var]).to_numpy(dtype=np.float64)
            cols[var] = x
            parts[var] = [(var, "", x)]
            terms.append({"term": var, "level": pd.NA, "reference": False, "column": var})
            continue
        unknown = ~frame[var].isin(lev)
        if unknown.any():
            raise InputError(
                f"{var}={frame[var][unknown].iloc[0]!r}: not a level of the fitted model; "
                f"choose one of {list(lev)}"
            )
        terms.append({"term": var, "level": lev[0], "reference": True, "column": None})
        parts[var] = []
        for lv in lev[1:]:
            name = f"{var}={lv}"
            cols[name] = (frame[var] == lv).to_numpy(dtype=np.float64)
            parts[var].append((name, str(lv), cols[name]))
            terms.append({"term": var, "level": lv, "reference": False, "column": name})
    if any(INTERVAL in pair for pair in interactions):  # time-varying effects
        lev = levels[INTERVAL] or ()
        parts[INTERVAL] = [
            (f"{INTERVAL}={lv}", str(lv), (frame[INTERVAL] == lv).to_numpy(dtype=np.float64))
            for lv in lev[1:]
        ]
    for a, b in interactions:
        for na, la, xa in parts[a]:
            for nb, lb, xb in parts[b]:
                name = f"{na}:{nb}"
                cols[name] = xa * xb
                level = ":".join(v for v in (la, lb) if v) or pd.NA
                terms.append(
                    {"term": f"{a}:{b}", "level": level, "reference": False, "column": name}
                )
    return pd.DataFrame(cols, index=frame.index), terms


@dataclass(frozen=True)
class LikelihoodRatioTest:
    """Likelihood-ratio test of a model against a larger model nesting it (same grouped data)."""

    statistic: float
    dof: int
    p_value: float
    terms: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"LikelihoodRatioTest(terms {', '.join(self.terms)}: chi2={self.statistic:.4g}, "
            f"dof={self.dof}, p={self.p_value:.4g})"
        )


@dataclass(frozen=True)
class ExcessHazardResult:
    """A fitted excess-hazard (relative-survival) Poisson model, frozen.

    Attributes
    ----------
    table : one row per covariate level: ``term`` (covariate, or ``a:b`` for an interaction),
        ``level``, ``reference`` (bool), ``ehr`` (excess hazard ratio), ``lower``, ``upper``
        (Wald CI at ``conf_level``), ``p_value`` (Wald), ``coef`` (log EHR), ``std_err``.
    baseline : per interval of ``breaks``: ``interval``, ``start``, ``end``, ``excess_rate``
        (baseline excess hazard per unit of ``time_unit``), ``lower``, ``upper``, ``coef``,
        ``std_err``.
    groups : the grouped data the model was fitted to: covariates, ``interval``, ``start``,
        ``end``, ``deaths``, ``person_time``, ``expected`` (expected deaths d*), ``fitted``.
    deviance, df_resid, aic : as R ``glm`` reports them.
    params, cov : coefficient vector and its covariance (design-matrix column order).
    """

    table: pd.DataFrame
    baseline: pd.DataFrame
    groups: pd.DataFrame
    deviance: float
    df_resid: int
    aic: float
    llf: float
    params: pd.Series
    cov: pd.DataFrame
    covariates: tuple[str, ...]
    interactions: tuple[tuple[str, str], ...]
    levels: Mapping[str, tuple[Any, ...] | None]
    breaks: tuple[float, ...]
    time_unit: str
    conf_level: float
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def method(self) -> str:
        return "excess-hazard Poisson GLM, log(mu - d*) link (Dickman et al. 2004)"

    def __repr__(self) -> str:
        cols = ["term", "level", "ehr", "lower", "upper", "p_value"]
        return (
            f"ExcessHazardResult(deviance={self.deviance:.4g}, df_resid={self.df_resid}, "
            f"aic={self.aic:.4g})\n{self.table[cols].to_string(index=False)}"
        )

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False))

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    # ------------------------------------------------------------------ tests
    def lr_test(self, other: ExcessHazardResult) -> LikelihoodRatioTest:
        """Likelihood-ratio test between this fit and ``other``, one nested in the other.

        Both must be fitted to the same grouped data (give the smaller model the larger one's
        covariates in ``group_by``): Poisson likelihoods of differently grouped data are not
        comparable.
        """
        small, large = (self, other) if self.df_resid > other.df_resid else (other, self)
        if not _same_groups(small.groups, large.groups):
            raise InputError(
                "lr_test: the two fits were made on different grouped data; refit the smaller "
                f"model with group_by={list(large.covariates)!r} so both use the same groups"
            )
        extra = tuple(c for c in large.params.index if c not in set(small.params.index))
        dof = small.df_resid - large.df_resid
        if dof <= 0 or not set(small.params.index) <= set(large.params.index):
            raise InputError("lr_test: the models are not nested (same or extra terms)")
        stat = max(small.deviance - large.deviance, 0.0)
        return LikelihoodRatioTest(float(stat), int(dof), float(stats.chi2.sf(stat, dof)), extra)

    # ------------------------------------------------------------- prediction
    def predict(
        self,
        patterns: pd.DataFrame | Sequence[Mapping[str, Any]] | None = None,
        times: Sequence[float] | np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Relative survival predicted by the model for covariate patterns.

        Parameters
        ----------
        patterns : one row per covariate pattern (default: every pattern in :attr:`groups`).
        times : follow-up times in ``time_unit`` (default: the ends of the intervals); at most
            the last break.

        Returns
        -------
        DataFrame
            covariates, ``time``, ``relative_survival``, ``lower``, ``upper`` (CI from the
            delta method on the log cumulative excess hazard).
        """
        pats = self._patterns(patterns)
        t = np.asarray(self.breaks[1:] if times is None else times, dtype=np.float64)
        b = np.asarray(self.breaks)
        if (t < 0).any() or (t > b[-1]).any():
            raise InputError(f"times: give times within the breaks 0–{b[-1]:g} ({self.time_unit})")
        # overlap of (0, t] with each interval: exposure weights of the baseline terms
        over = np.clip(np.minimum(t[:, None], b[None, 1:]) - b[None, :-1], 0.0, None)
        z = _z(self.conf_level)
        labels = list(self.levels[INTERVAL] or ())
        n_cov = len(self.params) - len(labels)
        base, beta = self.params.to_numpy()[n_cov:], self.params.to_numpy()[:n_cov]
        cov = self.cov.to_numpy()
        rows = []
        for i in range(len(pats)):
            # the pattern in every interval (time-varying terms differ between them)
            frame = pats.iloc[[i] * len(labels)].reset_index(drop=True).assign(interval=labels)
            x = self._covariate_design(frame).to_numpy()  # intervals x covariate terms
            rate = np.exp(base + x @ beta)  # per interval
            h = over @ rate
            # gradient of H(t) = sum_k over_k exp(b_k + x_k beta): d/d beta = sum_k over_k
            # rate_k x_k, d/d b_k = over_k rate_k
            grad = np.hstack([(over * rate) @ x, over * rate])
            with np.errstate(divide="ignore", invalid="ignore"):
                se_log_h = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad)) / h
            lo_h, hi_h = h * np.exp(-z * se_log_h), h * np.exp(z * se_log_h)
            part = pd.DataFrame({c: [pats.iloc[i][c]] * len(t) for c in pats.columns})
            part["time"] = t
            part["relative_survival"] = np.exp(-h)
            part["lower"] = np.where(h > 0, np.exp(-hi_h), 1.0)
            part["upper"] = np.where(h > 0, np.exp(-lo_h), 1.0)
            rows.append(part)
        return pd.concat(rows, ignore_index=True)

    def _patterns(self, patterns: Any) -> pd.DataFrame:
        if patterns is None:
            return self.groups[list(self.covariates)].drop_duplicates().reset_index(drop=True)
        pats = pd.DataFrame(list(patterns)) if not isinstance(patterns, pd.DataFrame) else patterns
        missing = [c for c in self.covariates if c not in pats.columns]
        if missing:
            raise InputError(f"patterns: give a value for every covariate; missing {missing}")
        return pats[list(self.covariates)].reset_index(drop=True)

    def _covariate_design(self, pats: pd.DataFrame) -> pd.DataFrame:
        return covariate_design(pats, self.covariates, self.interactions, self.levels)[0]

    def plot(self, ax: Axes | None = None, patterns: Any = None, **kwargs: Any) -> Axes:
        """Predicted relative survival per covariate pattern against follow-up time."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        b = np.asarray(self.breaks)
        grid = np.unique(np.concatenate([np.linspace(b[0], b[-1], 200), b]))
        pred = self.predict(patterns, times=grid)
        for key, part in pred.groupby(list(self.covariates), sort=False):
            label = ", ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            ax.plot(part["time"], part["relative_survival"], label=label, **kwargs)
        ax.set_xlabel(f"time since diagnosis ({self.time_unit})")
        ax.set_ylabel("relative survival (model)")
        ax.set_ylim(0, 1.02)
        ax.legend(title=", ".join(self.covariates), fontsize="small")
        return ax


def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(0.5 + conf_level / 2))


def _same_groups(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    cols = ["start", "deaths", "person_time", "expected"]
    if len(a) != len(b):
        return False
    sa = a[cols].sort_values(cols).to_numpy(dtype=float)
    sb = b[cols].sort_values(cols).to_numpy(dtype=float)
    return bool(np.allclose(sa, sb, rtol=1e-12, atol=0))
