"""Runs the peer tools (optional extra `[peers]`) on a case under the same time limit, and scores their answers
with our own verifier and metric so every number is on one scale.

Each peer runs in a spawned child process with a hard deadline (time limit plus a small grace for start-up);
an answer that breaks any rule is reported as infeasible, with the rules it breaks.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import time

import numpy as np

from benchmarks import peer_solvers
from planner.geo import among
from planner.metrics import plan_metrics
from planner.plan import Plan
from planner.verify import verify_plan

MAX_NODES = 3000
"""Above this many nodes a dense n x n cost matrix per peer is not reasonable on this machine; peers are skipped."""
MAX_PMEDIAN_NODES = 1000
"""spopt builds n^2 PuLP variables in Python; beyond this the build alone exceeds any sensible budget."""
GRACE = 5.0


def _regional(case) -> bool:
    return bool(case.instance.edges) and case.coordinates is not None


def _districting(case) -> bool:
    return bool(case.instance.edges) and (case.rules.contiguity or case.rules.min_population > 0)


PEERS = {
    "spopt-pmedian": (peer_solvers.spopt_pmedian, lambda case: case.size <= MAX_PMEDIAN_NODES),
    "spopt-maxp": (peer_solvers.spopt_maxp, _regional),
    "spopt-azp": (peer_solvers.spopt_azp, _regional),
    "spopt-skater": (peer_solvers.spopt_skater, _regional),
    "spopt-kmeans": (peer_solvers.spopt_region_kmeans, _regional),
    "gerrychain-recom": (peer_solvers.gerrychain_recom, _districting),
}
PACKAGES = {"spopt": "spopt", "gerrychain": "gerrychain"}


def missing_packages() -> list[str]:
    """Peer packages that are not installed (install with `pip install -e .[peers]`)."""
    return [name for name, module in PACKAGES.items() if importlib.util.find_spec(module) is None]


def peer_count(case) -> int:
    """Number of clusters a peer is asked for: the fixed count, else the count nearest the bounds' midpoint."""
    low, high = case.rules.consortia_range
    if low == high:
        return low
    total = float(case.instance.list_size.sum())
    upper = case.rules.max_population or total
    middle = (case.rules.min_population + upper) / 2 or total
    return int(min(max(round(total / middle), low), high if high is not None else len(case.instance.codes)))


def peer_input(case, time_limit: float, seed: int) -> peer_solvers.PeerInput:
    """The plain arrays a peer needs, from the case."""
    instance, rules = case.instance, case.rules
    edges = [(instance.index[a], instance.index[b]) for a, b in instance.edges]
    x, y = case.coordinates if case.coordinates is not None else (None, None)
    return peer_solvers.PeerInput(
        weight=instance.list_size.copy(), distance=np.asarray(among(instance.distance, range(case.size)), float),
        edges=edges, x=x, y=y, k=peer_count(case), min_population=rules.min_population,
        max_population=rules.max_population, power=rules.distance_power, unweighted=rules.unweighted_cost,
        time_limit=time_limit, seed=seed)


def _child(solver, data, conn) -> None:
    """Child-process body: run the solver and send back labels or the error text (library warnings muted)."""
    import warnings

    warnings.simplefilter("ignore")
    try:
        conn.send(("ok", solver(data)))
    except BaseException as error:
        conn.send(("error", f"{type(error).__name__}: {error}"[:300]))
    finally:
        conn.close()


def run_peer(name: str, case, time_limit: float, seed: int = 0) -> dict:
    """One peer on one case, scored by our verifier and metric."""
    solver, applies = PEERS[name]
    if case.size > MAX_NODES or not applies(case):
        return {"status": "skipped", "detail": "does not apply to this family or size"}
    data = peer_input(case, time_limit, seed)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    began = time.perf_counter()
    process = context.Process(target=_child, args=(solver, data, send), daemon=True)
    process.start()
    send.close()
    answer = None
    if receive.poll(time_limit + GRACE):
        try:
            answer = receive.recv()
        except EOFError:
            answer = ("error", "peer process died")
    seconds = time.perf_counter() - began
    if process.is_alive():
        process.kill()
    process.join()
    if answer is None:
        return {"status": "timeout", "seconds": round(seconds, 2),
                "detail": f"no answer within {time_limit:g} s (+{GRACE:g} s grace)"}
    if answer[0] == "error":
        return {"status": "error", "seconds": round(seconds, 2), "detail": answer[1]}
    return score(case, answer[1], seconds)


def score(case, labels: list[int], seconds: float) -> dict:
    """Our verdict and cost of a peer's labels (a label of -1 leaves the node unassigned)."""
    codes = case.instance.codes
    plan = Plan({codes[i]: f"R{label}" for i, label in enumerate(labels) if label is not None and label >= 0})
    verdict = verify_plan(case.instance, plan, case.rules)
    result = {"seconds": round(seconds, 2), "regions": len(set(plan.assignment.values()))}
    if len(plan.assignment) < len(codes):
        return {**result, "status": "infeasible", "failures": ["one_consortium_per_practice"], "value": None}
    metrics = plan_metrics(case.instance, plan, case.rules)
    failures = [check.rule for check in verdict.failures()]
    return {**result, "status": "feasible" if verdict.passed else "infeasible", "failures": failures,
            "value": float(metrics.cost)}


def run_peers(case, time_limit: float, seed: int = 0) -> dict:
    """Every peer on the case; a clear record when the peer packages are missing."""
    missing = missing_packages()
    if missing:
        return {name: {"status": "skipped", "detail": f"not installed: {', '.join(missing)} "
                                                      f"(pip install -e .[peers])"} for name in PEERS}
    return {name: run_peer(name, case, time_limit, seed) for name in PEERS}
