"""Pre-solve checks: reject requests that cannot hold before building a model, with the numbers that prove it."""

from __future__ import annotations

import math

import networkx as nx

from planner.errors import InfeasibleError
from planner.rules import Rules


def check_feasibility(instance, rules: Rules) -> list[str]:
    """Raise InfeasibleError naming the rule and the numbers when the rules provably cannot all hold."""
    sizes = instance.list_size
    n, total = len(sizes), int(sizes.sum())
    low, high = rules.consortia_range
    lo_pop, hi_pop = rules.min_population, rules.max_population
    if low > n:
        raise InfeasibleError("consortia_count", f"{low} consortia asked for but the instance has only {n} practices")
    biggest = int(sizes.argmax())
    if hi_pop is not None and sizes[biggest] > hi_pop:
        raise InfeasibleError("max_population", f"practice {instance.codes[biggest]} alone has {int(sizes[biggest]):,} "
                                                f"patients, above max_population {hi_pop:,}")
    if rules.max_interest_share is not None and hi_pop is not None:
        limit = rules.max_interest_share * hi_pop
        if sizes[biggest] > limit:
            raise InfeasibleError("max_interest_share",
                                  f"practice {instance.codes[biggest]} has {int(sizes[biggest]):,} patients, above "
                                  f"max_interest_share {rules.max_interest_share:g} x max_population {hi_pop:,} = "
                                  f"{limit:,.0f}, so it would hold too large a share of any consortium")
    _check_must_link(instance, rules)
    for region, members, kind in separate_regions(instance, rules):
        pop = int(sizes[members].sum())
        if pop < lo_pop:
            raise InfeasibleError(kind, f"{region} ({len(members)} practices) has {pop:,} patients, below "
                                        f"min_population {lo_pop:,}, and no consortium can cross it")
        fewest = math.ceil(pop / hi_pop) if hi_pop else 1
        most = pop // lo_pop if lo_pop else len(members)
        if fewest > most:
            raise InfeasibleError(kind, f"{region} has {pop:,} patients: it needs at least {fewest} consortia of at most "
                                        f"{hi_pop:,} but fits at most {most} of at least {lo_pop:,}")
    regions = separate_regions(instance, rules)
    need = sum(math.ceil(int(sizes[m].sum()) / hi_pop) if hi_pop else 1 for _, m, _ in regions)
    room = sum(int(sizes[m].sum()) // lo_pop if lo_pop else len(m) for _, m, _ in regions)
    if high is not None and need > high:
        raise InfeasibleError("consortia_count", f"{total:,} patients in {len(regions)} separate region(s) need at least "
                                                 f"{need} consortia of at most {hi_pop:,}, but at most {high} are allowed")
    if room < low:
        raise InfeasibleError("consortia_count", f"{total:,} patients fit at most {room} consortia of at least "
                                                 f"{lo_pop:,}, but at least {low} are required")
    notes = []
    if len(regions) > 1:
        notes.append(f"the rules split the practices into {len(regions)} regions no consortium can cross")
    return notes


def separate_regions(instance, rules: Rules) -> list[tuple[str, list[int], str]]:
    """Groups of practices no consortium can cross: graph components (contiguity) split by authority (hard)."""
    groups: list[list[int]] = [list(range(len(instance.codes)))]
    kind = "population_bounds"
    if rules.contiguity:
        kind = "contiguity"
        groups = [sorted(instance.index[c] for c in comp) for comp in nx.connected_components(instance.graph)]
    if rules.coterminosity == "hard":
        kind = "coterminosity"
        lad = instance.practices["lad_code"].to_numpy()
        split = []
        for group in groups:
            by_la: dict[str, list[int]] = {}
            for i in group:
                by_la.setdefault(lad[i], []).append(i)
            if rules.contiguity:
                for la, members in by_la.items():
                    sub = instance.graph.subgraph([instance.codes[i] for i in members])
                    split += [sorted(instance.index[c] for c in comp) for comp in nx.connected_components(sub)]
            else:
                split += list(by_la.values())
        groups = split
    groups.sort(key=lambda g: g[0])
    described = []
    for members in groups:
        where = f"the region containing practice {instance.codes[members[0]]}" if len(groups) > 1 else "the instance"
        if rules.coterminosity == "hard":
            where = f"local authority {instance.practices['lad_code'].iat[members[0]]} part containing {instance.codes[members[0]]}"
        described.append((where, members, kind))
    return described


def _check_must_link(instance, rules: Rules) -> None:
    """A must-link group must fit one consortium and not contain a cannot-link pair."""
    sizes = instance.list_size
    for group in rules.must_link:
        pop = int(sum(sizes[instance.index[c]] for c in group))
        if rules.max_population is not None and pop > rules.max_population:
            raise InfeasibleError("must_link", f"group {'+'.join(group)} has {pop:,} patients, above max_population "
                                               f"{rules.max_population:,}")
    together = {}
    for g, group in enumerate(rules.must_link):
        for code in group:
            together.setdefault(code, set()).add(g)
    parent = {c: c for c in together}

    def find(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for group in rules.must_link:
        for code in group[1:]:
            parent[find(code)] = find(group[0])
    for a, b in rules.cannot_link:
        if a in parent and b in parent and find(a) == find(b):
            raise InfeasibleError("must_link/cannot_link", f"practices {a} and {b} must be linked through must_link "
                                                           f"groups but are declared a cannot_link pair")
