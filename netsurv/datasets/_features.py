"""Tumour characteristics of the synthetic registry: site, age, sex, year, histology, stage, grade.

Private to :mod:`netsurv.datasets.simulate`. Every draw is vectorised; latent (true) values are
returned beside the registry codes so that outcomes and the analytic survival can use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netsurv.datasets import _model as m

__all__: list[str] = []

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
Objs = npt.NDArray[np.object_]


def choice(rng: np.random.Generator, codes: tuple[str, ...], p: tuple[float, ...], n: int) -> Objs:
    """``n`` codes drawn with probabilities ``p`` (object array of str)."""
    idx = rng.choice(len(codes), size=n, p=np.asarray(p) / np.sum(p))
    return np.asarray(codes, dtype=object)[idx]


def _rows_choice(rng: np.random.Generator, probs: Floats) -> Ints:
    """One category per row from a row-wise probability matrix (inverse CDF)."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probs))
    return np.minimum((u[:, None] > cdf).sum(axis=1), probs.shape[1] - 1)


@dataclass(frozen=True)
class Tumours:
    """Latent and coded characteristics of ``n`` tumours (arrays of equal length)."""

    site: Ints  # index into m.SITE_NAMES
    primary_site: Objs
    nec: npt.NDArray[np.bool_]
    extent: Ints  # latent: 0 localized, 1 regional, 2 distant
    stage_unknown: npt.NDArray[np.bool_]  # stage recorded as unknown
    grade: Ints  # latent: 0 G1, 1 G2, 2 G3 NET, 3 NEC
    histology: Objs
    age_offset: Floats  # deviation of the age at diagnosis from the site mean (NEC shift incl.)
    female: npt.NDArray[np.bool_]


def _site_probabilities(year: Ints) -> Floats:
    """Row-wise site-group probabilities: the appendix share steps up in 2015."""
    base = np.array([m.SITES[s][0] for s in m.SITE_NAMES])
    probs = np.broadcast_to(base, (len(year), len(base))).copy()
    step = year >= m.APPENDIX_STEP_YEAR
    probs[step, m.SITE_NAMES.index("appendix")] *= m.APPENDIX_STEP_FACTOR
    return probs


def draw_tumours(rng: np.random.Generator, year: Ints, cal: m.Calibrated = m.CALIBRATED) -> Tumours:
    """Site, NEC status, latent extent and grade, histology and sex of tumours diagnosed in ``year``."""
    names = m.SITE_NAMES
    n = len(year)
    site = _rows_choice(rng, _site_probabilities(year))
    nec = rng.random(n) < np.array([m.NEC_SHARE[s] for s in names])[site]
    female = rng.random(n) < np.array([m.FEMALE[s] for s in names])[site]
    mixes = {**m.NET_EXTENT, "pancreas": cal.pancreas_mix, "lung": cal.lung_mix}
    extent_p = np.array([mixes[s] for s in names], dtype=float)[site]
    appendix = (site == names.index("appendix")) & (year >= m.APPENDIX_STEP_YEAR)
    extent_p[appendix] = m.APPENDIX_EXTENT_FROM_STEP
    extent_p[nec] = m.NEC_EXTENT
    extent_p[nec & (site == names.index("unknown primary"))] = m.NEC_EXTENT_UNKNOWN_PRIMARY
    extent = _rows_choice(rng, extent_p)
    stage_unknown = rng.random(n) < np.array([m.STAGE_UNKNOWN[s] for s in names])[site]
    grade = _rows_choice(rng, np.array(m.NET_GRADE)[extent])
    grade[nec] = 3
    age_offset = rng.normal(0.0, m.AGE_SD, n) + np.where(nec, m.NEC_AGE_SHIFT, 0.0)
    primary_site = np.empty(n, dtype=object)
    histology = np.empty(n, dtype=object)
    for k, name in enumerate(names):  # loop over 9 site groups, vectorised within
        rows = np.flatnonzero(site == k)
        topo = m.SITES[name][1]
        primary_site[rows] = choice(rng, tuple(topo), tuple(topo.values()), len(rows))
        hist = m.NET_HISTOLOGY[name]
        histology[rows] = choice(rng, tuple(hist), tuple(hist.values()), len(rows))
        nec_hist = m.NEC_HISTOLOGY_LUNG if name == "lung" else m.NEC_HISTOLOGY
        nec_rows = rows[nec[rows]]
        histology[nec_rows] = choice(rng, tuple(nec_hist), tuple(nec_hist.values()), len(nec_rows))
    g3 = np.flatnonzero((grade == 2) & (rng.random(n) < m.NET_G3_8249))
    histology[g3] = "8249"
    lung_net = (site == names.index("lung")) & ~nec  # typical = low grade, atypical = higher
    histology[lung_net] = np.where(grade[lung_net] == 0, "8240", "8249")
    return Tumours(
        site, primary_site, nec, extent, stage_unknown, grade, histology, age_offset, female
    )


