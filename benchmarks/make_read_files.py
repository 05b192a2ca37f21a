"""Registry files unlike the bundled one, for ``bench_read.py --naaccr / --seerstat``.

Run: ``.venv/bin/python benchmarks/make_read_files.py OUTDIR [--n 30000] [--seed 7]``.

Issue 16 asks the readers to stay near the bare parser on files we have not seen; the bundled
registry as written by netsurv's own writers is one narrow shape. Each file here differs from it
on purpose (all seeded, nothing committed but this script):

``wide.xml``
    NAACCR XML as a registry's abstract export: ~110 items per tumour (most of them items netsurv
    does not map), ``naaccrNum`` on every item, NaaccrData-level and ~20 Patient-level items,
    1-4 tumours per patient, four long text items (100-2,000 characters) holding ``&amp;``,
    ``&lt;``, ``&#233;``-style references and non-ASCII text, partial dates (``YYYY``,
    ``YYYYMM``) and no survival or cause-specific items (survival months and SEER's cause-specific
    classification are then derived from the dates and the cause of death, as for the NAACCR
    public samples).
``variant.xml``
    The same kind of content written in forms the NAACCR XML specification allows but netsurv's
    writer never uses: a namespace prefix (``<n:Item>``), ``naaccrNum`` before ``naaccrId``,
    single-quoted attributes, CRLF line ends, no indentation, comments, empty items
    (``<n:Item naaccrId='x'/>``) and an extension element in a foreign namespace; the survival
    items are present here, for other code combinations.
``labels.txt`` + ``labels.dic``
    A SEER*Stat case listing exported with ``Variable format=labels``, comma delimited with
    quoted fields (labels hold commas), a header line, ~45 variables named as SEER*Stat names
    them (``Primary Site - labeled``, ``Age recode with <1 year olds``, ``ICD-O-3 Hist/behav``...).
``numeric.txt.gz`` + ``numeric.dic``
    A gzipped numeric (index-coded) export, tab delimited, no header line, ``Missing
    character=period``, ~90 variables with a ``[Format=]`` section each (up to 300 levels).
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

NS = "http://naaccr.org/naaccrxml"
_WORDS = (
    "tumor cells neuroendocrine carcinoid chromogranin synaptophysin positive negative margin "
    "resection lymph node biopsy pancreas ileum small bowel mass CT scan liver lesion Ki-67 index "
    "mitoses per 10 HPF grade well differentiated mucosa submucosa invasion <5 mm >2 cm & noted "
    "évalué µm °C patient referred for follow-up octreotide PET"
).split()
_PATIENT_ITEMS = [f"patientItem{i:02d}" for i in range(14)]
_TUMOR_ITEMS = [f"tumorItem{i:03d}" for i in range(80)]  # items netsurv does not map
_TEXT_ITEMS = ("textDxProcPe", "textDxProcPath", "textStaging", "textRemarks")
_SITES = ["C181", "C170", "C171", "C172", "C179", "C250", "C251", "C252", "C349", "C209", "C160"]
_HISTOLOGY = ["8240", "8241", "8246", "8249", "8041", "8013", "8150", "8151", "8153", "8156"]


def _text(rng: np.random.Generator, low: int, high: int) -> str:
    words = rng.choice(_WORDS, size=int(rng.integers(low, high)) // 6 + 1)
    return " ".join(words)


def _xml_escape(text: str, numeric: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("é", "&#233;").replace("µ", "&#xB5;") if numeric else text


def _date(rng: np.random.Generator, year: int) -> str:
    """YYYYMMDD, sometimes YYYYMM or YYYY (partial dates are allowed in NAACCR XML)."""
    full = f"{year}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
    return full[: int(rng.choice([8, 8, 8, 8, 6, 4]))]


def _patient(rng: np.random.Generator, pid: int, with_survival: bool) -> tuple[list, list]:
    """(patient items, tumours' items) as (naaccrId, naaccrNum, value) triples."""
    dead = rng.random() < 0.45
    year_dx = int(rng.integers(2000, 2023))
    last = min(2023, year_dx + int(rng.integers(0, 15)))
    cod = rng.choice(["C250", "C170", "I219", "J189", "7777", "C787"]) if dead else "0000"
    items = [
        ("patientIdNumber", 20, f"{pid:08d}"),
        ("sex", 220, str(rng.choice(["1", "2", "2", "9"]))),
        ("race1", 160, str(rng.choice(["01", "02", "03", "04", "96", "99"]))),
        ("dateOfBirth", 240, _date(rng, year_dx - int(rng.integers(20, 90)))),
        ("dateOfLastContact", 1750, _date(rng, last)),
        ("vitalStatus", 1760, "0" if dead else "1"),
        ("causeOfDeath", 1910, str(cod)),
        ("icdRevisionNumber", 1920, "1" if dead else "0"),
    ]
    items += [
        (name, 3000 + i, str(rng.integers(0, 10**6))) for i, name in enumerate(_PATIENT_ITEMS)
    ]
    tumours = []
    for seq in range(int(rng.choice([1, 1, 1, 2, 2, 3, 4]))):
        t = [
            ("sequenceNumberCentral", 380, f"{seq + (seq > 0):02d}"),
            ("dateOfDiagnosis", 390, _date(rng, year_dx)),
            ("primarySite", 400, str(rng.choice(_SITES))),
            ("histologicTypeIcdO3", 522, str(rng.choice(_HISTOLOGY))),
            ("behaviorCodeIcdO3", 523, str(rng.choice(["3", "3", "3", "2", "1"]))),
            ("grade", 440, str(rng.choice(["1", "2", "3", "4", "9"]))),
            ("gradeClinical", 3843, str(rng.choice(["1", "2", "3", "A", "9"]))),
            ("derivedSummaryGrade2018", 1975, str(rng.choice(["1", "2", "3", "9"]))),
            ("ki67", 3863, str(rng.choice(["0.5", "2.0", "14.3", "XXX.2", "XXX.9"]))),
            ("summaryStage2018", 764, str(rng.choice(["1", "2", "3", "4", "7", "9"]))),
            ("derivedSs2000", 3020, str(rng.choice(["1", "2", "5", "7", "9"]))),
            ("ageAtDiagnosis", 230, f"{int(rng.integers(20, 95)):03d}"),
            ("typeOfReportingSource", 500, str(rng.choice(["1", "1", "1", "3", "7"]))),
        ]
        if with_survival:
            t += [
                ("survMosActiveFollowup", 1784, f"{int(rng.integers(0, 200)):04d}"),
                ("survFlagActiveFollowup", 1783, str(rng.choice(["1", "1", "3", "8", "9"]))),
                ("seerCauseSpecificCod", 1914, str(rng.choice(["0", "1", "8", "9"]))),
            ]
        t += [
            (n, 4000 + i, str(rng.integers(0, 10 ** int(rng.integers(1, 8)))))
            for i, n in enumerate(_TUMOR_ITEMS)
        ]
        t += [(n, 2520 + i, _text(rng, 100, 2000)) for i, n in enumerate(_TEXT_ITEMS)]
        tumours.append(t)
    return items, tumours


def _wide_item(name: str, num: int, value: str) -> str:
    return f'<Item naaccrId="{name}" naaccrNum="{num}">{_xml_escape(value, True)}</Item>'


def write_wide(path: Path, n: int, seed: int) -> None:
    """The registry abstract export (see the module docstring)."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(
            '<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml"'
            ' recordType="A" specificationVersion="1.7" timeGenerated="2026-11-30T10:00:00"'
            f' xmlns="{NS}">\n  <Item naaccrId="registryId" naaccrNum="40">0000001544</Item>\n'
        )
        pid, written = 0, 0
        while written < n:
            pid += 1
            items, tumours = _patient(rng, pid, with_survival=False)
            fh.write("  <Patient>\n")
            fh.writelines(f"    {_wide_item(*it)}\n" for it in items)
            for t in tumours:
                fh.write("    <Tumor>\n")
                fh.writelines(f"      {_wide_item(*it)}\n" for it in t)
                fh.write("    </Tumor>\n")
            fh.write("  </Patient>\n")
            written += len(tumours)
        fh.write("</NaaccrData>\n")


def _variant_item(name: str, num: int, value: str) -> str:
    if not value or (value == "0" and name.startswith("tumorItem")):
        return f"<n:Item naaccrId='{name}'/>"
    return f"<n:Item naaccrNum='{num}' naaccrId='{name}'>{_xml_escape(value, False)}</n:Item>"


def write_variant(path: Path, n: int, seed: int) -> None:
    """Spec-allowed forms netsurv's writer does not use (see the module docstring)."""
    rng = np.random.default_rng(seed + 1)
    with open(path, "w", encoding="utf-8", newline="\r\n") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n<!-- written by make_read_files.py -->\n")
        fh.write(
            f"<n:NaaccrData xmlns:n='{NS}' xmlns:x='http://example.org/ext' recordType='I'"
            " baseDictionaryUri='http://naaccr.org/naaccrxml/naaccr-dictionary-240.xml'"
            " specificationVersion='1.6'>\n"
        )
        fh.write("<x:Header><x:Source>state registry</x:Source></x:Header>\n")
        pid, written = 0, 0
        while written < n:
            pid += 1
            items, tumours = _patient(rng, pid, with_survival=True)
            parts = ["<n:Patient>", *(_variant_item(*it) for it in items[:10])]
            for t in tumours:
                parts += ["<n:Tumor>", *(_variant_item(*it) for it in t[:40]), "</n:Tumor>"]
            parts.append("<!-- end of patient --></n:Patient>\n")
            fh.write("".join(parts))
            written += len(tumours)
        fh.write("</n:NaaccrData>\n")


# ---- SEER*Stat ------------------------------------------------------------------------------
_AGE_GROUPS = ["00 years", "01-04 years", *[f"{a:02d}-{a + 4:02d} years" for a in range(5, 85, 5)]]
_LABELLED = {
    "Patient ID": None,
    "Sequence number": [
        "One primary only",
        "1st of 2 or more primaries",
        "2nd of 2 or more primaries",
        "3rd of 3 or more primaries",
    ],
    "Year of diagnosis": [str(y) for y in range(2000, 2022)],
    "Month of diagnosis": "January February March April May June July August September October November December".split(),
    "Age recode with <1 year olds": [*_AGE_GROUPS, "85+ years", "Unknown"],
    "Sex": ["Male", "Female"],
    "Race recode (W, B, AI, API)": [
        "White",
        "Black",
        "American Indian/Alaska Native",
        "Asian or Pacific Islander",
        "Unknown",
    ],
    "Primary Site - labeled": [
        "C18.1-Appendix",
        "C17.0-Duodenum",
        "C17.2-Ileum",
        "C25.0-Head of pancreas",
        "C34.1-Upper lobe, lung",
        "C20.9-Rectum, NOS",
    ],
    "ICD-O-3 Hist/behav": [
        "8240/3: Carcinoid tumor, NOS",
        "8246/3: Neuroendocrine carcinoma, NOS",
        "8041/3: Small cell carcinoma, NOS",
        "8249/3: Atypical carcinoid tumor",
    ],
    "Grade Recode (thru 2017)": [
        "Well differentiated; Grade I",
        "Moderately differentiated; Grade II",
        "Poorly differentiated; Grade III",
        "Unknown",
        "Blank(s)",
    ],
    "Derived Summary Grade 2018 (2018+)": [
        "Site-specific grade system category (1)",
        "Site-specific grade system category (2)",
        "Well differentiated",
        "Unknown",
        "Blank(s)",
    ],
    "SEER historic stage A (1973-2015)": [
        "Localized",
        "Regional",
        "Distant",
        "Unstaged",
        "Blank(s)",
    ],
    "Combined Summary Stage (2004+)": [
        "Localized",
        "Regional",
        "Distant",
        "Unknown/unstaged",
        "Blank(s)",
    ],
    "Derived Summary Stage 2018 (2018+)": [
        "Localized",
        "Regional, NOS",
        "Distant",
        "Unknown/unstaged",
        "Blank(s)",
    ],
    "Type of Reporting Source": [
        "Hospital inpatient/outpatient or clinic",
        "Laboratory only (hospital or private)",
        "Death certificate only",
        "Autopsy only",
    ],
    "Survival months": None,
    "Survival months flag": [
        "Complete dates are available and there are more than 0 days of survival",
        "Incomplete dates are available and there cannot be zero days of follow-up",
        "Not calculated because a Death Certificate Only or Autopsy Only case",
        "Could not calculate survival due to missing or invalid dates",
    ],
    "Vital status recode (study cutoff used)": ["Alive", "Dead"],
    "SEER cause-specific death classification": [
        "Alive or dead of other cause",
        "Dead (attributable to this cancer dx)",
        "Dead (missing/unknown COD)",
        "N/A not first tumor",
    ],
    "Site recode ICD-O-3/WHO 2008": [
        "Small Intestine",
        "Appendix",
        "Pancreas",
        "Lung and Bronchus",
        "Rectum",
        "Stomach",
    ],
    "Marital status at diagnosis": [
        "Married (including common law)",
        "Single (never married)",
        "Widowed",
        "Divorced",
        "Unknown",
    ],
    "Median household income inflation adj to 2021": [
        "$75,000+",
        "$65,000 - $69,999",
        "< $40,000",
        "Unknown/missing/no match/Not 1990-2021",
    ],
    "Rural-Urban Continuum Code": [
        "Counties in metropolitan areas ge 1 million pop",
        "Nonmetropolitan counties adjacent to a metropolitan area",
        "Unknown/missing/no match/Not 1990-2021",
    ],
    "COD to site recode": [
        "Alive",
        "Pancreas",
        "Diseases of Heart",
        "Lung and Bronchus",
        "Other Cause of Death",
    ],
    "Months from diagnosis to treatment": None,
    "Tumor Size Summary (2016+)": None,
}
_EXTRA_LABELLED = [f"Recode variable {i:02d}" for i in range(20)]


def _seer_values(
    rng: np.random.Generator, name: str, levels: list[str] | None, n: int
) -> np.ndarray:
    if levels is not None:
        return np.asarray(levels, dtype=object)[rng.integers(0, len(levels), n)]
    if name == "Patient ID":
        return np.array([f"{i:08d}" for i in rng.permutation(n) + 1], dtype=object)
    if name == "Survival months":
        return np.array([f"{m:04d}" for m in rng.integers(0, 240, n)], dtype=object)
    return rng.integers(0, 999, n).astype(str).astype(object)


def _dic(
    data_name: str,
    names: list[str],
    formats: dict[str, list[str]],
    fmt: str,
    delim: str,
    missing: str,
    header: bool,
    gz: bool,
) -> str:
    lines = [
        "[System]",
        f"Output filename={data_name}",
        "Matrix filename=case listing.slm",
        "",
        "[Session Options]",
        "Type=Listing",
        "",
        "[Export Options]",
        f"GZipped={str(gz).lower()}",
        f"Variable format={fmt}",
        "File format=DOS/Windows",
        f"Field delimiter={delim}",
        f"Missing character={missing}",
        "Fields with delimiter in quotes=true",
        "Remove thousands separators=true",
        "Flags included=false",
        f"Variable names included={str(header).lower()}",
        "",
        "[Variables]",
        *[f"Var{i}Name={v}" for i, v in enumerate(names, 1)],
        "",
    ]
    for name, levels in formats.items():
        lines += [f"[Format={name}]", *[f"{i}={lab}" for i, lab in enumerate(levels)], ""]
    return "\r\n".join(lines)


def write_labels(folder: Path, n: int, seed: int) -> None:
    """Labelled, comma-delimited, quoted SEER*Stat export with a header line."""
    rng = np.random.default_rng(seed + 2)
    spec = dict(_LABELLED)
    spec.update({v: [f"Group {j}, level {j % 7}" for j in range(12)] for v in _EXTRA_LABELLED})
    names = list(spec)
    cols = [_seer_values(rng, name, spec[name], n) for name in names]
    rows = ['"' + '","'.join(names) + '"']
    rows += ['"' + '","'.join(r) + '"' for r in zip(*cols, strict=True)]
    (folder / "labels.txt").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8", newline="")
    dic = _dic("labels.txt", names, {}, "labels", "comma", "space", True, False)
    (folder / "labels.dic").write_text(dic, encoding="utf-8", newline="")


def write_numeric(folder: Path, n: int, seed: int) -> None:
    """Gzipped, index-coded, tab-delimited SEER*Stat export without a header line."""
    rng = np.random.default_rng(seed + 3)
    spec = dict(_LABELLED)
    spec.update(
        {
            f"Coded variable {i:02d}": [f"Level {j}" for j in range(int(rng.integers(2, 300)))]
            for i in range(60)
        }
    )
    names = list(spec)
    formats = {k: v for k, v in spec.items() if v is not None}
    cols = []
    for name in names:
        levels = spec[name]
        if levels is None:
            values = _seer_values(rng, name, None, n)
            values[rng.random(n) < 0.05] = "."
        else:
            values = rng.integers(0, len(levels), n).astype(str).astype(object)
        cols.append(values)
    text = "\r\n".join("\t".join(r) for r in zip(*cols, strict=True)) + "\r\n"
    with gzip.open(folder / "numeric.txt.gz", "wt", encoding="utf-8", newline="") as fh:
        fh.write(text)
    dic = _dic("numeric.txt.gz", names, formats, "numeric", "tab", "period", False, True)
    (folder / "numeric.dic").write_text(dic, encoding="utf-8", newline="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument(
        "--n", type=int, default=30_000, help="tumours per XML file (default 30000)"
    )
    parser.add_argument("--rows", type=int, default=150_000, help="rows per SEER*Stat export")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    write_wide(args.outdir / "wide.xml", args.n, args.seed)
    write_variant(args.outdir / "variant.xml", args.n, args.seed)
    write_labels(args.outdir, args.rows, args.seed)
    write_numeric(args.outdir, args.rows, args.seed)
    for p in sorted(args.outdir.iterdir()):
        print(f"{p.name}: {p.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
