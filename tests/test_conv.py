"""QuadricConv2d against unfold + the dense form, and quadrify()."""

import copy
import io

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dql_teach as dql

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
CONV_FORMS = dql.QUADRIC_FORMS


def make_conv(form, **kw):
    conv = dql.QuadricConv2d(3, 4, **kw, form=form, rank=2)
    with torch.no_grad():  # parameters that start at zero (the low-rank Λ) get values
        for p in conv.parameters():
            if not p.any():
                p.normal_()
    return conv


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("form", CONV_FORMS)
@pytest.mark.parametrize(
    "geometry",
    [
        {"kernel_size": 3},
        {"kernel_size": (3, 2), "stride": (2, 1), "padding": 1, "dilation": (1, 2)},
    ],
)
def test_conv_equals_form_on_every_receptive_field(form, geometry, device):
    torch.manual_seed(0)
    conv = make_conv(form, **geometry).to(device=device, dtype=torch.float64)
    x = torch.randn(2, 3, 9, 8, dtype=torch.float64, device=device)
    y = conv(x)
    ref_conv = nn.Conv2d(3, 4, **geometry)
    assert y.shape == ref_conv(x[:, :, :, :].float().cpu()).shape
    keys = ("kernel_size", "dilation", "padding", "stride")
    unfold_args = {k: getattr(conv, k) for k in keys}
    patches = F.unfold(x, **unfold_args).transpose(1, 2)  # (N, L, C*kh*kw)
    dense = conv.neuron(patches)  # the dense form on every patch
    torch.testing.assert_close(y, dense.transpose(1, 2).reshape(y.shape))
    A, b, c = conv.as_quadric()
    explicit = dql.evaluate_quadric(A, b, c, patches).transpose(1, 2).reshape(y.shape)
    torch.testing.assert_close(y, explicit)


@pytest.mark.parametrize("form", CONV_FORMS)
def test_conv_gradcheck_and_memory_efficient(form):
    torch.manual_seed(0)
    conv = make_conv(form, kernel_size=2).double()
    x = torch.randn(1, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(conv, (x,))
    efficient = make_conv(form, kernel_size=2, memory_efficient=True).double()
    efficient.load_state_dict(conv.state_dict())
    x2 = x.detach().clone().requires_grad_(True)
    conv(x).sum().backward()
    efficient(x2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)


def test_conv_parameters_state_dict_and_repr():
    conv = dql.QuadricConv2d(3, 8, 3, form="hadamard")
    assert sum(p.numel() for p in conv.parameters()) == 8 * (3 * 27 + 1)
    buf = io.BytesIO()
    torch.save(conv.state_dict(), buf)
    buf.seek(0)
    other = dql.QuadricConv2d(3, 8, 3, form="hadamard")
    other.load_state_dict(torch.load(buf, weights_only=True))
    x = torch.randn(1, 3, 5, 5)
    assert torch.equal(conv(x), other(x))
    assert "form='hadamard'" in repr(conv)


def test_conv_lowrank_features_channels():
    conv = dql.QuadricConv2d(3, 4, 3, form="lowrank", rank=2, return_features=True)
    assert conv(torch.randn(2, 3, 6, 6)).shape == (2, 12, 4, 4)


def test_conv_bad_inputs():
    conv = dql.QuadricConv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"\(N, in_channels=3, H, W\), got \(3, 6, 6\)"):
        conv(torch.randn(3, 6, 6))
    with pytest.raises(ValueError, match=r"got \(1, 2, 6, 6\)"):
        conv(torch.randn(1, 2, 6, 6))
    with pytest.raises(TypeError, match="floating-point"):
        conv(torch.ones(1, 3, 6, 6, dtype=torch.int32))
    with pytest.raises(ValueError, match="form must be one of"):
        dql.QuadricConv2d(3, 4, 3, form="cubic")
    with pytest.raises(ValueError, match="kernel_size"):
        dql.QuadricConv2d(3, 4, 0)
    with pytest.raises(ValueError, match="in_channels must be an int >= 1, got 0"):
        dql.QuadricConv2d(0, 4, 3)
    with pytest.raises(TypeError, match="stride must be an int, got float 1.5"):
        dql.QuadricConv2d(3, 4, 3, stride=1.5)
    with pytest.raises(ValueError, match="padding must be an int >= 0, got -1"):
        dql.QuadricConv2d(3, 4, 3, padding=-1)


