"""``quadrify``: turn a first-order model into a quadric one, layer by layer.

Like QuadraLib's auto-builder, :func:`quadrify` walks a model and swaps its ``nn.Linear`` and
``nn.Conv2d`` layers for quadric counterparts. The linear weights are copied into each new
layer's linear part and its quadratic part starts at zero, so the new model computes exactly
what the old one did and training can only add curvature from there. What the old layer
carried besides its weights goes along: its training mode, whether it was frozen, its forward
and backward hooks, and the places it appears at (one layer used twice stays one layer).
"""

from __future__ import annotations

import copy
import warnings
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


# hooks registered on a layer, carried to its quadric replacement as they are (the dicts of
# nn.Module's register_*_hook): keys are the handles' ids, so their flags stay attached
_CARRIED_HOOKS = (
    "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs",
    "_forward_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_backward_pre_hooks",
    "_backward_hooks",
)
# hooks that name the old layer's parameters (weight, bias), which the new layer lacks
_STATE_DICT_HOOKS = (
    "_state_dict_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


def _carry_hooks(old: nn.Module, new: nn.Module, name: str) -> None:
    for attr in _CARRIED_HOOKS:
        if getattr(old, attr, None):
            setattr(new, attr, copy.copy(getattr(old, attr)))
    new._is_full_backward_hook = old._is_full_backward_hook
    dropped = [attr.strip("_") for attr in _STATE_DICT_HOOKS if getattr(old, attr, None)]
    if dropped:
        warnings.warn(
            f"quadrify: layer {name or '(the model)'!r} has {', '.join(dropped)}; they refer to "
            "its parameters weight and bias, which the quadric layer names differently, so they "
            "were not carried over",
            stacklevel=3,
        )


def _check_frozen(name: str, layer: nn.Module) -> bool:
    """Whether ``layer`` is frozen (every parameter ``requires_grad=False``); a layer frozen
    in part has no quadric counterpart (which of its new parameters would stay fixed?)."""
    trainable = {p.requires_grad for p in layer.parameters()}
    if len(trainable) > 1:
        frozen = [n for n, p in layer.named_parameters() if not p.requires_grad]
        raise ValueError(
            f"layer {name or '(the model)'!r} is frozen in part ({', '.join(frozen)} only); "
            "quadrify keeps a layer frozen or trainable as a whole: freeze all of its "
            "parameters or none before converting it"
        )
    return trainable == {False}


def _check_untied(model: nn.Module, places: dict[int, list[str]], layers: dict) -> None:
    """Refuse layers that share a parameter with another module: the quadric layer gets
    parameters of its own, which would silently untie them."""
    owners: dict[int, list[tuple[str, str]]] = {}  # parameter id -> (module, name)s
    for names in places.values():
        module = model.get_submodule(names[0])
        for pname, p in module.named_parameters(recurse=False):
            owners.setdefault(id(p), []).append((names[0], pname))
    for _, module, _ in layers.values():
        for p in module.parameters(recurse=False):
            if len(owners[id(p)]) > 1:
                where = " and ".join(f"{m or '(the model)'!r}.{n}" for m, n in owners[id(p)])
                raise ValueError(
                    f"{where} are one shared parameter; quadrify would untie them (a quadric "
                    "layer gets parameters of its own). Use the same layer in both places "
                    "(that is kept), or untie them before converting"
                )


def _include_list(include: object) -> list | None:
    if include is None:
        return None
    if isinstance(include, (str, type)):  # one name or one type, not the characters of a name
        include = [include]
    try:
        items = list(include)
    except TypeError:
        raise TypeError(
            f"include must be a module name, a layer type or a list of them, got "
            f"{type(include).__name__} {include!r}"
        ) from None
    for item in items:
        if not isinstance(item, (str, type)):
            raise TypeError(
                f"include must hold module names (str) and layer types (nn.Linear...), got "
                f"{type(item).__name__} {item!r}"
            )
    return items


def _selected(names: list[str], module: nn.Module, include: list | None) -> bool:
    if include is None:
        return True
    return any(
        (isinstance(item, str) and item in names)
        or (isinstance(item, type) and isinstance(module, item))
        for item in include
    )


def quadrify(
    model: nn.Module,
    form: str = "hadamard",
    include: str | type | Iterable[str | type] | None = None,
    **form_options,
) -> nn.Module:
    """A copy of ``model`` with its linear and convolutional layers made quadric.

    Args:
        model: any module; it is not modified.
        form: a quadric form name: ``"diagonal"``, ``"full"``, ``"fan"``, ``"hadamard"`` or
            ``"lowrank"`` (``"full"`` on a wide layer costs ``n^2`` parameters per neuron).
        include: which layers to convert: module names as in ``model.named_modules()``
            (``"0"``, ``"features.3"``) and/or types (``nn.Linear``, ``nn.Conv2d``), one or a
            list. ``None`` converts every ``nn.Linear`` and ``nn.Conv2d``.
        form_options: passed to every new layer (``rank=2``, ``memory_efficient=True``...).

    Returns:
        The new model. Each converted layer starts with its quadratic part at zero and its
        linear part equal to the old weights, so ``new(x) == model(x)`` before training. It
        keeps the old layer's training mode, its forward and backward hooks (the handles
        returned for the original model do not reach the copy), and, when the old layer was
        frozen (``requires_grad_(False)``), stays frozen as a whole. A layer that appears at
        several places is converted once and stays shared.

    Raises:
        ValueError: an unknown form or include name; no layer to convert; a layer frozen in
            part; a layer that shares a parameter with another module (tied weights), which
            the conversion would untie.
        TypeError: ``model`` is not a module, or ``include`` holds something other than names
            and types.

    Example:
        >>> mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> q = quadrify(mlp, form="hadamard", include="0")
        >>> type(q[0]).__name__, type(q[2]).__name__
        ('HadamardQuadric', 'Linear')
    """
    if not isinstance(form, str) or form not in QUADRIC_FORMS:
        raise ValueError(f"form must be one of {QUADRIC_FORMS}, got {form!r}")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    include_list = _include_list(include)
    if include_list is not None:
        names = {name for name, _ in model.named_modules(remove_duplicate=False)}
        unknown = [item for item in include_list if isinstance(item, str) and item not in names]
        if unknown:
            raise ValueError(
                f"include names {unknown} are not modules of the model; "
                f"its modules are {sorted(n for n in names if n)}"
            )
    new_model = copy.deepcopy(model)  # keeps sharing: a layer used twice is one object here too
    places: dict[int, list[str]] = {}  # every name of each module
    for name, module in new_model.named_modules(remove_duplicate=False):
        places.setdefault(id(module), []).append(name)
    layers = {}  # id -> (names, module, converter) of the layers to convert
    for module_id, names in places.items():
        module = new_model.get_submodule(names[0])
        if isinstance(module, nn.Linear):
            convert = _convert_linear
        elif isinstance(module, nn.Conv2d):
            convert = _convert_conv
        else:
            continue
        if _selected(names, module, include_list):
            layers[module_id] = (names, module, convert)
    if not layers:
        raise ValueError(
            f"quadrify found no nn.Linear or nn.Conv2d to convert (include={include_list!r})"
        )
    _check_untied(new_model, places, layers)
    for names, module, convert in layers.values():
        frozen = _check_frozen(names[0], module)
        new_layer = convert(module, form, form_options)
        new_layer.train(module.training)
        if frozen:
            new_layer.requires_grad_(False)
        _carry_hooks(module, new_layer, names[0])
        if names == [""]:
            return new_layer  # the model itself is a single layer
        for name in names:
            parent_name, _, child = name.rpartition(".")
            setattr(new_model.get_submodule(parent_name), child, new_layer)
    return new_model
