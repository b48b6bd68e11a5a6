"""Widgets driven with no browser: construct, update, move controls, assert on the figures."""

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import dql_teach as dql  # noqa: E402
from dql_teach import viz  # noqa: E402
from dql_teach.widgets import (  # noqa: E402
    ConicExplorer,
    NeuronFormExplorer,
    QuadricSurfaceExplorer,
    TrainingPlayground,
)


def curve_points(explorer):
    return [line for line in explorer.figure.axes[0].lines if line.get_linestyle() == "-"]


def test_conic_explorer_updates_curve_and_type():
    explorer = ConicExplorer()
    assert explorer.figure.axes[0].get_title() == "circle"
    for coeffs, name in [
        ({"a": 1.0, "c": -1.0, "f": -1.0}, "hyperbola"),
        ({"a": 1.0, "b": 0.0, "c": 0.0, "e": -1.0, "f": 0.0}, "parabola"),
        ({"a": 2.0, "b": 1.0, "c": 1.0, "e": 0.0, "f": -1.0}, "ellipse"),
    ]:
        explorer.update(**coeffs)
        assert explorer.figure.axes[0].get_title() == name
        A, b, c = explorer.quadric()
        for line in curve_points(explorer):
            xy = torch.tensor(np.column_stack(line.get_data()), dtype=torch.float64)
            assert dql.evaluate_quadric(A.double(), b.double(), c.double(), xy).abs().max() < 5e-3


def test_conic_explorer_eigen_mode_and_degenerate_values():
    explorer = ConicExplorer(mode="eigen", lambda1=1.0, lambda2=3.0, angle=30.0, f=-1.0)
    a, b, c, *_ = explorer.coefficients()
    t = math.radians(30)
    assert b == pytest.approx(2 * (1.0 - 3.0) * math.sin(t) * math.cos(t))
    assert explorer.figure.axes[0].get_title() == "ellipse"
    explorer.update(lambda1=-1.0)
    assert explorer.figure.axes[0].get_title() == "hyperbola"
    zero = ConicExplorer(a=0.0, b=0.0, c=0.0, d=0.0, e=0.0, f=0.0)
    assert zero.figure.axes[0].get_title().startswith("zero everywhere")


def test_conic_explorer_controls_fire_the_same_update():
    explorer = ConicExplorer()
    explorer.widget()
    explorer._controls["c"].value = -1.0  # what a slider drag does
    assert explorer.c == -1.0 and explorer.figure.axes[0].get_title() == "hyperbola"
    explorer.update(c=1.0)  # and update() moves the slider back
    assert explorer._controls["c"].value == 1.0


def test_widgets_validate_their_arguments():
    with pytest.raises(TypeError, match="unknown argument 'g'"):
        ConicExplorer(g=1.0)
    with pytest.raises(ValueError, match="a must be between -3.0 and 3.0, got 10"):
        ConicExplorer(a=10)
    with pytest.raises(ValueError, match="mode must be one of"):
        ConicExplorer(mode="polar")
    with pytest.raises(TypeError, match="must be a number"):
        QuadricSurfaceExplorer(l1="big")
    with pytest.raises(ValueError, match="dataset must be one of"):
        TrainingPlayground(dataset="mnist")
    with pytest.raises(ValueError, match="p7: the linear neuron has 3 parameters"):
        NeuronFormExplorer(form="linear", p7=1.0)


@pytest.mark.parametrize(
    "values, name",
    [
        ({}, "sphere"),
        ({"l3": -1.0, "c": -0.5}, "hyperboloid of one sheet"),
        ({"l3": -1.0, "c": 0.5}, "hyperboloid of two sheets"),
        ({"l3": 0.0, "bz": -1.0, "c": 0.0}, "elliptic paraboloid"),
        ({"l3": 0.0, "c": -1.0, "angle": 30.0}, "elliptic cylinder"),
    ],
)
def test_quadric_surface_explorer_mesh_on_level_set(values, name):
    explorer = QuadricSurfaceExplorer(**values)
    assert explorer.figure.layout.title.text == name
    A, b, c = explorer.quadric()
    for trace in explorer.figure.data:
        pts = np.stack([np.asarray(trace.x, float), np.asarray(trace.y, float),
                        np.asarray(trace.z, float)], -1)  # fmt: skip
        pts = torch.tensor(pts[np.isfinite(pts).all(-1)])
        values_on_mesh = dql.evaluate_quadric(A, b, torch.tensor(c, dtype=torch.float64), pts)
        assert values_on_mesh.abs().max() < 1e-9


def test_neuron_form_explorer_hadamard_never_draws_an_ellipse():
    explorer = NeuronFormExplorer(form="hadamard")
    assert len(explorer.values) == 3 * 2 + 1
    rng = np.random.default_rng(0)
    for _ in range(20):
        explorer.update(**{f"p{i}": float(v) for i, v in enumerate(rng.uniform(-2, 2, 7))})
        title = explorer.figure.axes[0].get_title()
        assert "ellipse" not in title and "circle" not in title
    explorer.update(form="full", p0=1.0, p1=0.0, p2=1.0, p3=0.0, p4=0.0, p5=-0.5)
    assert explorer.figure.axes[0].get_title() == "full: circle"
    A, b, c = viz.quadric_of(explorer.layer)
    assert torch.allclose(A, torch.eye(2))


def test_training_playground_trains_and_draws():
    playground = TrainingPlayground(dataset="circles", form="full", hidden=0, epochs=200)
    assert playground.figure.axes[1].get_title() == "press Train"
    playground.train()
    assert playground.accuracy > 0.95 and len(playground.history.loss) == 200
    assert playground.figure.axes[1].get_title().startswith("full: 6 params, ")
    playground.update(form="linear")
    playground.train()
    assert playground.accuracy < 0.7
    playground.update(form="hadamard", hidden=4, dataset="moons", epochs=100)
    playground.train()
    assert playground.parameters == 4 * (3 * 2 + 1) + 4 + 1


def test_training_playground_diverged_run_is_drawn_not_raised():
    playground = TrainingPlayground(dataset="xor", form="full", lr=1.0, epochs=50)
    playground.build_model = lambda: _nan_model()
    playground.train()
    assert "lower learning rate" in playground.figure.axes[1].get_title()


def _nan_model():
    layer = torch.nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.fill_(float("nan"))
    return layer


def test_static_book_display_is_a_snapshot(monkeypatch):
    shown = []
    monkeypatch.setenv("DQL_BOOK_BUILD", "1")
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    ConicExplorer()._ipython_display_()
    assert shown[0].data[:8] == b"\x89PNG\r\n\x1a\n"
