"""`consortia delegate` through Typer's CliRunner: outputs, exact error messages, exit codes, nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

TINY = Path(__file__).parents[1] / "fixtures" / "delegation" / "tiny"
runner = CliRunner()


@pytest.fixture()
def tiny(tmp_path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def run(*args):
    return runner.invoke(app, ["delegate", *map(str, args)])


def test_delegate_writes_outputs_and_explains(tiny, tmp_path):
    out = tmp_path / "out"
    result = run(tiny, "--plan", "two", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "delegation.csv").is_file() and (out / "summary.json").is_file()
    assert "the risk reserve is binding" in result.output
    assert json.loads((out / "summary.json").read_text())["totals"]["delegated_gbp"] > 0


def test_overrides_reach_the_model(tiny, tmp_path):
    result = run(tiny, "--plan", "two", "--reserve", "10000000", "--target-share", "0.7", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["totals"]["delegated_gbp"] == pytest.approx(117.5e6)
    assert summary["policy"]["target_share"] == 0.7


def test_help_has_an_example():
    result = runner.invoke(app, ["delegate", "--help"])
    assert result.exit_code == 0
    assert "Example: consortia delegate" in result.output


def edit(path: Path, old: str, new: str):
    path.write_text(path.read_text().replace(old, new))


def add_baseline(folder: Path, text: str):
    (folder / "baseline.csv").write_text(text)
    edit(folder / "instance.toml", "target_share = 0.5", 'target_share = 0.5\nbaseline = "baseline.csv"')


@pytest.mark.parametrize("change, code, message", [
    (lambda f: edit(f / "budget.csv", "50000000", "-50000000"), 2,
     "budget.csv, row 3: amount_gbp must not be negative (line prescribing: got -50000000)"),
    (lambda f: edit(f / "budget.csv", "50000000", ""), 2, "budget.csv, row 3: amount_gbp is missing (line prescribing)"),
    (lambda f: edit(f / "readiness.csv", "B,pathfinder", "B,pathfinder\nC,emerging"), 2,
     "readiness.csv, row 4: consortium 'C' is not in the plan (consortia in the plan: A, B)"),
    (lambda f: edit(f / "readiness.csv", "B,pathfinder", "B,shadow"), 2,
     "readiness.csv, row 3: tier 'shadow' has no cap in [delegation.tiers] of instance.toml "
     "(tiers with caps: emerging, pathfinder, authorised)"),
    (lambda f: edit(f / "plans" / "two.csv", "P4,B\n", ""), 2, "two.csv: plan leaves 1 practice(s) out (P4)"),
    (lambda f: add_baseline(f, "consortium,line,amount_gbp\nA,maternity,1\n"), 2,
     "baseline.csv, row 2: unknown line 'maternity' (lines in budget.csv: acute, prescribing, estates)"),
    (lambda f: edit(f / "instance.toml", "target_share = 0.5", "target_share = 0.9"), 3,
     "infeasible: readiness_cap + delegation_target: the delegation target asks for at least £135.00m"),
])
def test_bad_input_exits_non_zero_and_writes_nothing(tiny, tmp_path, change, code, message):
    change(tiny)
    out = tmp_path / "out"
    result = run(tiny, "--plan", "two", "--out", out)
    assert result.exit_code == code
    assert "error:" in result.output and message in " ".join(result.output.split())
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())
