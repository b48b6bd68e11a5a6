"""Shared pytest hooks."""

from __future__ import annotations

from importlib import metadata


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
