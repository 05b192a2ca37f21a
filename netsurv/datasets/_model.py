"""Parameters of the synthetic registry model (see ``simulate.py`` for how they are used).

Two kinds of numbers live here.

* **Shape** (site mix, stage, grade and NEC shares, ages, coding eras, record quality):
  modelling choices that give the registry a realistic structure, each loosely informed by the
  source named in its comment; none is an estimate from real data.
* **Calibrated** (:data:`CALIBRATED`): the cancer hazard levels and two extent mixes, solved by
  ``netsurv.datasets.calibration.calibrate`` so that the simulator's *analytic* survival hits
  published figures, each in its own subgroup (``netsurv/datasets/_targets.py`` lists them
  with their sources; ``docs/simulator.md`` shows simulator vs published).

Site shares: Dasari et al. 2017 (SEER 18 incidence per 100,000: lung 1.49, GEP 3.56, unknown
primary 0.84, so unknown primary is about 13% of NENs) and the order of Man et al. 2018
(Table 1: lung > small intestine > rectum > colon > pancreas > stomach). Appendix: carcinoid
NOS of the appendix became reportable as malignant in 2015 (SEER SINQ 20100050; cohort.py),
so appendix cases jump in 2015.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__: list[str] = []

# site group -> (share of tumours before 2015, {ICD-O-3 topography: share within the group})
SITES: Final[dict[str, tuple[float, dict[str, float]]]] = {
    "lung": (0.22, {"C340": 0.10, "C341": 0.35, "C342": 0.05, "C343": 0.25, "C349": 0.25}),
    "small intestine": (0.16, {"C170": 0.20, "C171": 0.10, "C172": 0.50, "C179": 0.20}),
    "rectum": (0.12, {"C209": 0.90, "C199": 0.10}),
    "pancreas": (0.10, {"C250": 0.30, "C251": 0.15, "C252": 0.25, "C254": 0.05, "C259": 0.25}),
    "appendix": (0.04, {"C181": 1.0}),
    "colon": (0.08, {"C180": 0.50, "C182": 0.10, "C187": 0.15, "C189": 0.25}),
    "stomach": (0.06, {"C162": 0.40, "C163": 0.20, "C169": 0.40}),
    "other": (
        0.08,
        {
            "C241": 0.25,
            "C379": 0.15,
            "C220": 0.15,
            "C569": 0.10,
            "C539": 0.10,
            "C670": 0.15,
            "C509": 0.10,
        },
    ),
    "unknown primary": (0.14, {"C809": 1.0}),
}
SITE_NAMES: Final = tuple(SITES)
# appendix: carcinoid NOS reportable as malignant from 2015 (SINQ 20100050): x2.5 from then on
APPENDIX_STEP_YEAR: Final = 2015
APPENDIX_STEP_FACTOR: Final = 2.5
APPENDIX_EXTENT_FROM_STEP: Final = (0.80, 0.15, 0.05)  # the newly reportable cases are small

# per site: mean age (NET), female share, NEC share, NET extent mix (L, R, D),
# probability that the stage is recorded as unknown, NET hazard relative to its lever group
_SITE_TABLE: Final = {
    #                  age  female  nec   loc   reg   dist  unk   net_rel
    "lung": (62.0, 0.62, 0.10, 0.66, 0.20, 0.14, 0.07, 1.00),
    "small intestine": (62.0, 0.48, 0.03, 0.28, 0.42, 0.30, 0.05, 1.00),
    "rectum": (55.0, 0.50, 0.04, 0.88, 0.07, 0.05, 0.08, 0.70),
    "pancreas": (59.0, 0.45, 0.08, 0.38, 0.17, 0.45, 0.06, 1.00),
    "appendix": (42.0, 0.60, 0.01, 0.62, 0.28, 0.10, 0.04, 0.50),
    "colon": (63.0, 0.53, 0.15, 0.45, 0.25, 0.30, 0.07, 2.00),
    "stomach": (63.0, 0.58, 0.10, 0.75, 0.10, 0.15, 0.09, 1.40),
    "other": (58.0, 0.55, 0.15, 0.50, 0.20, 0.30, 0.10, 1.50),
    "unknown primary": (64.0, 0.48, 0.35, 0.00, 0.10, 0.90, 0.45, 1.20),
}
AGE_MEAN: Final = {s: v[0] for s, v in _SITE_TABLE.items()}
FEMALE: Final = {s: v[1] for s, v in _SITE_TABLE.items()}
NEC_SHARE: Final = {s: v[2] for s, v in _SITE_TABLE.items()}
NET_EXTENT: Final = {s: v[3:6] for s, v in _SITE_TABLE.items()}
STAGE_UNKNOWN: Final = {s: v[6] for s, v in _SITE_TABLE.items()}
NET_SITE_REL: Final = {s: v[7] for s, v in _SITE_TABLE.items()}
# NET hazard lever groups: lung and pancreas have their own targets, the rest share one
NET_GROUP: Final = {s: s if s in ("lung", "pancreas") else "gep" for s in SITE_NAMES}
NET_GROUPS: Final = ("lung", "pancreas", "gep")
# NEC hazard lever groups: four sites with their own Dasari 2018 median, the rest share one
NEC_GROUP: Final = {
    s: s if s in ("lung", "pancreas", "small intestine", "unknown primary") else "gi"
    for s in SITE_NAMES
}
NEC_GROUPS: Final = ("lung", "pancreas", "small intestine", "unknown primary", "gi")
AGE_SD: Final = 12.0
NEC_AGE_SHIFT: Final = 5.0  # NEC patients are older
AGE_RANGE: Final = (15, 95)
NEC_EXTENT: Final = (0.20, 0.25, 0.55)  # NEC: mostly distant at diagnosis, all sites
NEC_EXTENT_UNKNOWN_PRIMARY: Final = (0.00, 0.10, 0.90)

# latent extent index: 0 localized, 1 regional, 2 distant
EXTENTS: Final = ("localized", "regional", "distant")
# NET grade mix (G1, G2, G3) by latent extent
NET_GRADE: Final = ((0.72, 0.24, 0.04), (0.55, 0.38, 0.07), (0.40, 0.45, 0.15))

# cancer hazard, Weibull: cumulative hazard H(t) = rate * t**shape, t in years;
# NET: rate = net_base[group][extent] * NET_SITE_REL[site] * (g1, G2_MULT, G3_MULT)[grade]
# NEC: rate = nec_base[group] * NEC_EXTENT_MULT[extent]; both times exp(AGE_EFFECT (age - 60))
G2_MULT: Final = 2.0  # SEER NET cohorts: G2 vs G1 hazard ratios of about 1.5-2.5
G3_MULT: Final = 6.0
NEC_EXTENT_MULT: Final = (0.25, 0.55, 1.0)
NET_SHAPE: Final = 1.0
NEC_SHAPE: Final = 0.75  # NEC deaths come early
AGE_EFFECT: Final = 0.02  # log hazard ratio per year of age, centred at 60


@dataclass(frozen=True)
class Calibrated:
    """The calibrated numbers (solved by ``netsurv.datasets.calibration.calibrate``)."""

    net_base: dict[str, tuple[float, float, float]]  # NET group -> rate by extent (L, R, D)
    g1: float  # NET G1 hazard multiplier (G2 and G3: G2_MULT, G3_MULT); 1, not solved
    nec_base: dict[str, float]  # NEC group -> rate of a distant NEC
    pancreas_mix: tuple[float, float, float]  # NET extent mix of the pancreas (L, R, D)
    lung_mix: tuple[float, float, float]  # NET extent mix of the lung
    misattributed: float  # share of other-cause deaths recorded as deaths from the cancer


# solved by netsurv.datasets.calibration.calibrate(n=200_000, seed=20221231, rounds=3, sweeps=4)
# (python -m netsurv.datasets.calibration), with the classification rules of 2026-12-03
CALIBRATED: Final = Calibrated(
    net_base={
        "lung": (0.00246308, 0.0159055, 0.0804995),
        "pancreas": (0.0142373, 0.0395264, 0.153901),
        "gep": (0.00226956, 0.00366696, 0.0172412),
    },
    g1=1.0,
    nec_base={
        "lung": 1.14453,
        "pancreas": 1.56578,
        "small intestine": 0.434811,
        "unknown primary": 1.7329,
        "gi": 1.31711,
    },
    pancreas_mix=(0.3479, 0.1555, 0.4966),
    lung_mix=(0.6483, 0.1963, 0.1554),
    misattributed=0.0718,
)

# histology codes (ICD-O-3) with shares; NET G3 is coded 8249 with probability NET_G3_8249.
# Lung: typical carcinoid 8240 is the low-grade and atypical 8249 the intermediate-grade lung
# NET (WHO thoracic classification), so lung histology follows the latent grade.
NET_HISTOLOGY: Final[dict[str, dict[str, float]]] = {
    "lung": {"8240": 0.70, "8249": 0.30},
    "small intestine": {"8240": 0.80, "8241": 0.12, "8249": 0.08},
    "rectum": {"8240": 0.85, "8241": 0.05, "8249": 0.10},
    "pancreas": {
        "8150": 0.35,
        "8240": 0.35,
        "8249": 0.15,
        "8151": 0.05,
        "8152": 0.02,
        "8153": 0.04,
        "8155": 0.02,
        "8156": 0.02,
    },
    "appendix": {"8240": 0.92, "8249": 0.08},
    "colon": {"8240": 0.80, "8249": 0.15, "8241": 0.05},
    "stomach": {"8240": 0.70, "8242": 0.15, "8249": 0.15},
    "other": {"8240": 0.75, "8249": 0.25},
    "unknown primary": {"8240": 0.75, "8249": 0.25},
}
NET_G3_8249: Final = 0.70
NEC_HISTOLOGY_LUNG: Final = {"8041": 0.55, "8013": 0.30, "8246": 0.15}
NEC_HISTOLOGY: Final = {"8246": 0.50, "8041": 0.30, "8013": 0.20}
# sites whose NETs are staged in a NET schema and carry the Ki-67 SSDI (2021+)
KI67_SITES: Final = ("small intestine", "rectum", "pancreas", "appendix", "colon", "stomach")
# topographies of the EOD 2018 NET schemas (stomach, small intestine, appendix, colon and
# rectum, ampulla of Vater, pancreas): a NET there is graded with the NET grade table
NET_SCHEMA_TOPOGRAPHY: Final = ("C16", "C17", "C18", "C19", "C20", "C241", "C25")

# grade recording. Up to 2017 (Grade thru 2017, codes 1-4/9) the share of tumours with a
# recorded grade rises linearly from GRADE_KNOWN_2000 to GRADE_KNOWN_2017 (SEER NETs: grade
# mostly unknown in the early 2000s, known for about half by the mid 2010s). From 2018 the
# grade fields follow the tumour's EOD 2018 schema: NETs of NET-schema sites use the NET table
# (1, 2, 3 = G1-G3, A-D differentiation only, 9); everything else (lung, other and
# unknown-primary NETs, every NEC) a carcinoma table (1-4 = differentiation, 9).
GRADE_KNOWN_2000: Final = 0.25
GRADE_KNOWN_2017: Final = 0.55
GRADE_KNOWN_2018_NET: Final = 0.65
GRADE_KNOWN_2018_CARCINOMA: Final = 0.55
# codes when known, by latent grade 0=G1, 1=G2, 2=G3 NET, 3=NEC
GRADE_PRE2018: Final = (
    (("1",), (1.0,)),
    (("2",), (1.0,)),
    (("3", "2"), (0.8, 0.2)),
    (("3", "4"), (0.75, 0.25)),
)
GRADE_2018_NET: Final = (
    (("1", "A"), (0.92, 0.08)),
    (("2", "B"), (0.92, 0.08)),
    (("3", "A"), (0.95, 0.05)),
)
GRADE_2018_CARCINOMA: Final = (
    (("1",), (1.0,)),
    (("2",), (1.0,)),
    (("2", "3"), (0.5, 0.5)),
    (("3", "4"), (0.75, 0.25)),
)
# Ki-67 (2021+, NET-schema sites): exact value, range code, or not documented
KI67_MODE: Final = (0.45, 0.25, 0.30)
KI67_RANGE: Final = ((0.1, 2.9), (3.0, 20.0), (20.1, 55.0))  # exact % drawn uniformly, by grade

# diagnosis years: incidence rising 4.5% a year, with a 15% dip in 2020 (COVID-19)
YEARS: Final = tuple(range(2000, 2022))
YEAR_TREND: Final = 0.045
YEAR_2020_FACTOR: Final = 0.85
STUDY_CUTOFF: Final = "2022-12-31"
RACES: Final = (("white", "black", "other", "unknown"), (0.80, 0.11, 0.08, 0.01))

# follow-up and record quality
LTFU_RATE: Final = 0.01  # loss to follow-up per year, from day 31 after diagnosis
LTFU_START_DAYS: Final = 31.0
CAUSE_UNKNOWN: Final = 0.03  # share of deaths with unknown cause
SECOND_PRIMARY: Final = 0.05  # share of patients with a planned second primary
SECOND_GAP_MONTHS: Final = (3.0, 120.0)
# death-certificate-only records: a base share, x3 for NEC and unknown primary, x2 at 80+
# (DCO cases are the fatal, unworked-up ones); chosen from covariates only, never outcomes
DCO: Final = 0.006
DCO_NEC_FACTOR: Final = 3.0
DCO_OLD_FACTOR: Final = 2.0
SURVIVAL_UNKNOWN: Final = 0.002
ALIVE_ZERO: Final = 0.0015
DAYS_PER_MONTH: Final = 365.24 / 12  # SEER's survival-months divisor
DAYS_PER_YEAR: Final = 365.25