@pytest.mark.parametrize("form", CONV_FORMS)
@pytest.mark.parametrize(
    "geometry",
    [{"kernel_size": 3}, {"kernel_size": (2, 3), "dilation": (1, 2)}, {"kernel_size": 4}],
)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_padding_same_keeps_the_size_as_nn_conv2d_does(form, geometry):
    """'same' is zero padding of d (k - 1) in all, the odd one at the bottom/right (torch's
    rule): the same as padding the input by hand and convolving without padding."""
    torch.manual_seed(0)
    conv = make_conv(form, padding="same", **geometry).double()
    x = torch.randn(2, 3, 7, 6, dtype=torch.float64)
    y = conv(x)
    assert y.shape == nn.Conv2d(3, 4, padding="same", **geometry).double()(x).shape
    assert y.shape[-2:] == x.shape[-2:] == conv.output_shape(7, 6)
    (kh, kw), (dh, dw) = conv.kernel_size, conv.dilation
    th, tw = dh * (kh - 1), dw * (kw - 1)
    padded = F.pad(x, (tw // 2, tw - tw // 2, th // 2, th - th // 2))
    valid = make_conv(form, padding="valid", **geometry).double()
    valid.load_state_dict(conv.state_dict())
    torch.testing.assert_close(y, valid(padded))
    assert "padding='same'" in repr(conv)


def test_padding_strings_are_checked_by_name():
    with pytest.raises(
        ValueError, match="padding must be an int, a pair of ints, 'valid' or 'same', got 'full'"
    ):
        dql.QuadricConv2d(3, 4, 3, padding="full")
    with pytest.raises(ValueError, match=r"padding='same' needs stride=1, got stride=\(2, 2\)"):
        dql.QuadricConv2d(3, 4, 3, padding="same", stride=2)


@pytest.mark.parametrize("memory_efficient", [False, True])
@pytest.mark.parametrize("form", CONV_FORMS)
def test_conv_on_an_empty_batch(form, memory_efficient):
    conv = make_conv(form, kernel_size=3, padding=1, memory_efficient=memory_efficient)
    x = torch.randn(0, 3, 5, 5, requires_grad=True)
    y = conv(x)
    assert y.shape == (0, 4, 5, 5) == nn.Conv2d(3, 4, 3, padding=1)(x).shape
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert all(torch.count_nonzero(p.grad) == 0 for p in conv.parameters())


# --- quadrify ------------------------------------------------------------------------------
def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, stride=2, bias=False),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 16),
        nn.ReLU(),
        nn.Linear(16, 3, bias=False),
    )


@pytest.mark.parametrize("form", CONV_FORMS)
def test_quadrify_preserves_outputs_and_leaves_model_alone(form):
    torch.manual_seed(0)
    model = small_cnn().double()
    x = torch.randn(5, 1, 8, 8, dtype=torch.float64)
    q = dql.quadrify(model, form=form)
    torch.testing.assert_close(q(x), model(x))
    assert all(isinstance(m, (nn.Linear, nn.Conv2d)) is False for m in q.modules())
    assert isinstance(model[0], nn.Conv2d)  # the original is untouched
    assert isinstance(q[0], dql.QuadricConv2d) and isinstance(q[5], dql.FORMS[form])
    # training can move away from the linear start: some quadratic parameter gets a gradient
    q(x).square().sum().backward()
    quad = [
        p
        for m in q.modules()
        if hasattr(m, "quadratic_parameters")
        for p in m.quadratic_parameters()
    ]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in quad)


def test_quadrify_include_by_name_and_type():
    model = small_cnn()
    only_first = dql.quadrify(model, form="fan", include=["0"])
    assert isinstance(only_first[0], dql.QuadricConv2d) and isinstance(only_first[2], nn.Conv2d)
    only_linear = dql.quadrify(model, include=[nn.Linear])
    assert isinstance(only_linear[0], nn.Conv2d) and isinstance(only_linear[7], dql.HadamardQuadric)
    single = dql.quadrify(nn.Linear(3, 2), form="diagonal")
    assert isinstance(single, dql.DiagonalQuadric)


def test_quadrify_options_and_errors():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    q = dql.quadrify(model, form="lowrank", rank=2, memory_efficient=True)
    assert q[0].rank == 2 and q[0].memory_efficient
    with pytest.raises(ValueError, match="form must be one of"):
        dql.quadrify(model, form="nope")
    with pytest.raises(ValueError, match=r"include names \['9'\]"):
        dql.quadrify(model, include=["9"])
    with pytest.raises(ValueError, match="no nn.Linear or nn.Conv2d"):
        dql.quadrify(nn.Sequential(nn.ReLU()))
    with pytest.raises(ValueError, match="groups=1"):
        dql.quadrify(nn.Conv2d(4, 4, 3, groups=2))
    with pytest.raises(ValueError, match="shared_factors=False"):
        dql.quadrify(model, form="hadamard", shared_factors=True)


