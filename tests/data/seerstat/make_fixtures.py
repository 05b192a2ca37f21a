"""Write the SEER*Stat export fixtures in this folder (run: python make_fixtures.py).

Written by the netsurv project, independent of netsurv's own writer, following the layout of real
SEER*Stat exports (../../../../shared/reference/registry-formats.md §1.2: the .dic of
cran/JPSurv inst/extdata/breast.example.dic and NCI's reader R/ReadWriteSEERSTAT.R). Labels are
the texts listed in §1.3. The ten tumours are invented; each exercises one rule (see RECORDS).

Files:
- numeric_tab.txt/.dic       numeric (index codes + [Format=] sections), tab, CRLF, no header
- labels_comma.txt/.dic      labels, comma, CRLF, header, quoted fields holding commas,
                             thousands separators ("Remove thousands separators=false")
- labels_tab_unix.txt.gz/.dic labels, tab, LF, header, gzip
- survival_session.txt/.dic  a survival-session (life page) export, which read() refuses
"""

from __future__ import annotations

import gzip
from pathlib import Path

HERE = Path(__file__).parent
VARIABLES = [
    "Patient ID",
    "Sequence number",
    "Year of diagnosis",
    "Age recode with <1 year olds",
    "Sex",
    "Race recode (White, Black, Other)",
    "Primary Site",
    "Histologic Type ICD-O-3",
    "Behavior code ICD-O-3",
    "Grade Recode (thru 2017)",
    "Derived Summary Grade 2018 (2018+)",
    "SEER historic stage A (1973-2015)",
    "Combined Summary Stage (2004+)",
    "Type of Reporting Source",
    "Survival months",
    "Survival months flag",
    "Vital status recode (study cutoff used)",
    "SEER cause-specific death classification",
    "Site recode ICD-O-3/WHO 2008",
]
CODED = set(VARIABLES) - {
    "Patient ID",
    "Primary Site",
    "Histologic Type ICD-O-3",
    "Survival months",
}
OTHER = "Other (American Indian/AK Native, Asian/Pacific Islander)"
HOSP = "Hospital inpatient/outpatient or clinic"
F1 = "Complete dates are available and there are more than 0 days of survival"
F0 = "Complete dates are available and there are 0 days of survival"
F8 = "Not calculated because a Death Certificate Only or Autopsy Only case"
F9 = "Could not calculate survival due to missing or invalid dates"
ALIVE_OTHER = "Alive or dead of other cause"
DEAD_THIS = "Dead (attributable to this cancer dx)"
B = "Blank(s)"
# one tuple per tumour, values in VARIABLES order (label text)
RECORDS = [
    # 1 localized pancreatic NET, alive at 125 months
    (
        "00000001",
        "One primary only",
        "2010",
        "60-64 years",
        "Male",
        "White",
        "250",
        "8240",
        "Malignant",
        "Well differentiated; Grade I",
        B,
        "Localized",
        "Localized",
        HOSP,
        "125",
        F1,
        "Alive",
        ALIVE_OTHER,
        "Pancreas",
    ),
    # 2 first of two primaries, distant appendix 8246, cancer death at 14 months
    (
        "00000002",
        "1st of 2 or more primaries",
        "2012",
        "70-74 years",
        "Female",
        "Black",
        "181",
        "8246",
        "Malignant",
        "Poorly differentiated; Grade III",
        B,
        "Distant",
        "Distant",
        HOSP,
        "14",
        F1,
        "Dead",
        DEAD_THIS,
        "Appendix",
    ),
    # 3 second primary of patient 2: cause-specific 'N/A not first tumor' -> NA, not excluded
    (
        "00000002",
        "2nd of 2 or more primaries",
        "2014",
        "70-74 years",
        "Female",
        "Black",
        "340",
        "8041",
        "Malignant",
        "Unknown",
        B,
        "Regional",
        "Regional",
        HOSP,
        "1",
        F1,
        "Dead",
        "N/A not first tumor",
        "Lung and Bronchus",
    ),
    # 4 2016: historic stage A blank -> Combined Summary Stage; race label holds a comma
    (
        "00000003",
        "One primary only",
        "2016",
        "50-54 years",
        "Female",
        OTHER,
        "172",
        "8240",
        "Malignant",
        "Moderately differentiated; Grade II",
        B,
        B,
        "Regional",
        HOSP,
        "60",
        F1,
        "Alive",
        ALIVE_OTHER,
        "Small Intestine",
    ),
    # 5 2019, 85+, derived summary grade 2018, unknown cause of death -> cancer_death NA
    (
        "00000004",
        "One primary only",
        "2019",
        "85+ years",
        "Male",
        "White",
        "209",
        "8249",
        "Malignant",
        B,
        "Site-specific grade system category (2)",
        B,
        "Localized",
        HOSP,
        "30",
        F1,
        "Dead",
        "Dead (missing/unknown COD)",
        "Rectum",
    ),
    # 6 death certificate only: survival 9999 -> excluded as DCO
    (
        "00000005",
        "One primary only",
        "2015",
        "65-69 years",
        "Male",
        "White",
        "250",
        "8240",
        "Malignant",
        "Unknown",
        B,
        "Unstaged",
        "Unknown/unstaged",
        "Death certificate only",
        "9999",
        F8,
        "Dead",
        DEAD_THIS,
        "Pancreas",
    ),
    # 7 alive with 0 months -> excluded ("alive with no survival time")
    (
        "00000006",
        "One primary only",
        "2018",
        "55-59 years",
        "Female",
        "White",
        "170",
        "8240",
        "Malignant",
        B,
        "Well differentiated",
        B,
        "Distant",
        HOSP,
        "0",
        F0,
        "Alive",
        ALIVE_OTHER,
        "Small Intestine",
    ),
    # 8 death at 0 months (10 days): an event at t = 0, NOT excluded
    (
        "00000007",
        "One primary only",
        "2011",
        "75-79 years",
        "Male",
        "Unknown",
        "160",
        "8246",
        "Malignant",
        "Poorly differentiated; Grade III",
        B,
        "Distant",
        "Distant",
        HOSP,
        "0",
        F1,
        "Dead",
        DEAD_THIS,
        "Stomach",
    ),
    # 9 survival unknown (9999), alive -> excluded ("survival months unknown")
    (
        "00000008",
        "One primary only",
        "2013",
        "60-64 years",
        "Female",
        "White",
        "181",
        "8240",
        "Malignant",
        "Well differentiated; Grade I",
        B,
        "Localized",
        "Localized",
        HOSP,
        "9999",
        F9,
        "Alive",
        ALIVE_OTHER,
        "Appendix",
    ),
    # 10 patient id written with thousands separators in the labels export
    (
        "10234567",
        "One primary only",
        "2017",
        "45-49 years",
        "Male",
        "White",
        "250",
        "8240",
        "Malignant",
        "Moderately differentiated; Grade II",
        B,
        B,
        "Localized",
        HOSP,
        "24",
        F1,
        "Alive",
        ALIVE_OTHER,
        "Pancreas",
    ),
]


