"""What every command shares: consoles for results (stdout) and logs (stderr), and the error-to-exit-code map."""

from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from planner.errors import PlannerError

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

EXIT_CODES_HELP = ("Exit codes: 0 success; 1 a rule fails on an evaluated plan; 2 bad input; 3 infeasible; "
                   "4 solver failure; 70 internal error.")


def reports_errors(command):
    """Turn planner errors into one clear line on stderr and the error's exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PlannerError as error:
            err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing written")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if os.environ.get("CONSORTIA_DEBUG"):
                raise
            err.print(f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))} "
                      "(set CONSORTIA_DEBUG=1 for the traceback, and please report it)", highlight=False)
            raise typer.Exit(70) from None

    return wrapper


def fail(message: str, code: int = 2) -> None:
    """Print an error line and exit with the given code."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def is_interactive() -> bool:
    """True when stderr is a terminal (progress bars only then)."""
    return sys.stderr.isatty()


class _Quiet:
    """Stand-in for a rich Status when stderr is not a terminal."""

    def update(self, *_args, **_kwargs) -> None:
        """Ignore progress text."""


@contextmanager
def live_status(message: str):
    """A spinner with updatable text on stderr when it is a terminal; silent otherwise."""
    if not is_interactive():
        yield _Quiet()
        return
    with err.status(message) as status:
        yield status
