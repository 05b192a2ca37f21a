"""Transcribe the Stata glm output printed in Dickman's "Modelling excess mortality using
Poisson regression" (content/software/strs/modelling_poisson.md, 2019-03-03).

Run once from the repository root with a checkout (or bare clone) of
github.com/paul-dickman/starter-academic at commit 432608cf595900370014f360bce487396241b30d:

    python tests/reference/extract_dickman_glm.py /path/to/starter-academic

Writes (see tests/reference/README_dickman.md):

* dickman_glm_terms.csv: one row per printed coefficient line of the two models
  (model ``main`` or ``interaction``; ``term`` the Stata factor, ``level`` its printed label;
  ``exp_b, std_err, z, p, lower, upper`` exactly as printed, kept as text so that a test can
  read the printed precision; base levels and the exposure line are left out);
* dickman_glm_fit.csv: the header of each model (n_obs, df_resid, deviance, pearson, llf, aic,
  bic), as printed.

The numbers are Stata 15 output (glm ..., fam(pois) link(rs d_star) lnoffset(y) eform); they
are parsed from the page as they stand, never computed.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

OUT = Path("tests/reference")
PAGE = "content/software/strs/modelling_poisson.md"
HEADER = {
    "n_obs": r"No\. of obs\s+=\s+(\S+)",
    "df_resid": r"Residual df\s+=\s+(\S+)",
    "deviance": r"Deviance\s+=\s+(\S+)",
    "pearson": r"Pearson\s+=\s+(\S+)",
    "llf": r"Log likelihood\s+=\s+(\S+)",
    "aic": r"AIC\s+=\s+(\S+)",
    "bic": r"BIC\s+=\s+(\S+)",
}


def _blocks(text: str) -> list[str]:
    """The text of each printed 'Generalized linear models' output."""
    return text.split("Generalized linear models")[1:]


def main(repo: str) -> None:
    text = subprocess.run(
        ["git", "-C", repo, "show", f"HEAD:{PAGE}"], check=True, capture_output=True, text=True
    ).stdout
    terms, fits = [], []
    for model, block in zip(["main", "interaction"], _blocks(text), strict=False):
        head = {k: re.search(p, block).group(1) for k, p in HEADER.items()}  # type: ignore[union-attr]
        fits.append({"model": model, **head})
        term = ""
        for line in block.split("Conf. Interval]", 1)[1].splitlines():
            if "|" not in line:
                continue
            left, right = (part.strip() for part in line.split("|", 1))
            cells = right.split()
            if left and not cells:  # a factor's heading line
                term = left
                continue
            if len(cells) == 6:  # Stata prints "." for a missing limit: kept as printed
                names = ["exp_b", "std_err", "z", "p", "lower", "upper"]
                row = {"model": model, "term": "_cons" if left == "_cons" else term}
                row["level"] = "" if left == "_cons" else left
                terms.append(row | dict(zip(names, cells, strict=True)))
    with open(OUT / "dickman_glm_terms.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(terms[0]))
        w.writeheader()
        w.writerows(terms)
    with open(OUT / "dickman_glm_fit.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(fits[0]))
        w.writeheader()
        w.writerows(fits)


if __name__ == "__main__":
    main(sys.argv[1])
