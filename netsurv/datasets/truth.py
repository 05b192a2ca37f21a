"""The simulator's own ("true") survival, computed analytically from its hazards.

For every usable row of a frame made by ``simulate_registry(..., truth=True)`` the survival
function of the time to death is known in closed form: background cumulative hazard (the
piecewise-constant US life-table steps the simulator drew from) plus the Weibull cancer
cumulative hazard, both conditional on being alive at the row's diagnosis (second primaries
inherit the hazard of their patient's first tumour). Three summaries are offered:

``kind="km"`` (default)
    The large-sample limit of the Kaplan-Meier estimate *on these rows with their censoring*,
    in SEER whole months: with ``b_m = ceil(m * 365.24 / 12)`` days, the expected number at
    risk at month ``m`` is ``sum_i P(D_i >= b_m) G_i(b_m) [A_i >= b_m]`` and the expected number
    of deaths recorded in month ``m`` is ``sum_i P(b_m <= D_i < min(b_{m+1}, A_i + 1)) G_i(mid)``
    (D death day, A days to the study cutoff, G loss-to-follow-up survival, taken at the
    middle of the interval — the only approximation, of order (hazard x loss rate x month^2)).
    The product of ``1 - deaths / at risk`` is what ``kaplan_meier(...).at(m)`` estimates.
    Because administrative censoring depends on the diagnosis year, and background mortality
    on the calendar year, and because whole-month KM keeps people lost during a month at risk
    for all of it, this differs slightly (about 0.1 percentage point) from the next one.
``kind="marginal"``
    The mean over rows of ``P(survival_months > m)`` with no censoring at all: the survival of
    the simulated population itself.
``kind="css"`` and ``kind="ederer2"``
    The limits of the cause-specific KM estimate (expected cancer deaths in month ``m`` are the
    expected deaths times the cancer share of the month's cumulative hazard, plus the model's
    misattributed share of the other deaths) and of Ederer II
    relative survival (the KM limit divided by the product over months of one minus the mean,
    over those expected at risk, of the background death probability in the month).
``kind="net"``
    The mean over rows of the cancer-only survival ``exp(-H_cancer)`` at the end of month m:
    net survival, as if background mortality were removed (what Pohar Perme estimates when the
    life table is the true background hazard).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

import netsurv.datasets._background as bg
import netsurv.datasets._model as m
from netsurv.datasets.simulate import decimal_date
from netsurv.errors import InputError

__all__ = ["true_survival"]

Floats = npt.NDArray[np.float64]
_NEEDED = ("sim_rate", "sim_shape", "sim_offset_days", "sim_age0", "sex", "date_dx")


@dataclass(frozen=True)
class _Terms:
    """Per usable row: cumulative hazards and loss-to-follow-up survival on the month grid.

    Grid points are the month boundaries ``b_0 .. b_M`` (days from the row's diagnosis); the
    row's last at-risk month is ``last`` (``b_last <= A < b_{last+1}``, A = days to the cutoff),
    where the death window ends at ``A + 1`` instead of ``b_{last+1}`` (``*_cut`` values).
    """

    h_bg: Floats  # (n, M + 1) background cumulative hazard from the row's diagnosis
    h_c: Floats  # (n, M + 1) cancer cumulative hazard
    g: Floats  # (n, M + 1) loss-to-follow-up survival
    last: npt.NDArray[np.intp]  # (n,) last month at risk (may be >= M)
    h_bg_cut: Floats  # (n,) the same three at day A + 1
    h_c_cut: Floats
    g_cut: Floats


def _terms(df: pd.DataFrame, months: int) -> _Terms:
    b = np.ceil(np.arange(months + 1) * m.DAYS_PER_MONTH)
    date = df["date_dx"].to_numpy().astype("datetime64[D]")
    admin = (np.datetime64(m.STUDY_CUTOFF, "D") - date).astype(float)
    last = np.searchsorted(b, admin, side="right") - 1
    off = df["sim_offset_days"].to_numpy(dtype=float)[:, None]
    origin = date - off[:, 0].astype("timedelta64[D]")
    rates, cum = bg.step_hazards(
        df["sex"].eq("female").to_numpy(dtype=bool),
        df["sim_age0"].to_numpy(dtype=float),
        decimal_date(origin),
    )
    rate = df["sim_rate"].to_numpy(dtype=float)[:, None]
    shape = df["sim_shape"].to_numpy(dtype=float)[:, None]
    h0_bg = bg.cumulative(rates, cum, off)
    h0_c = rate * (off / m.DAYS_PER_YEAR) ** shape

    def hazards(t: Floats) -> tuple[Floats, Floats, Floats]:
        h_bg = bg.cumulative(rates, cum, off + t) - h0_bg
        h_c = rate * ((off + t) / m.DAYS_PER_YEAR) ** shape - h0_c
        exposed = np.maximum(off + t - m.LTFU_START_DAYS, 0) - np.maximum(
            off - m.LTFU_START_DAYS, 0
        )
        return h_bg, h_c, np.exp(-m.LTFU_RATE / m.DAYS_PER_YEAR * exposed)

    grid = hazards(np.broadcast_to(b, (len(df), months + 1)))
    cut = hazards(admin[:, None] + 1)
    return _Terms(*grid, last, cut[0][:, 0], cut[1][:, 0], cut[2][:, 0])


@dataclass(frozen=True)
class _Parts:
    """Expected numbers per month over a set of rows (the large-sample KM ingredients)."""

    at_risk: Floats  # expected number at risk at the start of month m
    deaths: Floats  # expected deaths recorded in month m
    cancer: Floats  # of which cancer deaths
    expected: Floats  # Ederer II: at-risk-weighted mean background death probability in month m


def _parts(
    t: _Terms,
    rows: npt.NDArray[np.bool_],
    scale: Floats | float = 1.0,
    weight: Floats | None = None,
    misattributed: float | None = None,
) -> _Parts:
    """Expected at risk and deaths by month over ``rows``, cancer hazards times ``scale``."""
    sc = scale[rows] if isinstance(scale, np.ndarray) else np.full(int(rows.sum()), scale)
    w = np.ones(int(rows.sum())) if weight is None else weight[rows]
    h_c = sc[:, None] * t.h_c[rows]
    h_bg = t.h_bg[rows]
    s = np.exp(-(h_bg + h_c))
    g, last = t.g[rows], t.last[rows]
    months = s.shape[1] - 1
    s_lo, g_lo = s[:, :-1], g[:, :-1]
    s_up, g_up = s[:, 1:].copy(), g[:, 1:].copy()
    inside = np.flatnonzero(last < months)  # rows whose cutoff falls inside the grid
    s_up[inside, last[inside]] = np.exp(-(t.h_bg_cut[rows] + sc * t.h_c_cut[rows]))[inside]
    g_up[inside, last[inside]] = t.g_cut[rows][inside]
    window = (np.arange(months)[None, :] <= last[:, None]) * w[:, None]  # A >= b_m: at risk
    risk = window * s_lo * g_lo
    # G is exponential in the exposure, so its value at the window's middle is sqrt(lo * up)
    dead = window * np.maximum(s_lo - s_up, 0) * np.sqrt(g_lo * g_up)
    d_c, d_bg = np.diff(h_c, axis=1), np.diff(h_bg, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(d_c + d_bg > 0, d_c / (d_c + d_bg), 0.0)
    p = m.CALIBRATED.misattributed if misattributed is None else misattributed
    share = share + p * (1 - share)  # other-cause deaths recorded as cancer deaths
    return _Parts(
        risk.sum(axis=0),
        dead.sum(axis=0),
        (dead * share).sum(axis=0),
        (risk * -np.expm1(-d_bg)).sum(axis=0),
    )


def _product(numerator: Floats, at_risk: Floats) -> Floats:
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(at_risk > 0, numerator / at_risk, np.nan)
    return np.cumprod(1 - hazard)


def _km_limit(
    t: _Terms,
    rows: npt.NDArray[np.bool_],
    scale: Floats | float = 1.0,
    weight: Floats | None = None,
) -> Floats:
    """KM limit S(m), m = 0..M-1, over ``rows``, cancer hazards multiplied by ``scale``."""
    p = _parts(t, rows, scale, weight)
    return _product(p.deaths, p.at_risk)


def _css_limit(
    t: _Terms,
    rows: npt.NDArray[np.bool_],
    scale: Floats | float = 1.0,
    weight: Floats | None = None,
    misattributed: float | None = None,
) -> Floats:
    """Cause-specific KM limit (other deaths censor): product of 1 - cancer deaths / at risk."""
    p = _parts(t, rows, scale, weight, misattributed)
    return _product(p.cancer, p.at_risk)


def _ederer2_limit(
    t: _Terms,
    rows: npt.NDArray[np.bool_],
    scale: Floats | float = 1.0,
    weight: Floats | None = None,
) -> Floats:
    """Ederer II limit: KM limit over the expected survival of those at risk, month by month."""
    p = _parts(t, rows, scale, weight)
    return _product(p.deaths, p.at_risk) / _product(p.expected, p.at_risk)


def _marginal(t: _Terms, rows: npt.NDArray[np.bool_]) -> Floats:
    return np.exp(-(t.h_bg[rows] + t.h_c[rows]))[:, 1:].mean(axis=0)


def _net(t: _Terms, rows: npt.NDArray[np.bool_]) -> Floats:
    return np.exp(-t.h_c[rows])[:, 1:].mean(axis=0)


def true_survival(
    df: pd.DataFrame,
    months: int = 120,
    by: str | None = "extent",
    *,
    kind: Literal["km", "marginal", "net", "css", "ederer2"] = "km",
) -> pd.DataFrame:
    """The simulator's analytic survival by group, at whole months 0 .. ``months - 1``.

    Parameters
    ----------
    df : a frame from ``simulate_registry(..., truth=True)`` or ``load_synthetic_registry()``
        (rows with an ``exclusion`` are left out, as every estimator leaves them out).
    months : number of whole months to report (time 0 .. months - 1).
    by : grouping column (``"extent"`` falls back to the simulator's ``"sim_extent"`` when the
        frame is not classified), or None for one curve.
    kind : ``"km"`` — the large-sample limit of the Kaplan-Meier estimate at time ``m``
        (survival through month ``m``) given these rows' censoring; ``"marginal"`` — the
        population's survival without censoring; ``"net"`` — the mean over rows of the
        cancer-only survival ``exp(-H_cancer)``, the quantity net survival (Pohar Perme)
        estimates; ``"css"`` — the limit of the cause-specific Kaplan-Meier estimate (other
        deaths censor); ``"ederer2"`` — the limit of Ederer II relative survival (KM limit
        over the expected survival of those at risk, month by month). See the module docstring.

    Returns
    -------
    pandas.DataFrame with the ``by`` column (if any), ``time`` (months) and ``survival``.

    Examples
    --------
    >>> from netsurv.datasets import simulate_registry
    >>> df = simulate_registry(3_000, seed=2, truth=True, classify=False)
    >>> s = true_survival(df, months=60, by=None)
    >>> len(s), bool(s["survival"].is_monotonic_decreasing), bool(s["survival"].between(0, 1).all())
    (60, True, True)
    """
    missing = [c for c in _NEEDED if c not in df]
    if missing:
        raise InputError(
            f"true_survival: columns {missing} are missing; simulate with "
            "simulate_registry(..., truth=True) or use load_synthetic_registry()."
        )
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise InputError(f"true_survival: months must be a positive integer, got {months!r}.")
    if by == "extent" and by not in df:
        by = "sim_extent"
    if by is not None and by not in df:
        raise InputError(f"true_survival: by={by!r} is not a column of the frame.")
    usable = df["exclusion"].isna() if "exclusion" in df else pd.Series(True, index=df.index)
    data = df.loc[usable.to_numpy(dtype=bool)]
    terms = _terms(data, int(months))
    curves: dict[str, Callable[[_Terms, npt.NDArray[np.bool_]], Floats]] = {
        "km": _km_limit,
        "marginal": _marginal,
        "net": _net,
        "css": _css_limit,
        "ederer2": _ederer2_limit,
    }
    if kind not in curves:
        raise InputError(
            "true_survival: kind must be 'km', 'marginal', 'net', 'css' or 'ederer2', "
            f"got {kind!r}."
        )
    curve = curves[kind]
    groups = (
        [(None, np.ones(len(data), bool))]
        if by is None
        else [(g, (data[by] == g).to_numpy(dtype=bool)) for g in pd.unique(data[by].dropna())]
    )
    parts = []
    for key, rows in sorted(groups, key=lambda kv: str(kv[0])):
        part = pd.DataFrame(
            {"time": np.arange(months, dtype=float), "survival": curve(terms, rows)}
        )
        if by is not None:
            part.insert(0, by, key)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
