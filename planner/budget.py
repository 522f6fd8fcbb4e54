"""Read and check the delegation inputs: budget.csv, readiness.csv, the baseline, and [delegation] of instance.toml.

Every failure is an InputError naming the file, the row (header is row 1) and the rule broken.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from planner.errors import InputError
from planner.io import read_table, row_number

BUDGET_COLUMNS = ["line", "amount_gbp", "delegable", "risk_cv"]
READINESS_COLUMNS = ["consortium", "tier"]
BASELINE_COLUMNS = ["consortium", "line", "amount_gbp"]
LINE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class BudgetLine:
    """One line of the cluster's budget."""

    name: str
    amount: float
    """Pounds held by the cluster for this line."""
    delegable: bool
    """Whether any of it may be delegated."""
    risk_cv: float
    """Coefficient of variation of annual spend at the policy's reference population."""
    source: str = ""
    """Where the figure comes from (optional column)."""


@dataclass(frozen=True)
class DelegationPolicy:
    """The [delegation] table of instance.toml, with CLI overrides applied; every field checked."""

    target_share: float | None = None
    """Delegation target as a share of the delegable budget, in (0, 1]; None for no target."""
    target_as: str = "floor"
    """'floor': delegate at least the target, then as much as the rules allow; 'goal': up to the target only."""
    risk_reserve_gbp: float | None = None
    """The cluster's risk reserve in pounds; None switches the financial-risk rule off."""
    reserve_cap: float = 1.0
    """Largest share of the risk reserve that may stand behind delegated budgets, in (0, 1]."""
    confidence_z: float = 1.645
    """Standard deviations of overspend the reserve must cover (1.645: 95% one-sided)."""
    reference_population: float | None = None
    """Population at which budget.csv states risk_cv."""
    fairness_weight: float = 0.0
    """Objective pounds given up per unit of spread per pound of delegable budget."""
    max_spread: float | None = None
    """Largest allowed spread between most and least delegated consortia (share of fair share)."""
    baseline: str | None = None
    """CSV of historic spend (consortium, line, amount_gbp), relative to the instance folder."""
    pace_of_change: float | None = None
    """Largest yearly move from baseline toward fair share, as a share of baseline (needs a baseline)."""
    savings_gbp: float | None = None
    """Savings programme of the cluster in pounds."""
    savings_delegated_share: float = 1.0
    """Share of the savings programme handed to consortia."""
    savings_cap: float | None = None
    """Largest share of a consortium's delegated budget that its savings may be."""
    readiness: str = "readiness.csv"
    """CSV of readiness tiers (consortium, tier), relative to the instance folder; optional."""
    default_tier: str | None = None
    """Tier of consortia that readiness.csv does not list; None makes listing every consortium compulsory."""
    tiers: dict = field(default_factory=lambda: {"authorised": 1.0})
    """Largest share of its fair share a consortium of each tier may be delegated."""

    @property
    def reserve_available(self) -> float | None:
        """Pounds of reserve that may be set against delegated budgets."""
        return None if self.risk_reserve_gbp is None else self.risk_reserve_gbp * self.reserve_cap

    @property
    def savings_delegated(self) -> float:
        """Pounds of the savings programme handed to consortia."""
        return (self.savings_gbp or 0.0) * self.savings_delegated_share


POLICY_FIELDS = {f.name for f in fields(DelegationPolicy)}


def read_policy(config: dict, source: str, target_share: float | None = None,
                reserve_gbp: float | None = None) -> DelegationPolicy:
    """The [delegation] table with CLI overrides, checked; unknown keys are named."""
    table = config.get("delegation", {})
    if not isinstance(table, dict):
        raise InputError(source, "[delegation] must be a table")
    for key in table:
        if key not in POLICY_FIELDS:
            import difflib

            hint = difflib.get_close_matches(key, sorted(POLICY_FIELDS), n=1)
            raise InputError(source, f"unknown key '{key}' in [delegation]",
                             detail=f"did you mean '{hint[0]}'?" if hint else "see docs/delegation.md")
    values = dict(table)
    if target_share is not None:
        values["target_share"] = target_share
    if reserve_gbp is not None:
        values["risk_reserve_gbp"] = reserve_gbp
    try:
        policy = DelegationPolicy(**values)
    except TypeError as error:
        raise InputError(source, "a [delegation] setting has the wrong type", detail=str(error)) from None
    check_policy(policy, source)
    return policy


