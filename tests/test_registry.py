"""The registry of forms and the facts each form states about itself, every fact checked
against the real layer: parameter counts against a count, multiply-adds against the
operations the layer runs, the largest rank of A against matrix_rank, the ReLinear zeros
against the parameters, the README's table against the registry."""

import re
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

import dql_teach as dql

ROOT = Path(__file__).resolve().parents[1]
aten = torch.ops.aten

# every form with its default options, and the option sets that change its facts
VARIANTS = (
    [(form, {}) for form in dql.FORMS]
    + [
        ("linear", {"bias": False}),
        ("diagonal", {"linear_term": False}),
        ("diagonal", {"bias": False}),
        ("full", {"linear_term": False, "bias": False}),
        ("fan", {"bias": False}),
        ("hadamard", {"residual": True}),
        ("hadamard", {"linear_term": False}),
        ("hadamard", {"shared_factors": True, "linear_term": False, "bias": False}),
        ("lowrank", {"rank": 3}),
        ("lowrank", {"rank": 2, "linear_term": False, "bias": False}),
        ("lowrank", {"rank": 2, "return_features": True}),
        ("lowrank", {"rank": 2, "orthonormal": True}),
        ("hadamard", {"factor_bias": True}),
        ("hadamard", {"factor_bias": True, "bias": False}),
    ]
    + [(name, {}) for name in dql.VARIANTS]
)  # every published variant with its own options
IDS = [
    f"{form}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'default'}"
    for form, options in VARIANTS
]


def layer_of(form, options, n=5, m=3, **kw):
    return dql.make_layer(form, n, m, **options, **kw)


# --- counting what a layer really computes ----------------------------------------------------
class CountMultiplies(TorchDispatchMode):
    """Multiply-adds of the ATen operations run: ``M K N`` per matrix product, one per output
    element of an elementwise product. Additions, copies and reductions count nothing."""

    def __init__(self):
        super().__init__()
        self.gemm = 0
        self.elementwise = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        packet = func.overloadpacket
        if packet in (aten.mm, aten.addmm, aten.bmm, aten.baddbmm):
            a, b = (args[-2], args[-1]) if packet in (aten.addmm, aten.baddbmm) else args[:2]
            self.gemm += a.numel() * b.shape[-1]
        elif packet in (aten.mul, aten.addcmul):
            self.elementwise += out.numel()
        return out


def per_sample(layer, n):
    """(GEMM, elementwise) multiply-adds per sample: the count for 2 samples minus that for 1,
    which drops the work on the parameters alone (stacking the weights, Λ / k)."""
    counts = []
    for batch in (1, 2):
        with torch.no_grad(), CountMultiplies() as mode:
            layer(torch.randn(batch, n))
        counts.append((mode.gemm, mode.elementwise))
    return counts[1][0] - counts[0][0], counts[1][1] - counts[0][1]


@pytest.mark.parametrize("form, options", VARIANTS, ids=IDS)
@pytest.mark.parametrize("n", [1, 2, 6])
def test_stated_facts_match_the_layer(form, options, n):
    if options.get("rank", 1) > n:
        pytest.skip("rank > n")
    m = 3
    layer = layer_of(form, options, n, m)
    facts = dql.form_facts(layer)
    # parameters: the formula in n and the options against the count
    assert facts.parameters_per_neuron(layer) * m == dql.count_parameters(layer)
    # multiply-adds: the stated count against the operations run; the FLOP-equivalent linear
    # layers do the same GEMM work
    gemm, elementwise = per_sample(layer, n)
    assert facts.multiply_adds(layer) == gemm + elementwise == dql.analysis.multiply_adds(layer)
    for fan_in, fan_out in facts.flop_equivalent(layer).values():
        assert fan_in * fan_out == gemm
    # the largest rank: reached by every neuron of a layer with random parameters
    if form != "linear":
        generator = torch.Generator().manual_seed(0)
        dql.randomize_(layer.double(), generator=generator)
        A = layer.as_quadric()[0][:m]  # (m, n, n); the features of return_features are linear
        assert torch.linalg.matrix_rank(A).tolist() == [facts.max_rank(layer)] * m
    else:
        assert facts.max_rank(layer) == 0


@pytest.mark.parametrize("form, options", VARIANTS, ids=IDS)
def test_relinear_zeros_are_the_zeros_of_relinear_and_load_linear(form, options):
    facts = dql.form_facts(form)
    x = torch.randn(10, 5, dtype=torch.float64)
    try:
        relinear = layer_of(form, options, init="relinear", dtype=torch.float64)
    except (TypeError, ValueError):  # nn.Linear has no init; some options refuse ReLinear
        relinear = None
    if relinear is not None:
        zeros = {name for name, p in relinear.named_parameters() if not p.any()}
        assert zeros == set(facts.relinear_zeros(relinear))
        A, b, c = relinear.as_quadric()
        torch.testing.assert_close(relinear(x), x @ b.T + c)
    layer = dql.randomize_(layer_of(form, options, dtype=torch.float64))
    linear = nn.Linear(5, layer.out_features, dtype=torch.float64)
    if not hasattr(layer, "load_linear_"):
        assert facts.relinear_zeros(layer) == ()
        return
    try:
        layer.load_linear_(linear.weight.detach(), linear.bias.detach())
    except ValueError:  # options with no linear part to load into
        return
    zeros = {name for name, p in layer.named_parameters() if not p.any()}
    assert zeros == set(facts.relinear_zeros(layer))
    torch.testing.assert_close(layer(x), linear(x))


