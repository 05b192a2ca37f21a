"""Step survival curves: the result of Kaplan–Meier and of net/relative survival.

:class:`SurvivalCurves` holds one or more step curves (Kaplan–Meier, or net/relative survival),
one row per stratum and distinct time, in the vocabulary ``time, n_at_risk, n_events,
n_censored, survival, std_err, lower, upper``. Its methods (``at``, ``median``, ``quantile``,
``rmst``) follow R ``survival``'s definitions, so the numbers equal ``summary(survfit(...))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from netsurv.counting.table import Counts
from netsurv.errors import InputError
from netsurv.results.bands import CONF_TYPES, confidence_band, z_value
from netsurv.results.greenwood import product_limit_terms
from netsurv.results.quantiles import quantiles_of_values
from netsurv.results.selection import take_stratum, wide_frame
from netsurv.results.steps import query_times, step_values

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SurvivalCurves", "product_limit"]

_LAY_OUT_BAND = 1 << 17  # rows up to which quantile() computes the whole band first


@dataclass(frozen=True)
class SurvivalCurves:
    """Step survival curves, one per stratum (frozen; build with an estimator).

    Arrays hold one entry per (stratum, distinct time), sorted by stratum then time.
    ``std_err`` is the standard error of the survival probability (Greenwood for
    Kaplan–Meier), as R's ``summary.survfit`` reports it; ``se_log`` is the standard error
    of log S used for the confidence band ``lower``, ``upper``. ``limits`` holds that band
    when the estimator computed it (net and relative survival: not clipped at 1); None
    means the usual band of ``conf_type`` (upper limit 1), computed from ``survival`` and
    ``se_log`` when first asked for (``at()`` and the quantiles read it where they need it).
    """

    by: tuple[str, ...]
    strata: pd.DataFrame
    stratum: np.ndarray
    time: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    n_censored: np.ndarray
    survival: np.ndarray
    se_log: np.ndarray
    conf_type: str
    conf_level: float
    n: np.ndarray
    last_time: np.ndarray
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    counts: Counts | None = None
    measure: str = "overall survival (Kaplan–Meier)"
    time_unit: str | None = "months"
    start_time: float = 0.0
    limits: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ tables
    @property
    def method(self) -> str:
        """What was estimated and how (e.g. "overall survival (Kaplan–Meier)")."""
        return f"{self.measure}, {self.conf_type} confidence intervals"

    @cached_property
    def _band(self) -> tuple[np.ndarray, np.ndarray]:
        if self.limits is not None:
            return self.limits
        return confidence_band(self.survival, self.se_log, self.conf_type, self.conf_level)

    @property
    def lower(self) -> np.ndarray:
        """Lower limit of the pointwise confidence band."""
        return self._band[0]

    @property
    def upper(self) -> np.ndarray:
        """Upper limit of the pointwise confidence band."""
        return self._band[1]

    def band_at(self, rows: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) at the given rows (a slice or positions); computed at those rows
        alone (the same numbers) while the whole band has not been needed."""
        if self.limits is not None or "_band" in self.__dict__:
            return self.lower[rows], self.upper[rows]
        return confidence_band(
            self.survival[rows], self.se_log[rows], self.conf_type, self.conf_level
        )

    def _curve_and_band(self, rows: slice | np.ndarray) -> tuple[np.ndarray, ...]:
        return (self.survival[rows], *self.band_at(rows))

    @property
    def std_err(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return self.survival * self.se_log

    def _keys(self, stratum: np.ndarray) -> pd.DataFrame:
        return self.strata.iloc[stratum].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per stratum and time: by-cols, time, n_at_risk, n_events, n_censored,
        survival, std_err, lower, upper."""
        data = pd.DataFrame(
            {
                "time": self.time,
                "n_at_risk": self.n_at_risk,
                "n_events": self.n_events,
                "n_censored": self.n_censored,
                "survival": self.survival,
                "std_err": self.std_err,
                "lower": self.lower,
                "upper": self.upper,
            }
        )
        return pd.concat([self._keys(self.stratum), data], axis=1)

    def summary(self) -> pd.DataFrame:
        """Per stratum: n, events, median with CI (R's ``print(survfit)`` table)."""
        events = np.bincount(self.stratum, weights=self.n_events, minlength=len(self.strata))
        out = self.median()
        out.insert(len(self.by), "n", self.n)
        out.insert(len(self.by) + 1, "n_events", events)
        return out

    def at(self, times: npt.ArrayLike, *, extend: bool = False) -> pd.DataFrame:
        """Survival at given times, per stratum (R ``summary(fit, times=, extend=)``).

        Columns: by-cols, time, survival, std_err, lower, upper, n_at_risk (subjects still
        under follow-up at t), n_events and n_censored (since the previous requested time).
        Beyond a stratum's last follow-up the values are NaN unless ``extend=True``, except
        where the curve has reached 0: it stays 0 (standard error and CI NaN, as in R).
        """
        t = query_times(times)
        t_sorted = np.sort(t)
        k = len(self.strata)
        qs = np.repeat(np.arange(k), len(t_sorted))  # every stratum asks every time
        qt = np.tile(t_sorted, k)
        values = step_values(self, qs, qt, extend)
        columns = ("survival", "std_err", "lower", "upper", "n_at_risk", "n_events", "n_censored")
        out = pd.DataFrame({"time": qt, **{name: values[name] for name in columns}})
        out = pd.concat([self._keys(qs), out], axis=1)
        if not np.array_equal(t, t_sorted):  # restore the caller's order within each stratum
            order = np.argsort(np.argsort(t, kind="stable"), kind="stable")
            out = out.iloc[(np.arange(k)[:, None] * len(t) + order[None, :]).ravel()]
            out = out.reset_index(drop=True)
        return out

    # --------------------------------------------------------------- quantiles
    def quantile(self, p: float | Sequence[float] = 0.5) -> pd.DataFrame:
        """Time where 1 − S first reaches ``p``, with CI from the band (R ``quantile.survfit``).

        Columns: by-cols, p, quantile, lower, upper. A flat stretch exactly at 1 − p gives
        its midpoint; a quantile the curve never reaches is NaN.
        """
        probs = np.atleast_1d(np.asarray(p, dtype=np.float64))
        if ((probs < 0) | (probs > 1) | np.isnan(probs)).any():
            raise InputError(f"p={p!r}: probabilities must lie in [0, 1]")
        k = len(self.strata)
        offsets = np.searchsorted(self.stratum, np.arange(k + 1))
        if len(self.time) <= _LAY_OUT_BAND:  # short: the band once beats it at every step
            self._band  # noqa: B018
        q, lo, hi = (
            values.ravel()  # every stratum at once, per stratum then p
            for values in quantiles_of_values(
                self.time,
                self._curve_and_band,
                3,
                offsets,
                self.start_time,
                probs,
                each=(
                    lambda rows: self.survival[rows],
                    lambda rows: self.band_at(rows)[0],
                    lambda rows: self.band_at(rows)[1],
                ),
            )
        )
        out = pd.DataFrame({"p": np.tile(probs, k), "quantile": q, "lower": lo, "upper": hi})
        return pd.concat([self._keys(np.repeat(np.arange(k), len(probs))), out], axis=1)

    def median(self) -> pd.DataFrame:
        """Median survival with CI per stratum: by-cols, median, lower, upper."""
        q = self.quantile(0.5).drop(columns="p")
        return q.rename(columns={"quantile": "median"})

    # ------------------------------------------------------------------- areas
    def rmst(self, tau: float) -> pd.DataFrame:
        """Restricted mean survival time up to ``tau`` with its standard error.

        Area under S from the start to ``tau``; variance sum_j A_j^2 d_j / (n_j (n_j - d_j)),
        A_j the area from t_j to tau (R ``print(fit, rmean=tau)``; lifelines' variance,
        issue #1682, is that of the truncated time instead). Columns: by-cols, tau, rmst,
        std_err.
        """
        tau = float(tau)
        if not np.isfinite(tau) or tau <= self.start_time:
            raise InputError(f"tau={tau!r}: give a time after the start of follow-up")
        offsets = np.searchsorted(self.stratum, np.arange(len(self.strata) + 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            hh = np.where(
                self.n_at_risk - self.n_events == 0,
                0.0,
                self.n_events / (self.n_at_risk * (self.n_at_risk - self.n_events)),
            )
        out = np.empty((len(self.strata), 2))
        for s in range(len(self.strata)):  # per stratum: short arrays
            sl = slice(offsets[s], offsets[s + 1])
            t, surv, h = self.time[sl], self.survival[sl], hh[sl]
            keep = t <= tau
            tt = np.r_[t[keep], tau]
            ss = np.r_[surv[keep], surv[keep][-1] if keep.any() else 1.0]
            h2 = np.r_[h[keep], 0.0]
            rect = np.diff(np.r_[self.start_time, tt]) * np.r_[1.0, ss[:-1]]
            area_after = np.cumsum(rect[1:][::-1])  # area from t_j to tau, last j first
            out[s] = (
                rect.sum() + self.start_time,
                np.sqrt(np.sum(area_after**2 * h2[::-1][1:])),
            )
        res = pd.DataFrame({"tau": tau, "rmst": out[:, 0], "std_err": out[:, 1]})
        return pd.concat([self._keys(np.arange(len(self.strata))), res], axis=1)

    # ------------------------------------------------------- derived curves
    def _require_counts(self, what: str) -> Counts:
        if self.counts is None:
            raise InputError(f"{what} needs the counts behind a Kaplan–Meier fit")
        return self.counts

    def conditional(self, given: float) -> SurvivalCurves:
        """Survival to t given alive at ``given`` (R ``survfit(..., start.time=given)``).

        Rows with time >= ``given`` are kept, so events at exactly ``given`` belong to the
        conditional curve (R's rule). On SEER whole months this is what "survived the first
        year" means: ``survival_months == 12`` is a death after 12 complete months, so
        ``conditional(12).at([12])`` already shows those deaths, and ``at()`` counts events from
        ``given`` on, not from the previous requested time of the unconditional fit.
        """
        c = self._require_counts("conditional survival")
        keep = c.time >= given
        return product_limit(
            c.take(keep),
            self.conf_type,
            self.conf_level,
            start_time=float(given),
            measure=f"{self.measure}, conditional on survival to {given:g}",
            time_unit=self.time_unit,
        )

    def follow_up(self) -> pd.DataFrame:
        """Median follow-up by reverse Kaplan–Meier (censorings as events): by-cols, median,
        lower, upper."""
        c = self._require_counts("median follow-up")
        swapped = type(c)(
            by=c.by,
            strata=c.strata,
            stratum=c.stratum,
            time=c.time,
            n_events=c.n_censored,
            n_censored=c.n_events,
            n_entered=c.n_entered,
            n_at_risk=c.n_at_risk,
            weighted=c.weighted,
            excluded=c.excluded,
        )
        return product_limit(swapped, self.conf_type, self.conf_level).median()

    # ------------------------------------------------------- lifelines habits
    def __getitem__(self, key: Any) -> SurvivalCurves:
        """One stratum's curve: ``fit["localized"]``, ``fit["pancreas", "distant"]``."""
        return take_stratum(self, key)

    @property
    def survival_function(self) -> pd.DataFrame:
        """Wide frame: index ``time``, one column of S per stratum (lifelines'
        ``survival_function_``; NaN past a stratum's last follow-up, as :meth:`at`)."""
        return wide_frame(self)

    # ------------------------------------------------------------------ plots
    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the curves (see :func:`netsurv.plot_survival`)."""
        from netsurv.present.plotting import check_keywords, plot_survival

        check_keywords(kwargs)  # a lifelines name (ci_show=...) gets netsurv's name
        return plot_survival(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def __repr__(self) -> str:
        head = f"SurvivalCurves({self.measure}; {len(self.strata)} strata; conf_type={self.conf_type!r})"
        return f"{head}\n{self.summary().to_string(index=False)}"


def product_limit(
    counts: Counts,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    *,
    start_time: float = 0.0,
    measure: str = "overall survival (Kaplan–Meier)",
    time_unit: str | None = "months",
) -> SurvivalCurves:
    """Kaplan–Meier estimate from a counts table (any engine's).

    S(t) = prod_{t_j <= t} (1 - d_j / n_j); Greenwood: var(log S) = sum d_j / (n_j (n_j - d_j)),
    infinite once n_j = d_j (the curve is 0 and its standard error and CI are NaN, as in R).
    """
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)  # validates conf_level
    c = counts.exits()
    n, d = c.n_at_risk, c.n_events
    k = counts.n_strata
    survival, se_log = product_limit_terms(n, d, c.stratum, c.offsets)
    last = np.full(k, np.nan)
    if len(c.time):
        last_row = np.searchsorted(c.stratum, np.arange(k), side="right") - 1
        valid = (last_row >= 0) & (c.stratum[np.maximum(last_row, 0)] == np.arange(k))
        last = np.where(valid, c.time[np.maximum(last_row, 0)], np.nan)
    return SurvivalCurves(
        by=c.by,
        strata=c.strata,
        stratum=c.stratum,
        time=c.time,
        n_at_risk=n,
        n_events=d,
        n_censored=c.n_censored,
        survival=survival,
        se_log=se_log,
        conf_type=conf_type,
        conf_level=conf_level,
        n=counts.n_subjects(),
        last_time=last,
        excluded=counts.excluded,
        counts=counts,
        measure=measure,
        time_unit=time_unit,
        start_time=start_time,
    )
