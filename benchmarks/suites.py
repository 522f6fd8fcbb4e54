"""Named suites: one per family, the issue's focus sets, `nhs`, and `quick` (runs in CI in well under 5 minutes)."""

from __future__ import annotations

from benchmarks.families import FAMILIES, case_names

COUNTY_FEASIBLE = ("AL", "AR", "IA", "ID", "KS", "LA", "ME", "MS", "NE", "NM", "OK", "WV")
COUNTY_INFEASIBLE = ("CO", "NH", "OR")
COUNTY = "districting_county_2010_vbl"
TRACT = "districting_tract_2010_vbl"
CPMP = "lorena_senne_cpmp"

FOCUS = {
    "county": [(COUNTY, f"{s}-cont") for s in COUNTY_FEASIBLE + COUNTY_INFEASIBLE],
    "county-free": [(COUNTY, f"{s}-free") for s in COUNTY_FEASIBLE + COUNTY_INFEASIBLE],
    "sjc": [(CPMP, name) for name in ("SJC1", "SJC2", "SJC3a", "SJC3b", "SJC4a", "SJC4b")],
    "p3038": [(CPMP, f"p3038_{p}") for p in (600, 700, 800, 900, 1000)],
    "smoke": [("orlib_pmedcap1", "cpmp01"), (COUNTY, "ME-free")],
    "quick": [("orlib_pmedcap1", "cpmp01"), ("orlib_pmedcap1", "cpmp02"), ("orlib_pmedcap1", "cpmp04"),
              (CPMP, "SJC1"), ("orlib_pmed", "pmed1"), ("orlib_pmed", "pmed2"),
              (COUNTY, "ME-cont"), (COUNTY, "NM-cont"), (COUNTY, "NH-cont"), ("nhs", "durham-darlington")],
}
DEFAULT_LIMITS = {"quick": 60.0, "p3038": 600.0, "tract": 600.0}
"""Per-case time limits a suite asks for when --time-limit is not given (else 60 s)."""


def suite_names() -> list[str]:
    """Every suite name: families, their aliases and the focus sets (plus any `family:case`)."""
    return sorted(set(FAMILIES) | set(FOCUS) | {"tract", "nhs"})


def suite_cases(suite: str) -> list[tuple[str, str]]:
    """(family, case) pairs of a suite; `family:case` names a single case."""
    if ":" in suite:
        family, _, name = suite.partition(":")
        if family in FAMILIES and name in case_names(family):
            return [(family, name)]
    if suite == "tract":
        return [(TRACT, name) for name in case_names(TRACT) if name.endswith("-cont")]
    if suite in FOCUS:
        return list(FOCUS[suite])
    if suite in FAMILIES:
        return [(suite, name) for name in case_names(suite)]
    raise KeyError(f"unknown suite {suite!r}; known: {', '.join(suite_names())}")


def default_limit(suites: list[str]) -> float:
    """The time limit a run uses when none is given: the largest any of its suites asks for."""
    return max(DEFAULT_LIMITS.get(s, 60.0) for s in suites)
