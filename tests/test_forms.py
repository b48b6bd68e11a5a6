"""The neuron forms: forward vs explicit quadric vs the papers' formulas, counts, init, errors,
empty batches, tracing. (Each form's stated facts are checked in test_registry.py.)"""

import io

import pytest
import torch
from torch import nn

import dql_teach as dql

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
QUADRIC_FORMS = dql.QUADRIC_FORMS


def build(form, n=5, m=4, rank=3, **kw):
    """A layer of the form at its default init, except that parameters the init leaves at zero
    (the low-rank form's Λ) get random values, so the quadratic part is exercised."""
    layer = dql.make_layer(form, n, m, rank=rank, **kw)
    with torch.no_grad():
        for p in layer.parameters():
            if not p.any():
                p.normal_()
    return layer


# --- the papers' formulas, written out by hand --------------------------------------------
def _or_zero(t):
    return 0 if t is None else t


def by_hand(layer, x):
    """Each form's published formula, neuron by neuron, without the library's fused GEMMs
    (absent terms, as the options leave them out, count zero)."""
    c = _or_zero(layer.bias)
    lin = 0 if getattr(layer, "weight", None) is None else x @ layer.weight.T
    if isinstance(layer, dql.DiagonalQuadric):  # Σ q_k x_k² + Σ w_k x_k + b
        return (x**2) @ layer.weight_sq.T + lin + c
    if isinstance(layer, dql.QuadricLinear):  # Σ_{i<=j} a_ij x_i x_j + b·x + c
        n = layer.in_features
        out = lin + c
        k = 0
        for i in range(n):
            for j in range(i, n):
                out = out + layer.weight_quad[:, k] * x[..., i : i + 1] * x[..., j : j + 1]
                k += 1
        return out
    if isinstance(layer, dql.FanQuadric):  # (u·x + u_0)(v·x + v_0) + q·(x∘x) + c
        r = x @ layer.weight_u.T + layer.bias_u
        g = x @ layer.weight_v.T + layer.bias_v
        return r * g + (x * x) @ layer.weight_sq.T + layer.bias
    if isinstance(layer, dql.HadamardQuadric):  # (u·x + u_0)(v·x + v_0) + w·x + c
        a = x @ layer.weight_u.T + _or_zero(layer.bias_u)
        b = a if layer.weight_v is None else x @ layer.weight_v.T + _or_zero(layer.bias_v)
        if layer.residual:  # QRes: (u·x)(v·x) + u·x + c
            lin = x @ layer.weight_u.T
        return a * b + lin + c
    if isinstance(layer, dql.LowRankQuadric):  # f = Q^T x; f^T Λ f / k + w·x + c
        Q = layer.directions()
        outs = []
        for j in range(layer.out_features):
            f = x @ Q[j].T  # (*, k)
            quad = (f * f * layer.weight_lambda[j]).sum(-1) / layer.rank
            outs.append(quad + (0 if layer.weight is None else x @ layer.weight[j]) + c[j])
        return torch.stack(outs, -1)
    raise AssertionError(type(layer))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("form", QUADRIC_FORMS)
@pytest.mark.parametrize("batch_shape", [(), (7,), (2, 3)])
def test_forward_equals_explicit_quadric_and_paper_formula(form, batch_shape, device):
    torch.manual_seed(0)
    layer = build(form, dtype=torch.float64, device=device)
    x = torch.randn(*batch_shape, 5, dtype=torch.float64, device=device)
    y = layer(x)
    assert y.shape == (*batch_shape, 4)
    A, b, c = layer.as_quadric()
    assert A.shape == (4, 5, 5) and b.shape == (4, 5) and c.shape == (4,)
    torch.testing.assert_close(A, A.transpose(-1, -2), rtol=0, atol=0)
    torch.testing.assert_close(y, dql.evaluate_quadric(A, b, c, x))
    torch.testing.assert_close(y, by_hand(layer, x))
    torch.testing.assert_close(y, torch.einsum("...i,mij,...j->...m", x, A, x) + x @ b.T + c)


@pytest.mark.parametrize("variant", list(dql.VARIANTS))
def test_every_variant_computes_its_formula_and_its_quadric(variant):
    torch.manual_seed(0)
    layer = dql.randomize_(dql.make_layer(variant, 5, 4, rank=3, dtype=torch.float64))
    x = torch.randn(6, 5, dtype=torch.float64)
    y = layer(x)
    torch.testing.assert_close(y, by_hand(layer, x))
    torch.testing.assert_close(y, dql.evaluate_quadric(*layer.as_quadric(), x))


