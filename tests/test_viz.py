"""dql_teach.viz: the figures' numbers, checked against the quadric they draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import dql_teach as dql  # noqa: E402
from dql_teach import viz  # noqa: E402

Q = dql.conic_coefficients_to_quadric


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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
    zero = viz.plot_conic(*Q(0, 0, 0, 0, 0, 0))
    assert zero.get_title() == "zero everywhere: all coefficients 0" and not zero.images
    assert viz.plot_conic(*Q(1, 0, 1, 0, 0, 1)).get_title() == "empty: q > 0 everywhere, one region"
    assert viz.plot_conic(*Q(0, 0, 0, 0, 0, -2)).get_title().startswith("no curve: q < 0")
    assert viz.plot_conic(*Q(1, 0, 1, 0, 0, -100)).get_title() == "circle: no curve in view"
    title = viz.plot_conic(torch.full((2, 2), float("nan")), torch.zeros(2), 0.0).get_title()
    assert "not finite" in title
    inf = viz.plot_conic(torch.eye(2), torch.tensor([float("inf"), 0.0]), 0.0)
    assert "not finite" in inf.get_title()
    # q = 0 does not change when q is scaled: huge and tiny coefficients draw the same circle
    for scale in (1e-30, 1e30, 1e300):
        A, b, c = (t.double() * scale for t in Q(1, 0, 1, 0, 0, -1))
        ax = viz.plot_conic(A, b, c)
        assert ax.get_title() == "circle"
        xy = np.column_stack(ax.lines[0].get_data())
        assert np.allclose(np.hypot(*xy.T), 1.0, atol=1e-3)


@pytest.mark.parametrize(
    "coeffs, name, check",
    [
        # x² - 2x + 1 = (x - 1)²: the line x = 1, which q only touches
        ((1, 0, 0, -2, 0, 1), "double line (degenerate)", lambda xy: np.allclose(xy[:, 0], 1)),
        # (x - 0.5)² + y² = 0: the single point (0.5, 0)
        ((1, 0, 1, -1, 0, 0.25), "point (degenerate)", lambda xy: np.allclose(xy, [[0.5, 0]])),
        ((1, 0, -1, 0, 0, 0), "intersecting lines (degenerate)", None),
        ((0, 0, 0, 1, 1, -0.5), "line (degenerate)", None),
    ],
)
def test_plot_conic_draws_degenerate_curves_that_contours_miss(coeffs, name, check):
    ax = viz.plot_conic(*Q(*coeffs))
    assert ax.get_title() == name
    solid = [line for line in ax.lines if line.get_linestyle() in ("-", "None")]
    assert solid
    if check is not None:
        assert check(np.column_stack(solid[0].get_data()))


def test_plot_conic_shades_both_regions_and_draws_principal_axes():
    # a tilted ellipse: q < 0 inside, q > 0 outside; axes along A's eigenvectors
    A, b, c = Q(2, 1.5, 1, 0, 0, -1)
    ax = viz.plot_conic(A, b, c)
    image = ax.images[0].get_array()
    assert image.min() == 0 and image.max() == 1  # both regions present
    assert image[100, 100] == 0 and image[0, 0] == 1  # centre inside, corner outside
    axes = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(axes) == 2
    eigenvectors = dql.classify_quadric(A, b, c).eigenvectors.double().numpy()
    for line, vec in zip(axes, eigenvectors.T):
        xy = np.column_stack(line.get_data())
        direction = (xy[1] - xy[0]) / np.linalg.norm(xy[1] - xy[0])
        assert abs(direction @ vec) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"A \(2, 2\)"):
        viz.plot_conic(torch.eye(3), torch.zeros(3), 0.0)


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
    (mesh,) = [t for t in fig.data if t.type == "mesh3d"]
    for s in [mesh]:
        pts = np.stack([np.asarray(s.x, float), np.asarray(s.y, float), np.asarray(s.z, float)], -1)
        faces = np.stack([np.asarray(s.i), np.asarray(s.j), np.asarray(s.k)], -1)
        assert len(pts) > 100 and faces.min() >= 0 and faces.max() < len(pts)
        assert np.all(np.abs(pts) <= 1.5 + 1e-12)
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
    zero = viz.quadric_surface_3d(torch.zeros(3, 3), torch.zeros(3), 0.0)
    assert zero.layout.title.text.startswith("zero everywhere")
    far = viz.quadric_surface_3d(torch.eye(3), torch.zeros(3), -100.0)
    assert far.layout.title.text == "sphere: no surface in view"
    huge = viz.quadric_surface_3d(1e200 * torch.eye(3, dtype=torch.float64), torch.zeros(3), -1e200)
    assert huge.layout.title.text == "sphere" and len(huge.data) > 0


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


@pytest.mark.parametrize(
    "coefficients, text",
    [
        ((1, 0, 1, 0, 0, -1.5), "x² + y² − 1.5"),
        ((-1, 0.5, 2, 0, -1, 0), "−x² + 0.5xy + 2y² − y"),
        ((0, 0, 0, 0, 0, 0), "0"),
        ((0, 0, 0, 0, 0, -1), "−1"),
    ],
)
def test_polynomial_text_reads_like_handwriting(coefficients, text):
    assert viz.polynomial_text(coefficients, ("x²", "xy", "y²", "x", "y", "")) == text


def test_slider_figure_takes_the_callers_layout_over_its_own():
    fig = viz.slider_figure(
        lambda v: [go.Scatter(x=[v], y=[v])], [1, 2], label="v",
        layout={"margin": {"t": 90, "l": 5}, "height": 300, "legend": {"orientation": "h"}},
    )  # fmt: skip
    assert (fig.layout.margin.t, fig.layout.margin.l, fig.layout.height) == (90, 5, 300)
    assert fig.layout.legend.orientation == "h"
    assert fig.layout.sliders[0].currentvalue.prefix == "v = "
    assert viz.slider_figure(lambda v: [], [1]).layout.margin.t == 50


def test_show_emits_a_div_without_plotlyjs_during_book_build(monkeypatch):
    shown = []
    monkeypatch.setenv("DQL_BOOK_BUILD", "1")
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    viz.show(viz.conic_slider_figure("f", [-1.0]))
    html = shown[0].data
    assert "<div" in html and "Plotly.newPlot" in html and "cdn.plot.ly" not in html
    assert '"modebar":{"orientation":"v"}' in html.replace(" ", "")
    assert "plotly.min.js" not in html and len(html) < 200_000


def test_slider_titles_classify_tiny_and_huge_quadrics_like_ordinary_ones():
    # q = 0 does not change when q is scaled: the frame draws a circle, its title must say so
    for scale in (1e-30, 1e30):
        A, b, c = Q(1, 0, 1, 0, 0, -0.25)
        fig = viz.quadric_slider_figure({0: (scale * A, scale * b, scale * c)})
        assert fig.frames[0].layout.title.text == "epoch 0: circle"


def test_quadric_slider_figure_one_frame_per_snapshot():
    X, y = dql.make_dataset("circles", 50)
    snapshots = {0: Q(1, 0, 1, 0, 0, -0.25), 10: Q(1, 0, -1, 0, 0, -0.25)}
    fig = viz.quadric_slider_figure(snapshots, X, y)
    assert [f.layout.title.text for f in fig.frames] == ["epoch 0: circle", "epoch 10: hyperbola"]
    for frame, (A, b, c) in zip(fig.frames, snapshots.values()):
        assert [t.name for t in frame.data] == ["class 0", "class 1", "q(x) = 0"]
        curve = frame.data[-1]
        xy = np.array([(u, v) for u, v in zip(curve.x, curve.y) if u is not None])
        assert (
            dql.evaluate_quadric(A, b, c, torch.tensor(xy, dtype=torch.float32)).abs().max() < 1e-2
        )
    with pytest.raises(ValueError, match="at least one snapshot"):
        viz.quadric_slider_figure({})


def test_decision_grid_runs_on_the_models_dtype_and_multiclass():
    layer = dql.QuadricLinear(2, 1).double()
    xs, _, scores = viz.decision_grid(layer, resolution=20)
    assert xs.dtype == np.float64 and scores.shape == (20, 20)
    three = nn.Linear(2, 3)
    _, _, labels = viz.decision_grid(three, resolution=20)
    assert set(np.unique(labels)) <= {0.0, 1.0, 2.0}


def test_level_set_mesh_covers_the_surface_without_holes():
    # the unit sphere: area 4π, and it is closed, so every edge is shared by two triangles
    vertices, faces = viz.level_set_mesh(np.eye(3), np.zeros(3), -1.0, resolution=30)
    corners = vertices[faces]
    area = (
        0.5
        * np.linalg.norm(
            np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=-1
        ).sum()
    )
    assert area == pytest.approx(4 * np.pi, rel=0.02)
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [0, 2]]]), 1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert np.all(counts == 2)
    assert np.allclose(np.linalg.norm(vertices, axis=1), 1.0, atol=1e-12)
    # triangles face outwards, along the gradient 2x
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    assert np.all(np.einsum("ni,ni->n", normals, corners.mean(1)) > 0)
    empty_v, empty_f = viz.level_set_mesh(np.eye(3), np.zeros(3), 1.0)
    assert empty_v.shape == (0, 3) and empty_f.shape == (0, 3)


def test_slider_frames_show_curves_that_q_only_touches():
    # x² + y² + f: at f = 0 the "circle" is the single point (0, 0); x² = 0 is a double line
    frame = viz.conic_slider_figure("f", [0.0]).frames[0]
    curve = frame.data[0]
    assert frame.layout.title.text.endswith("point")
    assert list(curve.x) == [0.0, None] and list(curve.y) == [0.0, None]
    assert curve.marker.size[0] > 0
    double = viz.conic_trace(*Q(1, 0, 0, 0, 0, 0))
    xs = [v for v in double.x if v is not None]
    assert xs and np.allclose(xs, 0.0) and max(double.marker.size) == 0