def _dic(variable_format: str, delimiter: str, names: bool, dos: bool, gz: bool, out: str) -> str:
    lines = [
        "[System]",
        f"Output filename={out}",
        "Matrix filename=nen_listing.slm",
        "Database name=Incidence - SEER Research Data (fixture)",
        "Title1=NEN case listing (netsurv test fixture)",
        "",
        "[Session Options]",
        "Type=Listing",
        "",
        "[Export Options]",
        f"GZipped={'true' if gz else 'false'}",
        f"Variable format={variable_format}",
        f"File format={'DOS/Windows' if dos else 'UNIX'}",
        f"Field delimiter={delimiter}",
        "Missing character=space",
        "Fields with delimiter in quotes=true",
        f"Remove thousands separators={'false' if delimiter == 'comma' else 'true'}",
        "Flags included=false",
        f"Variable names included={'true' if names else 'false'}",
        "Column Variables as Stats=false",
        "",
        "[Variables]",
    ]
    lines += [f"Var{i}Name={v}" for i, v in enumerate(VARIABLES, 1)]
    lines.append("")
    for i, var in enumerate(VARIABLES):
        if var in CODED:
            lines.append(f"[Format={var}]")
            # SEER*Stat lists a variable's levels in its own order; alphabetical here
            levels = sorted({r[i] for r in RECORDS})
            lines += [f"{k}={label}" for k, label in enumerate(levels)]
            lines.append("")
    return ("\r\n" if dos else "\n").join(lines) + ("\r\n" if dos else "\n")


