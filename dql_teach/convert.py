"""``quadrify``: turn a first-order model into a quadric one, layer by layer.

Like QuadraLib's auto-builder, :func:`quadrify` walks a model and swaps its ``nn.Linear`` and
``nn.Conv2d`` layers for quadric counterparts. The linear weights are copied into each new
layer's linear part and its quadratic part starts at zero, so the new model computes exactly
what the old one did and training can only add curvature from there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from torch import nn

from .conv import QuadricConv2d
from .forms import FORMS, QUADRIC_FORMS

__all__ = ["quadrify"]


def _convert_linear(layer: nn.Linear, form: str, options: dict) -> nn.Module:
    w = layer.weight
    new = FORMS[form](
        layer.in_features,
        layer.out_features,
        bias=layer.bias is not None or form == "fan",  # Fan's ReLinear start needs v_0 = 1
        device=w.device,
        dtype=w.dtype,
        **options,
    )
    new.load_linear_(w.detach(), None if layer.bias is None else layer.bias.detach())
    return new


def _convert_conv(layer: nn.Conv2d, form: str, options: dict) -> nn.Module:
    if layer.groups != 1 or layer.padding_mode != "zeros" or isinstance(layer.padding, str):
        raise ValueError(
            "quadrify converts nn.Conv2d with groups=1, padding_mode='zeros' and numeric padding; "
            f"got groups={layer.groups}, padding_mode={layer.padding_mode!r}, "
            f"padding={layer.padding!r}"
        )
    w = layer.weight
    new = QuadricConv2d(
        layer.in_channels,
        layer.out_channels,
        layer.kernel_size,
        layer.stride,
        layer.padding,
        layer.dilation,
        form=form,
        bias=layer.bias is not None or form == "fan",
        device=w.device,
        dtype=w.dtype,
        **options,
    )
    new.neuron.load_linear_(
        w.detach().flatten(1), None if layer.bias is None else layer.bias.detach()
    )
    return new


def _selected(name: str, module: nn.Module, include: list | None) -> bool:
    if include is None:
        return True
    return any(
        (isinstance(item, str) and item == name)
        or (isinstance(item, type) and isinstance(module, item))
        for item in include
    )


def quadrify(
    model: nn.Module,
    form: str = "hadamard",
    include: Iterable[str | type] | None = None,
    **form_options,
) -> nn.Module:
    """A copy of ``model`` with its linear and convolutional layers made quadric.

    Args:
        model: any module; it is not modified.
        form: a quadric form name: ``"diagonal"``, ``"full"``, ``"fan"``, ``"hadamard"`` or
            ``"lowrank"`` (``"full"`` on a wide layer costs ``n^2`` parameters per neuron).
        include: which layers to convert: module names as in ``model.named_modules()``
            (``"0"``, ``"features.3"``) and/or types (``nn.Linear``, ``nn.Conv2d``). ``None``
            converts every ``nn.Linear`` and ``nn.Conv2d``.
        form_options: passed to every new layer (``rank=2``, ``memory_efficient=True``...).

    Returns:
        The new model. Each converted layer starts with its quadratic part at zero and its
        linear part equal to the old weights, so ``new(x) == model(x)`` before training.

    Example:
        >>> mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> q = quadrify(mlp, form="hadamard", include=["0"])
        >>> type(q[0]).__name__, type(q[2]).__name__
        ('HadamardQuadric', 'Linear')
    """
    if not isinstance(form, str) or form not in QUADRIC_FORMS:
        raise ValueError(f"form must be one of {QUADRIC_FORMS}, got {form!r}")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    include_list = None if include is None else list(include)
    if include_list is not None:
        names = {name for name, _ in model.named_modules()}
        unknown = [item for item in include_list if isinstance(item, str) and item not in names]
        if unknown:
            raise ValueError(
                f"include names {unknown} are not modules of the model; "
                f"its modules are {sorted(n for n in names if n)}"
            )
    new_model = copy.deepcopy(model)
    converted = 0
    for name, module in list(new_model.named_modules()):
        if isinstance(module, nn.Linear):
            convert = _convert_linear
        elif isinstance(module, nn.Conv2d):
            convert = _convert_conv
        else:
            continue
        if not _selected(name, module, include_list):
            continue
        new_layer = convert(module, form, form_options)
        new_layer.train(module.training)
        if name == "":
            return new_layer  # the model itself is a single layer
        parent_name, _, child = name.rpartition(".")
        setattr(new_model.get_submodule(parent_name), child, new_layer)
        converted += 1
    if converted == 0:
        raise ValueError(
            f"quadrify found no nn.Linear or nn.Conv2d to convert (include={include_list!r})"
        )
    return new_model
