"""Shared pytest hooks."""

from __future__ import annotations

import os
from importlib import metadata

# Under pytest-xdist (make test runs one worker per core) each worker, and every process it
# starts (notebook kernels, the book build, the distributed test's workers), computes on one
# thread: two workers with a thread per core each oversubscribe the cores, and OpenMP's
# spinning then made episode 3's CNN cell six times slower (40 s against 6.6 s).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def pytest_terminal_summary(terminalreporter) -> None:
    """List each executed episode's time (the ``execution_s`` property of test_notebooks.py),
    with the versions it ran on: ``make test`` and ``make test-colab`` each report theirs."""
    rows = [
        (value, report.nodeid, outcome)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for key, value in getattr(report, "user_properties", ())
        if key == "execution_s"
    ]
    if not rows:
        return
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("torch", "ipywidgets", "plotly", "matplotlib")
    )
    terminalreporter.write_sep("-", f"episode execution times ({versions})")
    for seconds, nodeid, outcome in rows:
        terminalreporter.write_line(
            f"{seconds:6.1f} s  {nodeid.split('[')[-1].rstrip(']')}  {outcome}"
        )