def draw_dates(rng: np.random.Generator, n: int) -> npt.NDArray[np.datetime64]:
    """Diagnosis dates 2000-2021: incidence rising 4.5% a year, dip in 2020, uniform days."""
    years = np.asarray(m.YEARS)
    w = np.exp(m.YEAR_TREND * (years - years[0])) * np.where(years == 2020, m.YEAR_2020_FACTOR, 1)
    year = rng.choice(years, size=n, p=w / w.sum())
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = ((year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(int)
    return start + np.floor(rng.random(n) * length).astype("timedelta64[D]")


def stage_codes(rng: np.random.Generator, t: Tumours, year: Ints) -> dict[str, Objs]:
    """Stage in each coding era's field, and the one belonging to the diagnosis year."""
    n = len(year)
    ext, unk = t.extent, t.stage_unknown
    hist_a = np.where(unk, "9", np.asarray(["1", "2", "4"], dtype=object)[ext]).astype(object)
    labels = np.asarray(["Localized", "Regional", "Distant"], dtype=object)
    combined = np.where(unk, "Unknown/unstaged", labels[ext]).astype(object)
    regional = choice(rng, ("2", "3", "4"), (0.3, 0.5, 0.2), n)
    ss2018 = np.where(unk, "9", np.where(ext == 1, regional, np.where(ext == 0, "1", "7")))
    ss2018 = ss2018.astype(object)
    hist_a[year > 2015] = None
    combined[(year < 2004) | (year > 2017)] = None
    ss2018[year < 2018] = None
    code = np.where(year <= 2015, hist_a, np.where(year <= 2017, combined, ss2018)).astype(object)
    system = np.where(year <= 2015, "historic_a", np.where(year <= 2017, "combined", "ss2018"))
    return {
        "stage_code": code,
        "stage_system": system.astype(object),
        "stage_historic_a": hist_a,
        "stage_combined": combined,
        "stage_ss2018": ss2018,
    }


def _grade_known(year: Ints, net_table: npt.NDArray[np.bool_]) -> Floats:
    """Probability that a grade is recorded, by coding era (and 2018+ grade table)."""
    ramp = (np.clip(year, 2000, 2017) - 2000) / 17.0
    old = m.GRADE_KNOWN_2000 + (m.GRADE_KNOWN_2017 - m.GRADE_KNOWN_2000) * ramp
    new = np.where(net_table, m.GRADE_KNOWN_2018_NET, m.GRADE_KNOWN_2018_CARCINOMA)
    return np.where(year >= 2018, new, old)


def grade_codes(rng: np.random.Generator, t: Tumours, year: Ints) -> dict[str, Objs]:
    """Grade code in the era's code set (and 2018+ schema table), and Ki-67 from 2021."""
    n = len(year)
    new = year >= 2018
    net_table = ~t.nec & np.array(
        [str(p).startswith(m.NET_SCHEMA_TOPOGRAPHY) for p in t.primary_site], dtype=bool
    )
    known = rng.random(n) < _grade_known(year, net_table)
    code = np.full(n, "9", dtype=object)
    tables = (
        (~new, m.GRADE_PRE2018),
        (new & net_table, m.GRADE_2018_NET),
        (new & ~net_table, m.GRADE_2018_CARCINOMA),
    )
    for g in range(4):
        for era, table in tables:
            if g >= len(table):
                continue
            rows = np.flatnonzero((t.grade == g) & era & known)
            codes, shares = table[g]
            code[rows] = choice(rng, codes, shares, len(rows))
    system = np.where(new, "2018", "pre2018").astype(object)
    ki67 = np.full(n, np.nan)
    ki67_code = np.full(n, None, dtype=object)
    ki_sites = [m.SITE_NAMES.index(s) for s in m.KI67_SITES]
    rows = np.flatnonzero((year >= 2021) & ~t.nec & np.isin(t.site, ki_sites))
    mode = rng.choice(3, size=len(rows), p=m.KI67_MODE)
    lo, hi = np.asarray(m.KI67_RANGE).T
    gr = t.grade[rows]
    value = np.round(lo[gr] + rng.random(len(rows)) * (hi[gr] - lo[gr]), 1)
    exact = rows[mode == 0]
    ki67[exact] = value[mode == 0]
    ki67_code[exact] = [f"{v:.1f}" for v in value[mode == 0]]
    ki67_code[rows[mode == 1]] = np.asarray(["XXX.4", "XXX.5", "XXX.6"], dtype=object)[
        gr[mode == 1]
    ]
    ki67_code[rows[mode == 2]] = "XXX.9"
    return {"grade_code": code, "grade_system": system, "ki67": ki67, "ki67_code": ki67_code}