# --- the registry --------------------------------------------------------------------------
def test_every_form_is_registered_under_its_own_name():
    assert list(dql.FORMS)[0] == "linear" and dql.FORMS["linear"] is nn.Linear
    assert dql.QUADRIC_FORMS == sorted(set(dql.FORMS) - {"linear"})
    for name in dql.FORMS:
        facts = dql.form_facts(name)
        assert facts.name == name
        assert facts.formula and facts.published_as and facts.parameter_formula
        layer = dql.make_layer(name, 4, 2)
        assert type(layer) is dql.FORMS[name] and dql.form_facts(layer) is facts
        if name != "linear":
            assert facts is dql.FORMS[name]
            # every quadratic name is a parameter of the layer, or one its options leave out
            present = {q for q in facts.quadratic_names if getattr(layer, q) is not None}
            assert present and present <= set(dict(layer.named_parameters()))
            assert all(hasattr(layer, q) for q in facts.quadratic_names)


def test_every_variant_is_its_class_with_its_options():
    assert not set(dql.VARIANTS) & set(dql.FORMS)
    for name, variant in dql.VARIANTS.items():
        assert variant.name == name and dql.form_facts(name) is variant
        assert variant.formula and variant.published_as and variant.parameter_formula
        layer = dql.make_layer(name, 4, 2)
        assert type(layer) is variant.cls
        for option, value in variant.options.items():  # the options hold on the layer
            if option == "bias":
                assert (layer.bias is not None) == value, name
            else:
                assert getattr(layer, option) == value, (name, option)
    # options given to make_layer override a variant's
    assert dql.make_layer("T4", 4, 2, bias=True).bias is not None
    assert dql.make_layer("qres", 4, 2).residual and not dql.make_layer("quadralib", 4, 2).residual
    # the QuadraLib dictionaries are the variants
    for key, (formula, cls, options) in dql.QUADRALIB_TYPES.items():
        assert (formula, cls, options) == (
            dql.VARIANTS[key].formula,
            dql.VARIANTS[key].cls,
            dql.VARIANTS[key].options,
        )
        assert dql.QUADRALIB_CODE_TYPES[key][2] == dql.VARIANTS[f"{key}-code"].options


def test_citations_are_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text()))
    for name in [*dql.FORMS, *dql.VARIANTS]:
        assert dql.form_facts(name).citation in keys, name


def _python(formula: str) -> str:
    """``"kn + k + n + 1"`` -> ``"k*n + k + n + 1"``: implicit products made explicit."""
    formula = re.sub(r"(\d|[kn)])(?=[kn(])", r"\1*", formula)
    return formula.replace("/", "//")


@pytest.mark.parametrize("form", [*dql.FORMS, *dql.VARIANTS])
@pytest.mark.parametrize("n, k", [(1, 1), (4, 2), (9, 3)])
def test_parameter_formula_text_is_the_count(form, n, k):
    layer = dql.make_layer(form, n, 2, rank=k)
    value = eval(_python(dql.form_facts(form).parameter_formula), {"n": n, "k": k})
    assert value == dql.count_parameters(layer) // 2


def test_readme_table_is_the_registry():
    """The README's table of forms is forms_markdown(): regenerate it with
    ``python -c "import dql_teach; print(dql_teach.forms_markdown())"`` after adding a form."""
    table = dql.forms_markdown()
    readme = (ROOT / "README.md").read_text()
    assert table in readme, "README.md's table of forms differs from dql_teach.forms_markdown()"
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert [row[0].strip("|` ") for row in rows] == [*dql.FORMS, *dql.VARIANTS]
    for row, name in zip(rows, [*dql.FORMS, *dql.VARIANTS]):
        facts = dql.form_facts(name)
        assert row[3] == f"`{facts.citation}`" and row[-1].rstrip(" |") == facts.parameter_formula


def test_form_facts_rejects_what_is_not_a_form():
    with pytest.raises(
        ValueError,
        match=r"form must be one of \[.*'hadamard'.*\] or a variant \[.*'qres'.*got 'quad'",
    ):
        dql.form_facts("quad")
    with pytest.raises(TypeError, match="form's name or layer, got Conv2d"):
        dql.form_facts(nn.Conv2d(1, 1, 3))


def test_make_layer_passes_rank_only_to_forms_that_take_one():
    assert dql.make_layer("lowrank", 6, 2, rank=4).rank == 4
    assert dql.make_layer("lowrank", 6, 2).rank == 1  # the class's own default
    for form in ["linear", "diagonal", "full", "fan", "hadamard"]:
        assert type(dql.make_layer(form, 6, 2, rank=4)) is dql.FORMS[form]
    with pytest.raises(TypeError, match="unexpected keyword argument 'residual'"):
        dql.make_layer("fan", 6, 2, residual=True)  # other options are not dropped


def test_randomize_fills_every_parameter_reproducibly():
    def draw(seed):
        model = dql.make_mlp([3, 4, 1], ["lowrank", "linear"], rank=2)
        return dql.randomize_(model, std=0.1, generator=torch.Generator().manual_seed(seed))

    a, b, c = draw(0), draw(0), draw(1)
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(p, q) and not torch.equal(p, r) and p.all()
    values = torch.cat([p.detach().flatten() for p in a.parameters()])
    assert 0.05 < values.std() < 0.2
    model = nn.Linear(3, 2)
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    dql.randomize_(model, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.rand(2), expected)  # a local generator: global state untouched
    with pytest.raises(ValueError, match="std must be a number > 0"):
        dql.randomize_(nn.Linear(2, 1), std=0.0)


def test_make_mlp_lives_in_the_registry_and_in_compare():
    assert dql.make_mlp is dql.compare.make_mlp is dql.forms.registry.make_mlp
