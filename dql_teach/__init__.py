"""dql_teach: quadric (second-order) neurons in PyTorch, the library behind the book
*Deep Quadric Learning*.

>>> import dql_teach as dql
>>> layer = dql.QuadricLinear(2, 1)
>>> A, b, c = layer.as_quadric()
>>> A.shape, b.shape, c.shape
(torch.Size([1, 2, 2]), torch.Size([1, 2]), torch.Size([1]))
"""

from . import analysis, baselines, compare, data, forms, results, timing, train
from .analysis import (
    FormCost,
    activation_memory,
    count_connections,
    count_parameters,
    form_table,
    multiply_adds,
)
from .baselines import best_line
from .compare import fit_together, run_seeds, run_seeds_on
from .conic import (
    conic_to_quadric,
    eigen_to_matrix,
    matrix_to_eigen,
    quadric_to_conic,
    rotation_matrix,
)
from .conv import BranchNormConv2d, QuadricConv2d
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
from .forms import (
    FORMS,
    QUADRALIB_CODE_TYPES,
    QUADRALIB_TYPES,
    QUADRIC_FORMS,
    VARIANTS,
    DiagonalQuadric,
    FanQuadric,
    FormVariant,
    HadamardQuadric,
    LinearFacts,
    LowRankQuadric,
    QuadricForm,
    QuadricLinear,
    form_facts,
    forms_markdown,
    make_layer,
    make_mlp,
    quadratic_param_groups,
    randomize_,
)
from .quadric import (
    QuadricInfo,
    as_quadric,
    classify_quadric,
    complete_square,
    evaluate_quadric,
    normalize_quadric,
)
from .ratio import ParameterRatio, parameter_ratio
from .results import (
    AccuracyGap,
    SeedResult,
    accuracy_gap,
    beats,
    pareto_front,
    results_table,
    smallest_reaching,
)
from .train import History, evaluate, fit, predict

__version__ = "0.1.0"


def __getattr__(name: str):
    # the figure, widget and playground modules are not needed by the maths, nor are the
    # reference passes of the published layers: load them on first use
    if name in ("viz", "widgets", "playground", "peers"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'dql_teach' has no attribute {name!r}")
