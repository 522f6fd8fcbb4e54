"""One exception hierarchy for the planner; the CLI maps each class to an exit code."""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner reports to a user."""

    exit_code = 1


class InputError(PlannerError):
    """Bad input: names the file, the row (1-based data row, header is row 1) and the rule broken."""

    exit_code = 2

    def __init__(self, file: str, rule: str, row: int | None = None, detail: str = ""):
        self.file, self.rule, self.row, self.detail = str(file), rule, row, detail
        where = f"{self.file}, row {row}" if row is not None else self.file
        super().__init__(f"{where}: {rule}" + (f" ({detail})" if detail else ""))


class InfeasibleError(PlannerError):
    """The rules cannot all hold; says which rule and the numbers that prove it."""

    exit_code = 3

    def __init__(self, rule: str, detail: str):
        self.rule, self.detail = rule, detail
        super().__init__(f"infeasible: {rule}: {detail}")


class SolveError(PlannerError):
    """The solver failed or found no plan within its limits."""

    exit_code = 4