def _thousands(value: str) -> str:
    ok = value.isdigit() and not value.startswith("0") and len(value) > 3
    return f"{int(value):,}" if ok and value != "9999" else value


def main() -> None:
    levels = {v: sorted({r[i] for r in RECORDS}) for i, v in enumerate(VARIABLES) if v in CODED}
    # numeric, tab, CRLF, no header
    rows = []
    for r in RECORDS:
        cells = [
            str(levels[v].index(x)) if v in CODED else x for v, x in zip(VARIABLES, r, strict=True)
        ]
        rows.append("\t".join(cells))
    (HERE / "numeric_tab.txt").write_bytes(("\r\n".join(rows) + "\r\n").encode())
    (HERE / "numeric_tab.dic").write_bytes(
        _dic("numeric", "tab", False, True, False, "numeric_tab.txt").encode()
    )

    # labels, comma, CRLF, header, quotes around fields holding a comma, thousands separators
    def quote(x: str) -> str:
        return f'"{x}"' if "," in x else x

    rows = [",".join(quote(v) for v in VARIABLES)]
    for r in RECORDS:
        cells = [
            quote(_thousands(x) if v == "Patient ID" else x)
            for v, x in zip(VARIABLES, r, strict=True)
        ]
        rows.append(",".join(cells))
    (HERE / "labels_comma.txt").write_bytes(("\r\n".join(rows) + "\r\n").encode())
    (HERE / "labels_comma.dic").write_bytes(
        _dic("labels", "comma", True, True, False, "labels_comma.txt").encode()
    )
    # labels, tab, LF, header, gzip; survival 9999 written as the label "Unknown"
    rows = ["\t".join(VARIABLES)]
    for r in RECORDS:
        rows.append("\t".join("Unknown" if x == "9999" else x for x in r))
    data = ("\n".join(rows) + "\n").encode()
    (HERE / "labels_tab_unix.txt.gz").write_bytes(gzip.compress(data, mtime=0))
    (HERE / "labels_tab_unix.dic").write_bytes(
        _dic("labels", "tab", True, False, True, "labels_tab_unix.txt.gz").encode()
    )
    _survival_session()


def _survival_session() -> None:
    """A survival-session export in the documented [Life Page Variables] layout."""
    dic = (
        "\r\n".join(
            [
                "[System]",
                "Output filename=survival_session.txt",
                "Matrix filename=nen_surv.ssm",
                "Database name=Incidence - SEER Research Data (fixture)",
                "Title1=Relative survival",
                "",
                "[Session Options]",
                "Type=Survival",
                "Statistic=Relative Survival",
                "SurvivalMethod=Actuarial",
                "StudyCutoffDate=12/2021",
                "NumberOfIntervals=2",
                "MonthsPerInterval=12",
                "",
                "[Export Options]",
                "GZipped=false",
                "Variable format=numeric",
                "File format=DOS/Windows",
                "Field delimiter=tab",
                "Missing character=space",
                "Fields with delimiter in quotes=false",
                "Remove thousands separators=true",
                "Flags included=false",
                "Variable names included=false",
                "Column Variables as Stats=false",
                "",
                "[Life Page Variables]",
                "Var1Name=Page type",
                "Var2Name=Stage",
                "Var3Name=Interval",
                "Var4Name=Alive at Start",
                "Var5Name=Died",
                "Var6Name=Lost to Followup",
                "Var7Name=Observed Survival (Interval)",
                "Var7Name=Observed Survival (Cum)",
                "",
                "[Format=Page type]",
                "0=Life Page",
                "",
                "[Format=Stage]",
                "0=Distant",
                "1=Localized",
                "",
                "[Format=Interval]",
                "1=<1 yr",
                "2=1-<2 yr",
                "",
            ]
        )
        + "\r\n"
    )
    txt = "0\t0\t1\t100\t30\t5\t70.0\t70.0\r\n0\t0\t2\t65\t15\t4\t76.6\t53.6\r\n"
    (HERE / "survival_session.dic").write_bytes(dic.encode())
    (HERE / "survival_session.txt").write_bytes(txt.encode())


if __name__ == "__main__":
    main()
