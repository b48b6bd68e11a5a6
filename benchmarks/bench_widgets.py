"""Median time of one update() of each widget, as a slider move triggers it.

Run: ``.venv/bin/python benchmarks/bench_widgets.py``. Prints a table and writes
``benchmarks/results/widgets.json``. Target: under 50 ms median on a 2-core CPU, so a slider
feels live. The 2-D explorers draw on a 200 x 200 grid (their default); the 3-D explorer
meshes its surface on a 30 x 30 x 30 grid (its default).

Two columns: ``update()`` alone (state change, numbers, drawing), and ``update()`` plus what
the widget then sends to the browser (the PNG its ``Output`` displays for a matplotlib figure;
the JSON of a plotly figure). The training playground's redraw and a full Train click are
timed too. Timings are only meaningful on an otherwise idle machine: the load average is
recorded next to them.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import numpy as np  # noqa: E402
import plotly  # noqa: E402
import torch  # noqa: E402
from _common import cpu_model, write_results  # noqa: E402

from dql_teach.widgets import (  # noqa: E402
    ConicExplorer,
    NeuronFormExplorer,
    QuadricSurfaceExplorer,
    TrainingPlayground,
)

RESULTS = Path(__file__).parent / "results" / "widgets.json"


def _send(widget) -> None:
    if hasattr(widget.figure, "savefig"):  # the PNG the widget's Output displays
        widget.png(tight=False)
    else:  # plotly: the figure's JSON is what goes to the browser
        widget.figure.to_json()


def median_ms(widget, values, repeats=21, send=False):
    def step(v):
        widget.update(**v)
        if send:
            _send(widget)

    step(values[0])  # warm-up
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        step(values[(i + 1) % len(values)])
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    torch.manual_seed(0)
    cases = {
        "ConicExplorer": (ConicExplorer(), [{"a11": 1.0 + i / 10, "a12": 0.15} for i in range(5)]),
        "ConicExplorer (eigen mode)": (
            ConicExplorer(mode="eigen"),
            [{"angle": 5.0 * i, "lambda2": -0.5} for i in range(5)],
        ),
        "QuadricSurfaceExplorer": (
            QuadricSurfaceExplorer(),
            [{"lambda3": -1 + i / 5} for i in range(5)],
        ),
        "NeuronFormExplorer": (NeuronFormExplorer(), [{"p0": i / 5} for i in range(5)]),
        # lr only matters for the next run: the trained surface is redrawn on the 200 x 200 grid
        "TrainingPlayground (redraw)": (
            TrainingPlayground(hidden=8, epochs=100).train(),
            [{"lr": 0.01 * (i + 1)} for i in range(5)],
        ),
    }
    rows = {}
    for name, (widget, values) in cases.items():
        rows[name] = {
            "update_ms": median_ms(widget, values),
            "update_and_send_ms": median_ms(widget, values, send=True),
        }
    trains = {
        "Train: full, 1 neuron, 300 epochs": {"form": "full", "hidden": 0, "epochs": 300},
        "Train: fan, 16 hidden, 2000 epochs (max)": {"form": "fan", "hidden": 16, "epochs": 2000},
    }
    for name, settings in trains.items():
        playground = TrainingPlayground(**settings)
        start = time.perf_counter()
        playground.train()
        rows[name] = {"once_ms": (time.perf_counter() - start) * 1e3}

    print(f"{'widget':42s} {'update()':>10s} {'+ send':>10s}   (median ms)")
    for name, row in rows.items():
        if "once_ms" in row:
            print(f"{name:42s} {row['once_ms']:10.0f}   (one run)")
        else:
            print(f"{name:42s} {row['update_ms']:10.1f} {row['update_and_send_ms']:10.1f}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    write_results(RESULTS, {
        "machine": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": None if load is None else round(load[0], 2),
        "python": platform.python_version(),
        "torch": torch.__version__, "numpy": np.__version__, "plotly": plotly.__version__,
        "ipywidgets": ipywidgets.__version__, "matplotlib": matplotlib.__version__,
        "grid": "200 x 200 (2-D explorers, playground); 30 x 30 x 30 (3-D explorer's mesh)",
        "target_ms": 50,
        "median_ms": {k: {n: round(v, 1) for n, v in row.items()} for k, row in rows.items()},
    })  # fmt: skip
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
