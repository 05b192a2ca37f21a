"""Parameters of the synthetic registry model (see ``simulate.py`` for how they are used).

Every number here is a modelling choice made to give the simulated registry a realistic *shape*
(site mix, stage and grade mixes, coding eras); none is an estimate from real data. Where a
number is loosely informed by the literature the comment says by what. Site shares follow the
order of Man et al. 2018 (SEER 1973-2014, Table 1: lung 30.6%, small intestine 22.2%, rectum
16.2%, colon 13.4%, pancreas 10.8%, stomach 6.8%), with appendix, other and unknown-primary
tumours added; extent, grade and NEC shares by site follow the qualitative picture of Dasari
et al. 2017 and 2018 (rectum and appendix mostly localized, small intestine and pancreas often
distant, NEC mostly distant, lung NEC mostly small-cell).

The three ``BASE_RATE`` values are the only calibrated numbers: they are solved by
``netsurv.datasets.truth.calibrate`` so that the simulator's own 5-year overall survival by
recorded extent, as a Kaplan-Meier estimate counts it, equals 90% / 85% / 57%.
"""

from __future__ import annotations

from typing import Final

__all__: list[str] = []

# site group -> (share of tumours, {ICD-O-3 topography: share within the group})
SITES: Final[dict[str, tuple[float, dict[str, float]]]] = {
    "lung": (0.24, {"C340": 0.10, "C341": 0.35, "C342": 0.05, "C343": 0.25, "C349": 0.25}),
    "small intestine": (0.17, {"C170": 0.20, "C171": 0.10, "C172": 0.50, "C179": 0.20}),
    "rectum": (0.13, {"C209": 0.90, "C199": 0.10}),
    "pancreas": (0.11, {"C250": 0.30, "C251": 0.15, "C252": 0.25, "C254": 0.05, "C259": 0.25}),
    "appendix": (0.06, {"C181": 1.0}),
    "colon": (0.09, {"C180": 0.50, "C182": 0.10, "C187": 0.15, "C189": 0.25}),
    "stomach": (0.07, {"C162": 0.40, "C163": 0.20, "C169": 0.40}),
    "other": (
        0.06,
        {
            "C241": 0.25,
            "C379": 0.15,
            "C220": 0.15,
            "C569": 0.10,
            "C260": 0.10,
            "C539": 0.10,
            "C670": 0.10,
            "C509": 0.05,
        },
    ),
    "unknown primary": (0.07, {"C809": 1.0}),
}
SITE_NAMES: Final = tuple(SITES)

# per site: mean age (NET), female share, NEC share, NET extent mix (L, R, D),
# probability that the stage is recorded as unknown, NET hazard multiplier, NEC hazard multiplier
_SITE_TABLE: Final = {
    #                  age  female  nec   loc   reg   dist  unk   net   nec_mult
    "lung": (61.0, 0.62, 0.12, 0.62, 0.18, 0.20, 0.08, 1.30, 1.10),
    "small intestine": (60.0, 0.48, 0.03, 0.30, 0.40, 0.30, 0.06, 0.90, 0.40),
    "rectum": (52.0, 0.50, 0.04, 0.88, 0.06, 0.06, 0.08, 0.60, 0.80),
    "pancreas": (57.0, 0.45, 0.08, 0.40, 0.20, 0.40, 0.07, 2.40, 1.40),
    "appendix": (40.0, 0.60, 0.02, 0.62, 0.28, 0.10, 0.04, 0.45, 0.50),
    "colon": (59.0, 0.53, 0.14, 0.40, 0.25, 0.35, 0.08, 1.40, 0.90),
    "stomach": (60.0, 0.58, 0.10, 0.72, 0.10, 0.18, 0.10, 1.10, 1.00),
    "other": (57.0, 0.55, 0.15, 0.50, 0.20, 0.30, 0.10, 1.30, 0.90),
    "unknown primary": (62.0, 0.48, 0.30, 0.00, 0.15, 0.85, 0.50, 1.60, 1.80),
}
AGE_MEAN: Final = {s: v[0] for s, v in _SITE_TABLE.items()}
FEMALE: Final = {s: v[1] for s, v in _SITE_TABLE.items()}
NEC_SHARE: Final = {s: v[2] for s, v in _SITE_TABLE.items()}
NET_EXTENT: Final = {s: v[3:6] for s, v in _SITE_TABLE.items()}
STAGE_UNKNOWN: Final = {s: v[6] for s, v in _SITE_TABLE.items()}
NET_SITE_MULT: Final = {s: v[7] for s, v in _SITE_TABLE.items()}
NEC_SITE_MULT: Final = {s: v[8] for s, v in _SITE_TABLE.items()}
AGE_SD: Final = 12.0
NEC_AGE_SHIFT: Final = 5.0  # NEC patients are older
AGE_RANGE: Final = (15, 95)
NEC_EXTENT: Final = (0.20, 0.25, 0.55)  # NEC: mostly distant at diagnosis, all sites
NEC_EXTENT_UNKNOWN_PRIMARY: Final = (0.00, 0.10, 0.90)

