"""Runs benchmark cases through the engine (and optionally the peers), in parallel processes, and writes the
results document with the machine, package versions, settings and git commit."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from importlib import metadata
from multiprocessing.connection import wait
from pathlib import Path

from benchmarks.families import load_case
from benchmarks.record import peer_note, refused_row, solved_row, with_reference
from benchmarks.reference import load_references
from planner.errors import InfeasibleError, SolveError
from planner.options import SolveOptions
from planner.solve import solve_instance

PACKAGES = ("consortium-planner", "pyomo", "highspy", "numpy", "networkx", "spopt", "gerrychain", "pulp")


@dataclass(frozen=True)
class BenchSettings:
    """How every case of a run is solved; the same limit applies to each peer."""

    time_limit: float = 60.0
    """Wall-clock seconds per case for the engine, and again for each peer."""
    jobs: int = 1
    """Cases solved at once, each in its own process."""
    peers: bool = False
    """Also run the peer tools on every case they apply to."""
    gap: float = 1e-6
    """Relative gap at which the engine stops as optimal (tighter than the planning default)."""
    seed: int = 0
    """Seed for HiGHS and for the randomised peers."""
    method: str = "exact"
    """Engine method: 'exact' measures the monolithic model the record is for, and hands a case whose model
    is too large (above max_pairs, e.g. p3038) to the large-instance method; 'lns' or 'auto' as in solve."""

    @property
    def threads(self) -> int:
        """HiGHS threads per case: the cores shared out among the parallel jobs."""
        return max(1, (os.cpu_count() or 1) // self.jobs)


FLOW_VARIABLES = 1_500_000
"""Most hub x arc flow variables the flow formulation may have in the bench; above it (the larger tract
states) a process grew past 13 GB, so separator cuts are used instead."""


def contiguity_method(case) -> str:
    """Flow for the Hess districting families (the published runs used Shirabe's flow) while its model fits
    in memory, cuts otherwise."""
    if not case.family.startswith("districting"):
        return "cuts"
    arcs = 2 * len(case.instance.edges)
    return "flow" if case.size * arcs <= FLOW_VARIABLES else "cuts"


def solve_options(case, settings: BenchSettings, method: str | None = None,
                  time_limit: float | None = None) -> SolveOptions:
    """The engine options of a case; `method` is passed only to an engine that has the field."""
    chosen = {"time_limit": time_limit or settings.time_limit, "gap": settings.gap, "threads": settings.threads,
              "seed": settings.seed, "contiguity_method": contiguity_method(case)}
    if "method" in {f.name for f in fields(SolveOptions)}:
        chosen["method"] = method or settings.method
    return SolveOptions(**chosen)


def solve_case(case, settings: BenchSettings, began: float) -> tuple[dict, str]:
    """Solve with the chosen method; an exact model refused as too large goes to the large-instance method
    with the time that is left. Returns the row and the method that produced it."""
    try:
        return solved_row(case, solve_instance(case.instance, case.rules, solve_options(case, settings))), \
            settings.method
    except SolveError as error:
        if settings.method != "exact" or "practice-hub pairs" not in str(error):
            raise
    left = max(1.0, settings.time_limit - (time.perf_counter() - began))
    result = solve_instance(case.instance, case.rules, solve_options(case, settings, "lns", left))
    row = solved_row(case, result)
    row["seconds"] = round(time.perf_counter() - began, 2)
    return row, "lns"


def run_case(family: str, name: str, settings: BenchSettings) -> dict:
    """Solve one case and, when asked, run the peers on it; always returns a row, never raises."""
    began = time.perf_counter()
    head = {"family": family, "instance": name}
    try:
        case = load_case(family, name)
    except Exception as error:
        return {**head, **refused_row("error", error, time.perf_counter() - began)}
    head.update(n=case.size, p=case.notes.get("p"), contiguity=case.rules.contiguity,
                method=contiguity_method(case))
    try:
        row, head["engine"] = solve_case(case, settings, began)
    except InfeasibleError as error:
        row = refused_row("infeasible", error, time.perf_counter() - began)
    except SolveError as error:
        status = "too_large" if "practice-hub pairs" in str(error) else "no_plan"
        row = refused_row(status, error, time.perf_counter() - began)
    except Exception as error:
        row = refused_row("error", error, time.perf_counter() - began)
    row = with_reference({**head, **row}, load_references().get((family, name)))
    if settings.peers:
        from benchmarks.peers import run_peers

        row["peers"] = run_peers(case, settings.time_limit, settings.seed)
        row["note"] = "; ".join(filter(None, [row["note"], peer_note(row)]))
    return row


WATCHDOG_GRACE = 60.0
"""Seconds past its allowance after which a case's process is stopped and the case reported as overran."""


def allowance(settings: BenchSettings) -> float:
    """Wall-clock seconds a case may take: its time limit, once more for each peer run, plus a quarter for
    loading, model building and verification."""
    from benchmarks.peers import PEERS

    runs = 1 + (len(PEERS) if settings.peers else 0)
    return 1.25 * runs * settings.time_limit


def run_cases(cases: list[tuple[str, str]], settings: BenchSettings, progress=None,
              grace: float = WATCHDOG_GRACE) -> list[dict]:
    """Run every (family, name) case, `settings.jobs` at a time, each in a fresh spawned process (no solver
    state inherited from the parent or an earlier case) under a watchdog: a case still running `grace`
    seconds past its allowance is stopped and reported as 'overran'. Rows come back in the cases' order."""
    context = multiprocessing.get_context("spawn")
    limit = allowance(settings) + grace
    waiting = list(enumerate(cases))
    running: dict = {}
    rows: dict[int, dict] = {}

    def finish(k: int, row: dict) -> None:
        rows[k] = row
        if progress:
            progress(row)

    try:
        while waiting or running:
            while waiting and len(running) < max(1, settings.jobs):
                k, (family, name) = waiting.pop(0)
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=_case_process, args=(family, name, settings, writer))
                process.start()
                writer.close()
                running[reader] = (k, process, time.monotonic())
            soonest = min(started for _, _, started in running.values()) + limit
            for reader in wait(list(running), timeout=max(0.0, soonest - time.monotonic())):
                k, process, started = running.pop(reader)
                finish(k, _received(reader, cases[k], time.monotonic() - started))
                process.join()
            for reader, (k, process, started) in list(running.items()):
                if time.monotonic() - started > limit:
                    del running[reader]
                    _stop(process)
                    family, name = cases[k]
                    finish(k, {"family": family, "instance": name, **refused_row(
                        "overran", f"stopped by the bench watchdog after {time.monotonic() - started:.0f} s: "
                                   f"the case may take {allowance(settings):g} s plus {grace:g} s grace",
                        time.monotonic() - started)})
    finally:
        for _, process, _ in running.values():
            _stop(process)
    return [rows[k] for k in range(len(cases))]


