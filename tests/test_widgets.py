"""Widgets driven with no browser: construct, update, move controls, assert on the figures."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
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


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def curve_points(explorer):
    return [line for line in explorer.figure.axes[0].lines if line.get_linestyle() == "-"]


def test_conic_explorer_updates_curve_and_type():
    explorer = ConicExplorer()
    assert explorer.figure.axes[0].get_title() == "circle"
    for coeffs, name in [
        ({"a11": 1.0, "a22": -1.0, "c": -1.0}, "hyperbola"),
        ({"a11": 1.0, "a12": 0.0, "a22": 0.0, "b2": -1.0, "c": 0.0}, "parabola"),
        ({"a11": 2.0, "a12": 0.5, "a22": 1.0, "b2": 0.0, "c": -1.0}, "ellipse"),
    ]:
        explorer.update(**coeffs)
        assert explorer.figure.axes[0].get_title() == name
        A, b, c = explorer.quadric()
        for line in curve_points(explorer):
            xy = torch.tensor(np.column_stack(line.get_data()), dtype=torch.float64)
            assert dql.evaluate_quadric(A.double(), b.double(), c.double(), xy).abs().max() < 5e-3


def test_conic_explorer_eigen_mode_and_degenerate_values():
    explorer = ConicExplorer(mode="eigen", lambda1=1.0, lambda2=3.0, angle=30.0, c=-1.0)
    a11, a12, a22, *_ = explorer.coefficients()
    t = math.radians(30)
    assert a12 == pytest.approx((1.0 - 3.0) * math.sin(t) * math.cos(t))
    assert a11 == pytest.approx(math.cos(t) ** 2 + 3 * math.sin(t) ** 2)
    assert explorer.figure.axes[0].get_title() == "ellipse"
    explorer.update(lambda1=-1.0)
    assert explorer.figure.axes[0].get_title() == "hyperbola"
    zero = ConicExplorer(a11=0.0, a12=0.0, a22=0.0, b1=0.0, b2=0.0, c=0.0)
    assert zero.figure.axes[0].get_title().startswith("zero everywhere")


def test_conic_explorer_controls_fire_the_same_update():
    explorer = ConicExplorer()
    explorer.widget()
    explorer._controls["a22"].value = -1.0  # what a slider drag does
    assert explorer.a22 == -1.0 and explorer.figure.axes[0].get_title() == "hyperbola"
    explorer.update(a22=1.0)  # and update() moves the slider back
    assert explorer._controls["a22"].value == 1.0
    assert explorer.figure.axes[0].get_title() == "circle"
    (shown,) = explorer._output.outputs  # the Output holds one PNG of the current state
    assert base64.b64decode(shown["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_conic_explorer_mode_switch_keeps_the_picture_and_swaps_sliders():
    explorer = ConicExplorer(a11=2.0, a12=0.5, a22=1.0, c=-1.0)
    before = explorer.coefficients()
    explorer.widget()
    assert explorer._controls["lambda1"].layout.display == "none"
    explorer._controls["mode"].value = "eigen"  # the dropdown, as a reader would
    assert explorer.mode == "eigen"
    assert np.allclose(explorer.coefficients(), before)
    assert explorer._controls["a11"].layout.display == "none"
    assert explorer._controls["lambda1"].layout.display is None
    assert explorer._controls["lambda1"].value == pytest.approx(explorer.lambda1)
    explorer._controls["angle"].value = 45.0
    assert explorer.figure.axes[0].get_title() == "ellipse"
    explorer.update(mode="coefficients")
    assert explorer.a12 == pytest.approx(explorer.coefficients()[1])
    assert explorer._controls["a12"].value == pytest.approx(explorer.a12)


def test_widgets_validate_their_arguments():
    with pytest.raises(TypeError, match="unknown argument 'f'"):
        ConicExplorer(f=1.0)  # the old letters: the constant is c
    with pytest.raises(ValueError, match="a11 must be between -3.0 and 3.0, got 10"):
        ConicExplorer(a11=10)
    with pytest.raises(ValueError, match="mode must be one of"):
        ConicExplorer(mode="polar")
    with pytest.raises(TypeError, match="must be a number"):
        QuadricSurfaceExplorer(lambda1="big")
    with pytest.raises(ValueError, match="dataset must be one of"):
        TrainingPlayground(dataset="mnist")
    with pytest.raises(ValueError, match="p7: the linear neuron has 3 parameters"):
        NeuronFormExplorer(form="linear", p7=1.0)
    with pytest.raises(ValueError, match="p0 must be a finite number"):
        NeuronFormExplorer(p0=float("nan"))
    with pytest.raises(ValueError, match="resolution must be an int"):
        TrainingPlayground(resolution=0)
    explorer = ConicExplorer()
    with pytest.raises(ValueError):
        explorer.update(a11=2.0, a22=99.0)
    assert explorer.a11 == 1.0 and explorer.a22 == 1.0  # a failed update changes nothing


@pytest.mark.parametrize(
    "values, name",
    [
        ({}, "sphere"),
        ({"lambda3": -1.0, "c": -0.5}, "hyperboloid of one sheet"),
        ({"lambda3": -1.0, "c": 0.5}, "hyperboloid of two sheets"),
        ({"lambda3": 0.0, "b3": -1.0, "c": 0.0}, "elliptic paraboloid"),
        ({"lambda3": 0.0, "c": -1.0, "angle": 30.0}, "elliptic cylinder"),
    ],
)
def test_quadric_surface_explorer_mesh_on_level_set(values, name):
    explorer = QuadricSurfaceExplorer(**values)
    assert explorer.figure.layout.title.text == name
    A, b, c = explorer.quadric()
    assert [trace.type for trace in explorer.figure.data] == ["mesh3d"]
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


def test_neuron_form_explorer_controls_follow_the_form():
    explorer = NeuronFormExplorer(form="linear")
    explorer.widget()
    assert sorted(k for k in explorer._controls if k.startswith("p")) == ["p0", "p1", "p2"]
    explorer._controls["form"].value = "fan"  # new form, new sliders
    names = [c.description for k, c in explorer._controls.items() if k.startswith("p")]
    assert names == explorer.parameter_names and len(names) == 3 * 2 + 3
    assert "any conic" in explorer.figure.texts[0].get_text()
    explorer._controls["p0"].value = -1.5  # a slider moves the neuron's real parameter
    assert next(explorer.layer.parameters()).reshape(-1)[0].item() == -1.5
    explorer.update(form="lowrank")
    assert len([k for k in explorer._controls if k.startswith("p")]) == 2 + 1 + 2 + 1
    assert "never an ellipse or hyperbola" in explorer.figure.texts[0].get_text()


@pytest.mark.parametrize("form", ["diagonal", "lowrank", "linear"])
def test_neuron_form_explorer_forms_stay_inside_their_reach(form):
    explorer = NeuronFormExplorer(form=form)
    rng = np.random.default_rng(1)
    for _ in range(10):
        values = rng.uniform(-2, 2, len(explorer.values))
        explorer.update(**{f"p{i}": float(v) for i, v in enumerate(values)})
        A, _, _ = viz.quadric_of(explorer.layer)
        name = explorer.figure.axes[0].get_title()
        if form == "diagonal":
            assert A[0, 1] == 0  # axis-aligned: no xy term
        if form == "lowrank":
            assert "ellipse" not in name and "hyperbola" not in name and "circle" not in name
        if form == "linear":
            assert torch.all(A == 0)


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
    # the loss curve on a log axis, labelled in plain numbers (mathtext would slow every redraw)
    ax_loss = playground.figure.axes[0]
    playground.figure.canvas.draw()
    assert ax_loss.get_yscale() == "log" and len(ax_loss.lines[0].get_ydata()) == 100
    labels = [t.get_text() for t in ax_loss.get_yticklabels(which="both")]
    assert any(labels) and not any("$" in text for text in labels)
    assert all(float(text) > 0 for text in labels if text)


def test_training_playground_keeps_or_clears_its_result():
    playground = TrainingPlayground(dataset="xor", form="full", epochs=50).train()
    model = playground.model
    playground.update(lr=0.01)  # only matters for the next run: the picture stays
    assert playground.model is model and "params" in playground.figure.axes[1].get_title()
    playground.update(dataset="moons")  # other data: the old surface would mislead
    assert playground.model is None and playground.figure.axes[1].get_title() == "press Train"
    X = playground.data[0]
    (x0, x1), (y0, y1) = playground.figure.axes[1].get_xlim(), playground.figure.axes[1].get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1
    assert torch.equal(playground.data[0], dql.make_dataset("moons", 400, 0.05)[0])


def test_training_playground_draws_while_it_learns_when_displayed():
    playground = TrainingPlayground(dataset="circles", epochs=80)
    playground.widget()
    seen = []
    original = playground.redraw
    playground.redraw = lambda: (seen.append(playground.live_epoch), original())[1]
    playground._controls["train"].click()  # the Train button
    assert seen[:-1] == [10, 20, 30, 40, 50, 60, 70] and seen[-1] is None
    assert playground.figure.axes[1].get_title().startswith("full: 6 params, accuracy")


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


# --- a rejected update changes nothing; every value is checked before any is stored ----------
@pytest.mark.parametrize(
    "bad, error",
    [({"seed": -1}, ValueError), ({"seed": "x"}, TypeError), ({"hidden": 2.5}, TypeError),
     ({"epochs": 15.7}, TypeError), ({"hidden": 99}, ValueError),
     ({"lr": float("nan")}, ValueError)],
)  # fmt: skip
def test_training_playground_rejects_bad_settings_and_keeps_its_own(bad, error):
    playground = TrainingPlayground(epochs=50)
    before = playground.state()
    with pytest.raises(error, match=next(iter(bad))):
        playground.update(**bad)
    assert playground.state() == before
    playground.update(epochs=60)  # and the next update works (a stored bad seed broke them all)
    assert playground.epochs == 60
    with pytest.raises(error):
        TrainingPlayground(**bad)  # 2.5 hidden neurons are an error, not 2


def test_conic_explorer_mode_switch_with_a_bad_value_changes_nothing():
    explorer = ConicExplorer()
    with pytest.raises(ValueError, match="lambda1 must be a finite number"):
        explorer.update(mode="eigen", lambda1=float("nan"))
    assert explorer.mode == "coefficients" and explorer.lambda1 == 1.0
    assert explorer.state() == ConicExplorer().state()


def test_neuron_form_explorer_form_switch_with_a_bad_value_changes_nothing():
    explorer = NeuronFormExplorer(form="hadamard")
    layer, values = explorer.layer, list(explorer.values)
    with pytest.raises(TypeError, match="p0 must be a number"):
        explorer.update(form="fan", p0="x")
    assert explorer.form == "hadamard" and explorer.layer is layer and explorer.values == values
    with pytest.raises(ValueError, match="p8: the hadamard neuron has 7 parameters"):
        explorer.update(p0=1.0, p8=1.0)
    assert explorer.values == values
    assert "p0" not in vars(explorer)  # the sliders' values live in .values, nowhere else
    assert explorer.value_of("p1") == values[1] and explorer.value_of("p8") is None


def test_neuron_form_choices_come_from_the_registry():
    assert NeuronFormExplorer.choices["form"] == tuple(dql.FORMS)
    assert TrainingPlayground.choices["form"] == tuple(dql.FORMS)
    for form in dql.FORMS:
        explorer = NeuronFormExplorer(form=form)
        assert len(explorer.values) == dql.count_parameters(explorer.layer)


def test_explorers_show_their_state():
    explorer = QuadricSurfaceExplorer(lambda3=-1.0)
    assert explorer.state() == {"lambda1": 1.0, "lambda2": 1.0, "lambda3": -1.0, "b3": 0.0,
                                "c": -1.0, "angle": 0.0}  # fmt: skip
    with pytest.raises(TypeError, match="resolution must be an int"):
        QuadricSurfaceExplorer(resolution=2.5)


def test_train_playground_is_a_pure_function_of_its_config():
    from dql_teach.widgets import PlaygroundConfig, train_playground

    config = PlaygroundConfig(dataset="xor", form="full", epochs=60, seed=3)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    one, two = train_playground(config), train_playground(config)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random state is untouched
    assert one.history.loss == two.history.loss and one.accuracy == two.accuracy
    assert one.parameters == 6 and len(one.history.loss) == 60
    # the widget trains through it: the same numbers
    playground = TrainingPlayground(dataset="xor", form="full", epochs=60, seed=3).train()
    assert playground.history.loss == one.history.loss
    with pytest.raises(TypeError, match="hidden must be an int"):
        PlaygroundConfig(hidden=2.5)
    with pytest.raises(ValueError, match="form must be one of"):
        PlaygroundConfig(form="cubic")


def test_playground_loss_axis_has_numbers_when_the_loss_falls_less_than_a_decade():
    # Figure 4.5: a log axis over less than a decade had no labelled tick at all
    from dql_teach.widgets import TrainingPlayground

    pg = TrainingPlayground(dataset="circles", form="diagonal", hidden=2, epochs=20, lr=0.001)
    pg.train()
    ax_loss = pg.figure.axes[0]
    loss = pg.history.loss
    assert max(loss) < 10 * min(loss)
    pg.figure.canvas.draw()
    low, high = ax_loss.get_ylim()
    shown = [t for t in ax_loss.get_yticks() if low <= t <= high]
    labels = [t.get_text() for t in ax_loss.get_yticklabels() if t.get_text()]
    assert len(shown) >= 2 and labels, (shown, labels)
