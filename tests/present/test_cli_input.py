"""The command line on bad input (issue 13 items 6 and 8, issue 17 item 4): each finding's
minimal reproducer gives one line, a usage or netsurv exit status (never 3, "internal error"),
and no output file; cohort selection and the NEN default print their counts."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netsurv.present import cli_output, cli_report
from netsurv.present.cli import main
from netsurv.present.cli_checks import Where
from netsurv.ratetables import us
from netsurv.ratetables.ratetable import warn_beyond
from tests.paths import DATA


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 classified-looking rows: whole months, extent, nen_type with 40 'not NEN'."""
    rng = np.random.default_rng(8)
    n = 600
    df = pd.DataFrame(
        {
            "survival_months": rng.integers(1, 120, n).astype(float),  # none excluded
            "dead": rng.integers(0, 2, n),
            "extent": rng.choice(["localized", "regional", "distant"], n),
            "year_dx": rng.integers(2000, 2020, n),
            "nen_type": ["not NEN"] * 40 + ["NET"] * 400 + ["NEC"] * 160,
        }
    )
    folder = tmp_path_factory.mktemp("cli_input")
    df.to_csv(folder / "reg.csv", index=False)
    df.to_csv(folder / "semi.csv", index=False, sep=";")
    df.to_csv(folder / "tabs.csv", index=False, sep="\t")
    df.head(0).to_csv(folder / "header.csv", index=False)
    (folder / "empty.csv").write_text("")
    (folder / "quote.csv").write_text('time,survival\n1,"0.9\n')
    return folder


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse usage errors
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str, expected: int) -> None:
    assert code == expected, err
    assert err.count("\n") == 1 and "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["plot", "{reg}/reg.csv", "-o", "{reg}/km.jpgg"], 1, "did you mean 'jpg'"),
        (["survival", "{reg}/reg.csv", "--memory-limit", "lots"], 2, "512MB"),
        (["plot", "{reg}/reg.csv", "--dpi", "0"], 2, "from 20 to 1200"),
        (["plot", "{reg}/reg.csv", "--dpi", "100000"], 2, "from 20 to 1200"),
        (["survival", "{reg}"], 1, "is a directory"),
        (["survival", "{reg}/header.csv"], 1, "header only"),
        (["survival", "{reg}/reg.csv", "--tmes", "12"], 2, "did you mean '--times'"),
        (["survival", "{reg}/reg.csv", "--time-max", "5"], 2, "is an option of 'netsurv plot'"),
        (["survivl", "{reg}/reg.csv"], 2, "did you mean 'survival'"),
        (["survival", "{reg}/reg.csv", "--measure", "relativ"], 2, "did you mean 'relative'"),
        (["survival", "{reg}/semi.csv"], 1, "pass --sep ';'"),
        (["survival", "{reg}/tabs.csv"], 1, "separated by tabs"),
        (["survival", "{reg}/reg.csv", "--study-cutoff", "2023-13-01"], 2, "YYYY-MM-DD"),
        (["survival", "{reg}/reg.csv", "--suppress-below", "-1"], 2, "0 (off)"),
        (["classify", "{reg}/reg.csv", "-o", "{reg}/reg.csv"], 1, "would overwrite the input"),
        (["classify", "{reg}/reg.csv", "-o", "{reg}/out.xlsx"], 1, ".parquet or .csv"),
        (["survival", "{reg}/reg.csv", "--where", "__import__('os').system('x')"], 2, "--where"),
        (["survival", "{reg}/reg.csv", "--where", "nope == 1"], 1, "no column 'nope'"),
        (["reconstruct", "{reg}/empty.csv", "--n", "9", "-o", "{reg}/i.csv"], 1, "empty.csv: "),
        (["reconstruct", "{reg}/quote.csv", "--n", "9", "-o", "{reg}/i.csv"], 1, "quote.csv: "),
    ],
)
def test_bad_options_and_paths_give_one_line_and_a_user_error_status(
    reg: Path, capsys, argv: list[str], status: int, says: str
) -> None:
    before = sorted(p.name for p in reg.iterdir())
    code, out, err = _run([a.format(reg=reg) for a in argv], capsys)
    _one_line_error(code, err, status)
    assert says in err and out == ""
    assert sorted(p.name for p in reg.iterdir()) == before  # nothing written, nothing replaced


