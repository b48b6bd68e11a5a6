"""dql_teach.compat and the library behaviours it covers, on whichever versions are installed.

``make test`` runs these with the newest releases, ``make test-colab`` with Colab's pinned
runtime (plotly 5.24, ipywidgets 7.7, IPython 7.34): every assertion must hold on both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ipywidgets
import nbformat
import plotly.graph_objects as go
import plotly.io as pio

from dql_teach import compat

ROOT = Path(__file__).resolve().parent.parent
PLOTLY_JSON = "application/vnd.plotly.v1+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# environment variables by which plotly picks a renderer of its own: none may leak into a test
RENDERER_HINTS = ("PLOTLY_RENDERER", "COLAB_NOTEBOOK_ID", "VSCODE_PID", "DQL_BOOK_BUILD")


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment with this checkout first on the path and no renderer hints."""
    env = {k: v for k, v in os.environ.items() if k not in RENDERER_HINTS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


def _execute(cells: list[str], tmp_path: Path, monkeypatch) -> list[list[dict]]:
    """Run ``cells`` in a fresh Jupyter kernel of this venv; the outputs of each cell."""
    from nbclient import NotebookClient

    for name, value in _clean_env().items():
        monkeypatch.setenv(name, value)
    for name in RENDERER_HINTS:
        monkeypatch.delenv(name, raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return [cell.outputs for cell in nb.cells]


def _stdout(outputs: list[dict]) -> str:
    return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


def _displayed(outputs: list[dict]) -> list[dict]:
    """The rich outputs (figures, widgets), not the text streams."""
    return [o for o in outputs if o["output_type"] in ("display_data", "execute_result")]


def _size(outputs: list[dict]) -> int:
    return sum(len(json.dumps(output)) for output in outputs)


def test_in_a_jupyter_kernel_figures_are_plotly_json_with_no_plotlyjs_in_the_cell(
    tmp_path, monkeypatch
):
    """plotly 5 would also put 4.5 MB of plotly.js into the cell per figure and per slider
    move (its ``notebook`` renderer); viz.show and the explorers emit the JSON alone."""
    setup, show, explorer, move = _execute(
        [
            "import plotly.graph_objects as go\nimport dql_teach\nfrom dql_teach import compat\n"
            "print(dql_teach.__file__)\nprint(compat.plotly_renderer())",
            "dql_teach.viz.show(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))",
            "from dql_teach.widgets import QuadricSurfaceExplorer\n"
            "explorer = QuadricSurfaceExplorer(resolution=8)\nexplorer",
            "explorer._controls['c'].value = 0.5  # a slider move\n"
            "print(explorer._box.model_id)\n"
            "print(sorted(explorer._output.outputs[0]['data']))",
        ],
        tmp_path,
        monkeypatch,
    )
    path, renderer = _stdout(setup).split()
    assert Path(path).is_relative_to(ROOT / "dql_teach"), f"the kernel imported {path}"
    assert renderer == "plotly_mimetype"
    (figure,) = _displayed(show)  # one output: no plotly.js beside it
    assert set(figure["data"]) == {PLOTLY_JSON}
    assert figure["data"][PLOTLY_JSON]["data"][0]["x"] == [0, 1]
    assert _size(show) < 50_000
    # the explorer displays as its ipywidgets view (ipywidgets 7 through _ipython_display_)
    (widget,) = _displayed(explorer)
    model_id, bundle = _stdout(move).splitlines()
    assert widget["data"][WIDGET_VIEW]["model_id"] == model_id
    assert bundle == str(sorted([PLOTLY_JSON, "text/plain"]))  # the Output holds the JSON
    assert _size(explorer) < 5_000
    assert _displayed(move) == [], "a slider move displayed something in the cell"


def test_in_colab_figures_are_html_that_loads_plotlyjs_from_a_cdn(tmp_path):
    """Colab draws plotly through plotly's ``colab`` renderer (it has no plotly extension).

    Colab is recognised as plotly does it: plotly 5 by ``import google.colab``, plotly 6+ by
    the ``COLAB_NOTEBOOK_ID`` variable, both only inside an IPython shell; all three are
    provided here.
    """
    fake = tmp_path / "fake" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance()\n"
        "import json\nimport plotly.graph_objects as go\nfrom dql_teach import compat\n"
        "bundle = compat.plotly_mimebundle(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))\n"
        "print(json.dumps({'renderer': compat.plotly_renderer(), 'bundle': bundle}))\n"
    )
    env = _clean_env(COLAB_NOTEBOOK_ID="test", IPYTHONDIR=str(tmp_path / "ipython"))
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "fake"), env["PYTHONPATH"]])
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.splitlines()[-1])
    assert shown["renderer"] == "colab"
    assert set(shown["bundle"]) == {"text/html"}
    html = shown["bundle"]["text/html"]
    assert "cdn.plot.ly" in html and "plotly-graph-div" in html and len(html) < 50_000


def test_outside_a_kernel_the_readers_renderer_is_kept(monkeypatch):
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))
    monkeypatch.setattr(pio.renderers, "default", "browser")
    assert compat.plotly_renderer() == "browser"
    assert compat.plotly_mimebundle(fig) == {}  # it opens a tab, it gives the notebook nothing
    # plotly 5's kernel default is only replaced inside a kernel (this is not one)
    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype+notebook")
    assert compat.plotly_renderer() == "plotly_mimetype+notebook"
    monkeypatch.setattr(pio.renderers, "default", "json")
    bundle = compat.plotly_mimebundle(fig)
    assert set(bundle) == {"application/json"}
    assert bundle["application/json"]["data"][0]["x"] == [0, 1]


# --- ipywidgets: what the explorers rely on, on 7.7 and 8.x alike ---------------------------


def test_observe_fires_once_per_change_and_not_for_an_equal_value():
    # _Explorer._on_change and _sync_controls depend on both halves
    slider = ipywidgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1)
    seen = []
    slider.observe(lambda change: seen.append((change["old"], change["new"])), names="value")
    slider.value = 0.3
    slider.value = 0.3
    slider.min = 0.1  # another trait: not observed
    assert seen == [(0.5, 0.3)]


def test_layout_display_hides_and_none_shows_again():
    slider = ipywidgets.FloatSlider()
    slider.layout.display = "none"
    assert slider.layout.display == "none"
    slider.layout.display = None  # ConicExplorer shows a slider again this way
    assert slider.layout.display is None


def test_output_takes_its_outputs_directly():
    # the explorers set Output.outputs instead of capturing display() (jupyter/nbclient#312)
    output = ipywidgets.Output()
    first = {"output_type": "display_data", "data": {"text/plain": "1"}, "metadata": {}}
    second = {"output_type": "display_data", "data": {"text/plain": "2"}, "metadata": {}}
    output.outputs = (first,)
    output.outputs = (second,)
    assert output.outputs == (second,)


def test_log_and_int_sliders_keep_the_values_the_playground_gives_them():
    assert ipywidgets.FloatLogSlider(value=0.05, base=10, min=-4, max=0).value == 0.05
    assert ipywidgets.IntSlider(value=300, min=10, max=2000, step=10).value == 300
