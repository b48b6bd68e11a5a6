"""What episode 3 (book/03_quadric_layers.ipynb) states, checked against the library.

Figure 3.1 is rebuilt from the notebook's own cell, so a change of its seed or its epochs is
checked too; the other tests are the identities and counts the episode shows with a cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dql_teach as dql

EPISODE = Path(__file__).resolve().parent.parent / "book" / "03_quadric_layers.ipynb"
CELLS = [c.source for c in nbformat.read(EPISODE, as_version=4).cells if c.cell_type == "code"]


def cell_with(text: str) -> str:
    (source,) = [s for s in CELLS if text in s]
    return source


@pytest.fixture(scope="module")
def figure_3_1():
    """The slider figure of section 3.1, made by running its cell."""
    shown = []
    show, dql.viz.show = dql.viz.show, shown.append
    try:
        exec(cell_with("quadric_slider_figure"), {"torch": torch, "nn": nn, "dql": dql})
    finally:
        dql.viz.show = show
    (fig,) = shown
    return fig


def test_every_frame_of_figure_3_1_shows_the_conic_its_title_names(figure_3_1):
    """Every frame has its curve in view; the trained ellipse lies wholly inside the window
    (just after the hyperbola turns into an ellipse, the ellipse is larger than the window,
    and the caption says so)."""
    lim = figure_3_1.layout.xaxis.range[1]
    titles = [frame.layout.title.text for frame in figure_3_1.frames]
    assert titles[0].startswith("epoch 0: hyperbola") and len(titles) > 10
    half = len(titles) // 2
    for i, (frame, title) in enumerate(zip(figure_3_1.frames, titles)):
        curve = frame.data[-1]  # after the data's traces
        xy = np.array([(x, y) for x, y in zip(curve.x, curve.y) if x is not None], float)
        assert len(xy), f"{title!r}: no curve in view"
        if i >= half:
            assert "ellipse" in title, f"{title!r}: the layer does not close an ellipse"
            assert np.abs(xy).max() < 0.98 * lim, f"{title!r}: the curve runs out of the window"


def fan_directions(n: int, generator: torch.Generator) -> int:
    """The rank of the Jacobian of Fan's (u, v, q) -> A, computed from the layer itself."""
    layer = dql.FanQuadric(n, 1, dtype=torch.float64)
    upper = tuple(torch.triu_indices(n, n))

    def entries(p):
        u, v, q = p.view(3, 1, n)
        params = {"weight_u": u, "weight_v": v, "weight_sq": q}
        hessian = torch.func.hessian(
            lambda x: torch.func.functional_call(layer, params, (x,)).sum()
        )(torch.zeros(n, dtype=torch.float64))
        return (hessian / 2)[upper]  # A = Hessian / 2

    p = torch.randn(3 * n, generator=generator, dtype=torch.float64)
    return int(torch.linalg.matrix_rank(torch.func.jacrev(entries)(p)))