def check_policy(policy: DelegationPolicy, source: str) -> None:
    """Each policy number in its range, and the settings that need each other present together."""
    def number(name, low, high, low_open=False):
        value = getattr(policy, name)
        if value is None:
            return
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            ok = (value > low if low_open else value >= low) and (high is None or value <= high)
        if not ok:
            bound = f"{'above' if low_open else 'at least'} {low:g}" + (f" and at most {high:g}" if high else "")
            raise InputError(source, f"[delegation] {name} must be a number {bound}", detail=f"got {value!r}")

    number("target_share", 0, 1, low_open=True)
    number("risk_reserve_gbp", 0, None)
    number("reserve_cap", 0, 1, low_open=True)
    number("confidence_z", 0, None, low_open=True)
    number("reference_population", 0, None, low_open=True)
    number("fairness_weight", 0, None)
    number("max_spread", 0, 1)
    number("pace_of_change", 0, None)
    number("savings_gbp", 0, None)
    number("savings_delegated_share", 0, 1)
    number("savings_cap", 0, 1, low_open=True)
    if policy.target_as not in ("floor", "goal"):
        raise InputError(source, "[delegation] target_as must be 'floor' or 'goal'", detail=f"got {policy.target_as!r}")
    if policy.risk_reserve_gbp is not None and policy.reference_population is None:
        raise InputError(source, "[delegation] risk_reserve_gbp needs reference_population",
                         detail="the population at which budget.csv states risk_cv")
    if policy.pace_of_change is not None and policy.baseline is None:
        raise InputError(source, "[delegation] pace_of_change needs a baseline file")
    if policy.savings_gbp and policy.savings_cap is None:
        raise InputError(source, "[delegation] savings_gbp needs savings_cap",
                         detail="the largest share of a consortium's delegated budget its savings may be")
    if not isinstance(policy.tiers, dict) or not policy.tiers:
        raise InputError(source, "[delegation.tiers] must map each readiness tier to a cap")
    for tier, cap in policy.tiers.items():
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not 0 <= cap <= 1:
            raise InputError(source, f"[delegation.tiers] cap of tier '{tier}' must be a number from 0 to 1",
                             detail=f"got {cap!r}")
    if policy.default_tier is not None and policy.default_tier not in policy.tiers:
        raise InputError(source, f"[delegation] default_tier '{policy.default_tier}' has no cap in [delegation.tiers]",
                         detail="tiers with caps: " + ", ".join(policy.tiers))


def read_budget(path: Path) -> list[BudgetLine]:
    """budget.csv: one row per line, with a non-negative amount, true/false delegable and a risk_cv."""
    frame = read_table(path, BUDGET_COLUMNS, ["source"])
    if frame.empty:
        raise InputError(path, "no budget lines: the file has a header but no rows")
    lines: list[BudgetLine] = []
    seen: dict[str, int] = {}
    for index, row in frame.iterrows():
        where = row_number(index)
        name = row["line"]
        if not LINE_NAME.match(name):
            raise InputError(path, "line must be a lower-case name of letters, digits and _", row=where,
                             detail=f"got {name!r}; it names the practices.csv column wp_<line>")
        if name in seen:
            raise InputError(path, f"duplicate line '{name}'", row=where, detail=f"first seen at row {seen[name]}")
        seen[name] = where
        amount = _amount(row["amount_gbp"], path, where, f"line {name}")
        flag = row["delegable"].lower()
        if flag not in TRUE + FALSE:
            raise InputError(path, "delegable must be true or false", row=where, detail=f"line {name}: got {row['delegable']!r}")
        risk = _number(row["risk_cv"], path, where, "risk_cv", f"line {name}")
        lines.append(BudgetLine(name, amount, flag in TRUE, risk, row.get("source", "")))
    return lines


