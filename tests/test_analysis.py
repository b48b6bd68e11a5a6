"""dql_teach.analysis: parameter, connection, multiply-add and activation-memory counts."""

import dataclasses

import pytest
import torch
from torch import nn

import dql_teach as dql
from dql_teach.analysis import (
    FormCost,
    activation_memory,
    count_connections,
    count_parameters,
    form_table,
    multiply_adds,
)

B, N, M = 32, 10, 4  # batch, inputs, neurons


# --- count_parameters -----------------------------------------------------------------------
def test_count_parameters_against_hand_counts_for_every_form():
    n, m, k = 5, 3, 2
    per_neuron = {  # DESIGN.md's table
        nn.Linear(n, m): n + 1,
        dql.DiagonalQuadric(n, m): 2 * n + 1,
        dql.QuadricLinear(n, m): n * (n + 1) // 2 + n + 1,
        dql.FanQuadric(n, m): 3 * n + 3,
        dql.HadamardQuadric(n, m): 3 * n + 1,
        dql.LowRankQuadric(n, m, rank=k): k * n + k + n + 1,
    }
    for layer, count in per_neuron.items():
        assert count_parameters(layer) == m * count, type(layer).__name__


def test_count_parameters_of_a_network_and_trainable_only():
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    assert count_parameters(mlp) == 4 * 8 + 8 + 8 * 3 + 3 == 67  # the thesis's Iris network
    hybrid = nn.Sequential(dql.DiagonalQuadric(4, 3), nn.ReLU(), nn.Linear(3, 3))
    assert count_parameters(hybrid) == 3 * (2 * 4 + 1) + 3 * 3 + 3 == 39
    mlp[0].weight.requires_grad_(False)
    assert count_parameters(mlp, trainable_only=True) == 67 - 32
    assert count_parameters(mlp) == 67


def test_shared_parameters_count_once():
    layer = nn.Linear(3, 3)
    assert count_parameters(nn.Sequential(layer, nn.Tanh(), layer)) == 12
    tied = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    tied[1].weight = tied[0].weight
    assert count_parameters(tied) == 9 + 3 + 3


# --- count_connections ----------------------------------------------------------------------
def test_a_neuron_has_one_connection_per_input_whatever_its_form():
    for form in dql.FORMS:
        assert count_connections(dql.make_layer(form, 5, 3, rank=2)) == 15, form


def test_count_connections_of_networks_and_convolutions():
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    assert count_connections(mlp) == 4 * 8 + 8 * 3
    hybrid = nn.Sequential(dql.DiagonalQuadric(4, 3), nn.ReLU(), nn.Linear(3, 3))
    assert count_connections(hybrid) == 4 * 3 + 3 * 3
    assert count_connections(nn.Conv2d(3, 8, 3)) == 8 * 3 * 3 * 3
    assert count_connections(nn.Conv2d(4, 8, 3, groups=2)) == 8 * 2 * 3 * 3
    assert count_connections(nn.Conv1d(2, 4, 5)) == 4 * 2 * 5
    # a quadric convolution is counted once, through its dense neuron over a patch
    assert count_connections(dql.QuadricConv2d(8, 4, 3, form="fan")) == 4 * 8 * 3 * 3
    assert count_connections(nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))) == 0


# --- activation_memory ----------------------------------------------------------------------
def test_linear_keeps_only_its_input():
    """``y = x W^T + b``: the weight gradient ``grad^T x`` needs ``x``, the input gradient
    ``grad W`` needs ``W`` (a parameter, not counted) and the bias gradient needs nothing.
    So an ``nn.Linear`` keeps exactly its input: ``B n`` floats of 4 bytes."""
    x = torch.randn(B, N)
    assert activation_memory(nn.Linear(N, M), x) == B * N * 4
    assert activation_memory(nn.Linear(N, M), x, input_requires_grad=False) == B * N * 4
    assert activation_memory(nn.Linear(N, M).double(), x.double()) == B * N * 8
    # parameters are not counted, however large: one sample through a 100x100 layer
    assert activation_memory(nn.Linear(100, 100), torch.randn(1, 100)) == 100 * 4


def test_autograd_saves_only_what_a_gradient_needs():
    """A frozen weight needs no gradient, so ``x`` is not saved; the input gradient needs
    only ``W``, a parameter. Nothing is counted."""
    layer = nn.Linear(N, M)
    layer.weight.requires_grad_(False)
    assert activation_memory(layer, torch.randn(B, N)) == 0


def test_shared_storage_counts_once():
    """ReLU saves its output (its gradient is ``grad * (out > 0)``), and the next
    ``nn.Linear`` saves the same tensor as its input: one storage, counted once. The first
    layer's pre-activation is saved by nobody."""
    x = torch.randn(B, N)
    for activation in (nn.ReLU(), nn.Tanh(), nn.Sigmoid()):  # all three save their output
        net = nn.Sequential(nn.Linear(N, M), activation, nn.Linear(M, 2))
        assert activation_memory(net, x) == (B * N + B * M) * 4, activation


def test_diagonal_quadric_keeps_x_and_its_square():
    """``x∘x`` saves ``x`` (twice, one storage); ``q·(x∘x)`` saves ``x∘x``; ``w·x`` saves
    ``x`` again. Two ``(B, n)`` tensors in all."""
    x = torch.randn(B, N)
    assert activation_memory(dql.DiagonalQuadric(N, M), x) == 2 * B * N * 4


