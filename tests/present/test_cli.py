"""The netsurv command line: documented subcommands, exact JSON/CSV, one-line errors."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv
from netsurv.errors import ReadError
from netsurv.present.cli import SUBCOMMANDS, build_parser, main
from netsurv.present.tables import survival_table
from tests.paths import ROOT

DOCS = ROOT / "docs" / "cli.md"


@pytest.fixture(scope="module")
def registry_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain CSV: SEER-style whole months, extent with an unknown and a small group."""
    rng = np.random.default_rng(5)
    n = 800
    extent = rng.choice(
        ["localized", "regional", "distant", "unknown"], n, p=[0.5, 0.25, 0.2, 0.05]
    )
    extent[:12] = "in situ"  # 12 cases: suppressed
    rate = np.select([extent == "distant", extent == "regional"], [0.04, 0.01], 0.004)
    death, censor = rng.exponential(1 / rate), rng.uniform(0, 150, n)
    df = pd.DataFrame(
        {
            "survival_months": np.floor(np.minimum(death, censor)),
            "dead": (death <= censor).astype(int),
            "extent": extent,
        }
    )
    path = tmp_path_factory.mktemp("cli") / "registry.csv"
    df.to_csv(path, index=False)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_subcommand_has_help_and_a_section_in_the_docs(capsys) -> None:
    parser = build_parser()
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    assert sorted(actions[0].choices) == sorted(SUBCOMMANDS)  # nothing undocumented
    docs = DOCS.read_text(encoding="utf-8")
    for cmd in SUBCOMMANDS:
        with pytest.raises(SystemExit) as stop:
            main([cmd, "--help"])
        assert stop.value.code == 0
        assert f"usage: netsurv {cmd}" in capsys.readouterr().out
        assert f"## netsurv {cmd}\n" in docs, cmd
        for action in actions[0].choices[cmd]._actions:
            names = [o for o in action.option_strings if o not in ("-h", "--help", "--debug")]
            if names:
                assert any(f"{o} " in docs or f"{o}]" in docs for o in names), f"{cmd} {names}"


def test_json_output_equals_the_python_api_exactly(registry_csv, capsys) -> None:
    code, out, _ = _run(
        ["survival", str(registry_csv), "--by", "extent", "--format", "json"], capsys
    )
    assert code == 0
    rows = json.loads(out)
    api = survival_table(netsurv.read(registry_csv), by="extent").to_frame()
    _assert_rows_equal_frame(rows, api, label="extent")


def _assert_rows_equal_frame(rows: list[dict], api: pd.DataFrame, label: str) -> None:
    """Every JSON value equals the API's exactly (NaN <-> null); labels as strings."""
    assert [r[label] for r in rows] == api[label].astype(str).tolist()
    assert list(rows[0]) == list(api.columns)
    for row, (_, expected) in zip(rows, api.iterrows(), strict=True):
        for col, value in expected.items():
            got = row[col]
            if col == label:
                continue
            if isinstance(value, float) and math.isnan(value):
                assert got is None, col
            else:
                assert got == value, col  # exact: no rounding anywhere


def test_json_from_a_seerstat_export_equals_survival_table_of_read(tmp_path, capsys) -> None:
    df = netsurv.datasets.simulate_registry(1500, seed=3)
    export = netsurv.write_seerstat(df, tmp_path / "export.txt").data_path
    code, out, _ = _run(["survival", str(export), "--by", "grade", "--format", "json"], capsys)
    api = survival_table(netsurv.read(export), by="grade").to_frame()
    assert code == 0
    _assert_rows_equal_frame(json.loads(out), api, label="grade")


def test_csv_output_reads_back_to_the_same_numbers(registry_csv, capsys) -> None:
    code, out, _ = _run(
        ["survival", str(registry_csv), "--format", "csv", "--times", "12,60"], capsys
    )
    assert code == 0
    back = pd.read_csv(io.StringIO(out), float_precision="round_trip")
    api = survival_table(netsurv.read(registry_csv), by="extent", times=[12, 60]).to_frame()
    for col in ("n", "median", "survival_12", "lower_60", "p_value"):
        np.testing.assert_array_equal(
            back[col].to_numpy(dtype=float), api[col].to_numpy(dtype=float)
        )


