"""dql_teach.viz: the figures' numbers, checked against the quadric they draw."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import dql_teach as dql  # noqa: E402
from dql_teach import viz  # noqa: E402

Q = dql.conic_coefficients_to_quadric


@pytest.mark.parametrize(
    "coeffs, name",
    [((1, 0.5, 2, 0, 0, -1), "ellipse"), ((1, 0, -1, 0, 0, -0.5), "hyperbola"),
     ((1, 0, 0, 0, -1, 0), "parabola"), ((1, 0, 1, 0, 0, -1), "circle")],
)  # fmt: skip
def test_conic_points_lie_on_the_curve_and_title_names_it(coeffs, name):
    A, b, c = Q(*coeffs)
    lines = viz.conic_points(A, b, c, resolution=300)
    assert lines
    for line in lines:
        values = dql.evaluate_quadric(A.double(), b.double(), c.double(), torch.tensor(line))
        assert values.abs().max() < 2e-3  # linear interpolation on a 300-point grid
    ax = viz.plot_conic(A, b, c)
    assert ax.get_title() == name
    drawn = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert len(drawn) == len(lines)


def test_plot_conic_degenerate_and_non_finite_inputs_draw_with_a_message():
    assert viz.plot_conic(*Q(0, 0, 0, 0, 0, 0)).get_title().startswith("zero everywhere")
    assert "degenerate" in viz.plot_conic(*Q(1, 0, 0, 0, 0, 0)).get_title()
    assert "no curve in view" in viz.plot_conic(*Q(1, 0, 1, 0, 0, 1)).get_title()
    title = viz.plot_conic(torch.full((2, 2), float("nan")), torch.zeros(2), 0.0).get_title()
    assert "not finite" in title
    huge = viz.plot_conic(*Q(1e30, 0, 1e30, 0, 0, -1e30))
    assert huge.get_title() == "circle"


def test_decision_grid_matches_the_model_and_is_batched():
    layer = dql.QuadricLinear(2, 1)
    xs, ys, scores = viz.decision_grid(layer, (-1, 1), (-2, 2), resolution=50)
    assert xs.shape == (50,) and ys.shape == (50,) and scores.shape == (50, 50)
    point = torch.tensor([[xs[7], ys[31]]], dtype=torch.float32)
    assert scores[31, 7] == pytest.approx(layer(point).item(), abs=1e-6)
    two = nn.Linear(2, 2)
    _, _, s2 = viz.decision_grid(two, resolution=10)
    assert s2.shape == (10, 10)


def test_plot_decision_surface_survives_nan_models():
    X, y = dql.make_dataset("circles", 100)
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(float("nan"))
    ax = viz.plot_decision_surface(model, X, y)
    assert "NaN" in ax.get_title()


def test_compare_decision_surfaces_titles_count_and_accuracy():
    X, y = dql.make_dataset("circles", 200)
    fig = viz.compare_decision_surfaces(
        {"linear": nn.Linear(2, 1), "fan": dql.FanQuadric(2, 1)}, X, y
    )
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("linear\n3 params,") and titles[1].startswith("fan\n9 params,")


@pytest.mark.parametrize(
    "diag, b, c, name",
    [
        ((1, 1, 1), (0, 0, 0), -1, "sphere"),
        ((1, 1, -1), (0, 0, 0), -0.5, "hyperboloid of one sheet"),
        ((1, 1, 0), (0, 0, -1), 0, "elliptic paraboloid"),
        ((1, 1, 0), (0, 0, 0), -1, "elliptic cylinder"),
    ],
)
def test_quadric_surface_mesh_lies_on_the_level_set(diag, b, c, name):
    A, b = torch.diag(torch.tensor(diag, dtype=torch.float64)), torch.tensor(b, dtype=torch.float64)
    fig = viz.quadric_surface_3d(A, b, c)
    assert fig.layout.title.text == name
    surfaces = [t for t in fig.data if t.type == "surface"]
    assert surfaces
    for s in surfaces:
        pts = np.stack([np.asarray(s.x, float), np.asarray(s.y, float), np.asarray(s.z, float)], -1)
        pts = pts[np.isfinite(pts).all(-1)]
        assert len(pts) > 0
        values = dql.evaluate_quadric(
            A, b, torch.tensor(float(c), dtype=torch.float64), torch.tensor(pts)
        )
        assert values.abs().max() < 1e-9


def test_quadric_surface_with_data_and_bad_inputs():
    X, y = dql.make_dataset("shells", 100)
    fig = viz.quadric_surface_3d(torch.eye(3), torch.zeros(3), -0.5, X, y)
    assert sum(t.type == "scatter3d" for t in fig.data) == 2
    nan = viz.quadric_surface_3d(torch.full((3, 3), float("nan")), torch.zeros(3), 0.0)
    assert "not finite" in nan.layout.title.text


def test_slider_figure_frames_follow_the_swept_coefficient():
    values = [-1.5, -1.0, -0.5, 0.25]
    fig = viz.conic_slider_figure("f", values)
    assert len(fig.frames) == len(fig.layout.sliders[0].steps) == 4
    for frame, f in zip(fig.frames, values):
        xs = np.array([v for v in frame.data[0].x if v is not None], float)
        ys = np.array([v for v in frame.data[0].y if v is not None], float)
        if f < 0:  # x² + y² = -f: a circle of radius sqrt(-f)
            assert np.allclose(np.hypot(xs, ys), np.sqrt(-f), atol=2e-2)
            assert frame.layout.title.text.endswith("circle")
        else:
            assert len(xs) == 0 and frame.layout.title.text.endswith("empty")
    assert [s.label for s in fig.layout.sliders[0].steps] == ["-1.5", "-1", "-0.5", "0.25"]
    with pytest.raises(ValueError, match="coefficient must be one of"):
        viz.conic_slider_figure("z")
    with pytest.raises(ValueError, match="at least one"):
        viz.slider_figure(lambda v: [], [])


def test_show_emits_a_div_without_plotlyjs_during_book_build(monkeypatch):
    shown = []
    monkeypatch.setenv("DQL_BOOK_BUILD", "1")
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    viz.show(viz.conic_slider_figure("f", [-1.0]))
    html = shown[0].data
    assert "<div" in html and "Plotly.newPlot" in html and "cdn.plot.ly" not in html
    assert "plotly.min.js" not in html and len(html) < 200_000
