"""What episode 1 (book/01_motivation.ipynb) states, checked against the library.

The episode's slider figures are rebuilt from the notebook's own cells, so a change of their
values is checked too; the other tests are the identities the episode shows with a cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

import dql_teach as dql

EPISODE = Path(__file__).resolve().parent.parent / "book" / "01_motivation.ipynb"


def slider_figures() -> list:
    """Every ``conic_slider_figure`` the episode draws, built by running its cell."""
    figures = []
    viz = dql.viz
    for cell in nbformat.read(EPISODE, as_version=4).cells:
        if cell.cell_type == "code" and "conic_slider_figure" in cell.source:
            shown = []

            class Viz:  # the notebook's dql.viz, with show() keeping the figure
                conic_slider_figure = staticmethod(viz.conic_slider_figure)
                show = staticmethod(shown.append)

            class Dql:
                viz = Viz

            exec(cell.source, {"dql": Dql})
            figures += shown
    return figures


FIGURES = slider_figures()


def test_the_episode_draws_its_two_slider_figures():
    assert len(FIGURES) == 2


@pytest.mark.parametrize("index", range(len(FIGURES)))
def test_every_step_shows_the_curve_its_title_names(index):
    """A bounded curve (circle, ellipse) lies wholly inside the window, not cut by its edge;
    an unbounded one (hyperbola, lines) has points in view; an empty one has none."""
    fig = FIGURES[index]
    lim = fig.layout.xaxis.range[1]
    assert list(fig.layout.xaxis.range) == [-lim, lim] == list(fig.layout.yaxis.range)
    for frame in fig.frames:
        title = frame.layout.title.text
        trace = frame.data[0]
        xy = np.array([(x, y) for x, y in zip(trace.x, trace.y) if x is not None], float)
        if title.endswith(": empty"):
            assert not len(xy), f"{title!r}: an empty conic draws nothing"
            continue
        assert len(xy), f"{title!r}: no curve in view"
        if re.search(r"circle|ellipse", title):
            assert np.abs(xy).max() < 0.98 * lim, f"{title!r}: the curve runs out of the window"
            assert np.allclose(xy[0], xy[-1], atol=0.05), f"{title!r}: the curve is not closed"


def test_a_linear_neuron_on_squared_inputs_is_the_diagonal_neuron_without_linear_term():
    torch.manual_seed(0)
    line = nn.Linear(2, 3)
    neuron = dql.DiagonalQuadric(2, 3)
    with torch.no_grad():
        neuron.weight_sq.copy_(line.weight)
        neuron.weight.zero_()
        neuron.bias.copy_(line.bias)
    X = torch.randn(50, 2)
    torch.testing.assert_close(neuron(X), line(X**2))


def test_playground_features_feed_one_unit_the_full_quadric():
    """TensorFlow Playground's inputs X1, X2, X1², X2², X1X2 into one unit (bias + weighted
    sum, its src/nn.ts) compute x^T A x + b·x + c, with a12 half the weight of X1X2."""
    torch.manual_seed(0)
    full = dql.QuadricLinear(2, 1)
    dql.randomize_(full, generator=torch.Generator().manual_seed(1))
    q11, q12, q22 = full.weight_quad[0]
    unit = nn.Linear(5, 1)
    with torch.no_grad():
        unit.weight.copy_(torch.stack([*full.weight[0], q11, q22, q12])[None])
        unit.bias.copy_(full.bias)
    X = torch.randn(50, 2)
    features = torch.cat([X, X**2, X[:, :1] * X[:, 1:]], dim=1)
    torch.testing.assert_close(unit(features), full(X))
    A, b, c = full.as_quadric()
    assert torch.allclose(2 * A[0, 0, 1], q12)  # a12 is half the X1X2 weight
    torch.testing.assert_close(dql.evaluate_quadric(A[0], b[0], c[0], X), full(X)[:, 0])


@pytest.mark.parametrize("name", ["xor", "circles"])
def test_no_line_separates_the_episodes_data(name):
    """Even the most accurate line (search over directions and cuts) misclassifies a large
    share of the points; what the episode's table shows per seed, here on all 1000."""
    X, y = dql.make_dataset(name, n_samples=1000, seed=0)
    assert dql.evaluate(dql.best_line(X, y), X, y) < 0.75


def exercise_solution(number: int) -> str:
    """The text of exercise ``number``'s question and solution, up to the next exercise."""
    text = "\n".join(
        c.source for c in nbformat.read(EPISODE, as_version=4).cells if c.cell_type == "markdown"
    )
    exercises = text.split("## Exercises", 1)[1]
    match = re.search(rf"(?ms)^{number}\. .*?(?=^{number + 1}\. |^## )", exercises)
    assert match, f"exercise {number} not found"
    return match.group(0)


@pytest.mark.parametrize("seed", range(3))
def test_exercise_4_measures_the_x1x2_neuron_on_held_out_points_near_one(seed):
    """The solution's code trains on one part and evaluates on the other, as section 1.3's rule
    asks; the trained neuron comes near the exact separation its text derives."""
    import ast

    code = re.search(r"```python\n(.*?)```", exercise_solution(4), re.S).group(1)
    assert "train_test_split" in code
    tree = ast.parse(code)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr) and "f_te" in ast.unparse(last)
    scope = {"dql": dql, "nn": nn, "torch": torch}
    torch.manual_seed(seed)
    exec(compile(tree, "exercise 4", "exec"), scope)
    accuracy = eval(compile(ast.Expression(last.value), "exercise 4", "eval"), scope)
    assert 0.95 <= accuracy <= 1.0


@pytest.mark.parametrize(
    "w1, w2, c, names",
    [
        (1.0, 2.0, -1.0, {"ellipse"}),
        (1.0, 1.0, -1.0, {"circle"}),  # equal weights: the ellipse is a circle
        (1.0, 2.0, 1.0, {"empty"}),
        (1.0, 2.0, 0.0, {"point"}),
        (1.0, -2.0, 1.0, {"hyperbola"}),
        (1.0, -2.0, 0.0, {"intersecting lines"}),
    ],
)
def test_exercise_6_cases_are_what_classify_quadric_names(w1, w2, c, names):
    """Exercise 6 tells the reader to check each sign case with classify_quadric: its text uses
    the names classify_quadric returns."""
    name = dql.classify_quadric(*dql.conic_to_quadric(w1, 0, w2, 0, 0, c)).name
    assert name in names
    text = exercise_solution(6)
    if name in ("ellipse", "hyperbola", "intersecting lines"):
        assert name in text
    assert "crossing" not in text
