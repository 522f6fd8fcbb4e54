"""Delegation from an instance folder: the tiny fixture, hand-checked, and its outputs."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pytest

from planner.delegation import run_delegation, write_delegation
from planner.errors import InfeasibleError, InputError

TINY = Path(__file__).parents[1] / "fixtures" / "delegation" / "tiny"
M = 1e6


def test_tiny_delegation_matches_hand_computation():
    # Reserve per pound (z = 2): A acute 0.04, A prescribing 0.02; B (50,000 patients, cv x sqrt 2) acute 0.0566,
    # prescribing 0.0283. £4m fills A prescribing £25m (0.5m), B prescribing to its 50% cap £12.5m (0.354m),
    # A acute £60m (2.4m), leaving £0.746m / 0.0566 = £13.195m of B acute.
    result = run_delegation(TINY, "two")
    delegated = result.solution.delegated
    rest = 4.0 - 0.5 - 12.5 * 0.02 * math.sqrt(2) - 2.4
    assert delegated[0] == pytest.approx([60 * M, 25 * M, 0])
    assert delegated[1] == pytest.approx([rest / (0.04 * math.sqrt(2)) * M, 12.5 * M, 0])
    assert result.weight_sources == {"acute": "wp_acute", "prescribing": "weighted_population",
                                     "estates": "weighted_population"}
    reserve = [e for e in result.explanations if e["rule"] == "risk_reserve"][0]
    assert reserve["sensitivity"] == pytest.approx(1 / (0.04 * math.sqrt(2)))
    assert "each extra £1m of reserve lets £17.68m more be delegated" in reserve["text"]


def test_outputs_carry_fair_share_delegated_and_reserve(tmp_path):
    result = run_delegation(TINY, "two")
    write_delegation(result, tmp_path / "out")
    rows = list(csv.DictReader(open(tmp_path / "out" / "delegation.csv")))
    first = rows[0]
    assert (first["consortium"], first["line"], float(first["fair_share_gbp"]), float(first["delegated_gbp"]),
            float(first["share_of_fair_share"]), float(first["gbp_per_weighted_head"]),
            float(first["reserve_required_gbp"])) == ("A", "acute", 60 * M, 60 * M, 1.0, 1000.0, 2.4 * M)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["totals"]["reserve_required_gbp"] == pytest.approx(4 * M)
    assert {e["rule"] for e in summary["binding_rules"]} == {"readiness_cap", "risk_reserve"}


def test_infeasible_target_names_the_conflicting_rules():
    with pytest.raises(InfeasibleError) as error:
        run_delegation(TINY, "two", target_share=0.9)
    assert error.value.rule == "readiness_cap + delegation_target"
    assert str(error.value) == (
        "infeasible: readiness_cap + delegation_target: the delegation target asks for at least £135.00m (90% of the "
        "£150.00m delegable budget); readiness_cap allows at most £117.50m (78.3%); relax any one of the named rules")


def test_more_reserve_moves_the_binding_rule_to_readiness():
    result = run_delegation(TINY, "two", reserve_gbp=10 * M)
    assert result.delegated_total == pytest.approx(85 * M + 32.5 * M)
    assert {e["rule"] for e in result.explanations} == {"readiness_cap"}


def test_plan_that_leaves_a_practice_out_is_rejected(tmp_path):
    plan = tmp_path / "short.csv"
    plan.write_text("practice_code,consortium\nP1,A\nP2,A\nP3,B\n")
    with pytest.raises(InputError, match=r"plan leaves 1 practice\(s\) out \(P4\)"):
        run_delegation(TINY, str(plan))


def test_missing_budget_file_is_named(tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "budget.csv").unlink()
    with pytest.raises(InputError, match="budget.csv: file not found"):
        run_delegation(folder, "two")
