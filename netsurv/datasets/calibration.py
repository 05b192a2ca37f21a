"""Solve the simulator's calibrated numbers so that its analytic survival hits published figures.

Each target of ``netsurv/datasets/_targets.py`` is computed on the simulator's *analytic*
curves (``netsurv.datasets.truth``: the large-sample limits of the Kaplan-Meier, cause-specific
KM and Ederer II estimates on the target's own rows, with their censoring), not on a noisy
estimate. Each target has one lever; the levers are solved one at a time by Brent's method
(Gauss-Seidel sweeps, since e.g. the pancreas is part of the GEP cohort), then the registry is
simulated again with the new numbers (``rounds``), because which tumours exist (second
primaries, extent mixes) depends on them.

Run ``python -m netsurv.datasets.calibration`` to print the numbers to copy into
``_model.py`` (``CALIBRATED``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq

import netsurv.datasets._model as m
import netsurv.datasets.truth as tr
from netsurv import codes
from netsurv.codes.cohort import select
from netsurv.datasets._targets import TARGETS, Target
from netsurv.datasets.simulate import simulate_frame

__all__ = ["analytic_value", "calibrate"]

Floats = npt.NDArray[np.float64]
_MIX_SITE = {"mix:pancreas": "pancreas", "mix:lung": "lung"}


@dataclass
class _Problem:
    """One target on one simulated sample: its rows' terms, lever masks and extents."""

    target: Target
    terms: tr._Terms
    origin: pd.DataFrame  # sim_origin_* and sim_extent_latent of the rows
    months: int

    def statistic(
        self, scale: Floats, weight: Floats | None = None, misattributed: float | None = None
    ) -> float:
        rows = np.ones(len(self.origin), dtype=bool)
        t = self.target
        if t.statistic == "relative_at":
            curve = tr._ederer2_limit(self.terms, rows, scale, weight)
        elif t.event == "cancer_death":
            curve = tr._css_limit(self.terms, rows, scale, weight, misattributed)
        else:
            curve = tr._km_limit(self.terms, rows, scale, weight)
        if t.statistic == "median":  # whole-month KM median of a crossing at v - 0.5
            crossing = _crossing(curve)
            return (crossing if np.isfinite(crossing) else float(len(curve))) + 0.5
        return float(curve[int(t.time or 59)])


def _crossing(curve: Floats) -> float:
    """Month (interpolated) where the curve falls to 0.5; NaN if it does not on the grid (the
    median then lies beyond the grid, which :meth:`_Problem.statistic` reports as its end)."""
    below = np.flatnonzero(curve <= 0.5)
    if len(below) == 0:
        return float("nan")
    k = int(below[0])
    if k == 0:
        return 0.0
    hi, lo = curve[k - 1], curve[k]
    return float(k - 1 + (hi - 0.5) / (hi - lo))


def _months(t: Target) -> int:
    return int(t.time or 0) + 1 if t.statistic != "median" else int(t.value * 1.4) + 12


def _rows(df: pd.DataFrame, t: Target) -> pd.DataFrame:
    data = select(df, **t.cohort).data
    if t.by:
        data = data[data[t.by].astype(str) == t.stratum]
    return data[data["exclusion"].isna()]


def problems(df: pd.DataFrame, cap: int = 40_000) -> list[_Problem]:
    """The calibration problems of every target on a classified ``truth=True`` frame."""
    out = []
    for t in TARGETS:
        rows = _rows(df, t)
        if len(rows) > cap:  # a fixed random subset keeps the arrays small
            keep = np.random.default_rng(len(rows)).choice(len(rows), cap, replace=False)
            rows = rows.iloc[np.sort(keep)]
        months = _months(t)
        cols = ["sim_origin_site", "sim_origin_extent", "sim_origin_grade", "sim_extent_latent"]
        out.append(_Problem(t, tr._terms(rows, months), rows[cols].reset_index(drop=True), months))
    return out


def _lever_rows(origin: pd.DataFrame, lever: str) -> npt.NDArray[np.bool_]:
    """Rows whose cancer hazard the lever scales (by the patient's first tumour)."""
    kind, _, rest = lever.partition(":")
    site, grade = origin["sim_origin_site"], origin["sim_origin_grade"]
    nec = grade.eq("NEC")
    if kind == "nec":
        return (nec & site.map(m.NEC_GROUP).eq(rest)).to_numpy()
    if kind == "net":
        group, _, extent = rest.partition(":")
        mask = ~nec & site.map(m.NET_GROUP).eq(group) & origin["sim_origin_extent"].eq(extent)
        return mask.to_numpy()
    return np.zeros(len(origin), dtype=bool)


def _scale(p: _Problem, theta: dict[str, float]) -> Floats:
    scale = np.ones(len(p.origin))
    for lever, value in theta.items():
        if value != 1.0 and not lever.startswith("mix:"):
            scale[_lever_rows(p.origin, lever)] *= value
    return scale


def _mix_weight(p: _Problem, mix: tuple[float, float, float], new_distant: float) -> Floats:
    """Row weights that turn the extent mix ``mix`` into one with ``new_distant`` distant."""
    lo = (1 - new_distant) / (mix[0] + mix[1])
    new = (mix[0] * lo, mix[1] * lo, new_distant)
    ratio = {e: new[i] / mix[i] for i, e in enumerate(m.EXTENTS)}
    return p.origin["sim_extent_latent"].map(ratio).to_numpy(dtype=float)