# --- variants as convolutions, and QuadraLib's BatchNorm per branch ------------------------
def test_variant_convolutions_are_the_convs_quadralib_writes():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    c1, c2 = (nn.Conv2d(3, 4, 3, padding=1, dtype=torch.float64) for _ in range(2))
    cases = {
        "T2-code": lambda: c1(x * x),
        "T3-code": lambda: c1(x) ** 2,
        "T4-code": lambda: c1(x) * c2(x),
        "T4": lambda: (
            F.conv2d(x, c1.weight, None, padding=1) * F.conv2d(x, c2.weight, None, padding=1)
        ),
    }
    for form, want in cases.items():
        conv = dql.QuadricConv2d(3, 4, 3, padding=1, form=form, dtype=torch.float64)
        n = conv.neuron
        with torch.no_grad():
            first = n.weight_sq if form == "T2-code" else n.weight_u
            first.copy_(c1.weight.reshape(4, -1))
            if getattr(n, "weight_v", None) is not None:
                n.weight_v.copy_(c2.weight.reshape(4, -1))
            for ours, theirs in (
                (getattr(n, "bias_u", None), c1.bias),
                (getattr(n, "bias_v", None), c2.bias),
            ):
                if ours is not None:
                    ours.copy_(theirs)
            if n.bias is not None:
                n.bias.copy_(c1.bias)
        torch.testing.assert_close(conv(x), want(), msg=form)
    # bias=None leaves it to the form or variant; an explicit bias overrides a variant's
    assert dql.QuadricConv2d(3, 4, 3, form="hadamard").neuron.bias is not None
    assert dql.QuadricConv2d(3, 4, 3, form="T4").neuron.bias is None
    assert dql.QuadricConv2d(3, 4, 3, form="T4", bias=True).neuron.bias is not None


def torch_branch_norm(layer):
    """The same computation from torch's modules: three nn.Conv2d, three nn.BatchNorm2d."""
    n = layer.neuron
    convs = [nn.Conv2d(3, 4, 3, padding=1, dtype=torch.float64) for _ in range(3)]
    with torch.no_grad():
        for conv, (w, b) in zip(
            convs, ((n.weight_u, n.bias_u), (n.weight_v, n.bias_v), (n.weight, n.bias))
        ):
            conv.weight.copy_(w.reshape(conv.weight.shape))
            conv.bias.copy_(b)
    norms = [copy.deepcopy(bn) for bn in (layer.norm_u, layer.norm_v, layer.norm_w)]
    return convs, norms


def test_branch_norm_conv_is_three_convs_and_three_batch_norms():
    torch.manual_seed(0)
    layer = dql.BranchNormConv2d(3, 4, 3, padding=1, dtype=torch.float64)
    dql.randomize_(layer.conv, std=0.3)
    with torch.no_grad():
        for bn in (layer.norm_u, layer.norm_v, layer.norm_w):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_()
    convs, norms = torch_branch_norm(layer)
    x = torch.randn(5, 3, 6, 6, dtype=torch.float64, requires_grad=True)
    x2 = x.detach().clone().requires_grad_()
    for training in (True, False):  # batch statistics (and running ones updated), then running
        layer.train(training)
        for bn in norms:
            bn.train(training)
        y = layer(x)
        b = [bn(conv(x2)) for conv, bn in zip(convs, norms)]
        want = b[0] * b[1] + b[2]
        torch.testing.assert_close(y, want)
        for ours, theirs in zip((layer.norm_u, layer.norm_v, layer.norm_w), norms):
            torch.testing.assert_close(ours.running_var, theirs.running_var)
    y.square().sum().backward()
    want.square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)
    torch.testing.assert_close(layer.neuron.weight_u.grad, convs[0].weight.grad.reshape(4, -1))
    torch.testing.assert_close(layer.norm_w.weight.grad, norms[2].weight.grad)
    # parameters per output channel: 3 convolutions (27 + 1 each), 3 x (weight, bias)
    assert dql.count_parameters(layer) == 4 * (3 * 28 + 6)
    assert len(dql.quadratic_param_groups(layer, 0.1, 0.01)[1]["params"]) == 4  # u, v, u_0, v_0


def test_branch_norm_conv_options():
    plain = dql.BranchNormConv2d(3, 4, 3, bias=False)
    assert plain.neuron.bias is None and plain.neuron.bias_u is None
    assert plain(torch.randn(2, 3, 5, 5)).shape == (2, 4, 3, 3)
    same = dql.BranchNormConv2d(3, 4, 2, padding="same")
    assert same(torch.randn(2, 3, 5, 5)).shape == (2, 4, 5, 5)
    with pytest.raises(ValueError, match=r"in_channels=3"):
        plain(torch.randn(2, 4, 5, 5))
    plain.reset_parameters()
