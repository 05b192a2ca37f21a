"""netsurv reconstruct: the CLI writes what reconstruct_ipd returns; errors in one line."""

from __future__ import annotations

import pandas as pd
import pytest

import netsurv
from netsurv.present.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_reconstruct_writes_the_same_patients_as_the_library(tmp_path, capsys) -> None:
    curve = pd.DataFrame(
        {"time": [0.99, 1, 1.99, 2, 3.99, 4, 6], "survival": [1, 0.9, 0.9, 0.8, 0.8, 0.6, 0.6]}
    )
    risk = pd.DataFrame({"time": [0, 3, 6], "n_at_risk": [10, 8, 6]})
    curve.to_csv(tmp_path / "curve.csv", index=False)
    risk.to_csv(tmp_path / "risk.csv", index=False)
    out = tmp_path / "ipd.csv"
    argv = ["reconstruct", str(tmp_path / "curve.csv"), "--at-risk", str(tmp_path / "risk.csv")]
    code, _, err = _run([*argv, "-o", str(out)], capsys)
    assert code == 0 and "10 patients, 4 events" in err
    expected = netsurv.reconstruct_ipd(curve, risk)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected)
    code, _, err = _run([*argv[:2], "--at-risk", str(tmp_path / "curve.csv")], capsys)
    assert code == 1 and err.count("\n") == 1 and "n_at_risk" in err
