"""dql_teach.peers: every form against the published layers it stands for.

The reference passes are checked first against torch's own modules where the peer is built
from them (nn.Bilinear, nn.Linear, nn.Conv2d, nn.BatchNorm2d) or against the formula written
out neuron by neuron; then each converter loads random peer parameters into our layer, which
must agree with the reference to rounding in float64."""

import copy
import dataclasses
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dql_teach as dql
from dql_teach import peers
from dql_teach.peers import PEERS, Sizes, reference

F64 = torch.float64


def state_of(name, sizes=None, seed=0):
    return peers.peer_state(name, sizes or Sizes(), generator=torch.Generator().manual_seed(seed))


def prefixed(module, prefix):
    return {f"{prefix}.{k}": v.detach().clone() for k, v in module.state_dict().items()}


# --- the reference passes against torch's modules and the formulas ------------------------
def test_quadralib_type1_reference_is_nn_bilinear_on_every_patch():
    torch.manual_seed(0)
    bil = nn.Bilinear(18, 18, 3, dtype=F64)
    x = torch.randn(2, 2, 5, 5, dtype=F64)
    patches = F.unfold(x, 3, padding=1).transpose(1, 2)  # (N, L, P), as QuadraLib unfolds
    want = bil(patches, patches).transpose(1, 2).reshape(2, 3, 5, 5)
    got = reference.quadralib_type1(prefixed(bil, "bilconv"), x, kernel_size=3, padding=1)
    torch.testing.assert_close(got, want)


def test_quadrafc_and_quadraour_references_are_their_torch_modules():
    torch.manual_seed(0)
    fc = [nn.Linear(5, 3, dtype=F64) for _ in range(3)]
    state = {k: v for i, m in enumerate(fc, 1) for k, v in prefixed(m, f"fc{i}").items()}
    x = torch.randn(7, 5, dtype=F64)
    torch.testing.assert_close(reference.quadrafc(state, x), fc[0](x) * fc[1](x) + fc[2](x))
    convs = [nn.Conv2d(2, 3, 3, padding=1, dtype=F64) for _ in range(3)]
    bns = [nn.BatchNorm2d(3, dtype=F64) for _ in range(3)]
    for bn in bns:  # random affine parameters and running statistics
        for t in bn.state_dict().values():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5)
    state = {}
    for i, (conv, bn) in enumerate(zip(convs, bns), 1):
        state.update(prefixed(conv, f"conv{i}"))
        state.update({k: v for k, v in prefixed(bn, f"bn{i}").items() if "num_batches" not in k})
    images = torch.randn(4, 2, 6, 6, dtype=F64)
    for training in (False, True):
        for bn in bns:
            bn.train(training)
        b = [bn(conv(images)) for conv, bn in zip(convs, bns)]
        got = reference.quadraour(state, images, training=training, padding=1)
        torch.testing.assert_close(got, b[0] * b[1] + b[2])


def test_fan_and_qres_references_neuron_by_neuron():
    st = state_of("quadratic-operation")
    x = torch.randn(4, 5, dtype=F64)
    out = reference.quadratic_operation(st, x)
    for j in range(3):  # weights stored (in, out): column j is neuron j
        r = x @ st["weight_r"][:, j] + st["bias_r"][j]
        g = x @ st["weight_g"][:, j] + st["bias_g"][j]
        torch.testing.assert_close(
            out[:, j], r * g + (x * x) @ st["weight_b"][:, j] + st["bias_b"][j]
        )
    st = state_of("qres")
    a, b = x @ st["weight_1"].T, x @ st["weight_2"].T
    torch.testing.assert_close(reference.qres_layer(st, x), a * b + a + st["bias"])
    st = state_of("qres-tf")
    h1 = x @ st["W1"] + st["b"]
    torch.testing.assert_close(reference.qres_tf(st, x), h1 * (x @ st["W2"]) + h1)
    # the TensorFlow layer is not the PyTorch one: they differ by b (W2 x)
    pytorch_view = {"weight_1": st["W1"].T, "weight_2": st["W2"].T, "bias": st["b"][0]}
    gap = reference.qres_tf(st, x) - reference.qres_layer(pytorch_view, x)
    torch.testing.assert_close(gap, st["b"] * (x @ st["W2"]))


