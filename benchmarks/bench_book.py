"""Reader's time: each episode executed in a fresh kernel, and the whole book built from a
cold cache.

1. Every ``book/*.ipynb`` that exists (episodes are added over time) is executed with
   ``nbclient`` in a fresh ``python3`` kernel, from the ``book/`` folder as the book build
   runs it; the time includes the kernel start. A failing notebook is recorded with its
   error, and the others still run.
2. ``jupyter-book build --all .`` runs with its build folder in a fresh temporary
   directory (no ``_build`` cache, ``execute_notebooks: force``), so every notebook executes
   again: this is the time a cold CI build takes.

Usage::

    python benchmarks/bench_book.py              # both
    python benchmarks/bench_book.py --no-build   # episodes only
    python benchmarks/bench_book.py --quick      # episodes only, the first one

Writes ``benchmarks/results/book.json``. Target (issue 5): the whole book executed and built
from a cold cache in under 5 minutes on the 2-core CPU.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, machine_info, write_results

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
TARGET_BUILD_S = 300


def execute(path: Path, timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    )
    start = time.perf_counter()
    try:
        client.execute()
        error = None
    except Exception as exc:  # record it and go on with the other episodes
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc) else ''}"
    seconds = time.perf_counter() - start
    code_cells = sum(cell.cell_type == "code" for cell in nb.cells)
    return {"notebook": path.name, "seconds": seconds, "code_cells": code_cells, "error": error}


def build(timeout: int) -> dict:
    """``jupyter-book build --all`` into an empty folder: a cold cache."""
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else "jupyter-book", "build", "--all"]
    with tempfile.TemporaryDirectory(prefix="dql-book-") as tmp:
        command += ["--path-output", tmp, str(ROOT)]
        env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")
        start = time.perf_counter()
        proc = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        seconds = time.perf_counter() - start
        html = Path(tmp) / "_build" / "html"
        pages = len(list(html.rglob("*.html"))) if html.exists() else 0
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
    # Sphinx's "WARNING: ..." lines, not the kernels' "[IPKernelApp] WARNING | ..." notices
    warnings = sum("WARNING:" in line for line in (proc.stdout + proc.stderr).splitlines())
    return {
        "command": " ".join(command[:3]) + " --path-output <empty temporary folder> .",
        "seconds": seconds,
        "returncode": proc.returncode,
        "html_pages": pages,
        "warnings": warnings,
        "output_tail": tail,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="skip jupyter-book build")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook")
    parser.add_argument("--quick", action="store_true", help="first episode only, no build")
    parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(BOOK.glob("*.ipynb"))
    if args.quick:
        paths, args.no_build = paths[:1], True
    episodes = []
    for path in paths:
        episodes.append(execute(path, args.timeout))
        e = episodes[-1]
        print(
            f"{e['notebook']:40s} {e['seconds']:7.1f} s" + (f"  {e['error']}" if e["error"] else "")
        )
    result = {
        "machine": machine_info(),
        "episodes": episodes,
        "episodes_total_s": sum(e["seconds"] for e in episodes),
        "build": None,
        "target_build_s": TARGET_BUILD_S,
    }
    print(f"{'all episodes':40s} {result['episodes_total_s']:7.1f} s")
    if not args.no_build:
        if (
            shutil.which("jupyter-book") is None
            and not Path(sys.executable).with_name("jupyter-book").exists()
        ):
            raise SystemExit("jupyter-book is not installed in this environment")
        result["build"] = build(timeout=3600)
        b = result["build"]
        print(f"{'jupyter-book build --all (cold)':40s} {b['seconds']:7.1f} s  "
              f"rc={b['returncode']} pages={b['html_pages']} warnings={b['warnings']}")  # fmt: skip
    out = RESULTS / ("book-quick.json" if args.quick else "book.json")
    write_results(out, result)
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
