"""Every kind of bad input gets one clear line naming the file, the row and the rule, a non-zero exit code,
and nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def rewrite(path, old: str, new: str) -> None:
    """Replace text in a fixture file copy, insisting the old text is there."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def run(*args):
    """Invoke the CLI and return the result."""
    return runner.invoke(app, [str(a) for a in args])


PRACTICE_CASES = [
    # (old text, new text, exit code, expected message parts)
    ("practice_code,practice_name", "practice_cde,practice_name", 2,
     ["practices.csv, row 1", "missing required column 'practice_code'", "did you mean 'practice_code'"]),
    ("list_size,lad_code", "patients,lad_code", 2, ["practices.csv, row 1", "missing required column 'list_size'"]),
    ("P2,Mill Lane", "P1,Mill Lane", 2, ["practices.csv, row 3", "duplicate practice_code 'P1'", "first seen at row 2"]),
    ("-1.560,4000", "-1.560,0", 2, ["practices.csv, row 3", "list_size must be greater than 0", "P2"]),
    ("-1.560,4000", "-1.560,-40", 2, ["practices.csv, row 3", "list_size must be greater than 0"]),
    ("-1.560,4000", "-1.560,4000.5", 2, ["practices.csv, row 3", "list_size must be a whole number", "4000.5"]),
    ("-1.560,4000", "-1.560,many", 2, ["practices.csv, row 3", "list_size must be a whole number"]),
    ("54.700,-1.560", "94.700,-1.560", 2, ["practices.csv, row 3", "latitude must be a number from -90 to 90"]),
    ("54.700,-1.560", ",-1.560", 2, ["practices.csv, row 3", "latitude must be a number"]),
    ("54.660,-1.520", "54.660,-200", 2, ["practices.csv, row 7", "longitude must be a number from -180 to 180"]),
]


@pytest.mark.parametrize("old,new,code,parts", PRACTICE_CASES)
def test_bad_practices_named_with_row_and_rule(tiny_copy, tmp_path, old, new, code, parts):
    rewrite(tiny_copy / "practices.csv", old, new)
    out = tmp_path / "out"
    result = run("solve", tiny_copy, "--out", out)
    assert result.exit_code == code
    for part in parts:
        assert part in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_edge_naming_unknown_practice(tiny_copy, tmp_path):
    rewrite(tiny_copy / "edges.csv", "P7,P8", "P7,P99")
    result = run("validate", tiny_copy)
    assert result.exit_code == 2
    assert "edges.csv, row 11" in result.output and "edge names unknown practice 'P99'" in result.output


def test_edge_joining_practice_to_itself(tiny_copy):
    rewrite(tiny_copy / "edges.csv", "P7,P8", "P7,P7")
    result = run("validate", tiny_copy)
    assert result.exit_code == 2
    assert "edges.csv, row 11" in result.output and "edge joins practice 'P7' to itself" in result.output


def test_plan_that_leaves_practices_out(tiny_copy):
    rewrite(tiny_copy / "plans" / "columns.csv", "P8,East\n", "")
    result = run("evaluate", tiny_copy, "--plan", "columns")
    assert result.exit_code == 2
    assert "columns.csv: plan leaves 1 practice(s) out (P8)" in result.output


def test_plan_naming_a_practice_twice(tiny_copy):
    rewrite(tiny_copy / "plans" / "columns.csv", "P8,East", "P8,East\nP8,West")
    result = run("evaluate", tiny_copy, "--plan", "columns")
    assert result.exit_code == 2
    assert "row 10" in result.output and "practice 'P8' appears twice in the plan" in result.output


def test_unknown_rule_in_instance_toml(tiny_copy):
    rewrite(tiny_copy / "instance.toml", "max_population", "max_populaton")
    result = run("validate", tiny_copy)
    assert result.exit_code == 2
    assert "instance.toml: unknown rule 'max_populaton' in [rules]" in result.output
    assert "did you mean 'max_population'" in result.output


def test_must_link_naming_unknown_practice(tiny_copy):
    rewrite(tiny_copy / "instance.toml", "contiguity = true", 'contiguity = true\nmust_link = [["P1", "Q9"]]')
    result = run("validate", tiny_copy)
    assert result.exit_code == 2
    assert "must_link names unknown practice 'Q9'" in result.output


def test_more_consortia_than_practices(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--consortia", 9, "--min-population", 0, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "infeasible: consortia_count: 9 consortia asked for but the instance has only 8 practices" in result.output
    assert not (tmp_path / "o").exists()


def test_component_below_minimum_population(tiny_copy, tmp_path):
    rewrite(tiny_copy / "edges.csv", "P4,P7\n", "")
    rewrite(tiny_copy / "edges.csv", "P7,P8\n", "")
    result = run("solve", tiny_copy, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "infeasible: contiguity: the region containing practice P7 (1 practices) has 4,500 patients, below " \
           "min_population 12,000" in result.output


def test_practice_too_large_for_interest_cap(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--max-interest-share", 0.25, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "infeasible: max_interest_share: practice P5 has 7,000 patients, above max_interest_share 0.25 x " \
           "max_population 24,000 = 6,000" in result.output


def test_practice_above_max_population(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--max-population", 6500, "--min-population", 0, "--consortia", 7,
                 "--max-interest-share", 1, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "practice P5 alone has 7,000 patients, above max_population 6,500" in result.output


def test_population_bounds_that_cannot_hold(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--consortia", 3, "--out", tmp_path / "o")
    assert result.exit_code == 3
    assert "35,000 patients fit at most 2 consortia of at least 12,000, but at least 3 are required" in result.output


def test_bad_option_value(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--gap", 2, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "--gap must lie in [0, 1)" in result.output


def test_missing_instance_folder(tmp_path):
    result = run("validate", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "instance folder not found" in result.output


def test_rules_that_contradict_each_other(tiny_path, tmp_path):
    result = run("solve", tiny_path, "--min-population", 30000, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "max_population must be at least min_population" in result.output
