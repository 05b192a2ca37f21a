"""Frozen result objects returned by the estimators.

:class:`SurvivalCurves` holds one or more step curves (Kaplan–Meier, or net/relative survival),
one row per stratum and distinct time, in the vocabulary ``time, n_at_risk, n_events,
n_censored, survival, std_err, lower, upper``. Its methods (``at``, ``median``, ``quantile``,
``rmst``) follow R ``survival``'s definitions, so the numbers equal ``summary(survfit(...))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from netsurv.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netsurv._counts import Counts

__all__ = ["ConfType", "SurvivalCurves", "confidence_band", "z_value"]

ConfType = Literal["log-log", "log", "plain"]
CONF_TYPES = ("log-log", "log", "plain")
QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(float).eps))  # R quantile.survfit tolerance


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 -> 1.959964)."""
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level!r}: give a probability such as 0.95")
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def confidence_band(
    survival: np.ndarray, se_log: np.ndarray, conf_type: str, conf_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI from S and the standard error of log S (R ``survfit_confint``, usual limits).

    * ``plain``: S ± z·S·se, clipped to [0, 1];
    * ``log``: exp(log S ± z·se), upper clipped at 1; NA where S = 0;
    * ``log-log``: exp(−exp(log(−log S) ∓ z·se/log S)); NA where S is 0 or 1.
    """
    z = z_value(conf_level)
    p = np.asarray(survival, dtype=np.float64)
    se = np.asarray(se_log, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se * p
            return np.fmax(p - half, 0.0) * np.where(np.isnan(half), np.nan, 1.0), np.fmin(
                p + half, 1.0
            ) * np.where(np.isnan(half), np.nan, 1.0)
        if conf_type == "log":
            x = np.where(p == 0, np.nan, p)
            return np.exp(np.log(x) - z * se), np.fmin(np.exp(np.log(x) + z * se), 1.0) * np.where(
                np.isnan(x + se), np.nan, 1.0
            )
        if conf_type == "log-log":
            x = np.where((p == 0) | (p == 1), np.nan, p)
            s2 = z * se / np.log(x)
            return np.exp(-np.exp(np.log(-np.log(x)) - s2)), np.exp(
                -np.exp(np.log(-np.log(x)) + s2)
            )
    raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")


def _segment_search(
    row_stratum: np.ndarray, row_time: np.ndarray, q_stratum: np.ndarray, q_time: np.ndarray
) -> np.ndarray:
    """Index of the last row of stratum ``q_stratum`` with time <= ``q_time`` (-1 if none).

    Rows are sorted by (stratum, time); a structured array compares its fields in order, so
    one ``searchsorted`` serves every stratum at once.
    """
    key = np.dtype([("s", np.int64), ("t", np.float64)])
    rows = np.empty(len(row_time), dtype=key)
    rows["s"], rows["t"] = row_stratum, row_time
    queries = np.empty(len(q_time), dtype=key)
    queries["s"], queries["t"] = q_stratum, q_time
    pos = np.searchsorted(rows, queries, side="right") - 1
    inside = (pos >= 0) & (row_stratum[np.maximum(pos, 0)] == q_stratum)
    return np.where(inside, pos, -1)


def _first_of_each_value(y: np.ndarray) -> np.ndarray:
    """Positions R's ``!duplicated(y)`` keeps (first occurrence of each value; NaN is one)."""
    nan = np.isnan(y)
    finite = y[~nan]
    if np.all(finite[1:] >= finite[:-1]):  # the usual case: equal values are neighbours
        keep = np.r_[True, y[1:] != y[:-1]] & ~nan
        first_finite = np.argmax(~nan) if (~nan).any() else None
        if first_finite is not None:
            keep[first_finite] = True
    else:
        keep = np.zeros(len(y), dtype=bool)
        keep[np.unique(np.where(nan, np.inf, y), return_index=True)[1]] = True
        keep &= ~nan
    if nan.any():
        keep[np.argmax(nan)] = True
    return np.flatnonzero(keep)


def _knot(y: np.ndarray, p: float) -> int | None:
    """R ``approx(y, 1:n, p, method="constant", f=1)``: position of the smallest knot >= p
    (knots sorted by value, NaN knots dropped); None outside [min, max]."""
    idx = np.flatnonzero(~np.isnan(y))
    if len(idx) == 0:
        return None
    order = np.argsort(y[idx], kind="stable")
    knots = y[idx][order]
    if p < knots[0] or p > knots[-1]:
        return None
    return int(idx[order[np.searchsorted(knots, p, side="left")]])


def _findq(x: np.ndarray, y: np.ndarray, p: float, xmax: float, tol: float) -> float:
    """Where a horizontal line at ``p`` meets the cumulative curve ``y`` (R ``findq``).

    ``x`` and ``y`` start with the curve's origin (start time, 0). Follows R's
    ``quantile.survfit`` step by step: repeated values dropped (first kept); the quantile is
    the mean of the times of the smallest points with y + tol >= p and y − tol >= p (so a
    flat stretch at exactly p gives its midpoint); p = 0 gives the start; a curve whose last
    point lies at p uses the last follow-up time ``xmax`` instead.
    """
    if np.isnan(y).all() or np.nanmax(y) < p:
        return np.nan
    keep = _first_of_each_value(y)
    x, y = x[keep], y[keep]
    i1, i2 = _knot(y + tol, p), _knot(y - tol, p)
    quant = (x[i1] + x[i2]) / 2 if i1 is not None and i2 is not None else np.nan
    if p == 0:
        quant = x[0]
    if not np.isnan(y[-1]) and abs(p - y[-1]) < tol:  # the curve ends at p: R's last point
        quant = (x[i1] + xmax) / 2 if i1 is not None else np.nan
    return float(quant)


@dataclass(frozen=True)
class SurvivalCurves:
    """Step survival curves, one per stratum (frozen; build with an estimator).

    Arrays hold one entry per (stratum, distinct time), sorted by stratum then time.
    ``std_err`` is the standard error of the survival probability (Greenwood for
    Kaplan–Meier), as R's ``summary.survfit`` reports it; ``se_log`` is the standard error
    of log S used for the confidence band.
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
    lower: np.ndarray
    upper: np.ndarray
    conf_type: str
    conf_level: float
    n: np.ndarray
    last_time: np.ndarray
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    counts: Counts | None = None
    measure: str = "overall survival (Kaplan–Meier)"
    time_unit: str | None = "months"
    start_time: float = 0.0

    # ------------------------------------------------------------------ tables
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
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        if np.isnan(t).any():
            raise InputError("times: NaN is not a time; give numbers")
        t_sorted = np.sort(t)
        k = len(self.strata)
        qs = np.repeat(np.arange(k), len(t_sorted))
        qt = np.tile(t_sorted, k)
        pos = _segment_search(self.stratum, self.time, qs, qt)
        hit = pos >= 0
        p = np.maximum(pos, 0)
        surv = np.where(hit, self.survival[p], 1.0)
        se_log = np.where(hit, self.se_log[p], 0.0)
        # before the first time R reports S = 1 with the band (1, 1), whatever conf_type
        lower = np.where(hit, self.lower[p], 1.0)
        upper = np.where(hit, self.upper[p], 1.0)
        # at risk at t: the risk set of the first row at or after t (0 past the end)
        nxt = _segment_search(self.stratum, self.time, qs, np.nextafter(qt, -np.inf)) + 1
        offsets = np.searchsorted(self.stratum, np.arange(k + 1))
        nxt = np.where(nxt == 0, offsets[qs], nxt)
        in_stratum = nxt < offsets[qs + 1]
        n_risk = np.where(in_stratum, self.n_at_risk[np.minimum(nxt, len(self.time) - 1)], 0.0)
        # events/censored in (previous requested time, t]
        cum_ev = np.cumsum(self.n_events)
        cum_ce = np.cumsum(self.n_censored)
        base = offsets[qs] - 1  # last row of the previous stratum
        ev_base = np.where(base >= 0, cum_ev[np.maximum(base, 0)], 0.0)
        ce_base = np.where(base >= 0, cum_ce[np.maximum(base, 0)], 0.0)
        ev_to = np.where(hit, cum_ev[p], ev_base) - ev_base
        ce_to = np.where(hit, cum_ce[p], ce_base) - ce_base
        ev_to = ev_to.reshape(k, -1)
        ce_to = ce_to.reshape(k, -1)
        n_ev = np.diff(ev_to, axis=1, prepend=0.0).ravel()
        n_ce = np.diff(ce_to, axis=1, prepend=0.0).ravel()
        beyond = qt > self.last_time[qs]
        if not extend:
            zero = beyond & (surv == 0)
            gone = beyond & ~zero
            surv = np.where(gone, np.nan, surv)
            se_log = np.where(gone | zero, np.nan, se_log)
            lower = np.where(gone | zero, np.nan, lower)
            upper = np.where(gone | zero, np.nan, upper)
            n_ev = np.where(gone, np.nan, n_ev)
            n_ce = np.where(gone, np.nan, n_ce)
        with np.errstate(invalid="ignore"):
            std_err = surv * se_log
        out = pd.DataFrame(
            {
                "time": qt,
                "survival": surv,
                "std_err": std_err,
                "lower": lower,
                "upper": upper,
                "n_at_risk": n_risk,
                "n_events": n_ev,
                "n_censored": n_ce,
            }
        )
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
        offsets = np.searchsorted(self.stratum, np.arange(len(self.strata) + 1))
        rows = []
        for s in range(len(self.strata)):  # per stratum, small arrays: not a hot path
            sl = slice(offsets[s], offsets[s + 1])
            x = np.r_[self.start_time, self.time[sl]]
            xmax = float(self.time[sl][-1]) if offsets[s + 1] > offsets[s] else np.nan
            curves = (self.survival[sl], self.lower[sl], self.upper[sl])
            for prob in probs:
                q, lo, hi = (
                    _findq(x, np.r_[0.0, 1.0 - c], prob, xmax, QUANTILE_TOLERANCE) for c in curves
                )
                rows.append((s, prob, q, lo, hi))
        arr = np.array(rows, dtype=np.float64).reshape(-1, 5)
        out = pd.DataFrame(
            {"p": arr[:, 1], "quantile": arr[:, 2], "lower": arr[:, 3], "upper": arr[:, 4]}
        )
        return pd.concat([self._keys(arr[:, 0].astype(np.int64)), out], axis=1)

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
        """Survival to t given alive at ``given`` (R ``survfit(..., start.time=given)``)."""
        from netsurv.kaplan_meier import curves_from_counts

        c = self._require_counts("conditional survival")
        keep = c.time >= given
        return curves_from_counts(
            c._take(keep), self.conf_type, self.conf_level, start_time=float(given),
            measure=f"{self.measure}, conditional on survival to {given:g}",
            time_unit=self.time_unit,
        )  # fmt: skip

    def follow_up(self) -> pd.DataFrame:
        """Median follow-up by reverse Kaplan–Meier (censorings as events): by-cols, median,
        lower, upper."""
        from netsurv.kaplan_meier import curves_from_counts

        c = self._require_counts("median follow-up")
        swapped = type(c)(
            by=c.by, strata=c.strata, stratum=c.stratum, time=c.time, n_events=c.n_censored,
            n_censored=c.n_events, n_entered=c.n_entered, n_at_risk=c.n_at_risk,
            weighted=c.weighted, excluded=c.excluded,
        )  # fmt: skip
        return curves_from_counts(swapped, self.conf_type, self.conf_level).median()

    # ------------------------------------------------------------------ plots
    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the curves (see :func:`netsurv.plot_survival`)."""
        from netsurv.plotting import plot_survival

        return plot_survival(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def __repr__(self) -> str:
        head = f"SurvivalCurves({self.measure}; {len(self.strata)} strata; conf_type={self.conf_type!r})"
        return f"{head}\n{self.summary().to_string(index=False)}"