# latent extent index: 0 localized, 1 regional, 2 distant
EXTENTS: Final = ("localized", "regional", "distant")
# NET grade mix (G1, G2, G3) by latent extent
NET_GRADE: Final = ((0.72, 0.24, 0.04), (0.55, 0.38, 0.07), (0.40, 0.45, 0.15))

# cancer hazard: rate_i = BASE_RATE[extent] * site multiplier * grade multiplier * age term,
# cumulative hazard H(t) = rate_i * t**shape with t in years (Weibull)
GRADE_MULT: Final = (1.0, 2.5, 8.0)  # NET G1, G2, G3
NEC_MULT: Final = 40.0
NET_SHAPE: Final = 1.0
NEC_SHAPE: Final = 0.75  # NEC deaths come early
AGE_EFFECT: Final = 0.02  # log hazard ratio per year of age, centred at 60
# calibrated by netsurv.datasets.truth.calibrate(n=200_000, seed=20221231, rounds=3): 90/85/57%
BASE_RATE: Final = (0.00226317, 0.00340702, 0.0188041)

# histology codes (ICD-O-3) with shares; NET G3 is coded 8249 with probability NET_G3_8249
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
NEC_HISTOLOGY_LUNG: Final = {"8041": 0.60, "8013": 0.25, "8246": 0.15}
NEC_HISTOLOGY: Final = {"8246": 0.50, "8041": 0.30, "8013": 0.20}
# sites whose NETs are staged in a NET schema and carry the Ki-67 SSDI (2021+)
KI67_SITES: Final = ("small intestine", "rectum", "pancreas", "appendix", "colon", "stomach")

# grade codes: (codes, shares) by latent grade 0=G1, 1=G2, 2=G3 NET, 3=NEC
GRADE_PRE2018: Final = (
    (("1", "9"), (0.45, 0.55)),
    (("2", "9"), (0.45, 0.55)),
    (("3", "9"), (0.45, 0.55)),
    (("3", "4", "9"), (0.45, 0.15, 0.40)),
)
GRADE_2018: Final = (
    (("1", "A", "9"), (0.60, 0.05, 0.35)),
    (("2", "B", "9"), (0.60, 0.05, 0.35)),
    (("3", "C", "9"), (0.60, 0.05, 0.35)),
    (("3", "C", "D", "9"), (0.45, 0.10, 0.05, 0.40)),
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
DCO: Final = 0.005  # share of first-tumour rows turned into death-certificate-only records
SURVIVAL_UNKNOWN: Final = 0.002
ALIVE_ZERO: Final = 0.0015
DAYS_PER_MONTH: Final = 365.24 / 12  # SEER's survival-months divisor
DAYS_PER_YEAR: Final = 365.25