def test_giles_unit_and_volterra_references_are_double_sums():
    st = state_of("giles-unit")
    x = torch.randn(3, 5, dtype=F64)
    out = reference.giles_unit(st, x)
    want = st["W0"] + x @ st["W1"].T
    for j in range(5):
        for k in range(5):
            want = want + st["W2"][:, j, k] * x[:, j : j + 1] * x[:, k : k + 1]
    torch.testing.assert_close(out, want)
    st = state_of("volterra")
    images = torch.randn(1, 2, 4, 4, dtype=F64)
    out = reference.volterra_conv(st, images, padding=1)
    padded = F.pad(images, (1, 1, 1, 1))
    p = padded[0, :, 1:4, 2:5].reshape(-1)  # the patch at output (1, 2), F.unfold's order
    for o in range(3):
        want = st["w1"][o].reshape(-1) @ p + p @ st["w2"][o] @ p + st["b"][o]
        torch.testing.assert_close(out[0, o, 1, 2], want)


def test_chen_reference_returns_output_and_features():
    st = state_of("chen-lowrank")
    x = torch.randn(4, 5, dtype=F64)
    y, f = reference.chen_lowrank(st, x)
    assert y.shape == (4, 3) and f.shape == (4, 3, 2)
    for j in range(3):
        fj = x @ st["Q"][j]  # (4, k)
        quad = (fj * fj * st["Lambda"][j]).sum(-1) / 2
        torch.testing.assert_close(y[:, j], quad + x @ st["w"][j] + st["b"][j])
        torch.testing.assert_close(f[:, j], fj)


# --- every form against its peers --------------------------------------------------------
@pytest.fixture(scope="module")
def rows():
    return {r.name: r for r in peers.equivalence_table(torch.float64, seed=0)}


def test_every_peer_is_matched_to_rounding_in_float64(rows):
    assert list(rows) == list(PEERS)
    for name, row in rows.items():
        assert row.relative_difference < 1e-13, (name, row.relative_difference)
        assert row.max_difference < 1e-11, (name, row.max_difference)


def test_other_seeds_and_sizes_match_too():
    sizes = Sizes(n=7, m=4, channels=3, kernel=2, padding=0, rank=3)
    for row in peers.equivalence_table(seed=5, sizes=sizes):
        assert row.relative_difference < 1e-13, row.name


