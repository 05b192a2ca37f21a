"""Random inputs for the SEER survival-time reference (netsurv's own generator).

Writes ``survival_input.csv.gz``: >= 100,000 patients with one to six tumour records each, built
to reach every branch of SEER's survival-time algorithm: partial diagnosis, last-contact and
birth dates (unknown day, unknown month, "99" fillers, invalid months and days, years before 1900
or after the cutoff), death-certificate/autopsy-only records, sequence numbers 00-99 (federal
00-59, 98, 99 and non-federal 60-97) and blanks, several study cutoff years, vital status unknown,
and patients whose records disagree on the date of last contact or the vital status.

Run: ``python tests/reference/seer/survival/make_inputs.py`` (numpy only; seed fixed).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
N_PATIENTS = 100_000
CUTOFFS = np.array([2005, 2012, 2017, 2020, 2022])
LAST_YEAR = 2024  # no date of last contact in the future of any run (SEER blanks those)


def _two(values: np.ndarray) -> np.ndarray:
    return np.char.zfill(values.astype(int).astype(str), 2)


def _partial(rng: np.random.Generator, y: np.ndarray, m: np.ndarray, d: np.ndarray, odd: float):
    """NAACCR date strings with unknown or invalid parts mixed in."""
    n = len(y)
    ys = np.char.zfill(y.astype(int).astype(str), 4)
    ms, ds = _two(m), _two(d)
    u = rng.random(n)
    out = np.char.add(np.char.add(ys, ms), ds).astype(object)
    kinds = [
        (0.10, lambda i: ys[i]),  # year only
        (0.08, lambda i: np.char.add(ys[i], ms[i])),  # day unknown (short)
        (0.04, lambda i: np.char.add(np.char.add(ys[i], ms[i]), "99")),  # day 99
        (0.03, lambda i: np.char.add(ys[i], "9999")),  # month and day 99
        (0.01, lambda i: np.char.add(ys[i], "99")),  # month 99, no day
        (odd, lambda i: np.char.add(np.char.add(ys[i], ms[i]), "32")),  # invalid day
        (odd, lambda i: np.char.add(ys[i], np.where(rng.random(len(i)) < 0.5, "1315", "0000"))),
        (odd, lambda i: np.char.add(np.char.add(ys[i], "02"), "30")),  # Feb 30
        (odd, lambda i: np.char.add(np.char.add(ys[i], "99"), ds[i])),  # month 99, day known
        (odd, lambda i: np.full(len(i), "")),  # blank
        (odd / 2, lambda i: np.full(len(i), "9999")),
        (odd / 2, lambda i: np.char.add("1850", np.char.add(ms[i], ds[i]))),  # before 1900
    ]
    lo = 0.0
    for p, make in kinds:
        idx = np.flatnonzero((u >= lo) & (u < lo + p))
        out[idx] = make(idx)
        lo += p
    return out


def _dates(rng: np.random.Generator, day_numbers: np.ndarray):
    dt = day_numbers.astype("datetime64[D]")
    y = dt.astype("datetime64[Y]").astype(int) + 1970
    m = dt.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dt - dt.astype("datetime64[M]")).astype(int) + 1
    return y, m, d


def _day(year: np.ndarray, rng: np.random.Generator, spread: int = 365) -> np.ndarray:
    start = (year - 1970) * 365.2425
    return (start + rng.integers(0, spread, len(year))).astype(int)


def _sequences(rng: np.random.Generator, n_rec: np.ndarray, idx_in_patient: np.ndarray):
    n = len(idx_in_patient)
    seq = np.where(np.repeat(n_rec, n_rec) == 1, 0, idx_in_patient + 1).astype(int)
    u = rng.random(n)
    seq = np.where(u < 0.15, rng.integers(60, 98, n), seq)  # non-federal
    seq = np.where((u >= 0.15) & (u < 0.22), rng.integers(0, 100, n), seq)  # any 00-99
    seq = np.where((u >= 0.22) & (u < 0.25), rng.choice([98, 99], n), seq)
    out = _two(seq).astype(object)
    out[(u >= 0.25) & (u < 0.27)] = ""
    return out


def make(seed: int = 20261203) -> list[str]:
    rng = np.random.default_rng(seed)
    n_rec = rng.choice([1, 2, 3, 4, 5, 6], N_PATIENTS, p=[0.45, 0.28, 0.14, 0.07, 0.04, 0.02])
    pid = np.repeat(np.arange(N_PATIENTS), n_rec)
    first = np.repeat(np.cumsum(n_rec) - n_rec, n_rec)
    k = np.arange(len(pid)) - first
    cutoff = rng.choice(CUTOFFS, N_PATIENTS)
    base_year = rng.integers(1965, cutoff + 1)
    base_year = np.where(rng.random(N_PATIENTS) < 0.03, cutoff + 1, base_year)  # after the cutoff
    birth_year = base_year - rng.integers(0, 90, N_PATIENTS)
    # records of a patient cluster in few years so that partial dates overlap often
    year = np.repeat(base_year, n_rec) + np.where(
        rng.random(len(pid)) < 0.5, 0, rng.integers(0, 4, len(pid))
    )
    dx_day = _day(year, rng)
    same_month = rng.random(len(pid)) < 0.2  # same month as the patient's first record
    dx_day = np.where(same_month, dx_day[first] + rng.integers(0, 28, len(pid)) // 7 * 7, dx_day)
    dx = _partial(rng, *_dates(rng, dx_day), odd=0.01)
    # date of last contact: after the latest diagnosis, sometimes before it, capped at LAST_YEAR
    last_dx = np.maximum.reduceat(dx_day, np.cumsum(n_rec) - n_rec)
    gap = np.where(
        rng.random(N_PATIENTS) < 0.15,
        rng.integers(0, 90, N_PATIENTS),
        rng.integers(0, 6000, N_PATIENTS),
    )
    gap = np.where(rng.random(N_PATIENTS) < 0.03, -rng.integers(1, 400, N_PATIENTS), gap)
    gap = np.where(rng.random(N_PATIENTS) < 0.03, 0, gap)  # last contact on the diagnosis day
    lc_day = np.minimum(last_dx + gap, (LAST_YEAR - 1970) * 365 + 360)
    lc = _partial(rng, *_dates(rng, lc_day), odd=0.006)
    birth = _partial(rng, *_dates(rng, _day(birth_year, rng)), odd=0.01)
    vs = rng.choice(np.array(["1", "0", ""], dtype=object), N_PATIENTS, p=[0.5, 0.46, 0.04])
    rec_lc, rec_vs, rec_birth = lc[pid], vs[pid], birth[pid]
    # records that disagree within a patient: last contact or vital status of one record
    multi = np.repeat(n_rec, n_rec) > 1
    odd_lc = multi & (k == n_rec[pid] - 1) & (rng.random(len(pid)) < 0.06)
    rec_lc[odd_lc] = np.where(
        rng.random(odd_lc.sum()) < 0.5, [s[:6] for s in rec_lc[odd_lc]], "20010101"
    )
    odd_vs = multi & (k == 0) & (rng.random(len(pid)) < 0.04)
    rec_vs[odd_vs] = np.where(rec_vs[odd_vs] == "1", "0", "1")
    rec_birth[multi & (k > 0) & (rng.random(len(pid)) < 0.05)] = "19000101"  # only the first counts
    seq = _sequences(rng, n_rec, k)
    trs = rng.choice(
        np.array(["1", "3", "6", "7", ""], dtype=object), len(pid), p=[0.8, 0.1, 0.05, 0.03, 0.02]
    )
    rows = [
        "cutoff_year,patient_id,date_dx,date_last_contact,date_of_birth,vital_status,sequence,reporting_source"
    ]
    for i in range(len(pid)):
        rows.append(
            f"{cutoff[pid[i]]},P{pid[i]:06d},{dx[i]},{rec_lc[i]},{rec_birth[i]},{rec_vs[i]},{seq[i]},{trs[i]}"
        )
    return rows


if __name__ == "__main__":
    lines = make()
    with gzip.open(HERE / "survival_input.csv.gz", "wt", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} records")
