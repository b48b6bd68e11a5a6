"""quadrify() carries what a layer holds besides its weights: frozen parameters, shared layers,
tied weights (refused), hooks, and reads ``include`` as names or types."""

import pytest
import torch
from torch import nn

import dql_teach as dql


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))


def test_a_frozen_layer_stays_frozen_and_a_trainable_one_trainable():
    model = mlp()
    model[0].requires_grad_(False)
    q = dql.quadrify(model, form="hadamard")
    assert not any(p.requires_grad for p in q[0].parameters())
    assert all(p.requires_grad for p in q[2].parameters())
    x = torch.randn(5, 4)
    torch.testing.assert_close(q(x), model(x))


def test_a_layer_frozen_in_part_is_refused():
    model = mlp()
    model[0].bias.requires_grad_(False)
    with pytest.raises(ValueError, match=r"layer '0' is frozen in part \(bias only\)"):
        dql.quadrify(model)


def test_tied_weights_are_refused_rather_than_untied():
    """Two Linear(4, 4, bias=False) sharing one weight: 16 parameters became 96."""
    first, second = nn.Linear(4, 4, bias=False), nn.Linear(4, 4, bias=False)
    second.weight = first.weight
    model = nn.Sequential(first, nn.ReLU(), second)
    assert dql.count_parameters(model) == 16
    with pytest.raises(ValueError, match=r"'0'.weight and '2'.weight are one shared parameter"):
        dql.quadrify(model, form="hadamard")
    # converting only other layers leaves the tie alone: nothing to refuse
    model = nn.Sequential(first, nn.ReLU(), second, nn.ReLU(), nn.Linear(4, 1))
    q = dql.quadrify(model, include="4")
    assert q[0].weight is q[2].weight


def test_one_layer_used_twice_is_converted_once_and_stays_shared():
    layer = nn.Linear(4, 4)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    q = dql.quadrify(model, form="diagonal", include=["2"])  # either name selects it
    assert isinstance(q[0], dql.DiagonalQuadric) and q[0] is q[2]
    assert dql.count_parameters(q) == dql.count_parameters(dql.DiagonalQuadric(4, 4))
    x = torch.randn(3, 4)
    torch.testing.assert_close(q(x), model(x))


def test_include_is_one_name_one_type_or_a_list():
    model = nn.Sequential(nn.Linear(2, 2), *[nn.ReLU() for _ in range(9)], nn.Linear(2, 1))
    q = dql.quadrify(model, include="10")  # the name '10', not the names '1' and '0'
    assert isinstance(q[0], nn.Linear) and isinstance(q[10], dql.HadamardQuadric)
    q = dql.quadrify(model, include=nn.Linear)
    assert isinstance(q[0], dql.HadamardQuadric) and isinstance(q[10], dql.HadamardQuadric)
    with pytest.raises(TypeError, match="include must hold module names .* got int 3"):
        dql.quadrify(model, include=[3])
    with pytest.raises(TypeError, match="include must be a module name, a layer type or a list"):
        dql.quadrify(model, include=3)


def test_hooks_are_carried_to_the_quadric_layer():
    model = mlp()
    calls = []
    model[0].register_forward_pre_hook(lambda m, args: calls.append("pre"))
    model[0].register_forward_hook(lambda m, args, out: calls.append(type(m).__name__))
    model[0].register_forward_hook(
        lambda m, args, kwargs, out: calls.append("kw"), with_kwargs=True
    )
    model[0].register_full_backward_hook(lambda m, gin, gout: calls.append("backward"))
    q = dql.quadrify(model, form="diagonal")
    x = torch.randn(2, 4, requires_grad=True)
    q(x).sum().backward()
    assert calls == ["pre", "DiagonalQuadric", "kw", "backward"]


def test_state_dict_hooks_cannot_be_carried_and_say_so():
    model = mlp()
    model[2].register_state_dict_post_hook(lambda *args: None)
    with pytest.warns(UserWarning, match=r"layer '2' has state_dict_hooks"):
        dql.quadrify(model)