def _case_process(family: str, name: str, settings: BenchSettings, writer) -> None:
    """Body of a case's process: solve the case and send its row to the parent."""
    writer.send(run_case(family, name, settings))
    writer.close()


def _received(reader, case: tuple[str, str], seconds: float) -> dict:
    """The row a case's process sent, or an error row when it died without one (out of memory, killed)."""
    try:
        return reader.recv()
    except EOFError:
        family, name = case
        return {"family": family, "instance": name,
                **refused_row("error", "the case's process died without a result (out of memory?)", seconds)}
    finally:
        reader.close()


def _stop(process) -> None:
    """Terminate a case's process, and kill it if it does not stop within 10 s."""
    process.terminate()
    process.join(10)
    if process.is_alive():
        process.kill()
        process.join()


def environment() -> dict:
    """Machine, Python and package versions, and the git commit of the working tree."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version()},
            "versions": versions, "commit": git_commit(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def git_commit() -> str | None:
    """HEAD of the repository holding this package, with '+dirty' when tracked files changed."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def results_document(suites: list[str], settings: BenchSettings, rows: list[dict]) -> dict:
    """The JSON document a run saves."""
    return {"suites": suites, "settings": asdict(settings) | {"threads": settings.threads},
            **environment(), "results": rows}


def save_results(document: dict, path: Path) -> None:
    """Write the document atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(document, indent=1, default=str) + "\n")
    temporary.replace(path)
