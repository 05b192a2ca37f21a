"""Pointwise confidence bands for survival curves (R ``survfit_confint``, ``relsurv``)."""

from __future__ import annotations

from functools import lru_cache
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
    return _normal_quantile(conf_level)


@lru_cache(maxsize=32, typed=True)
def _normal_quantile(conf_level: float) -> float:
    """scipy's ppf costs ~0.1 ms a call; bands computed block by block ask for it often."""
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

    Each value depends on its own S and se only; the rows are evaluated in blocks that stay in
    the processor's cache (ten-million-row curves), each formula written as R writes it.
    """
    z = z_value(conf_level)
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    p, se = np.asarray(survival, dtype=np.float64), np.asarray(se_log, dtype=np.float64)
    if p.shape != se.shape:
        p, se = np.broadcast_arrays(p, se)
    shape = p.shape
    p, se = np.ascontiguousarray(p).ravel(), np.ascontiguousarray(se).ravel()
    lower, upper = np.empty(len(p)), np.empty(len(p))
    top = np.inf if upper_limit is None else float(upper_limit)
    bottom = -np.inf if upper_limit is None else 0.0
    m = min(BLOCK, len(p))
    tmp, na, na2 = np.empty(m), np.empty(m, dtype=bool), np.empty(m, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for lo in range(0, len(p), BLOCK):
            hi = min(lo + BLOCK, len(p))
            k = hi - lo
            limits = (lower[lo:hi], upper[lo:hi])
            scratch = (tmp[:k], na[:k], na2[:k])
            _FORMULAS[conf_type](p[lo:hi], se[lo:hi], z, top, bottom, limits, scratch)
    return lower.reshape(shape), upper.reshape(shape)


BLOCK = 1 << 15  # rows per block of :func:`confidence_band`
_Limits = tuple[np.ndarray, np.ndarray]
_Scratch = tuple[np.ndarray, np.ndarray, np.ndarray]


def _plain(
    p: np.ndarray, se: np.ndarray, z: float, top: float, bottom: float, out: _Limits, s: _Scratch
) -> None:
    (lower, upper), (half, na, _) = out, s
    np.multiply(z, se, out=half)
    half *= p
    np.subtract(p, half, out=lower)
    np.add(p, half, out=upper)
    np.fmax(lower, bottom, out=lower)
    np.fmin(upper, top, out=upper)
    if np.isnan(half.max()):  # (one reduction; the masks only where needed)
        np.isnan(half, out=na)
        _blank(lower, na)
        _blank(upper, na)


def _log(
    p: np.ndarray, se: np.ndarray, z: float, top: float, bottom: float, out: _Limits, s: _Scratch
) -> None:
    (lower, upper), (log_p, na, na_se) = out, s
    np.log(p, out=log_p)
    np.multiply(z, se, out=lower)
    np.add(log_p, lower, out=upper)
    np.subtract(log_p, lower, out=lower)
    np.exp(lower, out=lower)
    np.exp(upper, out=upper)
    np.fmin(upper, top, out=upper)
    if p.min() > 0 and not np.isnan(se.max()):  # the usual block: nothing to blank
        return
    np.greater(p, 0, out=na)
    np.logical_not(na, out=na)  # log S undefined: NA (R)
    _blank(lower, na)
    np.isnan(se, out=na_se)
    na_se |= na
    _blank(upper, na_se)


def _log_log(
    p: np.ndarray, se: np.ndarray, z: float, top: float, bottom: float, out: _Limits, s: _Scratch
) -> None:
    (lower, upper), (log_p, na, other) = out, s
    np.log(p, out=log_p)
    s2 = np.multiply(z, se, out=upper)
    s2 /= log_p
    loglog = np.negative(log_p, out=log_p)
    np.log(loglog, out=loglog)
    np.subtract(loglog, s2, out=lower)
    np.add(loglog, s2, out=upper)
    for limit in (lower, upper):  # exp(-exp(.))
        np.exp(limit, out=limit)
        np.negative(limit, out=limit)
        np.exp(limit, out=limit)
    if 0 < p.min() and p.max() < 1:  # the usual block: nothing to blank
        return
    np.equal(p, 0, out=na)
    na |= np.equal(p, 1, out=other)
    na |= np.isnan(p, out=other)
    _blank(lower, na)
    _blank(upper, na)


_FORMULAS = {"plain": _plain, "log": _log, "log-log": _log_log}


def _blank(limit: np.ndarray, na: np.ndarray) -> None:
    """NaN where ``na`` (in place)."""
    if na.any():
        limit[na] = np.nan