def test_factor_biases_are_quadralibs_and_the_code_types():
    torch.manual_seed(0)
    x = torch.randn(6, 5, dtype=torch.float64)
    layer = dql.randomize_(dql.make_layer("quadralib", 5, 3, dtype=torch.float64))
    u, v = x @ layer.weight_u.T + layer.bias_u, x @ layer.weight_v.T + layer.bias_v
    torch.testing.assert_close(layer(x), u * v + x @ layer.weight.T + layer.bias)
    t3 = dql.randomize_(dql.make_layer("T3-code", 5, 3, dtype=torch.float64))
    torch.testing.assert_close(t3(x), (x @ t3.weight_u.T + t3.bias_u) ** 2)  # (Wx + b)^2
    figure = dql.make_layer("T3", 5, 3, dtype=torch.float64)
    with torch.no_grad():
        figure.weight_u.copy_(t3.weight_u)
    # what the figure's (Wx)^2 lacks: 2 b (w·x) + b^2
    wx = x @ t3.weight_u.T
    torch.testing.assert_close(t3(x) - figure(x), 2 * t3.bias_u * wx + t3.bias_u**2)
    # the first factor and the linear part, as BranchNormConv2d reads them
    first, second, lin = layer.branches(x)
    torch.testing.assert_close(first * second + lin, layer(x))


@pytest.mark.parametrize(
    "form, per_neuron",
    [
        ("linear", lambda n, k: n + 1),
        ("diagonal", lambda n, k: 2 * n + 1),
        ("full", lambda n, k: n * (n + 1) // 2 + n + 1),
        ("fan", lambda n, k: 3 * n + 3),
        ("hadamard", lambda n, k: 3 * n + 1),
        ("lowrank", lambda n, k: k * n + k + n + 1),
    ],
)
@pytest.mark.parametrize("n", [1, 2, 7])
def test_parameter_counts_match_design_table(form, per_neuron, n):
    m, k = 3, 1 if n == 1 else 2
    layer = dql.make_layer(form, n, m, rank=k)
    assert sum(p.numel() for p in layer.parameters()) == m * per_neuron(n, k)


def test_option_variants_parameter_counts_and_quadrics():
    n, m = 6, 2
    cases = {
        # QuadraLib's survey types and QRes
        "T1": (dql.QuadricLinear(n, m, bias=False, linear_term=False), n * (n + 1) // 2),
        "T2": (dql.DiagonalQuadric(n, m, bias=False, linear_term=False), n),
        "T3": (dql.HadamardQuadric(n, m, bias=False, linear_term=False, shared_factors=True), n),
        "T4": (dql.HadamardQuadric(n, m, bias=False, linear_term=False), 2 * n),
        "QRes": (dql.HadamardQuadric(n, m, residual=True), 2 * n + 1),
    }
    x = torch.randn(4, n, dtype=torch.float64)
    for name, (layer, per_neuron) in cases.items():
        layer = layer.double()
        assert sum(p.numel() for p in layer.parameters()) == m * per_neuron, name
        torch.testing.assert_close(layer(x), dql.evaluate_quadric(*layer.as_quadric(), x))
    t3 = cases["T3"][0]
    w = t3.weight_u
    torch.testing.assert_close(t3(x), (x @ w.T) ** 2)
    qres = cases["QRes"][0]
    a, b = x @ qres.weight_u.T, x @ qres.weight_v.T
    torch.testing.assert_close(qres(x), a * b + a + qres.bias)
    for key, (_, cls, options) in dql.QUADRALIB_TYPES.items():
        layer = cls(n, m, **options)
        assert layer(torch.randn(3, n)).shape == (3, m), key


def test_lowrank_output_vectorization_returns_features():
    torch.manual_seed(1)
    layer = build("lowrank", n=6, m=3, rank=2, return_features=True).double()
    x = torch.randn(5, 6, dtype=torch.float64)
    y = layer(x)
    assert y.shape == (5, 3 * 3) == (5, layer.output_size)
    f = torch.einsum("mkn,bn->bmk", layer.weight_q, x).reshape(5, -1)
    torch.testing.assert_close(y[:, 3:], f)
    torch.testing.assert_close(y, dql.evaluate_quadric(*layer.as_quadric(), x))


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_gradcheck_float64(form):
    torch.manual_seed(0)
    layer = build(form, n=3, m=2, dtype=torch.float64)
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))
    params = tuple(layer.parameters())

    def as_function_of_params(*ps):
        return torch.func.functional_call(
            layer, dict(zip(dict(layer.named_parameters()), ps)), (x,)
        )

    assert torch.autograd.gradcheck(as_function_of_params, params)


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_memory_efficient_gives_identical_results(form):
    torch.manual_seed(0)
    layer = build(form, n=8, m=6)
    efficient = build(form, n=8, m=6, memory_efficient=True)
    efficient.load_state_dict(layer.state_dict())
    x = torch.randn(16, 8, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    y, y2 = layer(x), efficient(x2)
    torch.testing.assert_close(y, y2, rtol=0, atol=1e-6)
    y.square().sum().backward()
    y2.square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=0, atol=1e-6)
    for p, p2 in zip(layer.parameters(), efficient.parameters()):
        torch.testing.assert_close(p.grad, p2.grad, rtol=0, atol=1e-6)


