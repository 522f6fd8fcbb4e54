"""An instance: practices, their adjacency, existing plans and default rules, loaded from a folder."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.geo import GreatCircle
from planner.graph import practice_graph
from planner.rules import Rules, rules_from_config
from planner.validate import read_edges, read_practices


@dataclass(frozen=True, eq=False)
class Instance:
    """A region's practices with their graph, plans and default rules; read-only once loaded."""

    name: str
    path: Path
    config: dict
    practices: pd.DataFrame
    edges: tuple[tuple[str, str], ...]
    rules: Rules
    edges_built: bool = False
    plans: dict[str, Path] = field(default_factory=dict)
    metric: object = None
    """Distance convention (planner.geo); None means great-circle km between the practices' coordinates."""
    cost_divisor: float | None = None
    """Divisor of the cost in the objective; None means this instance's total patients. Sub-problems carry
    their parent's, so their objective trades cost against soft terms exactly as the parent's does."""

    @property
    def title(self) -> str:
        """Human title from instance.toml, else the name."""
        return str(self.config.get("title", self.name))

    @cached_property
    def codes(self) -> list[str]:
        """Practice codes in file order."""
        return list(self.practices["practice_code"])

    @cached_property
    def index(self) -> dict[str, int]:
        """Position of each practice code."""
        return {code: i for i, code in enumerate(self.codes)}

    @cached_property
    def list_size(self) -> np.ndarray:
        """Registered patients per practice."""
        return self.practices["list_size"].to_numpy(dtype=np.int64)

    @cached_property
    def graph(self) -> nx.Graph:
        """The practice adjacency graph."""
        return practice_graph(self.codes, list(self.edges))

    @cached_property
    def interest_holders(self) -> dict[str, list[int]]:
        """Each provider-interest label and the practices (positions) that share it."""
        holders: dict[str, list[int]] = {}
        for i, text in enumerate(self.practices["interests"]):
            for label in filter(None, (part.strip() for part in str(text).split("|"))):
                holders.setdefault(label, []).append(i)
        return holders

    def scenario_rules(self, name: str) -> Rules:
        """The instance's rules with a named scenario's overrides applied."""
        rules = rules_from_config(self.config, str(self.path / "instance.toml"), name)
        check_rule_references(self, rules, str(self.path / "instance.toml"))
        return rules

    @property
    def scenarios(self) -> list[str]:
        """Names of the scenarios in instance.toml."""
        return sorted(self.config.get("scenarios", {}))

    @cached_property
    def distance(self):
        """The distance convention: `distance.between(a, b)` gives distances between positions."""
        if self.metric is not None:
            return self.metric
        return GreatCircle(self.practices["latitude"].to_numpy(float), self.practices["longitude"].to_numpy(float))


def load_instance(path: str | Path) -> Instance:
    """Load an instance folder, checking every input file and the default rules."""
    folder = Path(path)
    toml_path = folder / "instance.toml"
    if not folder.is_dir():
        raise InputError(folder, "instance folder not found")
    config: dict = {}
    if toml_path.is_file():
        try:
            config = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InputError(toml_path, "not valid TOML", detail=str(error)) from None
    practices = read_practices(folder / "practices.csv")
    codes = list(practices["practice_code"])
    edges_path = folder / "edges.csv"
    if edges_path.is_file():
        edges, built = read_edges(edges_path, set(codes)), False
    else:
        from planner.adjacency import build_adjacency

        edges = build_adjacency(codes, practices["latitude"].to_numpy(), practices["longitude"].to_numpy())
        built = True
    rules = rules_from_config(config, str(toml_path))
    for scenario in config.get("scenarios", {}):
        rules_from_config(config, str(toml_path), scenario)
    plans = {p.stem: p for p in sorted((folder / "plans").glob("*.csv"))} if (folder / "plans").is_dir() else {}
    instance = Instance(name=str(config.get("name", folder.name)), path=folder, config=config,
                        practices=practices, edges=tuple(edges), rules=rules, edges_built=built, plans=plans)
    check_rule_references(instance, rules, str(toml_path))
    return instance


def check_rule_references(instance: Instance, rules: Rules, source: str) -> None:
    """Every practice a rule names must exist, and coterminosity needs lad_code on every practice."""
    named = [("cannot_link", code) for pair in rules.cannot_link for code in pair]
    named += [("must_link", code) for group in rules.must_link for code in group]
    named += [("candidate_hubs", code) for code in rules.candidate_hubs or ()]
    for rule, code in named:
        if code not in instance.index:
            raise InputError(source, f"{rule} names unknown practice '{code}'")
    if rules.coterminosity != "off":
        blank = instance.practices.index[instance.practices["lad_code"] == ""]
        if len(blank):
            raise InputError(instance.path / "practices.csv", "coterminosity needs a lad_code for every practice",
                             row=int(blank[0]) + 2,
                             detail=f"practice {instance.codes[blank[0]]} has none ({len(blank)} blank)")


def instance_from_arrays(name: str, codes: list[str], weights, edges: list[tuple[str, str]], rules: Rules, *,
                         metric=None, latitude=None, longitude=None, lad_codes=None, interests=None,
                         cost_divisor: float | None = None) -> Instance:
    """An in-memory instance (e.g. a benchmark adapter's), without files; weights may be zero."""
    n = len(codes)
    practices = pd.DataFrame({
        "practice_code": list(codes), "practice_name": list(codes),
        "latitude": np.zeros(n) if latitude is None else np.asarray(latitude, float),
        "longitude": np.zeros(n) if longitude is None else np.asarray(longitude, float),
        "list_size": np.asarray(weights, dtype=np.int64),
        "lad_code": [""] * n if lad_codes is None else list(lad_codes),
        "interests": [""] * n if interests is None else list(interests),
    })
    instance = Instance(name=name, path=Path("."), config={"name": name}, practices=practices,
                        edges=tuple(sorted((min(a, b), max(a, b)) for a, b in edges)), rules=rules, metric=metric,
                        cost_divisor=cost_divisor)
    check_rule_references(instance, rules, name)
    return instance
