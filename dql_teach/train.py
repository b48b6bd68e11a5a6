"""``fit()`` and ``evaluate()``: the one training loop the book uses.

``fit`` returns a :class:`History` of numbers and never plots; its progress bar (tqdm) can be
switched off. The loop is written for the book's sizes (a thousand points, a few hundred
full-batch epochs): it keeps losses and accuracies on the device and reads them back once at the
end, since a ``.item()`` per step costs more than the step itself for such small models.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

__all__ = ["History", "evaluate", "fit", "predict"]


@dataclass
class History:
    """Per-epoch training record.

    Attributes:
        loss, accuracy: on the training data, one entry per epoch (mean over mini-batches).
        val_loss, val_accuracy: on ``(X_val, y_val)`` when given, else empty.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    @property
    def final_accuracy(self) -> float:
        return self.accuracy[-1] if self.accuracy else float("nan")


def _check_data(model: nn.Module, X: Tensor, y: Tensor, name: str = "X") -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(X, Tensor) or not X.is_floating_point():
        got = X.dtype if isinstance(X, Tensor) else type(X).__name__
        raise TypeError(f"{name} must be a floating-point tensor, got {got}")
    if not isinstance(y, Tensor) or y.dtype.is_floating_point or y.dtype == torch.bool:
        got = y.dtype if isinstance(y, Tensor) else type(y).__name__
        raise TypeError(f"y must be an integer tensor of class labels, got {got}")
    if y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"{name} and y must have the same number of samples (y of shape (N,)), "
            f"got {tuple(X.shape)} and {tuple(y.shape)}"
        )


def _loss_and_correct(logits: Tensor, y: Tensor, loss_fn: Callable | None) -> tuple:
    if logits.ndim >= 2 and logits.shape[-1] == 1:
        logits = logits.squeeze(-1)
    if logits.ndim == 1:  # one logit: binary classification with a sigmoid
        loss = (loss_fn or F.binary_cross_entropy_with_logits)(logits, y.to(logits.dtype))
        correct = ((logits > 0).long() == y).sum()
    else:
        loss = (loss_fn or F.cross_entropy)(logits, y)
        correct = (logits.argmax(-1) == y).sum()
    return loss, correct


def predict(model: nn.Module, X: Tensor) -> Tensor:
    """Class labels ``(N,)``: ``logit > 0`` for one output, ``argmax`` for several."""
    with torch.no_grad():
        logits = model(X)
    if logits.ndim >= 2 and logits.shape[-1] == 1:
        return (logits.squeeze(-1) > 0).long()
    return logits.argmax(-1)


def evaluate(model: nn.Module, X: Tensor, y: Tensor) -> float:
    """Accuracy of ``model`` on ``(X, y)``, in ``[0, 1]`` (the model is left in its mode)."""
    _check_data(model, X, y)
    return (predict(model, X) == y).float().mean().item()


def fit(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    *,
    epochs: int = 200,
    lr: float = 1e-2,
    batch_size: int | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    param_groups: list[dict] | None = None,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    X_val: Tensor | None = None,
    y_val: Tensor | None = None,
    seed: int | None = None,
    callback: Callable[[int, nn.Module], None] | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` to classify ``X`` as ``y``.

    Args:
        model: maps ``(N, d)`` to logits ``(N, C)``, or ``(N, 1)``/``(N,)`` for two classes.
        X: float ``(N, d)`` inputs; y: int64 ``(N,)`` labels.
        epochs: passes over the data.
        lr: learning rate of the default optimizer, Adam.
        batch_size: ``None`` for full-batch training, else mini-batches shuffled each epoch.
        optimizer: use this optimizer instead of Adam.
        param_groups: parameter groups for Adam, e.g. from
            :func:`dql_teach.quadratic_param_groups` (a smaller rate for quadratic weights).
        loss_fn: default cross-entropy (several logits) or binary cross-entropy (one logit).
        X_val, y_val: evaluated after every epoch into ``History.val_*``.
        seed: seeds mini-batch shuffling (a local generator; global state is not touched).
        callback: called as ``callback(epoch, model)`` after every epoch (e.g. to record
            snapshots for a slider figure).
        progress: show a tqdm progress bar.

    Returns:
        A :class:`History`.

    Raises:
        FloatingPointError: when the loss becomes NaN or infinite; training stops at once.
    """
    _check_data(model, X, y)
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together")
        _check_data(model, X_val, y_val, "X_val")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if optimizer is None:
        optimizer = torch.optim.Adam(param_groups or model.parameters(), lr=lr)
    # The book's problems are tiny: a second CPU thread gains nothing on them, and when any
    # other process wants the CPU the two threads wait on each other and training runs 4-7x
    # slower. Small CPU problems therefore train on one thread (restored afterwards).
    threads = torch.get_num_threads()
    small = X.device.type == "cpu" and X.numel() * max(1, model_size(model)) < 2**26
    if small:
        torch.set_num_threads(1)
    try:
        return _train(model, X, y, epochs, lr, batch_size, optimizer, loss_fn, X_val, y_val,
                      seed, callback, progress)  # fmt: skip
    finally:
        torch.set_num_threads(threads)


def model_size(model: nn.Module) -> int:
    """Number of parameter entries (how much work one sample costs, roughly)."""
    return sum(p.numel() for p in model.parameters())


def _train(model, X, y, epochs, lr, batch_size, optimizer, loss_fn, X_val, y_val, seed,
           callback, progress) -> History:  # fmt: skip
    n = len(X)
    generator = torch.Generator(device="cpu")
    if seed is not None:
        generator.manual_seed(seed)
    losses, corrects, val = [], [], []
    model.train()
    for epoch in tqdm(range(epochs), disable=not progress, desc="training", leave=False):
        if batch_size is None or batch_size >= n:
            batches = [None]
        else:
            order = torch.randperm(n, generator=generator).to(X.device)
            batches = order.split(batch_size)
        epoch_loss = X.new_zeros(())
        epoch_correct = X.new_zeros((), dtype=torch.long)
        for index in batches:
            xb, yb = (X, y) if index is None else (X[index], y[index])
            logits = model(xb)
            loss, correct = _loss_and_correct(logits, yb, loss_fn)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.detach() * len(yb)
            epoch_correct += correct
        losses.append(epoch_loss / n)
        corrects.append(epoch_correct)
        # a NaN check per epoch is one sync: cheap next to training on NaN silently
        if not math.isfinite(float(epoch_loss)):
            raise FloatingPointError(
                f"the loss became {float(epoch_loss / n)} at epoch {epoch + 1}: training "
                f"diverged; try a lower learning rate (lr={lr} now)"
            )
        if X_val is not None:
            with torch.no_grad():
                model.eval()
                val_loss, val_correct = _loss_and_correct(model(X_val), y_val, loss_fn)
                model.train()
            val.append((val_loss.detach(), val_correct))
        if callback is not None:
            callback(epoch, model)
    model.eval()
    history = History(
        loss=torch.stack(losses).tolist(),
        accuracy=(torch.stack(corrects).double() / n).tolist(),
    )
    if val:
        history.val_loss = torch.stack([v[0] for v in val]).tolist()
        history.val_accuracy = (torch.stack([v[1] for v in val]).double() / len(y_val)).tolist()
    return history
