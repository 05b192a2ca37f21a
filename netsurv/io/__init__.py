"""Read and write registry files: SEER*Stat exports, NAACCR XML, CSV/Parquet tables.

``read`` detects the format; every reader returns the canonical frame of ``DESIGN.md`` with one
row per tumour and an ``exclusion`` reason for rows that cannot enter survival analysis.
"""

from __future__ import annotations

from netsurv.io.canonical import EXCLUSION_REASONS
from netsurv.io.naaccr import read_naaccr_xml
from netsurv.io.naaccr_writer import write_naaccr_xml
from netsurv.io.reader import detect_format, load_summary, read
from netsurv.io.seerstat import read_seerstat
from netsurv.io.seerstat_writer import SeerStatExport, write_seerstat
from netsurv.io.survtime import SurvivalTime, seer_survival_time
from netsurv.io.tabular import read_table

__all__ = [
    "EXCLUSION_REASONS",
    "SeerStatExport",
    "SurvivalTime",
    "detect_format",
    "load_summary",
    "read",
    "read_naaccr_xml",
    "read_seerstat",
    "read_table",
    "seer_survival_time",
    "write_naaccr_xml",
    "write_seerstat",
]
