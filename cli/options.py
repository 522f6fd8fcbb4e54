"""Typer options shared by commands, declared once; each maps one-to-one onto a Rules or SolveOptions field."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from planner.rules import Rules

InstanceArg = Annotated[Path, typer.Argument(help="Instance folder (instance.toml, practices.csv, edges.csv, plans/).")]
Consortia = Annotated[Optional[int], typer.Option("--consortia", "-k", help="Exact number of consortia.")]
MinConsortia = Annotated[Optional[int], typer.Option(help="Fewest consortia (with --max-consortia, a range).")]
MaxConsortia = Annotated[Optional[int], typer.Option(help="Most consortia.")]
MinPopulation = Annotated[Optional[int], typer.Option(help="Smallest consortium list size, in patients.")]
MaxPopulation = Annotated[Optional[int], typer.Option(help="Largest consortium list size, in patients.")]
MaxInterestShare = Annotated[Optional[float], typer.Option(
    help="Cap on the share of a consortium held by one interest holder (practice or interest label), 0-1.")]
Contiguity = Annotated[Optional[bool], typer.Option(
    "--contiguity/--no-contiguity", help="Require every consortium to be connected in the practice graph.")]
Coterminosity = Annotated[Optional[str], typer.Option(
    help="Local-authority rule: off, hard (never cross lad_code) or penalty (--la-split-weight per extra LA).")]
LaSplitWeight = Annotated[Optional[float], typer.Option(
    help="Objective km per patient added per extra local authority a consortium spans (penalty mode).")]
Scenario = Annotated[Optional[str], typer.Option(
    help="A named scenario of the instance (\\[scenarios.NAME] in instance.toml) whose rules replace the defaults.")]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout instead of tables.")]


def chosen_rules(instance, scenario: str | None, **overrides) -> Rules:
    """The instance's rules (or a scenario's) with the CLI's overrides applied; unset options keep their value."""
    rules = instance.scenario_rules(scenario) if scenario else instance.rules
    return rules.replace(**overrides)
