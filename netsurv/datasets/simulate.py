"""A synthetic cancer registry of neuroendocrine neoplasms that behaves like a SEER extract.

**The data are synthetic.** No record describes a real person; the simulator exists so that
netsurv can be demonstrated, tested and benchmarked without a SEER data-use agreement.

Model (parameters in ``netsurv/datasets/_model.py``; full description in
``netsurv/datasets/data/README.md``):

* **Tumours.** Diagnosis dates 2000-2021 with incidence rising 4.5% a year (dip in 2020);
  site group (lung, small intestine, rectum, pancreas, appendix, colon, stomach, other,
  unknown primary ~14%) with ICD-O-3 topography, the appendix share stepping up in 2015
  (carcinoid NOS of the appendix reportable as malignant from then); NEC share by site
  (histology 8246, 8041, 8013); NET histologies 8240-8242, 8249 and the 8150 series (lung:
  typical 8240 for low grade, atypical 8249 otherwise); latent extent by site (NEC mostly
  distant); latent NET grade G1/G2/G3 by extent; age ~ Normal(site mean (+5 for NEC), 12) in
  15-95; sex by site.
* **Coding eras.** Historic stage A (``"1","2","4","9"``) up to 2015; Combined Summary Stage
  labels 2004-2017 (the stage of record for 2016-2017); Summary Stage 2018 (``"1"``,
  ``"2"``-``"4"``, ``"7"``, ``"9"``) from 2018. Grade thru 2017 (1-4/9) recorded for a share
  rising from 25% (2000) to 55% (2017); from 2018 the schema's table: NET-schema sites' NETs
  1/2/3/A/B/9, every other tumour (lung, other sites, NECs) the carcinoma table 1-4/9. Ki-67
  (value and SSDI code, e.g. ``"XXX.5"``) from 2021 for NETs of NET-schema sites.
* **Deaths.** Every person has two independent latent death times from the diagnosis date:
  background (all-cause US mortality by age, sex and calendar year, ``_background.py``) and
  cancer, with Weibull cumulative hazard ``rate * t**shape`` (t in years): NETs ``rate =
  net_base[group][extent] x site factor x grade factor (G1 1, G2 2, G3 6)``, shape 1; NECs
  ``rate = nec_base[site group] x extent factor``, shape 0.75; both ``x exp(0.02 (age -
  60))``. The earlier one is the death and its cause; a calibrated share of other-cause deaths
  is recorded as cancer deaths (cause-of-death misattribution, which SEER's cause-specific
  survival is known for), and 3% of causes are recorded as unknown (``cancer_death`` NA).
* **Follow-up.** Administrative censoring at 2022-12-31 (deaths after it are alive at cutoff),
  loss to follow-up at 1% a year from day 31. Dates are whole days; ``survival_months =
  floor(days / (365.24 / 12))`` as SEER computes it.
* **Patients.** 5% of patients have a planned second primary 3-120 months later, recorded when
  the patient is alive, under follow-up and the date is before 2022 (``tumor_seq`` 01/02). The
  second primary does not change the patient's hazard: its row shares the patient's death.
* **Record quality.** First-tumour rows become death-certificate-only (0.6%, x3 for NEC and
  unknown primary, x2 at 80+), unknown survival (0.2%) or alive with no survival time (0.15%),
  with the canonical ``exclusion``. They are chosen from covariates only, never from outcomes,
  so the analytic survival of the usable rows stays exact.

**Calibration.** The hazard levels (``CALIBRATED`` in ``_model.py``) are solved by
:func:`netsurv.datasets.calibration.calibrate` so that the simulator's analytic survival hits
published figures, each in its own subgroup (``_targets.py``; catalog status ``calibration
target``): pancreatic NETs 83/67/28% at 5 years by extent and median 68 months (Sonbol 2022);
lung carcinoids 98/87/49% 5-year relative survival, 88% all stages (ACS); well-differentiated
GEP NETs 90/85/57% (the Mayo Clinic figures, assigned to this subgroup); NEC medians by site
(Dasari 2018). ``docs/simulator.md`` shows simulator vs published for each.
``netsurv.datasets.true_survival`` gives the model's own survival curves, computed
analytically from these hazards and the censoring (not by Monte Carlo).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

import netsurv.datasets._background as bg
import netsurv.datasets._features as ft
import netsurv.datasets._model as m
from netsurv import codes
from netsurv.errors import InputError
from netsurv.rules import EXCLUSION_REASONS, POSITIVE_SURVIVAL_FLAGS

__all__ = ["simulate_registry"]

Floats = npt.NDArray[np.float64]
_CUTOFF = np.datetime64(m.STUDY_CUTOFF, "D")
_LAST_DX = np.datetime64("2021-12-31", "D")
_REASONS = EXCLUSION_REASONS  # the canonical exclusion texts (netsurv.rules)


def cancer_rate(
    t: ft.Tumours, age_exact: Floats, cal: m.Calibrated = m.CALIBRATED
) -> tuple[Floats, Floats]:
    """Weibull ``(rate, shape)`` of each tumour's cancer hazard (t in years)."""
    names = m.SITE_NAMES
    net_base = np.array([cal.net_base[m.NET_GROUP[s]] for s in names])  # (site, extent)
    net_rel = np.array([m.NET_SITE_REL[s] for s in names])
    grade_mult = np.array([cal.g1, m.G2_MULT, m.G3_MULT, 1.0])
    nec_base = np.array([cal.nec_base[m.NEC_GROUP[s]] for s in names])
    net = net_base[t.site, t.extent] * net_rel[t.site] * grade_mult[t.grade]
    nec = nec_base[t.site] * np.asarray(m.NEC_EXTENT_MULT)[t.extent]
    rate = np.where(t.nec, nec, net) * np.exp(m.AGE_EFFECT * (age_exact - 60.0))
    shape = np.where(t.nec, m.NEC_SHAPE, m.NET_SHAPE)
    return rate, shape