def test_full_quadric_keeps_its_monomials_and_input():
    """The gradient of the monomial coefficients needs the ``p = n(n+1)/2`` monomials
    ``x_i x_j`` (``B p`` floats) and that of ``b`` needs ``x`` (``B n``): a lower bound for
    any implementation that does not recompute. The library's reaches it: its monomial
    function saves only ``x`` (the same storage again), not two gathered copies of it."""
    x = torch.randn(B, N)
    p = N * (N + 1) // 2
    layer = dql.QuadricLinear(N, M)
    assert activation_memory(layer, x) == B * (N + p) * 4
    assert activation_memory(layer, x, input_requires_grad=False) == B * (N + p) * 4


def test_memory_efficient_forms_keep_only_their_input():
    x = torch.randn(B, N)
    layer = dql.HadamardQuadric(N, M)
    assert activation_memory(layer, x) > B * N * 4
    layer.memory_efficient = True
    assert activation_memory(layer, x) == B * N * 4


def test_activation_memory_counts_a_slice_as_its_rows_and_has_no_side_effects():
    X = torch.randn(1000, N)
    layer = nn.Linear(N, M)
    assert activation_memory(layer, X[:B]) == B * N * 4  # not the whole of X's storage
    with torch.no_grad():  # measured all the same
        assert activation_memory(layer, X[:B]) == B * N * 4
    assert not X.requires_grad and all(p.grad is None for p in layer.parameters())


def test_activation_memory_bad_inputs():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got str"):
        activation_memory("layer", torch.randn(2, 2))
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a torch.Tensor, got list"):
        activation_memory(nn.Linear(2, 2), [[1.0, 2.0]])


# --- multiply_adds ----------------------------------------------------------------------------
def test_multiply_adds_per_sample():
    n, m, k = 6, 5, 2
    p = n * (n + 1) // 2
    assert multiply_adds(nn.Linear(n, m)) == m * n
    assert multiply_adds(dql.DiagonalQuadric(n, m)) == n + 2 * m * n
    assert multiply_adds(dql.QuadricLinear(n, m)) == p + m * p + m * n
    assert multiply_adds(dql.FanQuadric(n, m)) == 3 * m * n + n + m
    assert multiply_adds(dql.HadamardQuadric(n, m)) == 3 * m * n + m
    assert multiply_adds(dql.LowRankQuadric(n, m, rank=k)) == (k + 1) * m * n + 2 * k * m
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), dql.HadamardQuadric(8, 1))
    assert multiply_adds(net) == 16 + 3 * 8 + 1


def test_multiply_adds_refuses_what_it_cannot_count():
    with pytest.raises(TypeError, match="a convolution's count depends on the image size"):
        multiply_adds(nn.Conv2d(1, 1, 3))
    with pytest.raises(TypeError, match="counts dense layers, got QuadricConv2d"):
        multiply_adds(dql.QuadricConv2d(1, 1, 3))
    with pytest.raises(TypeError, match="does not know Bilinear"):
        multiply_adds(nn.Bilinear(2, 2, 1))


# --- form_table -------------------------------------------------------------------------------
def test_form_table_rows():
    n, k = 6, 2
    rows = {r.form: r for r in form_table(n, rank=k)}
    assert list(rows) == list(dql.FORMS)
    expected = {  # (parameters per neuron, largest rank of A)
        "linear": (n + 1, 0),
        "diagonal": (2 * n + 1, n),
        "full": (n * (n + 1) // 2 + n + 1, n),
        "fan": (3 * n + 3, n),
        "hadamard": (3 * n + 1, 2),  # (u·x)(v·x): A = sym(u v^T) has rank 2
        "lowrank": (k * n + k + n + 1, k),
    }
    for form, (params, rank) in expected.items():
        row = rows[form]
        assert isinstance(row, FormCost)
        assert (row.parameters, row.max_rank) == (params, rank), form
        assert row.formula.startswith("$") and row.formula.endswith("$")
        assert row.multiply_adds == multiply_adds(dql.make_layer(form, n, 1, rank=k))
    assert dataclasses.asdict(rows["linear"])["parameters"] == n + 1


def test_form_table_quadralib_types():
    n = 5
    rows = {r.form: r for r in form_table(n, forms=["T1", "T2", "T3", "T4"])}
    assert rows["T1"].parameters == n * (n + 1) // 2 and rows["T1"].max_rank == n
    assert rows["T2"].parameters == n and rows["T2"].max_rank == n
    assert rows["T3"].parameters == n and rows["T3"].max_rank == 1  # (w·x)^2 = x^T w w^T x
    assert rows["T4"].parameters == 2 * n and rows["T4"].max_rank == 2


def test_form_table_splits_shared_work_over_the_layer():
    n, m = 4, 3
    one, three = (form_table(n, m, forms=["diagonal"])[0] for m in (1, m))
    assert one.multiply_adds == n + 2 * n  # x∘x is computed for this one neuron
    assert three.multiply_adds == pytest.approx((n + 2 * m * n) / m)  # shared by 3 neurons
    assert one.parameters == three.parameters


def test_form_table_leaves_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    form_table(4)
    assert torch.equal(torch.rand(3), expected)


def test_form_table_bad_inputs():
    with pytest.raises(
        ValueError, match=r"forms must hold names from \['linear'.*'T4-code'\], got 'quartic'"
    ):
        form_table(3, forms=["linear", "quartic"])
    with pytest.raises(ValueError, match="n must be an int >= 1, got 0"):
        form_table(0)
    with pytest.raises(ValueError, match="rank must be an int >= 1, got 0"):
        form_table(3, rank=0)
    with pytest.raises(TypeError, match="m must be an int, got bool True"):
        form_table(3, True)
