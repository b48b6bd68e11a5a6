"""Reader's time of one training run as the book does it: 1,000 points of a 2-D toy dataset,
a small network, 500 full-batch epochs of Adam with :func:`dql_teach.train.fit`.

Each model is also trained by a bare loop (``zero_grad``, forward, loss, backward, step)
with the same optimizer, so the time ``fit`` adds per epoch (bookkeeping, accuracy,
progress bar) shows up as the difference. Median of ``--repeats`` runs.

Usage::

    python benchmarks/bench_train.py

Writes ``benchmarks/results/train.json``. Target (issue 5): under 2 s per run on the
2-core CPU.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from _common import RESULTS, machine_info, write_results
from torch import nn

import dql_teach as dql
from dql_teach.data import make_dataset
from dql_teach.train import fit

TARGET_S = 2.0
MODELS = {
    "linear 2-8-1 MLP (ReLU)": lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)),
    "hadamard 2-8-1": lambda: nn.Sequential(
        dql.make_layer("hadamard", 2, 8), nn.ReLU(), nn.Linear(8, 1)
    ),
    "full quadric neuron 2-1": lambda: dql.make_layer("full", 2, 1),
    "lowrank 2-8-1": lambda: nn.Sequential(
        dql.make_layer("lowrank", 2, 8, rank=2), nn.ReLU(), nn.Linear(8, 1)
    ),
}


def bare_loop(model: nn.Module, X, y, epochs: int, lr: float) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    target = y.float()
    for _ in range(epochs):
        optimizer.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(X).squeeze(-1), target)
        loss.backward()
        optimizer.step()


def timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="circles")
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    X, y = make_dataset(args.dataset, n_samples=args.n_samples, seed=0)
    rows = []
    for name, make in MODELS.items():
        row = {"model": name}
        for label, run in (
            (
                "fit_s",
                lambda m=make: fit(m(), X, y, epochs=args.epochs, lr=args.lr, progress=False),
            ),
            ("fit_progress_s", lambda m=make: fit(m(), X, y, epochs=args.epochs, lr=args.lr)),
            ("bare_loop_s", lambda m=make: bare_loop(m(), X, y, args.epochs, args.lr)),
        ):
            torch.manual_seed(0)
            run()  # warm-up: first-call costs are not what a reader waits for twice
            times = timed(run, args.repeats)
            row[label] = statistics.median(times)
            row[label.replace("_s", "_all_s")] = times
        row["fit_overhead_per_epoch_ms"] = (row["fit_s"] - row["bare_loop_s"]) / args.epochs * 1e3
        rows.append(row)
        print(
            f"{name:26s} fit {row['fit_s']:.2f} s  (with progress bar {row['fit_progress_s']:.2f}"
            f" s)  bare loop {row['bare_loop_s']:.2f} s  "
            f"fit adds {row['fit_overhead_per_epoch_ms']:.2f} ms/epoch",
            flush=True,
        )
    result = {
        "machine": machine_info(),
        "settings": vars(args),
        "target_s": TARGET_S,
        "results": rows,
    }
    out = RESULTS / "train.json"
    write_results(out, result)
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
