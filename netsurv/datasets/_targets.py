"""The published figures the simulator is calibrated to, each in its own subgroup.

Every target is also a row of ``netsurv/published/catalog.csv`` with status
``calibration target`` and the same id, cohort, statistic and value (a test checks that they
agree); the catalog gives the full citation. ``lever`` names the calibrated number that moves
the target (``netsurv.datasets.calibration``):

* ``net:<group>:<extent>`` scales the NET hazard of a lever group (lung, pancreas, gep =
  every other site) at one latent extent;
* ``nec:<group>`` scales the NEC hazard of a site group (gi = colon, rectum, stomach,
  appendix and other sites);
* ``css`` (Sackstein 2018, cause-specific survival): the share of other-cause deaths recorded
  as deaths from the cancer (cause-of-death misattribution; overall survival is unchanged).
  Moving the G1 hazard instead would need it equal to the G2 hazard within localized disease
  (given the 90/85/57 localized target and the ages), so the grade gradient stays fixed;
* ``mix:pancreas`` / ``mix:lung`` moves the share of distant NETs at that site (the
  localized:regional ratio kept), since an all-stage median or survival depends on the mix.

Sources and status of the numbers: ``published-figures.md`` of the project's reference notes
(all VERIFIED from the primary abstract or page, except the 90/85/57 statement, whose
underlying study is unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__: list[str] = []

GEP: Final = "stomach;small intestine;appendix;colon;rectum;pancreas"


@dataclass(frozen=True)
class Target:
    """One calibration target: how to compute it on a classified frame, and its lever."""

    id: str
    source: str
    cohort: dict[str, Any]
    statistic: str  # survival_at (KM), relative_at (Ederer II) or median (KM)
    value: float
    lever: str
    by: str = ""
    stratum: str = "all"
    time: float | None = None
    event: str = "dead"
    extra: dict[str, Any] = field(default_factory=dict)


def _by_extent(
    prefix: str,
    source: str,
    cohort: dict[str, Any],
    statistic: str,
    values: tuple[float, ...],
    group: str,
) -> list[Target]:
    return [
        Target(
            f"{prefix}-{ext}",
            source,
            cohort,
            statistic,
            v,
            f"net:{group}:{ext}",
            by="extent",
            stratum=ext,
            time=59.0,
        )
        for ext, v in zip(("localized", "regional", "distant"), values, strict=True)
    ]


_SONBOL = {"nen_type": "NET", "sites": "pancreas", "years": [2000, 2016]}
_ACS = {"nen_type": "NET", "sites": "lung", "years": [2015, 2021]}
_MAYO = {"nen_type": "NET", "sites": GEP, "years": [2000, 2021]}
_DASARI = "Dasari 2018 (SEER NEC 1973-2012)"

TARGETS: Final[tuple[Target, ...]] = (
    *_by_extent(
        "sonbol-5y-os", "Sonbol 2022", _SONBOL, "survival_at", (0.83, 0.67, 0.28), "pancreas"
    ),
    Target("sonbol-median-os", "Sonbol 2022", _SONBOL, "median", 68.0, "mix:pancreas"),
    *_by_extent(
        "acs-lung-5y-rs", "ACS lung carcinoid", _ACS, "relative_at", (0.98, 0.87, 0.49), "lung"
    ),
    Target(
        "acs-lung-5y-rs-all", "ACS lung carcinoid", _ACS, "relative_at", 0.88, "mix:lung", time=59.0
    ),
    *_by_extent(
        "mayo-5y-os", "Mayo Clinic 90/85/57", _MAYO, "survival_at", (0.90, 0.85, 0.57), "gep"
    ),
    Target(
        "sackstein-5y-css-g1-localized",
        "Sackstein 2018",
        {"grade": "G1", "extent": "localized", "years": [1995, 2014]},
        "survival_at",
        0.976,
        "css",
        time=59.0,
        event="cancer_death",
        stratum="G1 localized",
    ),
    *(
        Target(
            f"dasari2018-median-os-{key}",
            _DASARI,
            {"nen_type": "NEC", "sites": sites, "years": [1973, 2012]},
            "median",
            value,
            f"nec:{lever}",
            stratum=f"{label} NEC",
        )
        for key, sites, value, lever, label in (
            ("lung", "lung", 7.6, "lung", "lung"),
            ("pancreas", "pancreas", 5.7, "pancreas", "pancreas"),
            ("small-intestine", "small intestine", 25.1, "small intestine", "small intestine"),
            ("unknown-primary", "unknown primary", 2.5, "unknown primary", "unknown-primary"),
            ("gi", GEP, 7.5, "gi", "GI"),
        )
    ),
)