def test_table_and_markdown_mask_the_small_group(registry_csv, capsys) -> None:
    _, out, _ = _run(["survival", str(registry_csv), "--format", "markdown"], capsys)
    assert "| in situ † | suppressed |" in out and "Fewer than 16 cases" in out
    code, out, _ = _run(["survival", str(registry_csv)], capsys)
    assert code == 0 and "in situ †" in out and "suppressed" in out


def test_bad_input_gives_a_one_line_error_and_a_non_zero_exit(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = _run(["survival", str(missing)], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("netsurv survival: error: ")
    assert "nope.txt" in err and "Traceback" not in err
    garbage = tmp_path / "export.txt"
    garbage.write_text("this is not a registry file\n")
    code, _, err = _run(["report", str(garbage), "-o", str(tmp_path / "r"), "--quiet"], capsys)
    assert code == 1 and err.count("\n") == 1 and "netsurv report: error:" in err


def test_unknown_column_error_names_it_and_suggests_the_closest(registry_csv, capsys) -> None:
    code, _, err = _run(["survival", str(registry_csv), "--by", "extant"], capsys)
    assert code == 1 and "extant" in err and "did you mean 'extent'" in err
    assert err.count("\n") == 1


def test_bad_option_values_are_usage_errors_on_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["survival", "x.csv", "--times", "one,two"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "--times" in err


def test_debug_shows_the_traceback(tmp_path) -> None:
    with pytest.raises(ReadError):
        main(["survival", str(tmp_path / "nope.txt"), "--debug"])


def test_plot_writes_the_figure(registry_csv, tmp_path, capsys) -> None:
    out = tmp_path / "km.svg"
    code, _, _ = _run(["plot", str(registry_csv), "--by", "extent", "-o", str(out)], capsys)
    assert code == 0 and out.read_text().lstrip().startswith("<?xml")


def test_classify_writes_parquet_with_the_derived_columns(registry_csv, tmp_path, capsys) -> None:
    out = tmp_path / "classified.parquet"
    code, _, _ = _run(["classify", str(registry_csv), "-o", str(out)], capsys)
    assert code == 0
    back = pd.read_parquet(out)
    assert len(back) == 800 and "extent" in back.columns


def test_reproduce_exits_1_when_a_published_figure_is_not_reproduced(monkeypatch, capsys) -> None:
    table = pd.DataFrame({"id": ["a", "b", "c"], "status": ["passed", "failed", "skipped"]})
    monkeypatch.setattr(netsurv.present.cli_report, "reproduce", lambda *a: table)
    code, out, err = _run(["reproduce"], capsys)
    assert code == 1 and "failed" in out and "1 passed, 1 not reproduced, 1 skipped" in err
    # skipped figures (no data can answer them) are not failures
    ok = table.assign(status=["passed", "passed", "skipped"])
    monkeypatch.setattr(netsurv.present.cli_report, "reproduce", lambda *a: ok)
    assert _run(["reproduce"], capsys)[0] == 0


def test_python_dash_m_netsurv_runs_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "netsurv", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "usage: netsurv" in done.stdout


def test_plot_suppresses_small_groups_by_default(
    registry_csv, tmp_path, capsys, monkeypatch
) -> None:
    import netsurv.present.plotting

    seen: dict[str, object] = {}
    real = netsurv.present.plotting.plot_survival

    def spy(fit, **kw):
        seen.update(kw)
        return real(fit, **kw)

    monkeypatch.setattr(netsurv.present.cli_plot, "plot_survival", spy)
    assert _run(["plot", str(registry_csv), "-o", str(tmp_path / "km.png")], capsys)[0] == 0
    assert seen["suppress_below"] == 16