def test_five_thousand_report_times_are_refused_at_once(reg: Path, capsys) -> None:
    times = ",".join(str(i) for i in range(1, 5001))
    start = time.perf_counter()
    code, _, err = _run(["survival", str(reg / "reg.csv"), "--times", times], capsys)
    assert time.perf_counter() - start < 5  # was > 120 s
    _one_line_error(code, err, 2)
    assert "5,000 times given; at most 100" in err


def test_plot_into_a_directory_or_without_a_suffix_writes_and_names_the_real_file(
    reg: Path, tmp_path: Path, capsys
) -> None:
    code, _, err = _run(["plot", str(reg / "reg.csv"), "-o", str(tmp_path)], capsys)
    assert code == 0 and (tmp_path / "km.png").is_file()
    assert err.strip().endswith(f"wrote {tmp_path / 'km.png'}")
    code, _, err = _run(["plot", str(reg / "reg.csv"), "-o", str(tmp_path / "fig")], capsys)
    assert code == 0 and (tmp_path / "fig.png").is_file()
    assert err.strip().endswith(f"wrote {tmp_path / 'fig.png'}")


def test_a_semicolon_csv_reads_with_the_separator_it_was_told(reg: Path, capsys) -> None:
    code, out, _ = _run(
        ["survival", str(reg / "semi.csv"), "--sep", ";", "--format", "csv"], capsys
    )
    assert code == 0
    code, same, _ = _run(["survival", str(reg / "reg.csv"), "--format", "csv"], capsys)
    assert out == same


def test_not_nens_are_left_out_by_default_and_counted(reg: Path, capsys) -> None:
    code, out, err = _run(["survival", str(reg / "reg.csv"), "--format", "json"], capsys)
    assert code == 0 and "40 of 600 records are not NENs" in err
    assert sum(row["n"] for row in json.loads(out)) == 560
    code, out, _ = _run(
        ["survival", str(reg / "reg.csv"), "--format", "json", "--all-records"], capsys
    )
    assert sum(row["n"] for row in json.loads(out)) == 600


def test_where_selects_the_cohort_and_prints_each_step(reg: Path, capsys) -> None:
    df = pd.read_csv(reg / "reg.csv")
    expr = "nen_type == 'NET' and year_dx >= 2010 and extent in ('localized', 'distant')"
    code, out, err = _run(
        ["survival", str(reg / "reg.csv"), "--where", expr, "--format", "json"], capsys
    )
    # pandas gives the expected counts, step by step
    net = df["nen_type"].eq("NET")
    recent = net & df["year_dx"].ge(2010)
    final = recent & df["extent"].isin(["localized", "distant"])
    assert code == 0
    assert f"nen_type == 'NET': {int(net.sum()):,} left" in err
    assert f"year_dx >= 2010: {int(recent.sum()):,} left" in err
    assert sum(row["n"] for row in json.loads(out)) == int(final.sum())


def test_where_grammar_never_evaluates_python() -> None:
    df = pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", "x"], "c d": [5, 6, 7]})
    assert Where("a >= 2 or b == 'x'").mask(df).tolist() == [True, True, True]
    assert Where("not (b == 'x') and `c d` > 5").mask(df).tolist() == [False, True, False]
    assert Where("a != 1").mask(df).tolist() == [False, True, False]  # NA satisfies nothing
    for bad in ("a.__class__ == 1", "b == x", "a == 1 and", "open('f') == 1", "a ** 2 == 1"):
        with pytest.raises(Exception, match="--where"):
            Where(bad).mask(df)


