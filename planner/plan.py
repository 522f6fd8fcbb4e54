"""A plan: which consortium each practice belongs to, and optionally each consortium's hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import InputError
from planner.validate import read_plan


@dataclass(frozen=True)
class Plan:
    """An assignment of practice codes to consortium labels, with hubs where a solver chose them."""

    assignment: dict[str, str]
    hubs: dict[str, str] = field(default_factory=dict)
    name: str = "plan"

    def consortia(self) -> dict[str, list[str]]:
        """Members of each consortium, consortia and members in sorted order."""
        members: dict[str, list[str]] = {}
        for code, consortium in self.assignment.items():
            members.setdefault(consortium, []).append(code)
        return {c: sorted(members[c]) for c in sorted(members)}


def load_plan(instance, spec: str | Path) -> Plan:
    """Load a plan from a CSV path, or by name from the instance's plans/ folder."""
    path = Path(spec)
    if not path.is_file():
        if str(spec) in instance.plans:
            path = instance.plans[str(spec)]
        else:
            known = ", ".join(sorted(instance.plans)) or "none"
            raise InputError(spec, "plan not found: give a CSV file or a plan name of the instance",
                             detail=f"plans in {instance.name}: {known}")
    return Plan(assignment=read_plan(path, instance.codes), name=path.stem)


def relabel(assignment: dict[str, str]) -> dict[str, str]:
    """Consortium labels C01, C02, ... in order of each consortium's first practice code."""
    first: dict[str, str] = {}
    for code in sorted(assignment):
        first.setdefault(assignment[code], code)
    order = sorted(first, key=first.get)
    width = max(2, len(str(len(order))))
    names = {old: f"C{i + 1:0{width}d}" for i, old in enumerate(order)}
    return {code: names[c] for code, c in assignment.items()}