def read_readiness(path: Path, consortia: list[str], policy: DelegationPolicy) -> dict[str, str]:
    """Tier of each consortium: from readiness.csv if it exists, else the default tier or 'authorised'."""
    if not path.is_file():
        tier = policy.default_tier or ("authorised" if "authorised" in policy.tiers else None)
        if tier is None:
            raise InputError(path, "readiness file not found and no default_tier in [delegation]")
        return {c: tier for c in consortia}
    frame = read_table(path, READINESS_COLUMNS)
    known = set(consortia)
    tiers: dict[str, str] = {}
    for index, row in frame.iterrows():
        where, name, tier = row_number(index), row["consortium"], row["tier"]
        if name not in known:
            raise InputError(path, f"consortium '{name}' is not in the plan", row=where,
                             detail="consortia in the plan: " + _listing(consortia))
        if name in tiers:
            raise InputError(path, f"consortium '{name}' appears twice", row=where)
        if tier not in policy.tiers:
            raise InputError(path, f"tier '{tier}' has no cap in [delegation.tiers] of instance.toml", row=where,
                             detail="tiers with caps: " + ", ".join(policy.tiers))
        tiers[name] = tier
    missing = [c for c in consortia if c not in tiers]
    if missing and policy.default_tier is None:
        raise InputError(path, f"{len(missing)} consortium(s) of the plan have no tier",
                         detail=_listing(missing) + "; list them or set default_tier in [delegation]")
    return {c: tiers.get(c, policy.default_tier) for c in consortia}


def read_baseline(path: Path, consortia: list[str], lines: list[BudgetLine]) -> np.ndarray:
    """Historic spend per consortium and line (pounds); every consortium needs every delegable line."""
    frame = read_table(path, BASELINE_COLUMNS)
    c_index = {c: i for i, c in enumerate(consortia)}
    l_index = {line.name: i for i, line in enumerate(lines)}
    baseline = np.full((len(consortia), len(lines)), np.nan)
    for index, row in frame.iterrows():
        where = row_number(index)
        if row["consortium"] not in c_index:
            raise InputError(path, f"consortium '{row['consortium']}' is not in the plan", row=where,
                             detail="consortia in the plan: " + _listing(consortia))
        if row["line"] not in l_index:
            raise InputError(path, f"unknown line '{row['line']}'", row=where,
                             detail="lines in budget.csv: " + ", ".join(l_index))
        c, l = c_index[row["consortium"]], l_index[row["line"]]
        if not np.isnan(baseline[c, l]):
            raise InputError(path, f"consortium '{row['consortium']}' has line '{row['line']}' twice", row=where)
        baseline[c, l] = _amount(row["amount_gbp"], path, where, f"{row['consortium']} {row['line']}")
    for l, line in enumerate(lines):
        for c, name in enumerate(consortia):
            if np.isnan(baseline[c, l]):
                if line.delegable:
                    raise InputError(path, f"consortium '{name}' has no baseline for line '{line.name}'",
                                     detail="every consortium needs a baseline for every delegable line")
                baseline[c, l] = 0.0
    return baseline


def _amount(text: str, path, where: int, what: str) -> float:
    """A pound amount: present, a number, not negative."""
    if text == "":
        raise InputError(path, "amount_gbp is missing", row=where, detail=what)
    value = _number(text, path, where, "amount_gbp", what)
    return value


def _number(text: str, path, where: int, column: str, what: str) -> float:
    """A finite number of at least 0."""
    if text == "":
        raise InputError(path, f"{column} is missing", row=where, detail=what)
    try:
        value = float(text.replace(",", "").replace("£", ""))
    except ValueError:
        raise InputError(path, f"{column} must be a number", row=where, detail=f"{what}: got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(path, f"{column} must be a number", row=where, detail=f"{what}: got {text!r}")
    if value < 0:
        raise InputError(path, f"{column} must not be negative", row=where, detail=f"{what}: got {text}")
    return value


def _listing(names: list[str]) -> str:
    """At most five names, then a count."""
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")

