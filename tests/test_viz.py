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

Q = dql.conic_to_quadric


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "coeffs, name",
    [((1, 0.25, 2, 0, 0, -1), "ellipse"), ((1, 0, -1, 0, 0, -0.5), "hyperbola"),
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
    A, b, c = Q(2, 0.75, 1, 0, 0, -1)
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
    fig = viz.conic_slider_figure("c", values)
    assert len(fig.frames) == len(fig.layout.sliders[0].steps) == 4
    for frame, f in zip(fig.frames, values):
        xs = np.array([v for v in frame.data[0].x if v is not None], float)
        ys = np.array([v for v in frame.data[0].y if v is not None], float)
        if f < 0:  # x1² + x2² = -c: a circle of radius sqrt(-c)
            assert np.allclose(np.hypot(xs, ys), np.sqrt(-f), atol=2e-2)
            assert frame.layout.title.text.endswith("circle")
        else:
            assert len(xs) == 0 and frame.layout.title.text.endswith("empty")
    assert [s.label for s in fig.layout.sliders[0].steps] == ["-1.5", "-1", "-0.5", "0.25"]
    with pytest.raises(ValueError, match="coefficient must be one of"):
        viz.conic_slider_figure("f")  # the old letters are gone: c is the constant
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
    viz.show(viz.conic_slider_figure("c", [-1.0]))
    html = shown[0].data
    assert "<div" in html and "Plotly.newPlot" in html and "cdn.plot.ly" not in html
    assert '"modebar":{"orientation":"v"}' in html.replace(" ", "")
    assert "plotly.min.js" not in html and len(html) < 200_000
    assert '"displaylogo":false' in html.replace(" ", "")  # style.PLOTLY_CONFIG


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
    # x1² + x2² + c: at c = 0 the "circle" is the single point (0, 0); x1² = 0 is a double line
    frame = viz.conic_slider_figure("c", [0.0]).frames[0]
    curve = frame.data[0]
    assert frame.layout.title.text.endswith("point")
    assert list(curve.x) == [0.0, None] and list(curve.y) == [0.0, None]
    assert curve.marker.size[0] > 0
    double = viz.conic_trace(*Q(1, 0, 0, 0, 0, 0))
    xs = [v for v in double.x if v is not None]
    assert xs and np.allclose(xs, 0.0) and max(double.marker.size) == 0


# --- the conic's own letters (issue 10) -------------------------------------------------------
def test_conic_slider_figure_sweeps_the_entries_of_A_b_and_c():
    # a12 is A's off-diagonal entry: x1² + 2 a12 x1x2 + x2² − 1 is two parallel lines at 1
    fig = viz.conic_slider_figure("a12", [0.0, 0.5, 1.0, 1.5])
    names = [f.layout.title.text.rsplit(": ", 1)[1] for f in fig.frames]
    assert names == ["circle", "ellipse", "parallel lines", "hyperbola"]
    assert fig.frames[1].layout.title.text.startswith("x₁² + x₁x₂ + x₂² − 1 = 0")
    assert fig.layout.sliders[0].currentvalue.prefix == "a12 = "
    a22 = viz.conic_slider_figure("a22", [1.0, -1.0]).frames  # the x2² coefficient
    assert [f.layout.title.text for f in a22] == ["x₁² + x₂² − 1 = 0: circle",
                                                  "x₁² − x₂² − 1 = 0: hyperbola"]  # fmt: skip
    assert fig.layout.xaxis.title.text == "x₁" and fig.layout.yaxis.title.text == "x₂"


def test_conic_text_writes_twice_a12_as_the_mixed_coefficient():
    assert viz.conic_text(1, 0.25, 2, 0, 0, -1) == "x₁² + 0.5x₁x₂ + 2x₂² − 1"
    assert viz.conic_text(0, -0.5, 0, 1, -2, 0) == "−x₁x₂ + x₁ − 2x₂"


# --- defects: shapes, resolutions and data named by the library ---------------------------
def test_a_3d_quadric_given_to_a_2d_figure_is_a_shape_error():
    sphere = (torch.eye(3), torch.zeros(3), -1.0)
    with pytest.raises(ValueError, match=r"2 variables and needs A \(2, 2\).*got \(3, 3\)"):
        viz.quadric_slider_figure({0: sphere})
    with pytest.raises(ValueError, match=r"needs A \(2, 2\)"):
        viz.conic_trace(*sphere)
    with pytest.raises(ValueError, match=r"needs A \(2, 2\)"):
        viz.conic_points(*sphere)
    with pytest.raises(ValueError, match=r"triple \(A, b, c\)"):
        viz.quadric_slider_figure({0: torch.eye(2)})


def test_quadric_surface_3d_needs_a_3d_quadric_and_3d_data():
    with pytest.raises(ValueError, match=r"quadric_surface_3d draws a quadric of 3 variables"):
        viz.quadric_surface_3d(torch.eye(2), torch.zeros(2), -1.0)
    X, y = dql.make_dataset("circles", 20)
    with pytest.raises(ValueError, match=r"quadric_surface_3d needs X of shape \(N, 3\)"):
        viz.quadric_surface_3d(torch.eye(3), torch.zeros(3), -1.0, X, y)
    with pytest.raises(ValueError, match=r"level_set_mesh draws a quadric of 3 variables"):
        viz.level_set_mesh(np.eye(2), np.zeros(2), -1.0)


@pytest.mark.parametrize("resolution", [1, 0, -5])
def test_resolutions_below_two_are_a_value_error(resolution):
    # plot_conic(resolution=1) titled the unit circle 'q > 0 everywhere'
    with pytest.raises(ValueError, match=f"resolution must be an int >= 2, got {resolution}"):
        viz.plot_conic(*Q(1, 0, 1, 0, 0, -1), resolution=resolution)
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        viz.plot_decision_surface(nn.Linear(2, 1), resolution=resolution)
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        viz.level_set_mesh(np.eye(3), np.zeros(3), -1.0, resolution=resolution)
    with pytest.raises(TypeError, match="resolution must be an int"):
        viz.decision_grid(nn.Linear(2, 1), resolution=2.5)


def test_mismatched_data_is_named():
    X, y = dql.make_dataset("circles", 20)
    with pytest.raises(ValueError, match=r"plot_decision_surface needs y of shape \(N,\).*20"):
        viz.plot_decision_surface(nn.Linear(2, 1), X, y[:5])
    with pytest.raises(ValueError, match=r"data_traces needs y of shape \(N,\)"):
        viz.data_traces(X, y[:5])
    with pytest.raises(ValueError, match=r"data_traces needs X of shape \(N, 2\)"):
        viz.data_traces(X[:, :1], y)
    with pytest.raises(ValueError, match="models must be a non-empty dict"):
        viz.compare_decision_surfaces({}, X, y)
    with pytest.raises(ValueError, match="xlim must be a pair"):
        viz.decision_grid(nn.Linear(2, 1), xlim=(1.0, -1.0))


def test_float32_rounding_is_not_a_curve_of_its_own():
    # a rank-one A computed in float32 has a second eigenvalue of rounding size: it must still
    # draw (and be titled) as a parabola, as the low-rank neuron does, not as an ellipse
    u = torch.tensor([0.3, 0.7])
    A = torch.outer(u, u) * 1.7  # float32
    b = torch.tensor([0.7, -0.3])
    assert viz.plot_conic(A, b, -0.1).get_title() == "parabola"
    assert (
        viz.quadric_slider_figure({0: (A, b, torch.tensor(-0.1))}).frames[0].layout.title.text
        == "epoch 0: parabola"
    )


# --- panels of decision surfaces -------------------------------------------------------------
def test_plot_decision_panels_lays_out_models_row_by_row():
    X, y = dql.make_dataset("circles", 100)
    torch.manual_seed(0)
    models = [nn.Linear(2, 1), dql.QuadricLinear(2, 1), nn.Linear(2, 1)]
    fig = viz.plot_decision_panels(models, (X, y), titles=["a", "b", "c"], ncols=2,
                                   resolution=30)  # fmt: skip
    assert len(fig.axes) == 4 and not fig.axes[3].axison  # 2 x 2, the last one empty
    rows_cols = [ax.get_subplotspec().get_geometry()[2] for ax in fig.axes]
    assert rows_cols == [0, 1, 2, 3]
    for ax, model, title in zip(fig.axes, models, "abc"):
        acc = dql.evaluate(model, X, y)
        assert ax.get_title() == f"{title}, {acc:.0%}"
        assert ax.images  # its regions
    # one dataset per panel (a model of rotated inputs), and the title's fields
    R = dql.rotation_matrix(45.0)
    fig = viz.plot_decision_panels(
        {"plain": models[1], "rotated": models[1]}, [(X, y), (X @ R, y)],
        title_format="{title}: {params} params, {accuracy:.1%}", resolution=20,
    )  # fmt: skip
    assert fig.axes[1].get_title() == f"rotated: 6 params, {dql.evaluate(models[1], X @ R, y):.1%}"
    with pytest.raises(ValueError, match="titles must have one entry per model"):
        viz.plot_decision_panels(models, (X, y), titles=["a"])
    with pytest.raises(ValueError, match="data must be one"):
        viz.plot_decision_panels(models, [(X, y), (X, y)])
    with pytest.raises(ValueError, match="at least one model"):
        viz.plot_decision_panels([], (X, y))


def test_decision_trace_is_the_decision_grid_in_the_class_colours():
    torch.manual_seed(0)
    model = dql.QuadricLinear(2, 1)
    trace = viz.decision_trace(model, (-1, 1), (-2, 2), resolution=25, axis="2")
    xs, ys, scores = viz.decision_grid(model, (-1, 1), (-2, 2), 25)
    assert np.array_equal(np.asarray(trace.z), (scores > 0).astype(float))
    assert np.allclose(trace.x, xs) and np.allclose(trace.y, ys)
    assert [c[1] for c in trace.colorscale] == [viz.CLASS_COLORS[0], viz.CLASS_COLORS[1]]
    assert (trace.xaxis, trace.yaxis) == ("x2", "y2")
    X, y = dql.make_dataset("circles", 30)
    dots = viz.data_traces(X, y, axis="2", showlegend=False)
    assert [(t.xaxis, t.showlegend) for t in dots] == [("x2", False), ("x2", False)]


# --- Pareto plots ------------------------------------------------------------------------------
def test_pareto_front_respects_the_spread():
    params, means = [10, 20, 40, 80], [0.80, 0.90, 0.88, 0.95]
    assert viz.pareto_indices(params, means) == [0, 1, 3]
    # within each other's spread, the larger 40 is not beaten by the smaller 20
    assert viz.pareto_indices(params, means, [0.01, 0.01, 0.02, 0.01]) == [0, 1, 2, 3]
    # the 80 is no better than the 20 beyond their spreads, but it is not beaten either
    assert viz.pareto_indices(params, means, [0.01, 0.01, 0.0, 0.1]) == [0, 1, 3]
    assert viz.pareto_indices([10, 10], [0.8, 0.8]) == [0, 1]  # ties stay
    with pytest.raises(ValueError, match=r"spreads\[0\] must be a number >= 0"):
        viz.pareto_indices([1], [0.5], [-0.1])
    with pytest.raises(ValueError, match="one entry per point"):
        viz.pareto_indices([1, 2], [0.5])


def test_pareto_figure_draws_families_seeds_and_front():
    small = dql.SeedResult("linear 2-2-1", 9, 0, seeds=[0, 1], accuracies=[0.8, 0.84])
    big = dql.SeedResult("linear 2-8-1", 33, 0, seeds=[0, 1], accuracies=[0.86, 0.88])
    quad = dql.SeedResult("quadric 2-2-1", 15, 0, seeds=[0, 1], accuracies=[0.93, 0.95])
    fig = viz.pareto_figure({"linear": [big, small], "quadric": [quad]}, title="moons")
    linear, linear_seeds, quadric, quadric_seeds, front = fig.data
    assert list(linear.x) == [9, 33] and list(linear.text) == ["linear 2-2-1", "linear 2-8-1"]
    assert list(linear.error_y.array) == pytest.approx([small.std, big.std])
    assert sorted(linear_seeds.y) == [0.8, 0.84, 0.86, 0.88] and not linear_seeds.showlegend
    assert linear.marker.color != quadric.marker.color  # one palette entry per family
    assert {linear.marker.color, quadric.marker.color} <= set(viz.SERIES_COLORS)
    assert list(front.x) == [9.0, 15.0] and front.name == "Pareto front"
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.title.text == "test accuracy (mean ± sd, 2 seeds)"
    # plain numbers too, and a front given by the caller
    fig = viz.pareto_figure({"a": [(10, 0.8, 0.01), (20, 0.7)]}, front=[(10, 0.8)])
    assert list(fig.data[-1].x) == [10.0] and len(fig.data[1].x) == 0  # no seeds: no dots
    with pytest.raises(TypeError, match="must have .params and .mean"):
        viz.pareto_figure({"a": ["nonsense"]})
    with pytest.raises(ValueError, match="families must be a non-empty dict"):
        viz.pareto_figure({})


def test_pareto_slider_figure_fits_the_axes_to_each_dataset():
    sets = {
        "moons": {"linear": [(10, 0.8, 0.01), (100, 0.9, 0.02)]},
        "digits": {"linear": [(1000, 0.5, 0.05), (5000, 0.95, 0.01)]},
    }
    fig = viz.pareto_slider_figure(sets)
    assert [s.label for s in fig.layout.sliders[0].steps] == ["moons", "digits"]
    ranges = [f.layout.xaxis.range for f in fig.frames]
    assert ranges[0][0] < 1 < ranges[0][1] < 3 and 2 < ranges[1][0] < 3 < ranges[1][1]
    assert fig.frames[1].layout.yaxis.range[0] == pytest.approx(0.45 - 0.02)
    assert fig.frames[0].layout.title.text == "moons: test accuracy against parameters"
    assert len({len(f.data) for f in fig.frames}) == 1


# --- one place for the look ----------------------------------------------------------------
def test_plotly_figures_take_their_layout_from_style(monkeypatch):
    from dql_teach.viz import style

    monkeypatch.setitem(style.PLOTLY_LAYOUTS["base"], "font", {"size": 17})
    monkeypatch.setitem(style.PLOTLY_LAYOUTS["plane"], "height", 333)
    fig = viz.conic_slider_figure("c", [-1.0])
    assert fig.layout.font.size == 17 and fig.layout.height == 333
    assert list(fig.layout.colorway) == list(viz.SERIES_COLORS)
    surface = viz.quadric_surface_3d(torch.eye(3), torch.zeros(3), -1.0)
    assert surface.layout.font.size == 17 and surface.data[0].color == viz.PALETTE["green"]
    chart = viz.pareto_figure({"a": [(10, 0.8)]})
    assert chart.layout.legend.orientation == "h"
    layout = viz.plotly_layout("chart", legend={"y": 2})
    assert layout["legend"] == {"orientation": "h", "x": 0, "y": 2, "yanchor": "bottom"}
    with pytest.raises(ValueError, match="kind must be one of"):
        viz.plotly_layout("poster")


def test_the_palette_is_okabe_ito():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    assert set(viz.SERIES_COLORS) == okabe_ito
    assert set(viz.CLASS_COLORS) <= okabe_ito


def test_seed_table_reports_train_and_test_accuracy_and_the_verdict_against_a_baseline():
    from dql_teach import History, SeedResult

    def result(name, accuracies, train):
        histories = [History(loss=[1.0], accuracy=[t]) for t in train]
        return SeedResult(name, 5, 2, seeds=range(len(accuracies)), accuracies=accuracies,
                          histories=histories)  # fmt: skip

    base = result("base", [0.8, 0.7, 0.9, 0.8], [0.9, 0.8, 1.0, 0.9])
    better = result("better", [0.9, 0.8, 1.0, 0.95], [1.0] * 4)  # +0.1 or more on every seed
    noisy = result("noisy", [1.0, 0.5, 0.9, 0.8], [0.9] * 4)  # +0.2, -0.2, 0, 0
    lines = viz.seed_table([base, better, noisy], baseline=base).data.splitlines()
    assert lines[0] == (
        "| model | parameters | training accuracy | test accuracy (mean ± sd, 4 seeds) "
        "| worst seed | gap to base (± s.e.) | beyond 2 s.e.? |"
    )
    assert lines[2] == "| base | 5 | 90.0% | 80.0% ± 8.2% | 70.0% | – | – |"
    assert lines[3].startswith("| better | 5 | 100.0% | 91.2% ± 8.5% | 80.0% | +11.2% ± 1.2%")
    assert lines[3].endswith("| better |")
    assert lines[4].endswith("| +0.0% ± 8.2% | within the spread |")
    assert viz.seed_table([base, better], baseline=better).data.splitlines()[2].endswith("worse |")
    # without a baseline, without histories
    bare = SeedResult("bare", 3, 1, seeds=[0, 1], accuracies=[0.5, 0.6])
    assert viz.seed_table([bare]).data.splitlines()[2] == "| bare | 3 | – | 55.0% ± 7.1% | 50.0% |"
    with pytest.raises(ValueError, match="at least one"):
        viz.seed_table([])