def _solve(gap: Callable[[float], float], lo: float, hi: float) -> float:
    a, b = gap(lo), gap(hi)
    if a * b > 0:  # out of reach: take the better end and let the next sweep/round move on
        return lo if abs(a) < abs(b) else hi
    return float(brentq(gap, lo, hi, xtol=1e-7))


def _round(
    probs: list[_Problem], cal: m.Calibrated, sweeps: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Lever factors (hazards), and new distant shares (mixes) plus the misattributed share of
    other-cause deaths (``"css"``), solved on one sample."""
    theta = {t.lever: 1.0 for t in TARGETS if t.lever.startswith(("net:", "nec:"))}
    misattributed = cal.misattributed
    mixes = {"mix:pancreas": cal.pancreas_mix, "mix:lung": cal.lung_mix}
    distant = {k: v[2] for k, v in mixes.items()}
    for _ in range(sweeps):
        for p in probs:
            lever = p.target.lever
            if lever == "css":

                def gap_css(q: float, p: _Problem = p) -> float:
                    return p.statistic(_scale(p, theta), None, q) - p.target.value

                misattributed = _solve(gap_css, 0.0, 0.5)
                continue
            if lever.startswith("mix:"):
                scale = _scale(p, theta)

                def gap_mix(d: float, p: _Problem = p, scale: Floats = scale) -> float:
                    w = _mix_weight(p, mixes[p.target.lever], d)
                    return p.statistic(scale, w) - p.target.value

                distant[lever] = _solve(gap_mix, 0.02, 0.9)
                continue

            def gap(log_c: float, p: _Problem = p, lever: str = lever) -> float:
                trial = {**theta, lever: float(np.exp(log_c))}
                return p.statistic(_scale(p, trial)) - p.target.value

            theta[lever] = float(np.exp(_solve(gap, -6.0, 6.0)))
    distant["css"] = misattributed
    return theta, distant


def _apply(cal: m.Calibrated, theta: dict[str, float], distant: dict[str, float]) -> m.Calibrated:
    net = {g: list(v) for g, v in cal.net_base.items()}
    nec = dict(cal.nec_base)
    for lever, value in theta.items():
        kind, _, rest = lever.partition(":")
        if kind == "net":
            group, _, extent = rest.partition(":")
            net[group][m.EXTENTS.index(extent)] *= value
        elif kind == "nec":
            nec[rest] *= value
    mixes = {}
    for lever, d in distant.items():
        if lever == "css":
            continue
        old = cal.pancreas_mix if lever == "mix:pancreas" else cal.lung_mix
        lo = (1 - d) / (old[0] + old[1])
        mixes[_MIX_SITE[lever]] = (
            round(old[0] * lo, 4),
            round(1 - d - round(old[0] * lo, 4), 4),
            round(d, 4),
        )
    return m.Calibrated(
        net_base={g: (v[0], v[1], v[2]) for g, v in net.items()},
        g1=cal.g1,
        nec_base=nec,
        pancreas_mix=mixes["pancreas"],
        lung_mix=mixes["lung"],
        misattributed=round(distant["css"], 4),
    )


def sample(n: int, seed: int, cal: m.Calibrated = m.CALIBRATED) -> pd.DataFrame:
    """A classified ``truth=True`` frame simulated with ``cal``."""
    out: pd.DataFrame = codes.classify(simulate_frame(n, seed, cal, truth=True))
    return out


def calibrate(
    n: int = 200_000,
    seed: int = 20221231,
    rounds: int = 3,
    sweeps: int = 4,
    start: m.Calibrated = m.CALIBRATED,
) -> m.Calibrated:
    """Solve the calibrated numbers on ``rounds`` simulated samples of ``n`` tumours."""
    cal = start
    for _ in range(rounds):
        probs = problems(sample(n, seed, cal))
        theta, distant = _round(probs, cal, sweeps)
        cal = _apply(cal, theta, distant)
    return cal


def analytic_value(df: pd.DataFrame, target: Target, cap: int = 40_000) -> float:
    """The simulator's analytic value of ``target`` on a classified ``truth=True`` frame.

    Computed on at most ``cap`` of the target's rows (a fixed random subset). A median beyond
    the grid (``1.4 x`` the target value + 12 months) is looked for again up to 276 months,
    the longest follow-up of the registry, and is NaN if the curve stays above 0.5.
    """
    rows = _rows(df, target)
    if len(rows) > cap:
        keep = np.random.default_rng(len(rows)).choice(len(rows), cap, replace=False)
        rows = rows.iloc[np.sort(keep)]
    cols = ["sim_origin_site", "sim_origin_extent", "sim_origin_grade", "sim_extent_latent"]
    for months in (_months(target), 276):
        terms = tr._terms(rows, months)
        p = _Problem(target, terms, rows[cols].reset_index(drop=True), months)
        value = p.statistic(np.ones(len(rows)))
        if target.statistic != "median" or value < months:
            return value
    return float("nan")


def _format(cal: m.Calibrated) -> str:
    net = ",\n".join(
        f'        "{g}": ({v[0]:.6g}, {v[1]:.6g}, {v[2]:.6g})' for g, v in cal.net_base.items()
    )
    nec = ", ".join(f'"{g}": {v:.6g}' for g, v in cal.nec_base.items())
    return (
        "CALIBRATED: Final = Calibrated(\n    net_base={\n" + net + ",\n    },\n"
        f"    g1={cal.g1:.6g},\n    nec_base={{{nec}}},\n"
        f"    pancreas_mix={cal.pancreas_mix},\n    lung_mix={cal.lung_mix},\n"
        f"    misattributed={cal.misattributed},\n)"
    )


if __name__ == "__main__":
    print(_format(calibrate()))
