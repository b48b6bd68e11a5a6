"""Seeds trained together against one ``fit`` per seed: :func:`dql_teach.run_seeds` with
``together=True`` and ``together=False`` on episode 4's problems, ten seeds each.

- ``toy``: 2-h-1 networks (linear, and quadric first: a diagonal hidden layer) on 400-point
  moons and spirals, h in 2..32, 200 and 500 full-batch epochs;
- ``digits``: 64-h-10 networks on scikit-learn's 8x8 digits (1,347 training images);
- ``episode4``: every ``run_seeds`` call of episode 4's sections 4.3 (toy sweeps) and 4.4
  (digits sweep) as the episode runs them today, but with ten seeds: the time a reader would
  wait for those cells.

Each row also records how far apart the two paths end: the largest difference of a final
weight and how many seeds' test accuracies differ (float32; in float64 the test suite holds
them to 1e-10). One timing per row (a sweep takes minutes); the load average is recorded
before and after, since the 2-core machine is shared.

Usage::

    python benchmarks/bench_seeds.py            # ~10 min on the 2-core CPU
    python benchmarks/bench_seeds.py --sections episode4   # only that part, the rest kept
    python benchmarks/bench_seeds.py --quick    # a few rows; writes seeds-quick.json

Writes ``benchmarks/results/seeds.json``, one entry per section with its machine and load.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from _common import RESULTS, load_average, machine_info, write_results

import dql_teach as dql

SEEDS = range(10)
FAMILIES = {"linear": ["linear", "linear"], "quadric first": ["diagonal", "linear"]}
# episode 4's sweeps (sections 4.3 and 4.4): family -> forms, widths, extra linear widths
EPISODE_ARCHS = {
    "linear": ["linear", "linear"],
    "quadric first": ["diagonal", "linear"],
    "quadric last": ["linear", "diagonal"],
    "purely quadric": ["diagonal", "diagonal"],
}


def timed_run(name, build, X, y, together, **options):
    start = time.perf_counter()
    result = dql.run_seeds(name, build, X, y, SEEDS, together=together, **options)
    return result, time.perf_counter() - start


def compare_paths(label: str, build, X, y, **options) -> dict:
    alone, alone_s = timed_run(label, build, X, y, False, **options)
    together, together_s = timed_run(label, build, X, y, True, **options)
    weight_diff = max(
        (p - q).abs().max().item()
        for a, b in zip(alone.models, together.models)
        for p, q in zip(a.parameters(), b.parameters())
    )
    row = {
        "model": label,
        "params": alone.params,
        **{k: v for k, v in options.items() if k in ("epochs", "lr")},
        "seeds": len(alone.seeds),
        "one_fit_per_seed_s": round(alone_s, 3),
        "together_s": round(together_s, 3),
        "speed_up": round(alone_s / together_s, 2),
        "max_weight_difference": weight_diff,
        "seeds_whose_accuracy_differs": sum(
            a != b for a, b in zip(alone.accuracies, together.accuracies)
        ),
        "mean_accuracy": round(together.mean, 4),
    }
    print(
        f"{label:34s} {row['params']:6d} params  one fit per seed {alone_s:6.2f} s  "
        f"together {together_s:5.2f} s  x{row['speed_up']:.1f}  "
        f"(max weight diff {weight_diff:.1g}, {row['seeds_whose_accuracy_differs']} seeds "
        "differ)",
        flush=True,
    )
    return row


def toy_rows(quick: bool) -> list[dict]:
    rows = []
    widths = (2, 8) if quick else (2, 4, 8, 16, 32)
    for name in ("moons",) if quick else ("moons", "spirals"):
        X, y = dql.make_dataset(name, n_samples=400, seed=0)
        for epochs in (200,) if quick else (200, 500):
            for family, forms in FAMILIES.items():
                for h in widths:
                    rows.append(
                        compare_paths(
                            f"{name} {family} 2-{h}-1",
                            lambda h=h, forms=forms: dql.make_mlp([2, h, 1], forms),
                            X,
                            y,
                            epochs=epochs,
                            lr=0.05,
                        )  # fmt: skip
                    )
    return rows


def digits_rows(quick: bool) -> list[dict]:
    X, y = dql.load_digits()
    X = X / 16
    rows = []
    plan = {"linear": (16,)} if quick else {"linear": (4, 16, 64, 128), "quadric first": (4, 16)}
    for family, widths in plan.items():
        for h in widths:
            forms = FAMILIES[family]
            rows.append(
                compare_paths(
                    f"digits {family} 64-{h}-10",
                    lambda h=h, forms=forms: dql.make_mlp([64, h, 10], forms),
                    X,
                    y,
                    epochs=200,
                    lr=0.01,
                )  # fmt: skip
            )
    return rows


def episode4(together: bool | None) -> dict:
    """Sections 4.3 and 4.4 of episode 4 as they stand, with ten seeds instead of three:
    ``together=None`` is ``run_seeds``' default (together where it pays)."""
    times = {}
    start = time.perf_counter()
    for name in ("moons", "spirals"):
        X, y = dql.make_dataset(name, n_samples=400, seed=0)
        for family, forms in EPISODE_ARCHS.items():
            extra = (16, 32) if family == "linear" else ()
            for h in (2, 4, 8) + extra:
                dql.run_seeds(
                    f"{family} 2-{h}-1", lambda h=h, forms=forms: dql.make_mlp([2, h, 1], forms),
                    X, y, SEEDS, together=together, epochs=200, lr=0.05,
                )  # fmt: skip
    times["toy_sweeps_s"] = round(time.perf_counter() - start, 2)
    X, y = dql.load_digits()
    X = X / 16
    start = time.perf_counter()
    for family, forms in EPISODE_ARCHS.items():
        extra = (12, 24, 32, 64, 128) if family == "linear" else ()
        for h in (4, 8, 16) + extra:
            dql.run_seeds(
                f"{family} 64-{h}-10", lambda h=h, forms=forms: dql.make_mlp([64, h, 10], forms),
                X, y, SEEDS, together=together, epochs=200, lr=0.01,
            )  # fmt: skip
    times["digits_sweep_s"] = round(time.perf_counter() - start, 2)
    label = "together where it pays" if together is None else "one fit per seed"
    print(f"episode 4 with ten seeds, {label}: {times}", flush=True)
    return times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few rows, no episode run")
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=["toy", "digits", "episode4"],
        default=["toy", "digits", "episode4"],
        help="what to run; the others are kept from the existing results file",
    )
    parser.add_argument(
        "--skip-sequential-episode",
        action="store_true",
        help="time episode 4's sweeps only with the seeds together",
    )
    args = parser.parse_args(argv)
    X, y = dql.make_dataset("moons", n_samples=100, seed=0)
    dql.run_seeds("warm-up", lambda: dql.make_mlp([2, 4, 1]), X, y, range(2), epochs=5)
    out = RESULTS / ("seeds-quick.json" if args.quick else "seeds.json")
    write_results(out, len(SEEDS), "seeds")  # each section is a key: the others are kept
    for section in args.sections:
        if section == "episode4" and args.quick:
            continue
        run = {"machine": machine_info()}
        if section == "toy":
            run["rows"] = toy_rows(args.quick)
        elif section == "digits":
            run["rows"] = digits_rows(args.quick)
        else:
            run["together_where_it_pays"] = episode4(None)
            if not args.skip_sequential_episode:
                run["one_fit_per_seed"] = episode4(False)
        run["load_average_after"] = load_average()
        write_results(out, run, section)
    print(f"wrote {out}")
    return json.loads(out.read_text())


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