@pytest.mark.parametrize("memory_efficient", [False, True])
@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_every_form_traces_as_one_graph_with_the_same_results(form, memory_efficient):
    """torch.compile(fullgraph=True) raises on any graph break. The "eager" backend checks
    the tracing without generating code (Inductor's timings are in benchmarks/compile_check.py).
    """
    torch._dynamo.reset()
    torch.manual_seed(0)
    layer = build(form, n=6, m=3, memory_efficient=memory_efficient)
    compiled = torch.compile(layer, fullgraph=True, backend="eager")
    x = torch.randn(10, 6, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    y, y2 = layer(x), compiled(x2)
    torch.testing.assert_close(y2, y)
    y.sum().backward()
    grads = [x.grad] + [p.grad.clone() for p in layer.parameters()]
    layer.zero_grad()
    y2.sum().backward()
    for a, b in zip(grads, [x2.grad] + [p.grad for p in layer.parameters()]):
        torch.testing.assert_close(b, a)


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_relinear_start_is_exactly_the_linear_part(form):
    torch.manual_seed(0)
    layer = dql.make_layer(form, 5, 4, rank=2, init="relinear")
    A, b, c = layer.as_quadric()
    assert torch.count_nonzero(A) == 0
    x = torch.randn(10, 5)
    torch.testing.assert_close(layer(x), x @ b.T + c)
    # and the quadratic part can still learn: its parameters get a non-zero gradient
    layer(x).pow(2).sum().backward()
    grads = [p.grad.abs().sum() for p in layer.quadratic_parameters()]
    assert any(g > 0 for g in grads)


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_reset_parameters_reproducible_under_seed(form):
    torch.manual_seed(123)
    a = build(form)
    torch.manual_seed(123)
    b = build(form)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    torch.manual_seed(7)
    a.reset_parameters()
    assert any(not torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_default_init_scales_are_linear_like():
    """Outputs of every form start at O(1) scale for unit-variance inputs: no form explodes."""
    torch.manual_seed(0)
    x = torch.randn(4096, 64)
    for form in QUADRIC_FORMS:
        layer = dql.make_layer(form, 64, 32, rank=4)
        std = layer(x).std().item()
        assert 0.05 < std < 2.0, (form, std)


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_state_dict_round_trip_bit_exact(form):
    torch.manual_seed(0)
    layer = build(form)
    buf = io.BytesIO()
    torch.save(layer.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, weights_only=True)
    other = build(form)
    other.load_state_dict(state)
    for (k, p), (k2, q) in zip(layer.state_dict().items(), other.state_dict().items()):
        assert k == k2 and torch.equal(p, q)
    x = torch.randn(3, 5)
    assert torch.equal(layer(x), other(x))


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_repr_names_options(form):
    text = repr(build(form))
    assert "in_features=5" in text and "out_features=4" in text
    if hasattr(build(form), "rank"):  # a rank option is shown
        assert "rank=3" in text


def test_quadratic_param_groups_as_the_fan_groups_code_does():
    """Fan's code: lr * slr on w_g, b_g, w_b and c (its bias_b); the rest at lr."""
    model = nn.Sequential(dql.FanQuadric(3, 4), nn.ReLU(), dql.HadamardQuadric(4, 2))
    groups = dql.quadratic_param_groups(model, lr=0.01, quadratic_lr=0.02, as_authors=True)
    fan, had = model[0], model[2]
    assert {id(p) for p in groups[1]["params"]} == {
        id(p) for p in (fan.weight_v, fan.bias_v, fan.weight_sq, fan.bias, had.weight_u,
                        had.weight_v)
    }  # fmt: skip
    default = dql.quadratic_param_groups(model, lr=0.01, quadratic_lr=0.02)
    assert id(fan.bias) in {id(p) for p in default[0]["params"]}  # c is linear by default
    with pytest.raises(TypeError, match="as_authors must be True or False"):
        dql.quadratic_param_groups(model, 0.1, 0.1, as_authors="fan")


def test_the_fan_codes_second_learning_rates_as_their_scripts_set_them():
    """FAN_CODE_SLR, read by episode 3: slr = 2 in the synthetic experiment (Adam, lr 0.01),
    1e-4 in the U-Net (AdamW, lr 1e-5), both in asdvfghg/quadratic_efficiency."""
    from dql_teach.forms import FAN_CODE_SLR

    got = [(r.experiment, r.optimizer, r.lr, r.slr) for r in FAN_CODE_SLR]
    assert got == [("synthetic experiment", "Adam", 0.01, 2.0), ("U-Net", "AdamW", 1e-5, 1e-4)]
    for r in FAN_CODE_SLR:
        assert r.code.startswith("asdvfghg/quadratic_efficiency:"), r
        assert hasattr(torch.optim, r.optimizer), r


def test_quadratic_param_groups():
    model = nn.Sequential(dql.FanQuadric(3, 4), nn.ReLU(), dql.LowRankQuadric(4, 2, rank=2))
    groups = dql.quadratic_param_groups(model, lr=1e-2, quadratic_lr=1e-4)
    assert [g["lr"] for g in groups] == [1e-2, 1e-4]
    quad = {id(p) for p in groups[1]["params"]}
    fan, low = model[0], model[2]
    assert quad == {
        id(p) for p in (fan.weight_v, fan.bias_v, fan.weight_sq, low.weight_q, low.weight_lambda)
    }
    assert len(groups[0]["params"]) + len(groups[1]["params"]) == len(list(model.parameters()))
    torch.optim.Adam(groups)  # accepted by an optimizer
    assert len(dql.quadratic_param_groups(nn.Linear(2, 1), 1e-2, 1e-3)) == 1
    with pytest.raises(ValueError, match="quadratic_lr"):
        dql.quadratic_param_groups(model, 1e-2, -1.0)


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_bad_inputs_are_rejected_with_clear_messages(form):
    layer = build(form)
    with pytest.raises(ValueError, match=r"in_features=5.*\(3, 4\)"):
        layer(torch.randn(3, 4))
    with pytest.raises(TypeError, match="floating-point.*int64"):
        layer(torch.ones(3, 5, dtype=torch.long))
    with pytest.raises(ValueError, match="in_features"):
        layer(torch.tensor(1.0))
    with pytest.raises(ValueError, match="in_features must be an int >= 1, got 0"):
        dql.make_layer(form, 0, 3)
    with pytest.raises(ValueError, match="out_features must be an int >= 1, got -2"):
        dql.make_layer(form, 3, -2)
    with pytest.raises(TypeError, match="in_features must be an int, got bool True"):
        dql.make_layer(form, True, 3)
    with pytest.raises(ValueError, match="init must be one of"):
        dql.make_layer(form, 3, 2, init="xavier")


def test_lowrank_rank_bounds():
    with pytest.raises(ValueError, match=r"rank must be an int in \[1, 4\], got 0"):
        dql.LowRankQuadric(4, 2, rank=0)
    with pytest.raises(ValueError, match=r"rank must be an int in \[1, 4\], got 5"):
        dql.LowRankQuadric(4, 2, rank=5)
    with pytest.raises(TypeError, match="rank must be an int"):
        dql.LowRankQuadric(4, 2, rank=2.0)


def test_unknown_form_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"form must be one of \[.*'hadamard'.*\], got 'quad'"):
        dql.make_layer("quad", 2, 1)


def test_incompatible_options():
    with pytest.raises(ValueError, match="relinear.*bias=True"):
        dql.FanQuadric(3, 2, bias=False, init="relinear")
    with pytest.raises(ValueError, match="residual"):
        dql.HadamardQuadric(3, 2, residual=True, linear_term=False)
    with pytest.raises(ValueError, match="residual=True.*no factor_bias"):
        dql.HadamardQuadric(3, 2, residual=True, factor_bias=True)


# --- what one neuron of each form can draw (DESIGN.md's facts) ------------------------------
def test_hadamard_neuron_never_draws_an_ellipse():
    """A = sym(u v^T) has rank <= 2 and, at rank 2, eigenvalues of opposite signs
    (det of the 2x2 block is -(u x v)^2/4 <= 0): hyperbola or parabola, never an ellipse."""
    torch.manual_seed(0)
    layer = dql.HadamardQuadric(2, 200)
    A, b, c = layer.as_quadric()
    eig = torch.linalg.eigvalsh(A)
    assert torch.all(eig[:, 0] <= 1e-7) and torch.all(eig[:, 1] >= -1e-7)
    names = {dql.classify_quadric(A[i], b[i], c[i]).name for i in range(200)}
    assert "ellipse" not in names and "circle" not in names
    assert "hyperbola" in names


def test_hadamard_and_lowrank_rank_bounds():
    torch.manual_seed(0)
    A, _, _ = dql.HadamardQuadric(6, 5, dtype=torch.float64).as_quadric()
    assert int(torch.linalg.matrix_rank(A).max()) <= 2
    layer = build("lowrank", n=6, m=5, rank=3, dtype=torch.float64)
    A, _, _ = layer.as_quadric()
    assert int(torch.linalg.matrix_rank(A).max()) <= 3


def test_fan_and_full_neurons_can_draw_an_ellipse():
    for layer in (dql.FanQuadric(2, 1), dql.QuadricLinear(2, 1)):
        with torch.no_grad():
            for p in layer.parameters():
                p.zero_()
            if isinstance(layer, dql.FanQuadric):
                layer.weight_sq.copy_(torch.tensor([[1.0, 2.0]]))
                layer.bias.fill_(-1.0)
            else:
                layer.weight_quad.copy_(torch.tensor([[1.0, 0.5, 2.0]]))  # x², xy, y²
                layer.bias.fill_(-1.0)
        A, b, c = layer.as_quadric()
        assert dql.classify_quadric(A[0], b[0], c[0]).name == "ellipse"


# --- empty batches: nn.Linear returns an empty result, so must every form ------------------
@pytest.mark.parametrize("memory_efficient", [False, True])
@pytest.mark.parametrize("form", QUADRIC_FORMS)
@pytest.mark.parametrize("batch_shape", [(0,), (2, 0), (0, 3)])
def test_empty_batches_give_empty_outputs_and_gradients(form, batch_shape, memory_efficient):
    layer = build(form, memory_efficient=memory_efficient)
    x = torch.randn(*batch_shape, 5, requires_grad=True)
    y = layer(x)
    assert y.shape == (*batch_shape, 4) == nn.Linear(5, 4)(x).shape
    y.sum().backward()
    assert x.grad.shape == x.shape
    for p in layer.parameters():  # no sample, no gradient: zero, like nn.Linear's
        assert p.grad is not None and torch.count_nonzero(p.grad) == 0
    with torch.no_grad():
        assert layer(x).shape == y.shape


@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_activation_memory_of_an_empty_batch(form):
    """Saved bytes grow linearly with the batch, a + b N: an empty batch keeps a (tensors built
    from the parameters alone), read off two non-empty batches."""
    layer = build(form, dtype=torch.float64)
    saved = {
        N: dql.activation_memory(layer, torch.randn(N, 5, dtype=torch.float64)) for N in (1, 2)
    }
    assert dql.activation_memory(layer, torch.zeros(0, 5, dtype=torch.float64)) == (
        2 * saved[1] - saved[2]
    )


# --- export and TorchScript: export and tracing work, scripting is refused clearly ---------
@pytest.mark.parametrize("memory_efficient", [False, True])
@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_export_with_a_dynamic_batch_gives_the_eager_results(form, memory_efficient):
    layer = build(form, memory_efficient=memory_efficient, dtype=torch.float64)
    example = (torch.randn(3, 5, dtype=torch.float64),)
    exported = torch.export.export(layer, example, dynamic_shapes=({0: torch.export.Dim.AUTO},))
    for batch in (7, 1, 0):
        x = torch.randn(batch, 5, dtype=torch.float64)
        torch.testing.assert_close(exported.module()(x), layer(x))


@pytest.mark.filterwarnings("ignore:`torch.jit.trace.*` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("memory_efficient", [False, True])
@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_trace_gives_the_eager_results_on_other_batch_sizes(form, memory_efficient):
    layer = build(form, memory_efficient=memory_efficient, dtype=torch.float64)
    traced = torch.jit.trace(layer, torch.randn(3, 5, dtype=torch.float64))
    for batch in (7, 0):
        x = torch.randn(batch, 5, dtype=torch.float64, requires_grad=True)
        y, y_traced = layer(x), traced(x)
        torch.testing.assert_close(y_traced, y)
        grads = torch.autograd.grad(y.square().sum(), [x, *layer.parameters()])
        grads_traced = torch.autograd.grad(y_traced.square().sum(), [x, *layer.parameters()])
        for got, want in zip(grads_traced, grads):
            torch.testing.assert_close(got, want)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("form", QUADRIC_FORMS)
def test_script_is_refused_naming_what_works(form):
    with pytest.raises(
        RuntimeError, match="jit.script does not support.*torch.compile, torch.export"
    ):
        torch.jit.script(build(form))
    with pytest.raises(RuntimeError, match="jit.script does not support"):
        torch.jit.script(nn.Sequential(nn.Linear(3, 5), build(form)))


# --- the low-rank form with orthonormal directions ---------------------------------------------
def test_orthonormal_lowrank_lambdas_are_the_eigenvalues_of_a():
    torch.manual_seed(0)
    n, m, k = 6, 4, 3
    layer = dql.randomize_(dql.LowRankQuadric(n, m, rank=k, orthonormal=True, dtype=torch.float64))
    Q = layer.directions()  # (m, k, n)
    torch.testing.assert_close(
        Q @ Q.transpose(-1, -2), torch.eye(k, dtype=torch.float64).expand(m, k, k)
    )
    A = layer.as_quadric()[0]
    eig = torch.linalg.eigvalsh(A)  # (m, n), ascending
    nonzero = eig[eig.abs() > 1e-12].reshape(m, k)
    expected = (layer.weight_lambda.detach() / k).sort(-1).values
    torch.testing.assert_close(nonzero, expected)
    # the eigenvectors are the rows of Q_k^T: A q = (λ/k) q
    torch.testing.assert_close(
        torch.einsum("mij,mkj->mki", A, Q), Q * (layer.weight_lambda[..., None] / k)
    )
    # without orthonormal=True the same parameters give other eigenvalues
    free = dql.LowRankQuadric(n, m, rank=k, dtype=torch.float64)
    free.load_state_dict(layer.state_dict())
    eig_free = torch.linalg.eigvalsh(free.as_quadric()[0])
    nonzero_free = eig_free[eig_free.abs() > 1e-12].reshape(m, k)
    assert not torch.allclose(nonzero_free, expected, atol=1e-3)


def test_orthonormal_lowrank_keeps_names_and_works_everywhere():
    torch.manual_seed(0)
    layer = build("lowrank", n=5, m=3, rank=2, orthonormal=True, dtype=torch.float64)
    assert set(layer.state_dict()) == set(build("lowrank", n=5, m=3, rank=2).state_dict())
    assert "orthonormal=True" in repr(layer)
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))
    torch.testing.assert_close(layer(x), by_hand(layer, x))
    exported = torch.export.export(layer, (x.detach(),))
    torch.testing.assert_close(exported.module()(x.detach()), layer(x.detach()))
    torch._dynamo.reset()
    compiled = torch.compile(layer, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(x), layer(x))
    conv = dql.QuadricConv2d(2, 3, 3, form="lowrank", rank=2, orthonormal=True)
    dql.randomize_(conv)
    images = torch.randn(2, 2, 5, 5)
    patches = torch.nn.functional.unfold(images, 3).transpose(1, 2)
    dense = conv.neuron(patches).transpose(1, 2).reshape(2, 3, 3, 3)
    torch.testing.assert_close(conv(images), dense)


def test_orthonormal_lowrank_trains_with_run_seeds():
    X, y = dql.make_dataset("circles", n_samples=120, seed=0)
    result = dql.run_seeds(
        "orthonormal", lambda: dql.make_mlp([2, 1], "lowrank", rank=2, orthonormal=True),
        X, y, seeds=range(2), epochs=30, lr=0.05,
    )  # fmt: skip
    assert len(result.accuracies) == 2 and all(0 <= a <= 1 for a in result.accuracies)
    assert result.histories[0].loss[-1] < result.histories[0].loss[0]
