"""What every command shares: consoles for results (stdout) and logs (stderr), and the error-to-exit-code map."""

from __future__ import annotations

import functools
import sys

import typer
from rich.console import Console

from planner.errors import PlannerError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_CODES_HELP = "Exit codes: 0 success; 1 a rule fails on an evaluated plan; 2 bad input; 3 infeasible; 4 solver failure."


def reports_errors(command):
    """Turn planner errors into one clear line on stderr and the error's exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PlannerError as error:
            err.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing written")
            raise typer.Exit(130) from None

    return wrapper


def fail(message: str, code: int = 2) -> None:
    """Print an error line and exit with the given code."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def is_interactive() -> bool:
    """True when stderr is a terminal (progress bars only then)."""
    return sys.stderr.isatty()
