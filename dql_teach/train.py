"""``fit()``, ``evaluate()`` and ``predict()``: the one training loop the book uses.

``fit`` returns a :class:`History` of numbers and never plots; its progress bar (tqdm) can be
switched off. The loop is written for the book's sizes (a thousand points, a few hundred
full-batch epochs, models of a few dozen parameters), where Python overhead, not arithmetic,
sets the speed: accuracies stay on the device and are read back once at the end, and the only
read-back per step is the loss value that the NaN guard needs anyway. For such small problems on
the CPU, ``fit`` also runs torch on one thread (restored afterwards): a second thread gains
nothing there, and its spin-waiting makes training several times slower as soon as another
process wants the CPU (measured on a 2-core machine: 0.23 s became 1 s).

Labels follow one convention everywhere (training, :func:`predict`, :func:`evaluate`): a model
with one output gives one logit per sample (binary classification, class 1 where the logit is
positive); a model with ``C`` outputs gives ``C`` logits (class = argmax).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from ._checks import check_positive_int, check_seed
from ._train_checks import (
    _check_callable,
    _check_labels,
    _check_lr,
    _check_model,
    _check_not_empty,
    _check_X,
    _check_y,
)
from .history import History

__all__ = ["History", "evaluate", "fit", "predict"]


# -- the pieces shared by training and evaluation -------------------------------------------
def _as_logits(output: Tensor, n: int | None = None) -> Tensor:
    """``(N, 1)`` -> ``(N,)`` (one logit); ``(N,)`` and ``(N, C)`` unchanged; other shapes
    (and a first dimension other than ``n``, when given) are an error."""
    if not isinstance(output, Tensor):
        raise TypeError(
            f"the model must return a tensor of logits, got {type(output).__name__}; "
            "models that return several tensors need a wrapper that picks the logits"
        )
    if output.ndim not in (1, 2) or (n is not None and output.shape[0] != n):
        size = "N" if n is None else f"N = {n}"
        raise ValueError(
            f"the model must return logits of shape (N,), (N, 1) or (N, C) with {size} samples, "
            f"got {tuple(output.shape)}"
        )
    if output.ndim == 2 and output.shape[-1] == 1:
        return output.squeeze(-1)
    return output


def _loss_and_correct(
    output: Tensor, y: Tensor, loss_fn: Callable[[Tensor, Tensor], Tensor] | None
) -> tuple[Tensor, Tensor]:
    """The mean loss and the number of correct predictions (a 0-d tensor on the device)."""
    logits = _as_logits(output, len(y))
    if logits.ndim == 1:  # one logit: binary classification through a sigmoid
        fn = loss_fn or F.binary_cross_entropy_with_logits
        loss = fn(logits, y.to(logits.dtype))
        predicted = (logits > 0).long()
    else:
        loss = (loss_fn or F.cross_entropy)(logits, y)
        predicted = logits.argmax(-1)
    with torch.no_grad():
        correct = (predicted == y).sum()
    return loss, correct


def _outputs(logits: Tensor) -> int:
    return 1 if logits.ndim == 1 else logits.shape[-1]


def _classes(logits: Tensor) -> Tensor:
    return (logits > 0).long() if logits.ndim == 1 else logits.argmax(-1)


# below this many (rows per step) x (parameters), one CPU thread: a second gains at most a
# quarter here (the 8x8 digits' 64-128-10 network, 13M: 0.27 s against 0.35 s for 200 epochs)
# but spin-waits when another process holds the other core, and the run then takes 4-15x longer
_ONE_THREAD_WORK = 2**24


class _threads:
    """Run a ``with`` block on ``n`` torch CPU threads (``None``: leave the setting alone)."""

    def __init__(self, n: int | None) -> None:
        self.n, self.before = n, torch.get_num_threads()

    def __enter__(self) -> None:
        if self.n is not None and self.n != self.before:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc) -> None:
        if torch.get_num_threads() != self.before:
            torch.set_num_threads(self.before)


def _threads_for(X: Tensor, rows: int, parameters: int) -> _threads:
    """One thread for small CPU work (see ``_ONE_THREAD_WORK``), else torch's setting."""
    positions = X[0].numel() // X.shape[1] if X.ndim > 2 else 1  # a conv reuses its weights
    small = X.device.type == "cpu" and rows * positions * parameters < _ONE_THREAD_WORK
    return _threads(1 if small else None)


class _eval_mode:
    """Put a model in eval mode for a ``with`` block and restore its mode afterwards."""

    def __init__(self, model: nn.Module) -> None:
        self.model, self.was_training = model, model.training

    def __enter__(self) -> nn.Module:
        self.model.eval()
        return self.model

    def __exit__(self, *exc) -> None:
        self.model.train(self.was_training)


