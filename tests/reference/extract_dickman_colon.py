"""Extract Dickman's Finnish colon carcinoma teaching data and his published strs tables.

Run once from the repository root with a checkout of github.com/paul-dickman/starter-academic
(the source of pauldickman.com) at commit 432608c, path given as the first argument:

    python tests/reference/extract_dickman_colon.py /path/to/starter-academic

Writes (see tests/reference/README_dickman.md for sources and licence):

* dickman_colon_localised.csv: static/data/colon.dta, localised stage (6,274 patients), the
  columns strs uses; float32 Stata values written as the doubles Stata computes with;
* dickman_popmort.csv: static/data/popmort.dta (Finnish 1-year survival probabilities);
* dickman_strs_by_sex.csv: the two life tables printed in content/software/strs/survival.md;
* dickman_strs_four_methods.csv: the two tables printed in
  content/software/stata/four-methods-nonparametric.md.

The published numbers are parsed from the printed Stata output as they stand (4 decimals).
"""

from __future__ import annotations

import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pandas as pd

OUT = Path("tests/reference")


def _show(repo: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", repo, "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def _tables(text: str, key: str) -> pd.DataFrame:
    """The '| start end ... |' tables after each '-> key = label' line."""
    frames, label, header = [], None, None
    for line in text.splitlines():
        m = re.match(rf"-> {key} = (.+)$", line.strip())
        if m:
            label, header = m.group(1).strip(), None
            continue
        cells = [c for c in line.strip().strip("|").split() if c]
        if label and cells[:2] == ["start", "end"]:
            header = cells
        elif label and header and line.strip().startswith("|") and len(cells) == len(header):
            try:
                frames.append({key: label, **dict(zip(header, map(float, cells), strict=True))})
            except ValueError:
                continue
    return pd.DataFrame(frames)


def main(repo: str) -> None:
    colon = pd.read_stata(BytesIO(_show(repo, "static/data/colon.dta")))
    loc = colon[colon["stage"] == "Localised"]
    cols = ["id", "sex", "age", "yydx", "mmdx", "dx", "exit", "surv_mm", "status", "year8594"]
    out = loc[cols].copy()
    out["surv_mm"] = out["surv_mm"].astype("float64")
    out["sex"] = out["sex"].astype(str)
    out["status"] = out["status"].astype(str)
    out["year8594"] = out["year8594"].astype(str)
    out.to_csv(OUT / "dickman_colon_localised.csv", index=False, float_format="%.17g")
    pm = pd.read_stata(BytesIO(_show(repo, "static/data/popmort.dta")))
    pm["prob"] = pm["prob"].astype("float64")  # the float32 value Stata stores, exactly
    pm[["sex", "_year", "_age", "prob"]].to_csv(
        OUT / "dickman_popmort.csv", index=False, float_format="%.17g"
    )
    survival = _show(repo, "content/software/strs/survival.md").decode()
    _tables(survival, "sex").to_csv(OUT / "dickman_strs_by_sex.csv", index=False)
    four = _show(repo, "content/software/stata/four-methods-nonparametric.md").decode()
    _tables(four, "year8594").to_csv(OUT / "dickman_strs_four_methods.csv", index=False)


if __name__ == "__main__":
    main(sys.argv[1])
