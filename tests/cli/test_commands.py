"""Every command has teaching help and a README entry; solve and evaluate behave as documented."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"
COMMANDS = sorted(app.registered_commands, key=lambda c: c.name)


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_has_help_with_an_example_and_a_readme_entry(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"consortia {name}" in README.read_text()


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_help_keeps_every_bracketed_phrase(name):
    """Rich reads [words] as markup and drops them unless escaped: [scenarios.NAME] and [default: ...] must
    reach the reader."""
    command = typer.main.get_command(app).commands[name]
    result = runner.invoke(app, [name, "--help"], terminal_width=200)
    shown = " ".join(result.output.replace("│", " ").split())
    for param in command.params:
        for phrase in re.findall(r"\\?(\[[^\]]*\])", getattr(param, "help", None) or ""):
            assert " ".join(phrase.split()) in shown, (param.name, phrase)


def test_solve_writes_a_verified_optimal_plan(tiny_path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(tiny_path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "optimal" and summary["verified"] is True
    assert summary["gap"] <= 1e-4
    for key in ("status", "objective", "bound", "gap", "seconds", "rules", "metrics"):
        assert key in summary
    assert json.loads((out / "summary.json").read_text())["objective"] == summary["objective"]
    with open(out / "assignment.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["practice_code"] for r in rows) == [f"P{i}" for i in range(1, 9)]
    with open(out / "consortia.csv") as handle:
        consortia = list(csv.DictReader(handle))
    assert len(consortia) == 2
    assert sum(int(c["list_size"]) for c in consortia) == 35000
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no temporary folders left behind"


def test_solve_then_evaluate_agree(tiny_path, tmp_path):
    out = tmp_path / "out"
    solved = json.loads(runner.invoke(app, ["solve", str(tiny_path), "--out", str(out), "--json"]).stdout)
    result = runner.invoke(app, ["evaluate", str(tiny_path), "--plan", str(out / "assignment.csv"), "--json"])
    assert result.exit_code == 0
    evaluated = json.loads(result.stdout)
    assert evaluated["metrics"]["objective"] == pytest.approx(solved["objective"], rel=1e-9)
    assert evaluated["verified"] is True


def test_evaluate_exits_1_when_a_rule_fails(tiny_path):
    result = runner.invoke(app, ["evaluate", str(tiny_path), "--plan", "columns", "--max-population", "20000"])
    assert result.exit_code == 1
    assert "FAIL  population_bounds" in result.stdout
    assert "verdict: 1 rule(s) fail" in result.stdout


def test_evaluate_passes_with_rules_the_plan_meets(tiny_path):
    result = runner.invoke(app, ["evaluate", str(tiny_path), "--plan", "columns"])
    assert result.exit_code == 0
    assert "verdict: every rule holds" in result.stdout


def test_warm_start_from_a_plan_keeps_the_optimum(tiny_path, tmp_path):
    plain = json.loads(runner.invoke(app, ["solve", str(tiny_path), "--out", str(tmp_path / "a"), "--json"]).stdout)
    started = runner.invoke(app, ["solve", str(tiny_path), "--out", str(tmp_path / "b"), "--start", "columns",
                                  "--json"])
    assert started.exit_code == 0
    assert json.loads(started.stdout)["objective"] == pytest.approx(plain["objective"], rel=1e-9)


def test_flow_and_cuts_agree(tiny_path, tmp_path):
    cuts = json.loads(runner.invoke(app, ["solve", str(tiny_path), "--out", str(tmp_path / "a"), "--json"]).stdout)
    flow = json.loads(runner.invoke(app, ["solve", str(tiny_path), "--out", str(tmp_path / "b"), "--json",
                                          "--contiguity-method", "flow"]).stdout)
    assert flow["objective"] == pytest.approx(cuts["objective"], rel=1e-9)


def test_validate_reports_counts(tiny_path):
    result = runner.invoke(app, ["validate", str(tiny_path)])
    assert result.exit_code == 0
    assert "tiny: 8 practices, 35,000 patients, 10 adjacencies, 1 plan(s): columns" in result.stdout
