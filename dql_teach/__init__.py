"""dql_teach: quadric (second-order) neurons in PyTorch, the library behind the book
*Deep Quadric Learning*.

>>> import dql_teach as dql
>>> layer = dql.QuadricLinear(2, 1)
>>> A, b, c = layer.as_quadric()
>>> A.shape, b.shape, c.shape
(torch.Size([1, 2, 2]), torch.Size([1, 2]), torch.Size([1]))
"""

from . import analysis, compare, data, results, train
from .analysis import (
    FormCost,
    activation_memory,
    count_connections,
    count_parameters,
    form_table,
    multiply_adds,
)
from .compare import fit_together, make_mlp, run_seeds
from .conv import QuadricConv2d
from .convert import quadrify
from .data import (
    DATASETS,
    GAUSSIANS,
    dataset_names,
    load_digits,
    load_iris,
    make_dataset,
    train_test_split,
)
from .device import default_device
from .neurons import (
    FORMS,
    QUADRALIB_TYPES,
    QUADRIC_FORMS,
    DiagonalQuadric,
    FanQuadric,
    HadamardQuadric,
    LowRankQuadric,
    QuadricForm,
    QuadricLinear,
    make_layer,
    quadratic_param_groups,
)
from .quadric import (
    QuadricInfo,
    as_quadric,
    classify_quadric,
    conic_coefficients_to_quadric,
    evaluate_quadric,
    quadric_to_conic_coefficients,
)
from .results import (
    AccuracyGap,
    ParameterRatio,
    SeedResult,
    accuracy_gap,
    beats,
    parameter_ratio,
    pareto_front,
    smallest_reaching,
)
from .train import History, evaluate, fit, predict

__version__ = "0.1.0"


def __getattr__(name: str):
    # the figure and widget modules pull in matplotlib and plotly: load them on first use
    if name in ("viz", "widgets"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'dql_teach' has no attribute {name!r}")
