"""How fast the in-page playground trains and redraws, in headless Chromium.

Run: ``.venv/bin/python benchmarks/bench_playground.py [--screenshots DIR]``. Prints the figures
and writes ``benchmarks/results/playground.json``. Targets (issue 12), on the 2-core machine:

- 300 full-batch epochs of a 2-8-1 network on 300 points in at most 1 s (``train(300)``);
- a redraw of the 200 x 200 decision grid with the overlays (each hidden neuron's conic, the
  boundary, the data, the loss curve, the readouts) in at most 16 ms median (``render()``), so
  a slider can move at 60 frames per second.

The page is the standalone one the tests open (script and style as files, ``file://``). Each
figure is the median of several runs; the load average is recorded next to them, since other
work on a shared machine stretches every timing. With ``--screenshots`` it also photographs
the page at 1400 px (desktop) and 390 px (a phone, device pixel ratio 2), light and dark.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import tempfile
from pathlib import Path

from _common import RESULTS, machine_info, write_results

from dql_teach.playground import page_document, playground, write_static_files

ROOT = Path(__file__).resolve().parent.parent
ROOTS = "[...document.querySelectorAll('[data-dql-playground]')]"
TRAIN_TARGET_MS, RENDER_TARGET_MS = 1000, 16


def _browser_module():
    spec = importlib.util.spec_from_file_location("browser", ROOT / "tests" / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(page, expression: str, index: int = 0):
    """Evaluate ``expression`` with ``p`` the controller of the index-th playground."""
    controller = f"{ROOTS}[{index}].dqlPlayground"
    return page.eval(f"(async () => {{ const p = {controller}; {expression} }})()")


def train_ms(page, form: str, repeats: int) -> list[float]:
    """``train(300)`` of a fresh 2-8-1 network on 300 points (all of them training points)."""
    times = []
    for seed in range(repeats):
        settings = {"dataset": "circles", "form": form, "hidden": 8, "points": 300,
                    "testFraction": 0, "seed": seed}  # fmt: skip
        result = _call(page, f"p.set({json.dumps(settings)}); return await p.train(300);")
        times.append(result["ms"])
    return times


def render_ms(page, hidden: int, repeats: int) -> dict:
    """``render()`` after 300 epochs: the total, and where the time goes (median ms)."""
    settings = {"dataset": "circles", "form": "full", "hidden": hidden, "points": 300, "seed": 0}
    _call(page, f"p.set({json.dumps(settings)}); await p.train(300);")
    return _call(
        page,
        f"""
      const total = [], parts = {{}};
      p.render();  // warm-up
      for (let i = 0; i < {repeats}; i++) {{
        total.push(p.render());
        for (const [k, v] of Object.entries(p.timings)) (parts[k] = parts[k] || []).push(v);
      }}
      return {{total, parts}};""",
    )


def _median(values) -> float:
    return round(statistics.median(values), 2)


def screenshots(browser, url: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height, scale, mobile in [(1400, 1000, 1, False), (390, 844, 2, True)]:
        for theme in ("light", "dark"):
            page = browser.open(url, width=width, height=height, scale=scale, mobile=mobile)
            page.send("Page.bringToFront")
            page.eval(f"document.documentElement.dataset.theme = '{theme}'")
            _call(page, "await p.train(300);", 0)
            _call(page, "await p.train(300);", 1)
            page.pump(0.3)
            path = out / f"playground-{width}-{theme}.png"
            page.screenshot(path, width=width)
            assert page.messages == [], page.messages
            page.close()
            shots.append(path)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for the PNGs")
    args = parser.parse_args()
    browser_mod = _browser_module()
    with tempfile.TemporaryDirectory() as tmp, browser_mod.Browser() as browser:
        site = Path(tmp)
        write_static_files(site)
        page_file = site / "index.html"
        page_file.write_text(page_document(
            playground("hybrid-spirals"), playground("coefficients-hadamard"),
            script_src="dql-playground.js", style_href="dql-playground.css",
        ))  # fmt: skip
        version = browser.send("Browser.getVersion")["product"]
        runs = {}
        for scale in (1, 2):
            page = browser.open(page_file.as_uri(), width=1400, height=1000, scale=scale)
            page.send("Page.bringToFront")
            if scale == 1:
                for form in ("full", "linear", "diagonal", "fan", "hadamard", "lowrank"):
                    runs[f"train_300_epochs_2-8-1_{form}_ms"] = train_ms(page, form, args.repeats)
            for hidden in (8, 0):
                timing = render_ms(page, hidden, 4 * args.repeats + 1)
                key = f"render_200x200_{'2-8-1' if hidden else 'one_neuron'}_dpr{scale}_ms"
                runs[key] = timing["total"]
                runs[key.replace("_ms", "_parts_median_ms")] = {
                    k: _median(v) for k, v in timing["parts"].items()
                }
            assert page.messages == [], page.messages
            page.close()
        shots = []
        if args.screenshots:
            shots = screenshots(browser, page_file.as_uri(), args.screenshots)
    medians = {k: (_median(v) if isinstance(v, list) else v) for k, v in runs.items()}
    result = {
        "machine": machine_info(),
        "chromium": version,
        "targets_ms": {
            "train_300_epochs_2-8-1": TRAIN_TARGET_MS,
            "render_200x200": RENDER_TARGET_MS,
        },
        "median_ms": medians,
        "all_ms": {k: [round(x, 2) for x in v] for k, v in runs.items() if isinstance(v, list)},
    }
    write_results(RESULTS / "playground.json", result, "chromium")
    print(f"{version}, {result['machine']['cpu']} ({result['machine']['cpu_count']} cores), "
          f"load {result['machine']['load_average']}")  # fmt: skip
    for key, value in medians.items():
        if isinstance(value, dict):
            print(f"  {key:52s} " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            target = TRAIN_TARGET_MS if key.startswith("train") else RENDER_TARGET_MS
            print(f"  {key:52s} {value:8.1f} ms   (target <= {target} ms)")
    for path in shots:
        print(f"  screenshot {path}")
    print(f"wrote {RESULTS / 'playground.json'}")


if __name__ == "__main__":
    main()
