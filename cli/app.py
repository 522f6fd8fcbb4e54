"""The `consortia` command: a thin Typer layer over planner/."""

from __future__ import annotations

import typer

from cli.bench import bench
from cli.common import EXIT_CODES_HELP
from cli.evaluate import evaluate
from cli.solve import solve
from cli.validate import validate
from cli.delegate import delegate

app = typer.Typer(
    name="consortia",
    help="Plan GP commissioning consortia: draw boundaries (solve), score plans (evaluate), "
         "check inputs (validate) and delegate budgets (delegate). " + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def consortia() -> None:
    """Plan GP commissioning consortia."""


app.command("solve")(solve)
app.command("evaluate")(evaluate)
app.command("validate")(validate)
app.command("bench")(bench)
app.command("delegate")(delegate)


def main() -> None:
    """Console-script entry point."""
    app()
