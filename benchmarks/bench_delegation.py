"""Time the delegation LP on a synthetic cluster: 200 consortia, 8 budget lines, every rule switched on.

Run: python benchmarks/bench_delegation.py [--consortia 200] [--lines 8] [--seed 7] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from models.delegation import DelegationData, solve


def synthetic(consortia: int, lines: int, seed: int) -> DelegationData:
    """Consortia of 50,000-400,000 patients with need indices 0.8-1.3, three readiness tiers, a baseline
    within 5% of fair share, a 2% pace of change, a reserve that binds and a savings programme."""
    rng = np.random.default_rng(seed)
    population = rng.uniform(50_000, 400_000, consortia)
    need = rng.uniform(0.8, 1.3, (consortia, lines))
    amount = rng.uniform(20e6, 2e9, lines)
    delegable = np.ones(lines, dtype=bool)
    delegable[-1] = False
    data = DelegationData(
        consortia=tuple(f"C{i:03d}" for i in range(consortia)), lines=tuple(f"line_{l}" for l in range(lines)),
        amount=amount, delegable=delegable, weighted_population=population[:, None] * need, population=population,
        readiness_cap=rng.choice([0.0, 0.75, 1.0], consortia, p=[0.1, 0.4, 0.5]),
        risk_cv=rng.uniform(0.01, 0.04, lines), reference_population=179_400, confidence_z=1.645,
        fairness_weight=0.1, target_share=0.5, pace=0.02)
    fair = data.fair_share
    baseline = fair * rng.uniform(0.95, 1.05, fair.shape)
    reserve = 0.6 * 1.645 * float((data.cv * fair * data.readiness_cap[:, None])[:, delegable].sum())
    return data.with_changes(baseline=baseline, reserve_available=reserve, savings_delegated=0.002 * amount.sum(),
                             savings_cap=0.05)


def main() -> None:
    """Build and solve a few times; print each wall time and the best."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consortia", type=int, default=200)
    parser.add_argument("--lines", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = synthetic(args.consortia, args.lines, args.seed)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        solution = solve(data)
        times.append(time.perf_counter() - start)
    rules = sorted({b.rule for b in solution.bindings})
    print(f"delegation {args.consortia} consortia x {args.lines} lines: status {solution.status}, "
          f"delegated {solution.delegated.sum() / data.delegable_total:.1%} of the delegable budget, "
          f"binding rules {', '.join(rules)}")
    print("build+solve seconds: " + ", ".join(f"{t:.3f}" for t in times) + f"; best {min(times):.3f}")


if __name__ == "__main__":
    main()
