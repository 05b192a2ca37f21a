"""Read and write registry files: SEER*Stat exports, NAACCR XML, CSV/Parquet tables.

``read`` detects the format; every reader returns the canonical frame of ``DESIGN.md`` with one
row per tumour and an ``exclusion`` reason for rows that cannot enter survival analysis.

Beside the canonical columns, readers keep the raw registry fields the classifier chooses from
(codes as strings): ``stage_historic_a``, ``stage_ss2000``, ``stage_ss2018``, ``stage_combined``
(Combined Summary Stage label text), ``grade_pre2018``, ``grade_clinical``,
``grade_pathological``, ``grade_2018`` (derived summary grade); ``stage_code``/``stage_system``
and ``grade_code``/``grade_system`` hold the one that belongs to the diagnosis year (historic
stage A to 2017 when present, else Combined Summary Stage, else SS2000; SS2018, else Combined
Summary Stage from 2018; Grade thru 2017 to 2017; derived grade 2018, else pathological, else
clinical from 2018). Also ``age_dx_approx`` (age from a SEER age-group mid-point),
``cause_specific_code`` (SEER cause-specific classification 0/1/8/9) and every other variable or
NAACCR item as a column named in snake_case.

``exclusion`` reasons (:data:`EXCLUSION_REASONS`), first that applies: "diagnosis after study
cutoff", "death certificate or autopsy only", "dates inconsistent", "survival months unknown",
"vital status unknown", "alive with no survival time". A death at 0 months is an event at t = 0,
not an exclusion. "Alive with no survival time" follows SEER*Stat with pre-calculated months: an
alive case with 0 months is excluded unless its survival flag (``survival_flag``) is 1 or 3 (more
than 0 days: it stays, lost to follow-up in the first month).

SEER's derived fields, equal to SEER's reference implementation record by record
(``docs/seer.md``): :func:`seer_survival_time` (survival months, both variants, from dates; the
NAACCR reader uses it where a file lacks them) and :func:`seer_cause_specific` (cause-specific
death classification; the NAACCR reader derives ``cancer_death`` with it where a file lacks the
SEER cause-specific item).
"""

from __future__ import annotations

from netsurv.io.causes import seer_cause_specific
from netsurv.io.naaccr import XmlLimits, read_naaccr_xml
from netsurv.io.naaccr_writer import write_naaccr_xml
from netsurv.io.reader import detect_format, load_summary, read
from netsurv.io.seerstat import read_seerstat
from netsurv.io.seerstat_writer import SeerStatExport, write_seerstat
from netsurv.io.streaming import convert
from netsurv.io.survtime import SurvivalTime, seer_survival_time
from netsurv.io.tabular import read_table
from netsurv.rules import EXCLUSION_REASONS

__all__ = [
    "EXCLUSION_REASONS",
    "SeerStatExport",
    "SurvivalTime",
    "XmlLimits",
    "convert",
    "detect_format",
    "load_summary",
    "read",
    "read_naaccr_xml",
    "read_seerstat",
    "read_table",
    "seer_cause_specific",
    "seer_survival_time",
    "write_naaccr_xml",
    "write_seerstat",
]
