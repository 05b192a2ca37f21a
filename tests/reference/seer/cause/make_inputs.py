"""Random inputs for the SEER cause-specific death classification reference (netsurv's own).

Writes ``cause_input.csv.gz``: >= 50,000 records reaching every branch of SEER's rules:
sequence numbers 00-99 (and blanks, junk), ICD revisions 0 (alive), 1 (ICD-10), 8, 9 (ICD-8/9)
and invalid ones, causes of death that often name the tumour's own site (so that SEER's site
tables match), unknown causes (7777, 7797, short codes, blank), melanoma, leukaemia and
lymphoma histologies, sites of every SEER site recode group, and dates of last contact after
the cutoff year.

Run: ``python tests/reference/seer/cause/make_inputs.py`` (numpy only; seed fixed).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
N = 60_000
CUTOFFS = np.array([2012, 2017, 2022])


def _pick(rng: np.random.Generator, options: list[str], n: int, p: list[float] | None = None):
    return rng.choice(np.array(options, dtype=object), n, p=p)


def _icd10(rng: np.random.Generator, site: np.ndarray) -> np.ndarray:
    n = len(site)
    letters = _pick(rng, list("ABCDEFGIJKNRVX"), n, [0.03, 0.02, 0.45, 0.12] + [0.038] * 10)
    two = np.char.zfill(rng.integers(0, 100, n).astype(str), 2)
    fourth = np.where(rng.random(n) < 0.7, rng.integers(0, 10, n).astype(str), "")
    code = np.char.add(np.char.add(letters.astype(str), two), fourth).astype(object)
    own = rng.random(n) < 0.4  # the tumour's own site, as ICD-10 C codes mostly follow ICD-O
    code[own] = [
        f"C{s[1:3]}{d}"
        for s, d in zip(site[own], rng.integers(0, 10, own.sum()).astype(str), strict=True)
    ]
    special = rng.random(n) < 0.12
    code[special] = _pick(
        rng,
        [
            "C798",
            "C80",
            "C809",
            "C97",
            "D489",
            "D619",
            "C43",
            "C439",
            "D03",
            "D22",
            "C77",
            "C81",
            "C96",
            "C969",
            "D36",
            "D45",
            "D47",
            "D479",
            "B21",
            "B210",
            "B20",
            "B22",
            "B24",
            "C00",
        ],
        special.sum(),
    )
    return code


def _icd9(rng: np.random.Generator, n: int) -> np.ndarray:
    three = np.char.zfill(rng.integers(1, 1000, n).astype(str), 3)
    cancer = rng.random(n) < 0.5
    three[cancer] = rng.integers(140, 240, cancer.sum()).astype(str)
    fourth = np.where(rng.random(n) < 0.6, rng.integers(0, 10, n).astype(str), "")
    code = np.char.add(three, fourth).astype(object)
    special = rng.random(n) < 0.1
    code[special] = _pick(
        rng,
        ["199", "1991", "172", "1729", "2169", "216", "2322", "232", "0422", "042"],
        special.sum(),
    )
    return code


def make(seed: int = 20261203) -> list[str]:
    rng = np.random.default_rng(seed)
    cutoff = rng.choice(CUTOFFS, N)
    seq = np.char.zfill(rng.integers(0, 100, N).astype(str), 2).astype(object)
    seq[rng.random(N) < 0.35] = "00"
    junk = rng.random(N) < 0.02
    seq[junk] = _pick(rng, ["", "x1", "5", "100", "-1"], junk.sum())
    site_num = rng.integers(0, 810, N)
    site = np.array([f"C{s:03d}" for s in site_num], dtype=object)
    junk = rng.random(N) < 0.01
    site[junk] = _pick(rng, ["", "C", "X169", "c169", "C16"], junk.sum())
    hist = rng.integers(8000, 9990, N).astype(str).astype(object)
    u = rng.random(N)
    hist[u < 0.10] = rng.integers(8720, 8800, (u < 0.10).sum()).astype(str)
    heme = (u >= 0.10) & (u < 0.22)
    hist[heme] = _pick(
        rng,
        ["9950", "9960", "9964", "9980", "9989", "9590", "9700", "9823", "9050", "9140"],
        heme.sum(),
    )
    hist[(u >= 0.22) & (u < 0.30)] = _pick(
        rng, ["8240", "8246", "8249", "8140", "8070"], ((u >= 0.22) & (u < 0.30)).sum()
    )
    hist[(u >= 0.30) & (u < 0.31)] = ""
    icd = _pick(rng, ["0", "1", "8", "9", "", "7"], N, [0.25, 0.45, 0.08, 0.17, 0.03, 0.02])
    cod = np.full(N, "", dtype=object)
    is10, is9 = icd == "1", np.isin(icd, ["8", "9"])
    cod[is10] = _icd10(rng, site[is10])
    cod[is9] = _icd9(rng, is9.sum())
    other = ~(is10 | is9)
    cod[other] = _icd10(rng, site[other])
    unknown = rng.random(N) < 0.06
    cod[unknown] = _pick(rng, ["7777", "7797", "", "C1", "77"], unknown.sum())
    lower = rng.random(N) < 0.02
    cod[lower] = [c.lower() for c in cod[lower]]
    year = rng.integers(1975, 2025, N).astype(str).astype(object)
    junk = rng.random(N) < 0.03
    year[junk] = _pick(rng, ["", "9999", "20x1"], junk.sum())
    rows = [
        "cutoff_year,sequence,icd_revision,cause_of_death,primary_site,histology,year_last_contact"
    ]
    rows += [
        ",".join(map(str, r)) for r in zip(cutoff, seq, icd, cod, site, hist, year, strict=True)
    ]
    return rows


if __name__ == "__main__":
    lines = make()
    with gzip.open(HERE / "cause_input.csv.gz", "wt", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} records")
