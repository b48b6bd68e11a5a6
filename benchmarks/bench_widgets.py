"""Median time of one update() of each widget, as a slider move triggers it.

Run: ``.venv/bin/python benchmarks/bench_widgets.py``. Prints a table and writes
``benchmarks/results/widgets.json``. Target: under 50 ms median on a 2-core CPU, so a slider
feels live. The conic and form explorers draw on a 200 x 200 grid (their default).
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import plotly  # noqa: E402
import torch  # noqa: E402

from dql_teach.widgets import (  # noqa: E402
    ConicExplorer,
    NeuronFormExplorer,
    QuadricSurfaceExplorer,
    TrainingPlayground,
)

RESULTS = Path(__file__).parent / "results" / "widgets.json"


def median_ms(update, values, repeats=15):
    def step(v):
        figure = update(**v)
        if hasattr(figure, "canvas"):  # rasterise, as the notebook does to show it
            figure.canvas.draw()
        else:  # plotly: serialising the figure is what is sent to the browser
            figure.to_json()

    step(values[0])  # warm-up
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        step(values[i % len(values)])
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    cases = {
        "ConicExplorer": (ConicExplorer(), [{"a": 1.0 + i / 10, "b": 0.3} for i in range(5)]),
        "QuadricSurfaceExplorer": (
            QuadricSurfaceExplorer(),
            [{"l3": -1 + i / 5} for i in range(5)],
        ),
        "NeuronFormExplorer": (NeuronFormExplorer(), [{"p0": i / 5} for i in range(5)]),
        "TrainingPlayground (redraw, no training)": (
            TrainingPlayground(epochs=100).train(),
            [{"noise": 0.05}],
        ),
    }
    rows = {name: median_ms(widget.update, values) for name, (widget, values) in cases.items()}
    start = time.perf_counter()
    TrainingPlayground(epochs=300).train()
    rows["TrainingPlayground.train() 300 epochs"] = (time.perf_counter() - start) * 1e3
    print(f"{'widget':45s} median ms")
    for name, ms in rows.items():
        print(f"{name:45s} {ms:8.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": platform.processor() or platform.machine(),
        "cpu_count": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__, "plotly": plotly.__version__,
        "ipywidgets": ipywidgets.__version__, "matplotlib": matplotlib.__version__,
        "median_update_ms": rows,
    }, indent=2) + "\n")  # fmt: skip
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
