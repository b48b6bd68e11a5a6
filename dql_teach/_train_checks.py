"""The argument checks of :func:`dql_teach.fit`, :func:`~dql_teach.evaluate` and
:func:`~dql_teach.predict` (and of the seeds trained together in :mod:`dql_teach.compare`):
each names the argument, shows what it got and says what it expects."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ._checks import check_number


def _first_parameter(model: nn.Module) -> Tensor | None:
    return next(model.parameters(), None)


def _check_model(model: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def _check_X(model: nn.Module, X: object, name: str = "X") -> None:
    if not isinstance(X, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(X).__name__}")
    if not X.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor, got {X.dtype}; convert it with {name}.float()"
        )
    if X.ndim == 0:
        raise ValueError(f"{name} must have shape (N, ...) with one row per sample, got a scalar")
    p = _first_parameter(model)
    if p is not None and X.device != p.device:
        raise ValueError(
            f"{name} is on {X.device} but the model is on {p.device}; "
            f"move one of them, e.g. {name} = {name}.to({str(p.device)!r})"
        )
    if p is not None and p.is_floating_point() and X.dtype != p.dtype:
        raise TypeError(
            f"{name} has dtype {X.dtype} but the model's parameters have {p.dtype}; "
            f"convert one of them, e.g. {name} = {name}.to({p.dtype})"
        )


def _check_not_empty(X: Tensor, name: str = "X") -> None:
    # an accuracy or mean loss over no samples is 0 / 0
    if len(X) == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {tuple(X.shape)}")


def _check_y(X: Tensor, y: object, name: str = "y", x_name: str = "X") -> Tensor:
    if not isinstance(y, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(y).__name__}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(
            f"{name} must be an integer tensor of class labels (torch.int64), got {y.dtype}; "
            f"convert it with {name}.long()"
        )
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"{x_name} and {name} must have the same number of samples: {name} must have shape "
            f"(N,) with N = len({x_name}) = {len(X)}, got {name} of shape {tuple(y.shape)}"
        )
    if y.device != X.device:
        raise ValueError(f"{name} is on {y.device} but {x_name} is on {X.device}")
    return y if y.dtype == torch.int64 else y.long()  # the loss functions want int64


def _check_labels(n_outputs: int, y: Tensor, name: str = "y") -> None:
    """One logit: labels 0/1; C logits: labels 0..C-1."""
    y_min, y_max = int(y.min()), int(y.max())
    if n_outputs == 1 and (y_min < 0 or y_max > 1):
        raise ValueError(
            f"the model gives one logit per sample (binary classification), so {name} must "
            f"hold labels 0 and 1, got labels from {y_min} to {y_max}; give the model one "
            "output per class"
        )
    if n_outputs > 1 and (y_min < 0 or y_max >= n_outputs):
        raise ValueError(
            f"the model gives {n_outputs} logits per sample, so {name} must hold labels "
            f"0..{n_outputs - 1}, got labels from {y_min} to {y_max}"
        )


def _check_callable(name: str, value: object) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def _check_lr(name: str, lr: object, model: nn.Module, allow_zero: bool = False) -> float:
    """A finite rate > 0 (``>= 0`` with ``allow_zero``: a group that stays as it is) that the
    parameters' dtype can hold (Adam multiplies by it)."""
    lr = check_number(name, lr, minimum=0, exclusive_minimum=not allow_zero)
    p = _first_parameter(model)
    if p is not None and p.is_floating_point() and lr > torch.finfo(p.dtype).max:
        raise ValueError(
            f"{name} must be at most {torch.finfo(p.dtype).max:.4g}, the largest {p.dtype} "
            f"(the dtype of the model's parameters), got {lr!r}"
        )
    return lr