def decimal_date(date: npt.NDArray[np.datetime64]) -> Floats:
    """Calendar time in years, e.g. 2010-07-02 -> about 2010.5."""
    year = date.astype("datetime64[Y]")
    day = (date - year.astype("datetime64[D]")).astype(float)
    return year.astype(int) + 1970 + (day + 0.5) / m.DAYS_PER_YEAR


@dataclass(frozen=True)
class _Patients:
    """Latent outcome of each patient, in days from the first diagnosis."""

    death: Floats  # day of death (inf if after the life table horizon)
    cancer: npt.NDArray[np.bool_]  # death recorded as caused by the first tumour's cancer
    ltfu: Floats  # day of loss to follow-up


def _draw_outcomes(
    rng: np.random.Generator,
    female: npt.NDArray[np.bool_],
    age: Floats,
    date: npt.NDArray[np.datetime64],
    rate: Floats,
    shape: Floats,
) -> _Patients:
    n = len(age)
    e_bg, e_c = rng.standard_exponential(n), rng.standard_exponential(n)
    ltfu = m.LTFU_START_DAYS + rng.standard_exponential(n) * m.DAYS_PER_YEAR / m.LTFU_RATE
    t0 = decimal_date(date)
    t_bg = np.empty(n)
    for lo in range(0, n, 200_000):  # chunks bound the (n, 24) arrays' memory
        sl = slice(lo, lo + 200_000)
        rates, cum = bg.step_hazards(female[sl], age[sl], t0[sl])
        t_bg[sl] = bg.draw_death_days(rates, cum, e_bg[sl])
    t_c = m.DAYS_PER_YEAR * (e_c / rate) ** (1.0 / shape)
    return _Patients(np.minimum(t_bg, t_c), t_c < t_bg, ltfu)