def _logits(model: nn.Module, X: Tensor) -> Tensor:
    """The model's logits in eval mode, without gradients; its mode restored afterwards."""
    with torch.no_grad(), _eval_mode(model):
        return _as_logits(model(X), len(X))


def predict(model: nn.Module, X: Tensor) -> Tensor:
    """Class labels ``(N,)`` int64: ``logit > 0`` for one output, ``argmax`` for several.

    The model runs in eval mode without gradients; its mode is restored afterwards.

    Example:
        >>> layer = nn.Linear(2, 1)
        >>> predict(layer, torch.zeros(5, 2)).shape
        torch.Size([5])
    """
    _check_model(model)
    _check_X(model, X)
    return _classes(_logits(model, X))


def evaluate(model: nn.Module, X: Tensor, y: Tensor) -> float:
    """Accuracy of ``model`` on ``X`` (float ``(N, d)``, ``N >= 1``) with labels ``y`` (int
    ``(N,)``), a number in ``[0, 1]``; see :func:`predict` for how outputs become labels.

    Raises:
        ValueError: no samples, or labels the model's outputs cannot give (labels other than
            0 and 1 for one logit, outside ``0..C-1`` for ``C`` logits), as in :func:`fit`.
    """
    _check_model(model)
    _check_X(model, X)
    y = _check_y(X, y)
    _check_not_empty(X)
    logits = _logits(model, X)
    _check_labels(_outputs(logits), y)
    return (_classes(logits) == y).double().mean().item()


# -- fit, in three parts: its argument checks, the optimiser, one epoch -----------------------
@dataclass
class _FitData:
    """What :func:`_check_fit_arguments` made of the data: checked, int64 labels, ready."""

    X: Tensor
    y: Tensor
    X_val: Tensor | None
    y_val: Tensor | None


def _check_fit_arguments(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    *,
    epochs: object,
    lr: object,
    batch_size: object,
    optimizer: object,
    param_groups: object,
    loss_fn: object,
    X_val: object,
    y_val: object,
    seed: object,
    callback: object,
) -> tuple[_FitData, int, int | None, int | None]:
    """Every check of :func:`fit`, before any computation: ``(data, epochs, batch_size,
    seed)``. Only the label check runs the model (on one sample, in eval mode)."""
    _check_model(model)
    _check_X(model, X)
    y = _check_y(X, y)
    _check_not_empty(X)
    if (X_val is None) != (y_val is None):
        raise ValueError(
            "X_val and y_val must be given together, got "
            f"X_val={'a tensor' if X_val is not None else None} and "
            f"y_val={'a tensor' if y_val is not None else None}"
        )
    if X_val is not None:
        _check_X(model, X_val, "X_val")
        y_val = _check_y(X_val, y_val, "y_val", "X_val")
        _check_not_empty(X_val, "X_val")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size, allow_none=True)
    seed = check_seed("seed", seed, allow_none=True)
    if optimizer is not None and param_groups is not None:
        raise ValueError(
            "give optimizer or param_groups, not both: param_groups configures the default Adam"
        )
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if optimizer is None:
        _check_lr("lr", lr, model)
    _check_callable("callback", callback)
    _check_callable("loss_fn", loss_fn)
    if any(p.is_inference() for p in model.parameters()):
        raise ValueError(
            "the model's parameters were created under torch.inference_mode(), where tensors "
            "can never take part in autograd; build the model outside inference_mode"
        )
    if loss_fn is None:  # the default losses need labels that match the number of outputs
        # two samples, just to learn the size: a BatchNorm that normalises with the batch's
        # statistics in eval mode too (track_running_stats=False) needs more than one
        outputs = _outputs(_logits(model, X[:2]))
        _check_labels(outputs, y)
        if y_val is not None:
            _check_labels(outputs, y_val, name="y_val")
    return _FitData(X, y, X_val, y_val), epochs, batch_size, seed


