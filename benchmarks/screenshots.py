"""Render every widget's figure (and the book's plotly figures) to PNG, to look at them; or
photograph every page of the built book.

Run: ``.venv/bin/python benchmarks/screenshots.py [OUT_DIR]`` (default ``benchmarks/screenshots/``,
which git ignores). Matplotlib figures are saved directly; plotly figures are written to a
self-contained HTML file (plotly.js from the installed package, inline: no network) and
photographed with headless Chromium (``bash scripts/ensure-chromium.sh``), so no kaleido is
needed. Prints one line per file; a human (or an image viewer) checks them.

``--pages`` photographs every page of the built book (``_build/html``, after
``jupyter-book build --all .``) as a reader sees it, at 1400 px (desktop; also in the dark
theme) and at 390 px (a phone: mobile viewport, touch, device pixel ratio 2), in segments of
one tall screen each (``<page>-<size>-NN.png``), so a long page can be looked at piece by piece.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import plotly.graph_objects as go  # noqa: E402
import torch  # noqa: E402

import dql_teach as dql  # noqa: E402
from dql_teach import viz  # noqa: E402
from dql_teach.widgets import (  # noqa: E402
    ConicExplorer,
    NeuronFormExplorer,
    QuadricSurfaceExplorer,
    TrainingPlayground,
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-unsafe-swiftshader",  # software WebGL for plotly's 3-D scenes
    "--virtual-time-budget=10000",
]


def plotly_png(fig: go.Figure, path: Path, size=(760, 620)) -> None:
    """Screenshot a plotly figure with headless Chromium, offline."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"skip {path.name}: chromium is not installed (bash scripts/ensure-chromium.sh)")
        return
    fig = go.Figure(fig).update_layout(width=size[0] - 20, height=size[1] - 20)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "figure.html"
        fig.write_html(html, include_plotlyjs=True, auto_play=False, full_html=True)
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
             f"--window-size={size[0]},{size[1]}", f"--screenshot={path}", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def frame_figure(fig: go.Figure, index: int) -> go.Figure:
    """The slider figure as it looks after clicking step ``index``."""
    frame = fig.frames[index]
    out = go.Figure(data=frame.data, layout=fig.layout)
    out.update_layout(title_text=frame.layout.title.text)
    out.layout.sliders[0].active = index
    return out


