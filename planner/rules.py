"""The rules a configuration must satisfy and the weights of the objective, as checked frozen dataclasses.

Rules come from `instance.toml` (`[rules]` and `[objective]`) and can be overridden field by field from the CLI.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from planner.errors import InputError

COTERMINOSITY_MODES = ("off", "hard", "penalty")


@dataclass(frozen=True)
class Rules:
    """Hard rules of a configuration and the weights of the soft objective terms."""

    consortia: int | None = None
    """Exact number of consortia; None leaves it to min_consortia..max_consortia."""
    min_consortia: int | None = None
    """Smallest number of consortia when `consortia` is not fixed."""
    max_consortia: int | None = None
    """Largest number of consortia when `consortia` is not fixed."""
    min_population: int = 0
    """Smallest registered list a consortium may have (patients)."""
    max_population: int | None = None
    """Largest registered list a consortium may have (patients); None means no cap."""
    contiguity: bool = True
    """Every consortium must be connected in the practice graph."""
    max_interest_share: float | None = None
    """Cap on the share of a consortium's list held by one interest holder (a practice or an interest label)."""
    cannot_link: tuple[tuple[str, str], ...] = ()
    """Pairs of practices that must never share a consortium (declared conflicts)."""
    must_link: tuple[tuple[str, ...], ...] = ()
    """Groups of practices that must share a consortium (existing federations)."""
    coterminosity: str = "off"
    """Local-authority coterminosity: off, hard (never cross lad_code) or penalty (per extra authority spanned)."""
    la_split_weight: float = 0.0
    """Objective km per patient added for each local authority a consortium spans beyond its first (penalty mode)."""
    target_population: int | None = None
    """Population the deviation term pulls each consortium towards."""
    deviation_weight: float = 0.0
    """Objective km per patient added per unit of relative deviation |population - target| / target."""
    soft_interest_share: float | None = None
    """Share of a consortium above which one interest holder's patients are penalised."""
    exposure_weight: float = 0.0
    """Objective km per patient added per 1,000 patients held by one interest holder above the soft share."""
    distance_power: int = 1
    """1 for locality in km (default); 2 for the squared distances of classic Hess districting benchmarks."""
    unweighted_cost: bool = False
    """Price every practice's distance once instead of per patient (the capacitated p-median benchmarks' convention)."""
    candidate_hubs: tuple[str, ...] | None = None
    """An explicit restriction of the practices that may be hubs (reported in the output); None allows all."""

    def __post_init__(self):
        def bad(rule, detail):
            raise InputError("rules", rule, detail=detail)

        for name in ("consortia", "min_consortia", "max_consortia"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                bad(f"{name} must be a whole number of at least 1", f"got {value!r}")
        if self.consortia is not None and (self.min_consortia or self.max_consortia):
            bad("give either consortia or min_consortia/max_consortia, not both",
                f"consortia={self.consortia}, min={self.min_consortia}, max={self.max_consortia}")
        if self.min_consortia and self.max_consortia and self.min_consortia > self.max_consortia:
            bad("min_consortia must not exceed max_consortia", f"{self.min_consortia} > {self.max_consortia}")
        if not isinstance(self.min_population, int) or self.min_population < 0:
            bad("min_population must be a whole number of patients, at least 0", f"got {self.min_population!r}")
        if self.max_population is not None:
            if not isinstance(self.max_population, int) or self.max_population <= 0:
                bad("max_population must be a positive whole number", f"got {self.max_population!r}")
            if self.max_population < self.min_population:
                bad("max_population must be at least min_population",
                    f"{self.max_population:,} < {self.min_population:,}")
        for name in ("max_interest_share", "soft_interest_share"):
            value = getattr(self, name)
            if value is not None and not (0 < value <= 1):
                bad(f"{name} must lie in (0, 1]", f"got {value!r}")
        if self.coterminosity not in COTERMINOSITY_MODES:
            bad("coterminosity must be one of " + ", ".join(COTERMINOSITY_MODES), f"got {self.coterminosity!r}")
        for name in ("la_split_weight", "deviation_weight", "exposure_weight"):
            if getattr(self, name) < 0:
                bad(f"{name} must not be negative", f"got {getattr(self, name)!r}")
        if self.deviation_weight > 0 and not self.target_population:
            bad("deviation_weight needs target_population", "set target_population")
        if self.exposure_weight > 0 and self.soft_interest_share is None:
            bad("exposure_weight needs soft_interest_share", "set soft_interest_share")
        if self.distance_power not in (1, 2):
            bad("distance_power must be 1 or 2", f"got {self.distance_power!r}")
        for pair in self.cannot_link:
            if len(pair) != 2 or pair[0] == pair[1]:
                bad("each cannot_link entry names two different practices", f"got {list(pair)!r}")
        for group in self.must_link:
            if len(group) < 2:
                bad("each must_link group names at least two practices", f"got {list(group)!r}")

    @property
    def consortia_range(self) -> tuple[int, int | None]:
        """(fewest, most) consortia allowed; most is None when unbounded."""
        if self.consortia is not None:
            return self.consortia, self.consortia
        return self.min_consortia or 1, self.max_consortia

    def replace(self, **changes) -> "Rules":
        """A copy with the given fields changed; None values leave a field as it is."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if "consortia" in changes:
            changes.setdefault("min_consortia", None)
            changes.setdefault("max_consortia", None)
        elif "min_consortia" in changes or "max_consortia" in changes:
            changes["consortia"] = None
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """Plain JSON-ready dict of every rule."""
        data = dataclasses.asdict(self)
        data["cannot_link"] = [list(p) for p in self.cannot_link]
        data["must_link"] = [list(g) for g in self.must_link]
        if self.candidate_hubs is not None:
            data["candidate_hubs"] = list(self.candidate_hubs)
        return data


RULE_FIELDS = {f.name for f in dataclasses.fields(Rules)}
COUNT_KEYS = ("consortia", "min_consortia", "max_consortia")


def rules_from_config(config: dict, file: str, scenario: str | None = None) -> Rules:
    """Build Rules from the `[rules]` and `[objective]` tables of instance.toml, naming unknown keys;
    a named scenario (`[scenarios.NAME]`) overrides them."""
    merged: dict = {}
    tables = [("rules", config.get("rules", {})), ("objective", config.get("objective", {}))]
    if scenario is not None:
        scenarios = config.get("scenarios", {})
        if scenario not in scenarios:
            raise InputError(file, f"unknown scenario '{scenario}'",
                             detail="scenarios: " + (", ".join(sorted(scenarios)) or "none"))
        overrides = {k: v for k, v in scenarios[scenario].items() if k != "description"}
        tables.append((f"scenarios.{scenario}", overrides))
    for table, section in tables:
        if not isinstance(section, dict):
            raise InputError(file, f"[{table}] must be a table")
        if table.startswith("scenarios.") and any(k in section for k in COUNT_KEYS):
            for key in COUNT_KEYS:
                merged.pop(key, None)
        for key, value in section.items():
            if key not in RULE_FIELDS:
                import difflib

                hint = difflib.get_close_matches(key, sorted(RULE_FIELDS), n=1)
                raise InputError(file, f"unknown rule '{key}' in [{table}]",
                                 detail=f"did you mean '{hint[0]}'?" if hint else "see README for the rules")
            merged[key] = value
    for key in ("cannot_link", "must_link", "candidate_hubs"):
        if key in merged and merged[key] is not None:
            if key == "candidate_hubs":
                merged[key] = tuple(str(c) for c in merged[key])
            else:
                merged[key] = tuple(tuple(str(c) for c in group) for group in merged[key])
    try:
        return Rules(**merged)
    except InputError as error:
        raise InputError(file, error.rule, detail=error.detail) from None
    except TypeError as error:
        raise InputError(file, "a rule has the wrong type", detail=str(error)) from None
