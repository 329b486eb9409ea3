"""Measure the grouping optimiser: per instance size, time, peak memory, proof and goals against greedy.

    .venv/bin/python benchmarks/run.py                 # 23, 240, 2,400 and 24,000 people
    .venv/bin/python benchmarks/run.py --sizes 23 240  # some sizes
    .venv/bin/python benchmarks/run.py --smoke         # the two smallest, short limits (CI)
    .venv/bin/python benchmarks/run.py --json          # one JSON object per size

Each size runs in a child process of its own, so that its peak memory is
its own. The targets are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from instances import instance

from kollega.grouping.optimiser import GOALS, propose

#: size → (time slots, time limit in seconds, target gap, target seconds)
PLAN = {
    23: (2, 2.0, 0.0, 2.0),
    240: (3, 10.0, 0.01, 10.0),
    2_400: (3, 60.0, 0.03, 60.0),
    24_000: (4, 300.0, None, 300.0),
}
SMOKE = {23: (2, 2.0, 0.0, 2.0), 240: (3, 5.0, None, 10.0)}


def measure(size: int, slots: int, time_limit: float, seed: int) -> dict[str, object]:
    problem = instance(size, slots=slots, seed=seed, time_limit=time_limit)
    started = time.perf_counter()
    proposal = propose(problem)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worse = [g for g in GOALS if proposal.goals[g] > proposal.baseline_goals.get(g, proposal.goals[g])]
    return {
        "size": size,
        "slots": slots,
        "time_limit": time_limit,
        "wall_seconds": round(wall, 2),
        "peak_mib": round(peak_kib / 1024),
        "status": str(proposal.status),
        "objective": proposal.objective,
        "bound": proposal.bound,
        "gap": round(proposal.gap, 4),
        "exact_split": proposal.exact,
        "parts": proposal.parts,
        "left_out": len(proposal.left_out),
        "goals": proposal.goals,
        "greedy_goals": proposal.baseline_goals,
        "worse_than_greedy": worse,
    }


def _child(size: int, slots: int, time_limit: float, seed: int, queue: multiprocessing.Queue) -> None:
    queue.put(measure(size, slots, time_limit, seed))


def run_isolated(size: int, slots: int, time_limit: float, seed: int) -> dict[str, object]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(size, slots, time_limit, seed, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def verdict(row: dict[str, object], target_gap: float | None, target_seconds: float) -> str:
    misses = []
    if float(row["wall_seconds"]) > target_seconds:  # type: ignore[arg-type]
        misses.append("time")
    if target_gap is not None and float(row["gap"]) > target_gap:  # type: ignore[arg-type]
        misses.append("gap")
    if row["worse_than_greedy"]:
        misses.append("a goal worse than greedy")
    return "met" if not misses else "missed: " + ", ".join(misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    plan = SMOKE if args.smoke else PLAN
    sizes = args.sizes or list(plan)
    if not args.json:
        print(
            f"# {platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}"
        )
        print("| people | slots | limit s | wall s | peak MiB | status | objective | bound | gap | target |")
        print("|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    failed = False
    for size in sizes:
        slots, limit, target_gap, target_seconds = plan.get(size, (3, 30.0, None, 30.0))
        row = run_isolated(size, slots, limit, args.seed)
        row["target"] = verdict(row, target_gap, target_seconds)
        failed |= row["status"] not in ("optimal", "feasible")
        if args.json:
            print(json.dumps(row))
        else:
            print(
                f"| {size} | {slots} | {limit:g} | {row['wall_seconds']} | {row['peak_mib']} | {row['status']} "
                f"| {row['objective']} | {row['bound']} | {float(row['gap']):.2%} | {row['target']} |"  # type: ignore[arg-type]
            )
            goals = " · ".join(f"{g} {row['goals'][g]} (greedy {row['greedy_goals'][g]})" for g in GOALS)  # type: ignore[index]
            print(f"|  | goals: {goals} |||||||||")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
