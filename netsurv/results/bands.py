"""Pointwise confidence bands for survival curves (R ``survfit_confint``, ``relsurv``)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import stats

from netsurv.errors import InputError

__all__ = ["CONF_TYPES", "ConfType", "confidence_band", "z_value"]

ConfType = Literal["log-log", "log", "plain"]
CONF_TYPES = ("log-log", "log", "plain")


def _is_real(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 -> 1.959964)."""
    if not _is_real(conf_level) or not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level!r}: give a probability such as 0.95")
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def confidence_band(
    survival: np.ndarray,
    se_log: np.ndarray,
    conf_type: str,
    conf_level: float,
    upper_limit: float | None = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI from S and the standard error of log S (R ``survfit_confint``, usual limits).

    * ``plain``: S ± z·S·se, clipped to [0, ``upper_limit``];
    * ``log``: exp(log S ± z·se), upper clipped at ``upper_limit``; NA where S = 0;
    * ``log-log``: exp(−exp(log(−log S) ∓ z·se/log S)); NA where S is 0 or 1.

    ``upper_limit=None`` clips nothing, as R ``relsurv`` bounds net and relative survival
    (which may exceed 1): log exp(log S ± z·se), plain S ± z·se·S.
    """
    z = z_value(conf_level)
    p = np.asarray(survival, dtype=np.float64)
    se = np.asarray(se_log, dtype=np.float64)
    top = np.inf if upper_limit is None else float(upper_limit)
    bottom = -np.inf if upper_limit is None else 0.0
    # each formula is written as R writes it, evaluated in place (one buffer per limit)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = np.multiply(z, se)
            half *= p
            na = np.isnan(half)
            lower, upper = np.subtract(p, half), np.add(p, half, out=half)
            np.fmax(lower, bottom, out=lower)
            np.fmin(upper, top, out=upper)
            return _blank(lower, na), _blank(upper, na)
        if conf_type == "log":
            na = ~(p > 0)  # log S undefined: NA (R)
            log_p = np.log(p)
            lower = np.multiply(z, se)
            upper = np.add(log_p, lower)
            np.subtract(log_p, lower, out=lower)
            np.exp(lower, out=lower)
            np.exp(upper, out=upper)
            np.fmin(upper, top, out=upper)
            return _blank(lower, na), _blank(upper, na | np.isnan(se))
        if conf_type == "log-log":
            na = (p == 0) | (p == 1) | np.isnan(p)
            log_p = np.log(p)
            s2 = np.multiply(z, se)
            s2 /= log_p
            loglog = np.negative(log_p, out=log_p)
            np.log(loglog, out=loglog)
            lower, upper = np.subtract(loglog, s2), np.add(loglog, s2, out=s2)
            for limit in (lower, upper):  # exp(-exp(.))
                np.exp(limit, out=limit)
                np.negative(limit, out=limit)
                np.exp(limit, out=limit)
            return _blank(lower, na), _blank(upper, na)
    raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")


def _blank(limit: np.ndarray, na: np.ndarray) -> np.ndarray:
    """``limit`` with NaN where ``na`` (in place)."""
    limit[na] = np.nan
    return limit
