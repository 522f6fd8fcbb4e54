"""Readable tables of plans and solves for the terminal."""

from __future__ import annotations

from rich.table import Table

from planner.reports import CONSORTIUM_COLUMNS, consortium_rows


def consortia_table(instance, metrics, title: str) -> Table:
    """One row per consortium: hub, practices, list size, locality, exposure, CoI distance, authorities."""
    table = Table(title=title, title_justify="left")
    headers = ["consortium", "hub", "practices", "patients", "km/patient", "exposure", "held by", "CoI distance",
               "LAs"]
    for header in headers:
        table.add_column(header, justify="left" if header in ("consortium", "hub", "held by") else "right")
    for row in consortium_rows(instance, metrics):
        values = dict(zip(CONSORTIUM_COLUMNS, row))
        table.add_row(values["consortium"], values["hub"], str(values["practices"]), f"{values['list_size']:,}",
                      f"{values['locality_km']:.3f}", f"{values['exposure']:.1%}", values["exposure_holder"],
                      f"{values['coi_distance']:.3f}", str(values["local_authorities"]))
    return table


def verdict_lines(verdict) -> list[str]:
    """One line per rule: pass/FAIL, the rule and its detail."""
    return [f"{'pass' if c.passed else 'FAIL'}  {c.rule}: {c.detail}"
            + (f" [{'; '.join(c.violations[:5])}]" if c.violations else "") for c in verdict.checks]


def headline(metrics) -> str:
    """Plan-level numbers on one line."""
    return (f"{len(metrics.consortia)} consortia, {metrics.min_population:,} to {metrics.max_population:,} patients; "
            f"locality {metrics.locality_km:.4f} km per patient; objective {metrics.objective:.6f}; "
            f"max exposure {metrics.max_exposure:.1%}; {metrics.la_extra_spans} extra local-authority span(s)")