def _make_optimizer(
    model: nn.Module,
    lr: float,
    optimizer: torch.optim.Optimizer | None,
    param_groups: Iterable[dict] | None,
) -> torch.optim.Optimizer:
    """The optimizer :func:`fit` steps: the one given, else Adam over ``param_groups`` (a
    group without ``"lr"`` gets ``lr``) or over all the model's parameters."""
    if optimizer is not None:
        return optimizer
    if param_groups is not None:
        param_groups = list(param_groups)
        if not param_groups:
            raise ValueError("param_groups must be a non-empty list of dicts, got []")
        for i, group in enumerate(param_groups):
            if not isinstance(group, dict) or "params" not in group:
                raise TypeError(
                    f"param_groups[{i}] must be a dict with a 'params' key, got {group!r}"
                )
            if "lr" in group:
                _check_lr(f"param_groups[{i}]['lr']", group["lr"], model, allow_zero=True)
    params = param_groups if param_groups is not None else list(model.parameters())
    if not params:
        raise ValueError("model has no parameters to train")
    return torch.optim.Adam(params, lr=lr)


class _LastFinite:
    """The parameters as they were before the latest update, to undo it when the loss it led
    to is not finite: the step that makes weights NaN or inf is only seen one step later."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        self.saved: list[Tensor] | None = None

    def save(self) -> None:
        with torch.no_grad():
            if self.saved is None:
                self.saved = [p.detach().clone() for p in self.params]
            else:
                for s, p in zip(self.saved, self.params):
                    s.copy_(p)

    def restore(self) -> bool:
        """Undo the latest update; ``False`` when there was none."""
        if self.saved is None:
            return False
        with torch.no_grad():
            for s, p in zip(self.saved, self.params):
                p.copy_(s)
        return True


def _diverged(value: float, where: str, optimizer: torch.optim.Optimizer, restored: bool) -> str:
    """The message of the ``FloatingPointError`` when the loss is ``value`` at ``where``."""
    undone = (
        "The model's parameters were restored to those before the last update, the last "
        "with a finite loss (the optimizer's state was not)."
        if restored
        else "No update had been applied."
    )
    return (
        f"the loss became {value} at {where}: training diverged. Try a lower learning rate "
        f"(lr={_learning_rates(optimizer)} now), or scale the inputs. {undone}"
    )


def _train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: list[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None,
    last_finite: _LastFinite,
    where: Callable[[int], str],
) -> tuple[float, Tensor]:
    """One pass over ``batches``, one optimizer step each: ``(summed loss, correct count)``.

    Raises ``FloatingPointError`` at the first non-finite loss, with the update that led to it
    undone; ``where(step)`` says where that was for the message."""
    epoch_loss = 0.0
    epoch_correct = None
    for step, (xb, yb) in enumerate(batches):
        loss, correct = _loss_and_correct(model(xb), yb, loss_fn)
        value = loss.item()  # the NaN guard's read-back: one per step, before the update
        if not math.isfinite(value):
            restored = last_finite.restore()
            raise FloatingPointError(_diverged(value, where(step), optimizer, restored))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        last_finite.save()
        optimizer.step()
        epoch_loss += value * len(yb)
        epoch_correct = correct if epoch_correct is None else epoch_correct + correct
    return epoch_loss, epoch_correct


def fit(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    *,
    epochs: int = 200,
    lr: float = 1e-2,
    batch_size: int | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    param_groups: Iterable[dict] | None = None,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    X_val: Tensor | None = None,
    y_val: Tensor | None = None,
    seed: int | None = None,
    callback: Callable[[int, nn.Module], object] | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` to classify ``X`` as ``y``; return what was measured.

    Args:
        model: maps ``X`` ``(N, d)`` to logits ``(N, C)``, or ``(N, 1)`` / ``(N,)`` for two
            classes (labels 0 and 1).
        X: float inputs ``(N, d)`` (or ``(N, C, H, W)`` for convolutions), on the model's device
            and in its dtype.
        y: integer class labels ``(N,)``.
        epochs: passes over the data.
        lr: learning rate of the default optimizer, Adam: finite, > 0 and representable in
            the parameters' dtype.
        batch_size: ``None`` for full-batch training (one step per epoch); else mini-batches
            of this size, reshuffled every epoch.
        optimizer: any ``torch.optim`` optimizer over the model's parameters, used instead of
            Adam (``lr`` is then ignored).
        param_groups: parameter groups for the default Adam, e.g.
            ``quadratic_param_groups(model, lr, quadratic_lr)`` (a smaller rate for the
            quadratic weights, as Fan et al. train them); a group without ``"lr"`` gets ``lr``.
        loss_fn: ``loss_fn(logits, target) -> scalar``; default: binary cross-entropy with
            logits for one output (target float 0/1), cross-entropy for several (target int64).
        X_val, y_val: evaluated (eval mode, no gradients) after every epoch into
            ``History.val_loss`` and ``History.val_accuracy``.
        seed: seeds the mini-batch shuffling with a local ``torch.Generator`` (global state
            untouched), an int in ``[0, 2**32)``; ``None`` draws it from torch's global
            generator, as ``DataLoader`` does, so ``torch.manual_seed`` makes a run repeatable.
        callback: ``callback(epoch, model)`` after every epoch (``epoch`` counts from 0), e.g.
            to record snapshots for a slider figure.
        progress: show a tqdm progress bar with the current loss and accuracy.

    Returns:
        A :class:`History`. The model keeps the training mode it had before the call.

    Raises:
        FloatingPointError: the loss became NaN or infinite; training stops at that step,
            before applying its update, and the update before it (the one that led to the
            non-finite loss) is undone: the model keeps the last parameters whose loss was
            finite. The message names the epoch (and step).
        TypeError, ValueError: bad arguments, before any training.

    Example:
        >>> from dql_teach.data import make_dataset
        >>> X, y = make_dataset("circles", n_samples=200, seed=0)
        >>> _ = torch.manual_seed(0)
        >>> history = fit(nn.Linear(2, 1), X, y, epochs=20, progress=False)
        >>> len(history.loss), len(history.accuracy)
        (20, 20)
    """
    data, epochs, batch_size, seed = _check_fit_arguments(
        model, X, y, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer,
        param_groups=param_groups, loss_fn=loss_fn, X_val=X_val, y_val=y_val, seed=seed,
        callback=callback,
    )  # fmt: skip
    optimizer = _make_optimizer(model, lr, optimizer, param_groups)
    X, y, X_val, y_val = data.X, data.y, data.X_val, data.y_val
    n = len(X)
    minibatch = batch_size is not None and batch_size < n
    generator = None
    if minibatch:
        if seed is None:  # as DataLoader: follow torch.manual_seed without consuming much
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
        generator = torch.Generator(device="cpu").manual_seed(seed)

    losses: list[float] = []
    corrects: list[Tensor] = []  # per epoch, 0-d on the device: read back once at the end
    val_losses: list[Tensor] = []
    val_corrects: list[Tensor] = []
    every = max(1, epochs // 50)  # progress-bar text updates: ~50 per run, not per epoch
    last_finite = _LastFinite(optimizer)
    was_training = model.training
    with contextlib.ExitStack() as cleanup:
        parameters = sum(p.numel() for p in model.parameters())
        cleanup.enter_context(_threads_for(X, batch_size if minibatch else n, parameters))
        # also when called under torch.no_grad() or torch.inference_mode()
        cleanup.enter_context(torch.inference_mode(False))
        cleanup.enter_context(torch.enable_grad())
        if X.is_inference():  # made under inference_mode: autograd cannot save it
            X = X.clone()
        cleanup.callback(model.train, was_training)  # also when an error stops training
        bar = cleanup.enter_context(
            tqdm(total=epochs, disable=not progress, desc="fit", unit="epoch", leave=True)
        )
        model.train()
        for epoch in range(epochs):
            if minibatch:
                order = torch.randperm(n, generator=generator).to(X.device)
                batches = [(X[i], y[i]) for i in order.split(batch_size)]
            else:
                batches = [(X, y)]

            def where(step: int, epoch: int = epoch, steps: int = len(batches)) -> str:
                text = f"epoch {epoch + 1} of {epochs}"
                return text + (f" (mini-batch {step + 1} of {steps})" if minibatch else "")

            epoch_loss, epoch_correct = _train_epoch(
                model, optimizer, batches, loss_fn, last_finite, where
            )
            losses.append(epoch_loss / n)
            corrects.append(epoch_correct)
            if X_val is not None:
                with torch.no_grad(), _eval_mode(model):
                    val_loss, val_correct = _loss_and_correct(model(X_val), y_val, loss_fn)
                val_losses.append(val_loss)
                val_corrects.append(val_correct)
            if callback is not None:
                callback(epoch, model)
            bar.update(1)
            if progress and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
                postfix = {"loss": f"{losses[-1]:.4f}", "acc": f"{int(corrects[-1]) / n:.3f}"}
                if val_losses:
                    postfix["val_acc"] = f"{int(val_corrects[-1]) / len(y_val):.3f}"
                bar.set_postfix(postfix, refresh=False)

    history = History(loss=losses, accuracy=(torch.stack(corrects).double() / n).tolist())
    if val_losses:
        history.val_loss = torch.stack(val_losses).double().tolist()
        history.val_accuracy = (torch.stack(val_corrects).double() / len(y_val)).tolist()
    return history


def _learning_rates(optimizer: torch.optim.Optimizer) -> str:
    rates = sorted({group.get("lr") for group in optimizer.param_groups}, key=str)
    return ", ".join(str(r) for r in rates)