def _check(n: object, seed: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"simulate_registry: n must be a positive integer, got {n!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise InputError(f"simulate_registry: seed must be an integer (or None), got {seed!r}.")


def simulate_registry(
    n: int = 100_000, seed: int | None = 1, *, truth: bool = False, classify: bool = True
) -> pd.DataFrame:
    """Simulate a synthetic NET/NEC registry extract: one row per tumour, canonical columns.

    Parameters
    ----------
    n : number of tumours (rows).
    seed : random seed; the same seed gives the same frame on every platform numpy supports.
    truth : also return the simulator's latent columns (``sim_*``: recorded and latent extent,
        latent grade, cancer hazard rate and shape, hazard origin), which
        :func:`netsurv.datasets.true_survival` needs.
    classify : add ``site_group``, ``extent``, ``grade``, ... with :func:`netsurv.classify`.

    Returns
    -------
    pandas.DataFrame
        Canonical columns of ``DESIGN.md`` (codes as strings, ``dead`` and ``cancer_death``
        nullable booleans, ``exclusion`` NA for usable rows) plus the raw stage fields
        ``stage_historic_a``, ``stage_combined``, ``stage_ss2018``. Synthetic data.

    Examples
    --------
    >>> df = simulate_registry(2_000, seed=7, classify=False)
    >>> len(df), bool(df["year_dx"].between(2000, 2021).all())
    (2000, True)
    >>> bool((df["survival_months"] == (df["date_last_contact"] - df["date_dx"]).dt.days
    ...       .floordiv(365.24 / 12)).where(df["exclusion"].isna(), True).all())
    True
    """
    _check(n, seed)
    frame = simulate_frame(int(n), seed, m.CALIBRATED, truth=truth)
    return codes.classify(frame) if classify else frame


def simulate_frame(
    n: int, seed: int | None, cal: m.Calibrated = m.CALIBRATED, *, truth: bool
) -> pd.DataFrame:
    """The unclassified frame of :func:`simulate_registry` with calibrated numbers ``cal``."""
    rng = np.random.default_rng(seed)
    k = int(n)  # one patient per row first; second primaries are added, then rows cut to n
    date1 = ft.draw_dates(rng, k)
    t1 = ft.draw_tumours(rng, _year(date1), cal)
    age1 = np.clip(
        np.floor(np.array([m.AGE_MEAN[s] for s in m.SITE_NAMES])[t1.site] + t1.age_offset),
        *m.AGE_RANGE,
    )
    exact1 = age1 + 0.5  # the model's exact age at diagnosis
    rate, shape = cancer_rate(t1, exact1, cal)
    pat = _draw_outcomes(rng, t1.female, exact1, date1, rate, shape)
    dco, unknown, alive0 = _quality_draw(rng, t1, age1)
    planned = rng.random(k) < m.SECOND_PRIMARY
    gap = np.floor(rng.uniform(*m.SECOND_GAP_MONTHS, k) * m.DAYS_PER_MONTH)
    cause_unknown = rng.random(k) < m.CAUSE_UNKNOWN
    # SEER's cause-specific classification counts some other-cause deaths as cancer deaths
    misattributed = rng.random(k) < cal.misattributed
    pat = _Patients(pat.death, pat.cancer | misattributed, pat.ltfu)
    race = ft.choice(rng, *m.RACES, k)
    has2 = planned & ~(dco | unknown | alive0) & (gap < np.minimum(pat.death, pat.ltfu))
    has2 &= date1 + gap.astype("timedelta64[D]") <= _LAST_DX
    idx2 = np.flatnonzero(has2)
    t2 = ft.draw_tumours(rng, _year(date1[idx2] + gap[idx2].astype("timedelta64[D]")), cal)
    # one row per tumour: a patient's rows are adjacent (first tumour, then second)
    owner = np.concatenate([np.arange(k), idx2])
    order = np.argsort(np.concatenate([np.arange(k), idx2 + 0.5]), kind="stable")[:n]
    pid, second = owner[order], order >= k
    t = ft.Tumours(
        *(
            np.concatenate([getattr(t1, f), getattr(t2, f)])[order]
            for f in ft.Tumours.__dataclass_fields__
        )
    )
    offset = np.where(second, gap[pid], 0.0)
    frame = _assemble(rng, pid, second, offset, t, t1.female, age1, date1, pat, race)
    _apply_quality(
        frame, dco[pid] & ~second, unknown[pid] & ~second, alive0[pid] & ~second, cause_unknown[pid]
    )
    frame["tumor_seq"] = _sequence(pid, second, has2)
    if truth:
        frame["sim_rate"], frame["sim_shape"] = rate[pid], shape[pid]
        frame["sim_offset_days"], frame["sim_age0"] = offset, exact1[pid]
        frame["sim_origin_extent"] = np.asarray(m.EXTENTS, dtype=object)[t1.extent[pid]]
        frame["sim_origin_site"] = np.asarray(m.SITE_NAMES, dtype=object)[t1.site[pid]]
        frame["sim_origin_grade"] = _GRADES[t1.grade[pid]]
        return frame
    return frame.drop(columns=[c for c in frame if c.startswith("sim_")])


_GRADES = np.asarray(["G1", "G2", "G3", "NEC"], dtype=object)


def _year(date: npt.NDArray[np.datetime64]) -> npt.NDArray[np.intp]:
    return date.astype("datetime64[Y]").astype(np.intp) + 1970


def _quality_draw(
    rng: np.random.Generator, t: ft.Tumours, age: Floats
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which first-tumour rows become DCO / unknown survival / alive at 0 (covariates only)."""
    quality = rng.random(len(age))
    unknown_primary = t.site == m.SITE_NAMES.index("unknown primary")
    p_dco = m.DCO * np.where(t.nec | unknown_primary, m.DCO_NEC_FACTOR, 1.0)
    p_dco = p_dco * np.where(age >= 80, m.DCO_OLD_FACTOR, 1.0)
    dco = quality < p_dco
    unknown = (quality >= p_dco) & (quality < p_dco + m.SURVIVAL_UNKNOWN)
    alive0 = (quality >= p_dco + m.SURVIVAL_UNKNOWN) & (
        quality < p_dco + m.SURVIVAL_UNKNOWN + m.ALIVE_ZERO
    )
    return dco, unknown, alive0


def _sequence(
    pid: npt.NDArray[np.intp], second: npt.NDArray[np.bool_], has2: npt.NDArray[np.bool_]
) -> npt.NDArray[np.object_]:
    """``00`` only primary, ``01`` first of several, ``02`` second (a cut-off pair gets 00)."""
    counts = np.bincount(pid, minlength=len(has2))[pid]
    return np.where(second, "02", np.where(counts > 1, "01", "00")).astype(object)


def _assemble(
    rng: np.random.Generator,
    pid: npt.NDArray[np.intp],
    second: npt.NDArray[np.bool_],
    offset: Floats,
    t: ft.Tumours,
    female: npt.NDArray[np.bool_],
    age1: Floats,
    date1: npt.NDArray[np.datetime64],
    pat: _Patients,
    race: npt.NDArray[np.object_],
) -> pd.DataFrame:
    """Registry columns of every row (tumours ``t``) from the patient draws indexed by ``pid``."""
    date = date1[pid] + offset.astype("timedelta64[D]")
    age = np.floor(age1[pid] + 0.5 + offset / m.DAYS_PER_YEAR)
    year = date.astype("datetime64[Y]").astype(int) + 1970
    month = date.astype("datetime64[M]").astype(int) % 12 + 1
    admin = (_CUTOFF - date1[pid]).astype(float)  # days from the hazard origin to the cutoff
    death, ltfu = pat.death[pid], pat.ltfu[pid]
    dead = (death < admin + 1) & (death < ltfu)
    end = np.where(dead, np.floor(death), np.minimum(np.floor(ltfu), admin))  # from origin
    days = end - offset
    cancer = dead & pat.cancer[pid] & ~second
    frame = pd.DataFrame(
        {
            "patient_id": _patient_ids(pid),
            "tumor_seq": None,
            "year_dx": pd.array(year, dtype="Int64"),
            "month_dx": pd.array(month, dtype="Int64"),
            "date_dx": date.astype("datetime64[ns]"),
            "age_dx": age,
            "sex": np.where(female[pid], "female", "male").astype(object),
            "race": race[pid],
            "primary_site": t.primary_site,
            "histology": t.histology,
            "behavior": np.full(len(pid), "3", dtype=object),
            **ft.grade_codes(rng, t, year),
            **ft.stage_codes(rng, t, year),
            "date_last_contact": (date + days.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "reporting_source": np.full(len(pid), "1", dtype=object),
            "survival_months": np.floor(days / m.DAYS_PER_MONTH),
            "survival_flag": np.where(days > 0, "1", "0").astype(object),
            "dead": pd.array(dead, dtype="boolean"),
            "cancer_death": pd.array(cancer, dtype="boolean"),
            "exclusion": np.full(len(pid), np.nan, dtype=object),
        }
    )
    for c in ("ki67_code", "stage_historic_a", "stage_combined", "stage_ss2018", "stage_code"):
        frame[c] = frame[c].where(frame[c].notna(), np.nan)  # canonical missing code: NaN
    recorded = np.where(t.stage_unknown, "unknown", np.asarray(m.EXTENTS, dtype=object)[t.extent])
    frame["sim_extent"] = recorded.astype(object)
    frame["sim_extent_latent"] = np.asarray(m.EXTENTS, dtype=object)[t.extent]
    frame["sim_grade_latent"] = np.asarray(["G1", "G2", "G3", "NEC"], dtype=object)[t.grade]
    return frame


def _patient_ids(pid: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
    """Eight-digit ids ``00000001``...: format 1e8 + id and drop the leading ``1``."""
    text = (pid + 100_000_001).astype("U9")
    return text.view("U1").reshape(-1, 9)[:, 1:].copy().view("U8").ravel().astype(object)


def _apply_quality(
    frame: pd.DataFrame,
    dco: npt.NDArray[np.bool_],
    unknown: npt.NDArray[np.bool_],
    alive0: npt.NDArray[np.bool_],
    cause_unknown: npt.NDArray[np.bool_],
) -> None:
    """Turn the chosen rows into DCO / unknown-survival / alive-at-0 records (in place)."""
    dead = frame["dead"].to_numpy(dtype=bool)
    frame.loc[cause_unknown & dead, "cancer_death"] = pd.NA
    frame.loc[dco, ["dead", "cancer_death"]] = True
    frame.loc[dco, "date_last_contact"] = frame.loc[dco, "date_dx"]
    frame.loc[dco, "reporting_source"] = "7"
    frame.loc[dco, "survival_flag"] = "8"
    frame.loc[dco | unknown, "survival_months"] = np.nan
    frame.loc[unknown, "survival_flag"] = "9"
    frame.loc[unknown, "date_last_contact"] = pd.NaT
    frame.loc[alive0, ["dead", "cancer_death"]] = False
    frame.loc[alive0, "date_last_contact"] = frame.loc[alive0, "date_dx"]
    frame.loc[alive0, "survival_months"] = 0.0
    frame.loc[alive0, "survival_flag"] = "0"
    frame.loc[dco, "exclusion"] = _REASONS["dco"]
    frame.loc[unknown, "exclusion"] = _REASONS["survival_unknown"]
    frame.loc[alive0, "exclusion"] = _REASONS["alive_zero"]
    # a second primary can also end alive at 0 months; with more than 0 days (flag 1) it is
    # lost in the first month, not excluded (SEER*Stat's rule, netsurv.rules)
    natural = frame["survival_months"].eq(0) & frame["dead"].eq(False) & frame["exclusion"].isna()
    natural &= ~frame["survival_flag"].isin(POSITIVE_SURVIVAL_FLAGS)
    frame.loc[natural.to_numpy(dtype=bool), "exclusion"] = _REASONS["alive_zero"]