def test_parameter_counts_per_neuron(rows):
    n, p, k = 5, 18, 2  # dense inputs, conv patch, rank
    expected = {
        "dql-quadric": (2 * n + 1, 2 * n + 1),
        "giles-unit": (n * n + n + 1, n * (n + 1) // 2 + n + 1),
        "quadralib-T1": (p * p + 1, p * (p + 1) // 2 + 1),
        "quadralib-T2": (p + 1, p + 1),
        "quadralib-T3": (p + 1, p + 1),
        "quadralib-T4": (2 * p + 2, 2 * p + 2),
        "quadrafc": (3 * n + 3, 3 * n + 3),
        "quadraour": (3 * p + 9, 3 * p + 9),
        "quadratic-operation": (3 * n + 3, 3 * n + 3),
        "relinear-conv": (3 * p + 3, 3 * p + 3),
        "qres": (2 * n + 1, 2 * n + 1),
        "qres-tf": (2 * n + 1, 3 * n + 1),  # exact in the default form, which has n more
        "chen-lowrank": (k * n + k + n + 1,) * 2,
        "bilinear": (2 * n + 2, 2 * n + 2),
        "volterra": (p * p + p + 1, p * (p + 1) // 2 + p + 1),
    }
    for name, (theirs, ours) in expected.items():
        assert (rows[name].peer_parameters, rows[name].our_parameters) == (theirs, ours), name
    for row in rows.values():  # the formulas in n and k give the counts
        if PEERS[row.name].kind == "dense":
            text = re.sub(r"(\d|[kn)])(?=[kn(])", r"\1*", row.our_parameter_formula)
            assert eval(text.replace("/", "//"), {"n": n, "k": k}) == row.our_parameters


def test_same_start_where_the_init_is_known(rows):
    starts = {name: row.same_init for name, row in rows.items()}
    assert starts == {
        "dql-quadric": True, "giles-unit": None, "quadralib-T1": False, "quadralib-T2": True,
        "quadralib-T3": True, "quadralib-T4": True, "quadrafc": True, "quadranet-fc": True,
        "quadraour": True, "quadratic-operation": False, "quadratic-neurons": False,
        "relinear-conv": None, "qres": True, "qres-tf": None, "chen-lowrank": None,
        "chen-lowrank-orthonormal": None, "bilinear": None, "volterra": None,
    }  # fmt: skip


def test_fan_code_starts_at_relinear_with_another_scale():
    """QuadraticOperation's start is ReLinear's (w_g = 0, b_g = 1, w_b = 0, c = 0) as ours with
    init="relinear"; only the bound of w_r differs, 1/sqrt(out) against our 1/sqrt(in)."""
    torch.manual_seed(0)
    theirs = reference.init_quadratic_operation(50, 8)
    ours = peers.load_quadratic_operation_(dql.FanQuadric(50, 8), theirs)
    relinear = dql.FanQuadric(50, 8, init="relinear")
    for name in ("weight_v", "bias_v", "weight_sq", "bias"):
        assert torch.equal(getattr(ours, name), getattr(relinear, name)), name
    assert ours.weight_u.abs().max() > 1 / 50**0.5 >= relinear.weight_u.abs().max()
    assert ours.weight_u.abs().max() <= 1 / 8**0.5


def test_rows_display_as_the_headers_say(rows):
    for row in rows.values():
        cells = row.cells()
        assert len(cells) == len(peers.TABLE_HEADERS)
        assert all(isinstance(c, str) and c for c in cells)
        assert row.paper and row.note
    assert rows["qres-tf"].layer == "make_layer('hadamard')"
    assert rows["quadraour"].layer == "BranchNormConv2d()"


def test_every_row_says_what_its_reference_was_transcribed_from(rows):
    """Rows checked against code name the file; the others say which text of the paper
    (formula, description) or that the form is generic, and the table shows it."""
    sources = {name: row.source for name, row in rows.items()}
    assert sources == {
        "dql-quadric": "code", "giles-unit": "paper's formula", "quadralib-T1": "code",
        "quadralib-T2": "code", "quadralib-T3": "code", "quadralib-T4": "code",
        "quadrafc": "code", "quadranet-fc": "code, repository unknown", "quadraour": "code",
        "quadratic-operation": "code", "quadratic-neurons": "code, repository unknown",
        "relinear-conv": "code", "qres": "code", "qres-tf": "code",
        "chen-lowrank": "paper's description", "chen-lowrank-orthonormal": "paper's description",
        "bilinear": "paper's formula", "volterra": "generic",
    }  # fmt: skip
    for row in rows.values():
        assert (row.source == "code") == (row.code is not None), row.name
        assert row.cells()[peers.TABLE_HEADERS.index("transcribed from")] == row.source
    assert set(sources.values()) == set(peers.SOURCES)


def test_a_peer_must_say_where_its_reference_comes_from():
    peer = PEERS["qres"]
    with pytest.raises(ValueError, match="source must be one of"):
        dataclasses.replace(peer, source="memory")
    with pytest.raises(ValueError, match="source 'code' goes with a code path"):
        dataclasses.replace(peer, source="paper's formula")
    with pytest.raises(ValueError, match="source 'code' goes with a code path"):
        dataclasses.replace(PEERS["bilinear"], source="code")


def test_float32_agrees_to_float32_rounding():
    for row in peers.equivalence_table(torch.float32, peers=["quadrafc", "volterra"]):
        assert row.relative_difference < 1e-5, row.name


# --- converters: what they refuse ----------------------------------------------------------
def test_converters_refuse_the_wrong_layer_options_or_shapes():
    st = state_of("quadrafc")
    with pytest.raises(TypeError, match="Quadrafc loads into a HadamardQuadric, got FanQuadric"):
        peers.load_quadrafc_(dql.FanQuadric(5, 3), st)
    with pytest.raises(ValueError, match="factor_bias=True"):
        peers.load_quadrafc_(dql.HadamardQuadric(5, 3), st)
    with pytest.raises(ValueError, match=r"fc1.weight: shape \(3, 5\) does not fit \(3, 4\)"):
        peers.load_quadrafc_(dql.make_layer("quadralib", 4, 3), st)
    with pytest.raises(ValueError, match="has no 'fc2.bias'"):
        peers.load_quadrafc_(
            dql.make_layer("quadralib", 5, 3), {k: v for k, v in st.items() if k != "fc2.bias"}
        )
    with pytest.raises(ValueError, match="residual=True"):
        peers.load_qres_layer_(dql.HadamardQuadric(5, 3), state_of("qres"))
    with pytest.raises(TypeError, match="loads into a QuadricConv2d"):
        peers.load_relinear_conv_(dql.FanQuadric(18, 3), state_of("relinear-conv"))
    with pytest.raises(ValueError, match="kind must be one of"):
        peers.load_quadralib_conv_(dql.QuadricConv2d(2, 3, 3, form="T2-code"), {}, "T5")
    with pytest.raises(ValueError, match="peer must be one of"):
        peers.load_peer_(dql.FanQuadric(5, 3), "fan", {})


def test_orthonormal_layer_refuses_directions_that_are_not():
    st = state_of("chen-lowrank")  # a free Q
    layer = dql.make_layer("lowrank-orthonormal", 5, 3, rank=2, return_features=True,
                           dtype=F64)  # fmt: skip
    with pytest.raises(ValueError, match="orthonormal columns"):
        peers.load_chen_lowrank_(layer, st)


def test_loaded_layers_train_like_any_layer():
    """A converted layer is an ordinary module: it trains, and its gradients agree with the
    reference's (autograd through the peer's formula, then mapped)."""
    st = {k: v.requires_grad_() for k, v in state_of("quadrafc").items()}
    layer = peers.load_quadrafc_(dql.make_layer("quadralib", 5, 3, dtype=F64), st)
    x = torch.randn(6, 5, dtype=F64)
    reference.quadrafc(st, x).square().sum().backward()
    layer(x).square().sum().backward()
    torch.testing.assert_close(layer.weight_u.grad, st["fc1.weight"].grad)
    torch.testing.assert_close(layer.bias_v.grad, st["fc2.bias"].grad)
    torch.testing.assert_close(layer.bias.grad, st["fc3.bias"].grad)


def test_equivalence_table_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"peers must be names from \[.*\], got \['nope'\]"):
        peers.equivalence_table(peers=["nope"])
    with pytest.raises(ValueError, match="sizes.n must be an int >= 1, got 0"):
        peers.equivalence_table(sizes=Sizes(n=0))
    with pytest.raises(TypeError, match="seed"):
        peers.equivalence_table(seed=1.5)


def test_every_peer_names_a_registered_form_and_a_state_that_fits():
    for peer in PEERS.values():
        assert peer.form in dql.FORMS or peer.form in dql.VARIANTS, peer.name
        layer = peer.build(Sizes(), dtype=F64)
        before = copy.deepcopy(layer.state_dict())
        peer.load(layer, state_of(peer.name))
        changed = [k for k, v in layer.state_dict().items() if not torch.equal(v, before[k])]
        assert changed, peer.name  # the converter wrote something