def page_screenshots(out: Path, segment: int = 3000) -> None:
    """Every page of ``_build/html`` at 1400 px (light and dark) and 390 px, in segments."""
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("browser", root / "tests" / "browser.py")
    browser_mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(browser_mod)
    html = root / "_build" / "html"
    toc = __import__("yaml").safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for c in toc.get("chapters", [])]
    sizes = {"desktop": (1400, 1, False, "light"), "dark": (1400, 1, False, "dark"),
             "phone": (390, 2, True, "light")}  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    with browser_mod.Browser() as browser:
        for name in pages:
            for size, (width, scale, mobile, theme) in sizes.items():
                page = browser.open((html / f"{name}.html").as_uri(), width, 900,
                                    scale=scale, mobile=mobile)  # fmt: skip
                page.send("Page.bringToFront")
                if theme == "dark":
                    page.eval("document.documentElement.dataset.theme = 'dark'")
                    page.pump(1.5)
                page.send("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": segment, "deviceScaleFactor": scale,
                           "mobile": mobile})  # fmt: skip
                page.pump(0.8)
                height = page.eval("document.documentElement.scrollHeight")
                for k, top in enumerate(range(0, height, segment)):
                    page.eval(f"window.scrollTo(0, {top})")
                    page.pump(0.4)
                    data = page.send("Page.captureScreenshot", {"format": "png"})["data"]
                    path = out / f"{Path(name).name}-{size}-{k:02d}.png"
                    path.write_bytes(__import__("base64").b64decode(data))
                print(f"{name} {size}: {height} px in {k + 1} screenshots")
                page.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    matplotlib_figures = {
        "conic_explorer_default": ConicExplorer(),
        "conic_explorer_tilted_ellipse": ConicExplorer(a11=2.0, a12=0.75, a22=1.0, c=-1.0),
        "conic_explorer_eigen_hyperbola": ConicExplorer(
            mode="eigen", lambda1=1.0, lambda2=-0.5, angle=30.0, b1=0.5, c=-0.5
        ),
        "conic_explorer_degenerate_zero": ConicExplorer(a11=0.0, a22=0.0, c=0.0),
        "conic_explorer_double_line": ConicExplorer(a11=1.0, a22=0.0, b1=-1.0, c=0.25),
        "neuron_form_hadamard": NeuronFormExplorer(form="hadamard"),
        "neuron_form_fan": NeuronFormExplorer(form="fan"),
        "neuron_form_lowrank": NeuronFormExplorer(form="lowrank"),
        "playground_before_training": TrainingPlayground(dataset="moons"),
        "playground_full_circles": TrainingPlayground(dataset="circles", form="full").train(),
        "playground_linear_circles": TrainingPlayground(dataset="circles", form="linear").train(),
        "playground_hadamard_moons_8": TrainingPlayground(
            dataset="moons", form="hadamard", hidden=8, epochs=500
        ).train(),
        "playground_diverged": TrainingPlayground(dataset="xor", lr=1.0, epochs=50),
    }
    diverged = matplotlib_figures["playground_diverged"]
    nan_layer = torch.nn.Linear(2, 1)
    with torch.no_grad():
        nan_layer.weight.fill_(float("nan"))
    diverged.build_model = lambda: nan_layer
    diverged.train()
    for name, widget in matplotlib_figures.items():
        (out / f"{name}.png").write_bytes(widget.png())
        print(f"{name}.png: {widget.figure.axes[-1].get_title()!r}")

    X, y = dql.make_dataset("circles", 300, noise=0.05)
    models = {"linear": torch.nn.Linear(2, 1)}
    models.update({form: dql.make_layer(form, 2, 1) for form in ("diagonal", "full", "hadamard")})
    for model in models.values():
        dql.fit(model, X, y, epochs=300, lr=0.05, progress=False)
    fig = viz.compare_decision_surfaces(models, X, y)
    fig.savefig(out / "compare_decision_surfaces.png", dpi=100, bbox_inches="tight")
    print("compare_decision_surfaces.png")

    X3, y3 = dql.make_dataset("shells", 600)
    plotly_figures = {
        "surface_explorer_sphere": QuadricSurfaceExplorer().figure,
        "surface_explorer_one_sheet": QuadricSurfaceExplorer(lambda3=-1.0, c=-0.5).figure,
        "surface_explorer_two_sheets": QuadricSurfaceExplorer(lambda3=-1.0, c=0.5).figure,
        "surface_explorer_hyperbolic_paraboloid": QuadricSurfaceExplorer(
            lambda2=-1.0, lambda3=0.0, b3=-1.0, c=0.0, angle=30.0
        ).figure,
        "surface_explorer_cone": QuadricSurfaceExplorer(lambda3=-1.0, c=0.0).figure,
        "surface_with_shells_data": viz.quadric_surface_3d(
            torch.eye(3), torch.zeros(3), -(1.1**2), X3, y3, resolution=30
        ),
    }
    sweep = viz.conic_slider_figure("c", [-1.5, -0.5, 0.0, 0.5])
    plotly_figures["conic_slider_step0"] = frame_figure(sweep, 0)
    plotly_figures["conic_slider_step2"] = frame_figure(sweep, 2)
    for name, fig in plotly_figures.items():
        plotly_png(fig, out / f"{name}.png")
        print(f"{name}.png: {fig.layout.title.text!r}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--pages"]
    folder = Path(args[0]) if args else Path(__file__).parent / "screenshots"
    page_screenshots(folder) if "--pages" in sys.argv[1:] else main(folder)