def test_reproduce_prints_json_csv_and_a_table_within_100_columns(monkeypatch, capsys) -> None:
    note = "tolerance 0.5 months: reconstructed IPD reproduces the published medians " * 3
    frame = pd.DataFrame(
        {
            "id": ["radiant4-pfs-median-everolimus-long-identifier"],
            "stratum": ["everolimus vs placebo"],
            "published": [0.48],
            "computed": [0.5576868356731074],
            "tolerance": [1e-5],
            "status": ["passed"],
            "note": [note],
        }
    )
    monkeypatch.setattr(cli_report, "reproduce", lambda *a: frame)
    code, out, _ = _run(["reproduce"], capsys)
    assert code == 0 and max(map(len, out.splitlines())) <= 100 and "0.5577" in out
    _, out, _ = _run(["reproduce", "--format", "json"], capsys)
    assert json.loads(out)[0]["computed"] == 0.5576868356731074
    _, out, _ = _run(["reproduce", "--format", "csv"], capsys)
    assert pd.read_csv(pd.io.common.StringIO(out))["status"].tolist() == ["passed"]


def test_the_life_table_warning_says_which_option_to_pass_and_is_said_once(capsys) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_beyond(us(), 1e9)  # follow-up far past the table's last year
    message = str(caught[0].message)
    assert "with_beyond_year" in message  # the library speaks Python
    cli_output.SAID.clear()
    for _ in range(2):
        cli_output.one_line_warning("survival", message)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--beyond-year YEAR" in err and "netsurv.ratetables" not in err


def test_plot_help_mentions_no_measure_option(capsys) -> None:
    code, out, _ = _run(["plot", "--help"], capsys)
    assert code == 0 and "--measure" not in out


def test_the_report_page_says_how_many_records_are_not_nens(
    reg: Path, tmp_path: Path, capsys
) -> None:
    code, _, _ = _run(["report", str(reg / "reg.csv"), "-o", str(tmp_path), "--quiet"], capsys)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert code == 0 and "Records read: 600;" in page
    assert "Neuroendocrine neoplasms analysed below: 560; records that are not NENs" in page
    assert "left out of every section below: 40." in page


def test_select_flags_apply_netsurv_select_and_print_its_steps(reg: Path, capsys) -> None:
    df = pd.read_csv(reg / "reg.csv")
    argv = [
        "survival",
        str(reg / "reg.csv"),
        "--years",
        "2005-2010",
        "--nen-type",
        "NEC",
        "--format",
        "json",
    ]
    code, out, err = _run(argv, capsys)
    expected = df["year_dx"].between(2005, 2010) & df["nen_type"].eq("NEC")  # pandas, by hand
    assert code == 0 and f"nen_type in ['NEC']: {int(expected.sum()):,} left" in err
    assert sum(row["n"] for row in json.loads(out)) == int(expected.sum())


def test_survival_variant_reaches_the_naaccr_reader(capsys) -> None:
    # the public NAACCR sample has no survival months: they are computed from the dates.
    # Presumed alive follows every patient alive at last contact to the cutoff, so more are at
    # risk at 12 months than with active follow-up (which stops at the last contact).
    xml = DATA / "naaccr-samples" / "naaccr-xml-sample-v250-incidence-1000.xml.gz"
    at_risk = {}
    for variant in ("active", "presumed_alive"):
        argv = ["survival", str(xml), "--all-records", "--study-cutoff", "2022-12-31"]
        code, out, _ = _run([*argv, "--survival", variant, "--format", "json"], capsys)
        assert code == 0
        rows = json.loads(out)
        at_risk[variant] = sum(r["n_at_risk_12"] for r in rows)
    assert at_risk["presumed_alive"] > at_risk["active"]
    code, _, err = _run(["survival", str(xml), "--survival", "presumd"], capsys)
    assert code == 2 and "did you mean 'presumed_alive'" in err
