"""Reading the delegation inputs: each bad input names the file, the row and the rule."""

from __future__ import annotations

import numpy as np
import pytest

from planner.budget import DelegationPolicy, read_baseline, read_budget, read_policy, read_readiness
from planner.errors import InputError

HEADER = "line,amount_gbp,delegable,risk_cv\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_budget_reads_lines_in_order(tmp_path):
    lines = read_budget(write(tmp_path, "budget.csv", HEADER + "acute,100,true,0.02\nestates,5,false,0\n"))
    assert [(l.name, l.amount, l.delegable, l.risk_cv) for l in lines] == [
        ("acute", 100.0, True, 0.02), ("estates", 5.0, False, 0.0)]


@pytest.mark.parametrize("rows, message", [
    ("acute,-5,true,0.02\n", "budget.csv, row 2: amount_gbp must not be negative (line acute: got -5)"),
    ("acute,,true,0.02\n", "budget.csv, row 2: amount_gbp is missing (line acute)"),
    ("acute,ten,true,0.02\n", "budget.csv, row 2: amount_gbp must be a number (line acute: got 'ten')"),
    ("acute,5,true,0.02\nacute,6,true,0.02\n", "budget.csv, row 3: duplicate line 'acute' (first seen at row 2)"),
    ("acute,5,maybe,0.02\n", "budget.csv, row 2: delegable must be true or false (line acute: got 'maybe')"),
    ("Acute Care,5,true,0.02\n", "budget.csv, row 2: line must be a lower-case name of letters, digits and _ "
                                 "(got 'Acute Care'; it names the practices.csv column wp_<line>)"),
    ("acute,5,true,\n", "budget.csv, row 2: risk_cv is missing (line acute)"),
    ("", "budget.csv: no budget lines: the file has a header but no rows"),
])
def test_bad_budget_rows_are_named(tmp_path, rows, message):
    with pytest.raises(InputError) as error:
        read_budget(write(tmp_path, "budget.csv", HEADER + rows))
    assert str(error.value) == f"{tmp_path}/{message}"


def test_misspelt_budget_column_is_named(tmp_path):
    with pytest.raises(InputError, match="missing required column 'amount_gbp'.*did you mean"):
        read_budget(write(tmp_path, "budget.csv", "line,amount_gpb,delegable,risk_cv\nacute,1,true,0\n"))


POLICY = DelegationPolicy(tiers={"emerging": 0.0, "pathfinder": 0.75})


def test_readiness_maps_tiers(tmp_path):
    path = write(tmp_path, "readiness.csv", "consortium,tier\nA,pathfinder\nB,emerging\n")
    assert read_readiness(path, ["A", "B"], POLICY) == {"A": "pathfinder", "B": "emerging"}


@pytest.mark.parametrize("rows, message", [
    ("A,pathfinder\nZ,emerging\n", "row 3: consortium 'Z' is not in the plan (consortia in the plan: A, B)"),
    ("A,pathfinder\nB,shadow\n",
     "row 3: tier 'shadow' has no cap in [delegation.tiers] of instance.toml (tiers with caps: emerging, pathfinder)"),
    ("A,pathfinder\n", "1 consortium(s) of the plan have no tier (B; list them or set default_tier in [delegation])"),
    ("A,pathfinder\nA,emerging\n", "row 3: consortium 'A' appears twice"),
])
def test_bad_readiness_is_named(tmp_path, rows, message):
    with pytest.raises(InputError) as error:
        read_readiness(write(tmp_path, "readiness.csv", "consortium,tier\n" + rows), ["A", "B"], POLICY)
    assert message in str(error.value)


def test_readiness_without_file_uses_the_default_tier(tmp_path):
    policy = DelegationPolicy(tiers={"pathfinder": 0.75}, default_tier="pathfinder")
    assert read_readiness(tmp_path / "none.csv", ["A"], policy) == {"A": "pathfinder"}


def test_baseline_needs_every_delegable_line(tmp_path):
    lines = read_budget(write(tmp_path, "budget.csv", HEADER + "acute,100,true,0\nestates,5,false,0\n"))
    path = write(tmp_path, "baseline.csv", "consortium,line,amount_gbp\nA,acute,60\nB,acute,40\n")
    assert np.allclose(read_baseline(path, ["A", "B"], lines), [[60, 0], [40, 0]])
    with pytest.raises(InputError, match="row 3: unknown line 'maternity'"):
        read_baseline(write(tmp_path, "b2.csv", "consortium,line,amount_gbp\nA,acute,60\nA,maternity,1\n"),
                      ["A"], lines)
    with pytest.raises(InputError, match="consortium 'B' has no baseline for line 'acute'"):
        read_baseline(write(tmp_path, "b3.csv", "consortium,line,amount_gbp\nA,acute,60\n"), ["A", "B"], lines)


@pytest.mark.parametrize("table, message", [
    ({"target_share": 1.5}, "[delegation] target_share must be a number above 0 and at most 1 (got 1.5)"),
    ({"risk_reserve_gbp": 1e6}, "[delegation] risk_reserve_gbp needs reference_population"),
    ({"pace_of_change": 0.02}, "[delegation] pace_of_change needs a baseline file"),
    ({"savings_gbp": 1e6}, "[delegation] savings_gbp needs savings_cap"),
    ({"target_shar": 0.5}, "unknown key 'target_shar' in [delegation] (did you mean 'target_share'?)"),
    ({"tiers": {"pathfinder": 1.5}}, "[delegation.tiers] cap of tier 'pathfinder' must be a number from 0 to 1"),
    ({"target_as": "ceiling"}, "[delegation] target_as must be 'floor' or 'goal'"),
])
def test_bad_policy_is_named(table, message):
    with pytest.raises(InputError) as error:
        read_policy({"delegation": table}, "instance.toml")
    assert str(error.value).startswith("instance.toml: ")
    assert message in str(error.value)


def test_cli_overrides_replace_policy_values():
    policy = read_policy({"delegation": {"target_share": 0.5, "reference_population": 1e5}}, "instance.toml",
                         target_share=0.6, reserve_gbp=2e6)
    assert (policy.target_share, policy.risk_reserve_gbp, policy.reserve_available) == (0.6, 2e6, 2e6)