def test_fans_matrix_moves_in_3n_minus_1_directions_from_n_5_on():
    generator = torch.Generator().manual_seed(0)
    for n in range(2, 8):
        assert fan_directions(n, generator) == min(n * (n + 1) // 2, 3 * n - 1), n


def test_the_code_s_t3_differs_from_the_figure_s_by_its_bias_terms():
    t3 = dql.make_layer("T3", 5, 3, dtype=torch.float64)
    t3_code = dql.make_layer("T3-code", 5, 3, dtype=torch.float64)
    with torch.no_grad():
        t3_code.weight_u.copy_(t3.weight_u)
    x = torch.randn(20, 5, dtype=torch.float64)
    b = t3_code.bias_u.detach()
    with torch.no_grad():
        torch.testing.assert_close(t3_code(x) - t3(x), 2 * b * (x @ t3.weight_u.T) + b**2)


def test_bilinear_is_a_quadric_and_the_gated_units_are_not():
    layer = dql.randomize_(dql.make_layer("bilinear", 6, 4, dtype=torch.float64), std=0.5)
    u, v, u0, v0 = layer.weight_u, layer.weight_v, layer.bias_u, layer.bias_v

    def glu(x):
        return torch.sigmoid(F.linear(x, u, u0)) * F.linear(x, v, v0)

    x0, x1 = torch.randn(2, 6, dtype=torch.float64)
    with torch.no_grad():
        A, b, c = layer.as_quadric()
        torch.testing.assert_close(layer(x0), dql.evaluate_quadric(A, b, c, x0))
        assert torch.linalg.matrix_rank(A[0]) <= 2

    def hessian(f, x):
        return torch.func.hessian(lambda z: f(z)[0])(x)

    torch.testing.assert_close(hessian(layer, x0), hessian(layer, x1))
    assert not torch.allclose(hessian(glu, x0), hessian(glu, x1))


@pytest.mark.parametrize("orthonormal", [True, False])
def test_lambda_over_k_are_the_eigenvalues_only_with_orthonormal_q(orthonormal):
    generator = torch.Generator().manual_seed(0)
    layer = dql.LowRankQuadric(8, 1, rank=3, orthonormal=orthonormal, dtype=torch.float64)
    dql.randomize_(layer, generator=generator)
    eigenvalues = torch.linalg.eigvalsh(layer.as_quadric()[0][0])
    nonzero = eigenvalues[eigenvalues.abs() > 1e-9]
    lam = (layer.weight_lambda[0] / 3).detach().sort().values
    assert len(nonzero) == 3
    assert torch.allclose(nonzero, lam) is orthonormal


def test_a_stack_of_l_quadric_layers_grows_as_s_to_the_2_to_the_l():
    x = torch.randn(256, 2, dtype=torch.float64)
    for depth in range(1, 6):
        torch.manual_seed(0)
        layers, fan_in = [], 2
        for _ in range(depth):
            layers.append(dql.HadamardQuadric(fan_in, 8, dtype=torch.float64))
            fan_in = 8
        stack = nn.Sequential(*layers)
        with torch.no_grad():
            growth = stack(1e3 * x).abs().median() / stack(1e2 * x).abs().median()
        assert float(torch.log10(growth)) == pytest.approx(2**depth, rel=0.05)


def test_the_twin_cnns_of_section_3_10_have_about_the_same_parameters():
    namespace = {"torch": torch, "nn": nn, "dql": dql}
    source = cell_with("def cnn(")
    exec(source.split("twins = [")[0], namespace)  # the builders, not the training
    cnn, hadamard_conv = namespace["cnn"], namespace["hadamard_conv"]
    linear = cnn(lambda i, o: nn.Conv2d(i, o, 3, stride=2, padding=1), 8, 16)
    quadric = cnn(hadamard_conv, 5, 10)
    images = torch.randn(3, 1, 8, 8)
    assert linear(images).shape == quadric(images).shape == (3, 10)
    p_linear, p_quadric = dql.count_parameters(linear), dql.count_parameters(quadric)
    assert abs(p_quadric - p_linear) / p_linear < 0.02
    assert "(8, 16)" in source and "(5, 10)" in source


# --- the computed sentences: their wording follows the numbers ------------------------------
MARKDOWN = "\n".join(
    c.source for c in nbformat.read(EPISODE, as_version=4).cells if c.cell_type == "markdown"
)


def shown(source: str, namespace: dict | None = None, **names) -> str:
    """Run one cell's code with ``names`` defined (in ``namespace``, shared between calls,
    where given); the Markdown it displays, joined."""
    from IPython.display import Markdown

    from dql_teach.viz import markdown_table

    out = []
    namespace = {} if namespace is None else namespace
    namespace.update({"torch": torch, "dql": dql, "Markdown": Markdown, "display": out.append,
                      "markdown_table": markdown_table, **names})  # fmt: skip
    exec(source, namespace)
    return "\n".join(getattr(o, "data", str(o)) for o in out)


def seed_result(name, accuracies, params=10):
    histories = [dql.train.History(loss=[1.0], accuracy=[1.0]) for _ in accuracies]
    return dql.SeedResult(name, params, params, seeds=list(range(len(accuracies))),
                          accuracies=accuracies, histories=histories)  # fmt: skip


def benchmark_cells(monkeypatch, files: dict) -> str:
    """Sections 3.4 and 3.5's cells that read the results files, on ``files`` instead."""
    monkeypatch.setattr(dql.timing, "read_benchmark", lambda name, folder=None: files.get(name, {}))
    namespace = {"REPOSITORY": "https://example.org/repo", "lowrank_ratio": 2.0,
                 "full_ratio": 2.0, "n": 128, "n_full": 32, "B": 512}  # fmt: skip
    markers = ('read_benchmark("layers")', "largest = {", 'read_benchmark("compile")')
    return "\n".join(shown(cell_with(marker), namespace) for marker in markers)


def layer_run(form, ratio, dtype="float32", n=256, batch=4096):
    return {"form": form, "dtype": dtype, "batch": batch, "n": n, "reference": "Linear",
            "ratio": ratio, "ratio_memory_efficient": 1.5}  # fmt: skip


def test_without_results_files_the_benchmark_cells_say_how_to_make_them(monkeypatch):
    text = benchmark_cells(monkeypatch, {})
    assert "`python benchmarks/bench_layers.py`" in text
    assert "`python benchmarks/compile_check.py`" in text
    assert "https://example.org/repo" in text and "CPU" not in text


def test_the_benchmark_cells_show_every_device_and_dtype_the_file_holds(monkeypatch):
    cpu = {
        "machine": {"cpu": "Some CPU", "cpu_count": 2},
        "results": [layer_run("lowrank", 1.1), layer_run("full", 2.5, batch=1024)],
    }
    gpu = {
        "machine": {"gpu": "Some GPU", "cuda": "12.4"},
        "results": [layer_run("hadamard", 1.05), layer_run("hadamard", 1.1, "bfloat16")],
    }
    text = benchmark_cells(monkeypatch, {"layers": {"cpu": cpu, "cuda": {"not_measured": "x"}}})
    assert "**CPU**, Some CPU (2 cores)" in text and "in float32;" in text
    assert "CUDA" not in text and "GPU" not in text  # an entry without results is not shown
    assert "lower at the larger sizes only for `lowrank`" in text  # 1.1 < 2.0, 2.5 > 2.0
    text = benchmark_cells(monkeypatch, {"layers": {"cpu": cpu, "cuda": gpu}})
    assert "**CUDA**, Some GPU (CUDA 12.4), in bfloat16 and float32" in text
    assert "on the CUDA" in text


def test_the_rank_sentence_follows_the_sweep():
    source = cell_with("starts above")
    ranks = list(range(1, 9))
    common = {"n": 8, "inits": 5, "true_rank": 3, "ranks": ranks}
    helped = {k: torch.tensor([0.99] * (k - 2) + [0.5] * (7 - k)) if k > 2 else
              torch.full((5,), 0.6) for k in ranks}  # fmt: skip
    text = shown(source, test_acc={k: v[:5] for k, v in helped.items()}, **common)
    assert "No start of a rank below" in text and "more ways in" in text
    flat = {k: torch.tensor([0.99, 0.5, 0.5, 0.5, 0.5]) for k in ranks}
    text = shown(source, test_acc=flat, **common)
    assert "did not help" in text and "2 starts of a rank below" in text


@pytest.mark.parametrize("shift", [0.0, 0.2])
def test_the_orthonormal_verdict_follows_the_gap(shift):
    free = seed_result("free", [0.8, 0.9, 0.7, 0.85, 0.75])
    moved = seed_result("orthonormal", [a + shift + 0.01 * i for i, a in
                                        enumerate([0.8, 0.85, 0.75, 0.8, 0.8])])  # fmt: skip
    source = cell_with("accuracy_gap(orthonormal, free)")
    text = shown(source[source.index("free, orthonormal") :], constrained=[free, moved])
    gap = dql.accuracy_gap(moved, free)
    assert f"**{gap.verdict()}**" in text
    assert ("not accuracy" in text) is (not gap.beyond_spread())


@pytest.mark.parametrize("full_accuracy", [0.6, 0.87])
def test_the_full_neuron_is_said_to_overfit_only_when_it_holds_out_worse(full_accuracy):
    diagonal = seed_result("diagonal", [0.9, 0.85, 0.88, 0.92, 0.86], params=41)
    full = seed_result("full", [full_accuracy + 0.01 * i for i in range(5)], params=231)
    text = shown(cell_with("full_fit.params - diagonal.params"), data_fits=[diagonal, full],
                 y=torch.zeros(300))  # fmt: skip
    gap = dql.accuracy_gap(full, diagonal)
    assert ("It overfits" in text) is (gap.beyond_spread() and gap.gap < 0)


def test_the_peer_sentence_calls_rounding_only_what_is(monkeypatch):
    import dataclasses

    rows = dql.peers.equivalence_table(peers=["qres", "bilinear", "volterra"])
    text = shown(cell_with("agree = max("), peer_rows=rows)
    assert "rounding in float64" in text
    assert "1 from the authors' code; 1 from a formula of the paper" in text
    rows[1] = dataclasses.replace(rows[1], relative_difference=1e-6)
    text = shown(cell_with("agree = max("), peer_rows=rows)
    assert "rounding in float64" not in text and rows[1].peer in text


def test_the_prose_types_no_result_that_a_cell_computes():
    for typed in ("slr` was 2", "about half the connections", "the GEMMs dominate",
                  "on a GPU too", "All the published layers"):  # fmt: skip
        assert typed not in MARKDOWN, typed
    assert "{cite:p}`touvron2023llama`" in MARKDOWN
    assert "meta-llama/llama/blob/main/llama/model.py" in MARKDOWN
    assert "zarekxu/QuadraLib/blob/main/README.md" in MARKDOWN
    for key in ("giles1987learning", "xu2023quadranet", "fan2023one"):
        assert key in MARKDOWN, key
    assert "FAN_CODE_SLR" in cell_with("quadratic_param_groups(fan")
