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
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

__all__ = ["History", "evaluate", "fit", "predict"]


@dataclass(repr=False)
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes:
        loss, accuracy: on the training data, averaged over the epoch's steps (each step's
            value is measured before that step's update, as Keras does).
        val_loss, val_accuracy: on ``(X_val, y_val)`` after each epoch, when given; else empty.

    Example:
        >>> h = History(loss=[0.7, 0.3], accuracy=[0.5, 0.9])
        >>> h.epochs, h.final_accuracy
        (2, 0.9)
        >>> h  # short, so a notebook cell ending in fit(...) shows one line
        History(epochs=2, final_loss=0.3, final_accuracy=0.9)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)

    @property
    def final_loss(self) -> float:
        """Training loss of the last epoch (NaN when nothing was recorded)."""
        return self.loss[-1] if self.loss else float("nan")

    @property
    def final_accuracy(self) -> float:
        """Training accuracy of the last epoch (NaN when nothing was recorded)."""
        return self.accuracy[-1] if self.accuracy else float("nan")

    def __repr__(self) -> str:
        parts = [
            f"epochs={self.epochs}",
            f"final_loss={self.final_loss:.4g}",
            f"final_accuracy={self.final_accuracy:.4g}",
        ]
        if self.val_accuracy:
            parts.append(f"final_val_accuracy={self.val_accuracy[-1]:.4g}")
        return f"History({', '.join(parts)})"


# -- input checks: each names the argument, what it got and what it expects --------------------
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


def _check_labels(n_outputs: int, y_min: int, y_max: int, name: str = "y") -> None:
    """One logit: labels 0/1; C logits: labels 0..C-1."""
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


def _positive_int(name: str, value: object, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        expected = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


# -- the pieces shared by training and evaluation -------------------------------------------
def _as_logits(output: Tensor) -> Tensor:
    """``(N, 1)`` -> ``(N,)`` (one logit); ``(N,)`` and ``(N, C)`` unchanged."""
    if not isinstance(output, Tensor):
        raise TypeError(
            f"the model must return a tensor of logits, got {type(output).__name__}; "
            "models that return several tensors need a wrapper that picks the logits"
        )
    if output.ndim >= 2 and output.shape[-1] == 1:
        return output.squeeze(-1)
    return output


def _loss_and_correct(
    output: Tensor, y: Tensor, loss_fn: Callable[[Tensor, Tensor], Tensor] | None
) -> tuple[Tensor, Tensor]:
    """The mean loss and the number of correct predictions (a 0-d tensor on the device)."""
    logits = _as_logits(output)
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


class _eval_mode:
    """Put a model in eval mode for a ``with`` block and restore its mode afterwards."""

    def __init__(self, model: nn.Module) -> None:
        self.model, self.was_training = model, model.training

    def __enter__(self) -> nn.Module:
        self.model.eval()
        return self.model

    def __exit__(self, *exc) -> None:
        self.model.train(self.was_training)


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
    with torch.no_grad(), _eval_mode(model):
        logits = _as_logits(model(X))
    if logits.ndim == 1:
        return (logits > 0).long()
    return logits.argmax(-1)


def evaluate(model: nn.Module, X: Tensor, y: Tensor) -> float:
    """Accuracy of ``model`` on ``X`` (float ``(N, d)``) with labels ``y`` (int ``(N,)``),
    a number in ``[0, 1]``; see :func:`predict` for how outputs become labels."""
    _check_model(model)
    _check_X(model, X)
    y = _check_y(X, y)
    return (predict(model, X) == y).double().mean().item()


# -- training -------------------------------------------------------------------------------
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
        lr: learning rate of the default optimizer, Adam.
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
            untouched); ``None`` draws that seed from torch's global generator, as
            ``DataLoader`` does, so ``torch.manual_seed`` makes a run repeatable.
        callback: ``callback(epoch, model)`` after every epoch (``epoch`` counts from 0), e.g.
            to record snapshots for a slider figure.
        progress: show a tqdm progress bar with the current loss and accuracy.

    Returns:
        A :class:`History`. The model keeps the training mode it had before the call.

    Raises:
        FloatingPointError: the loss became NaN or infinite; training stops at that step,
            before applying its update. The message names the epoch (and step).
        TypeError, ValueError: bad arguments, before any training.

    Example:
        >>> from dql_teach.data import make_dataset
        >>> X, y = make_dataset("circles", n_samples=200, seed=0)
        >>> _ = torch.manual_seed(0)
        >>> history = fit(nn.Linear(2, 1), X, y, epochs=20, progress=False)
        >>> len(history.loss), len(history.accuracy)
        (20, 20)
    """
    # every check runs before any computation
    _check_model(model)
    _check_X(model, X)
    y = _check_y(X, y)
    if len(X) == 0:
        raise ValueError(f"X must hold at least one sample, got shape {tuple(X.shape)}")
    if (X_val is None) != (y_val is None):
        raise ValueError(
            "X_val and y_val must be given together, got "
            f"X_val={'a tensor' if X_val is not None else None} and "
            f"y_val={'a tensor' if y_val is not None else None}"
        )
    if X_val is not None:
        _check_X(model, X_val, "X_val")
        y_val = _check_y(X_val, y_val, "y_val", "X_val")
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size, allow_none=True)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
        raise ValueError(f"lr must be a positive number (finite), got {lr!r}")
    if optimizer is not None and param_groups is not None:
        raise ValueError(
            "give optimizer or param_groups, not both: param_groups configures the default Adam"
        )
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    if optimizer is None:
        if param_groups is not None:
            param_groups = list(param_groups)
            if not param_groups:
                raise ValueError("param_groups must be a non-empty list of dicts, got []")
            for i, group in enumerate(param_groups):
                if not isinstance(group, dict) or "params" not in group:
                    raise TypeError(
                        f"param_groups[{i}] must be a dict with a 'params' key, got {group!r}"
                    )
        params = param_groups if param_groups is not None else list(model.parameters())
        if not params:
            raise ValueError("model has no parameters to train")
        optimizer = torch.optim.Adam(params, lr=lr)

    n = len(X)
    minibatch = batch_size is not None and batch_size < n
    generator = None
    if minibatch:
        if seed is None:  # as DataLoader: follow torch.manual_seed without consuming much
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
        generator = torch.Generator(device="cpu").manual_seed(int(seed))
    if loss_fn is None:  # the default losses need labels that match the number of outputs
        with torch.no_grad(), _eval_mode(model):
            outputs = _outputs(_as_logits(model(X[:1])))  # one sample: just to learn the size
        _check_labels(outputs, int(y.min()), int(y.max()))
        if y_val is not None and len(y_val) > 0:
            _check_labels(outputs, int(y_val.min()), int(y_val.max()), name="y_val")

    losses: list[float] = []
    corrects: list[Tensor] = []  # per epoch, 0-d on the device: read back once at the end
    val_losses: list[Tensor] = []
    val_corrects: list[Tensor] = []
    every = max(1, epochs // 50)  # progress-bar text updates: ~50 per run, not per epoch
    rows = batch_size if minibatch else n
    positions = X[0].numel() // X.shape[1] if X.ndim > 2 else 1  # a conv reuses its weights
    work = rows * positions * sum(p.numel() for p in model.parameters())
    small = X.device.type == "cpu" and work < _ONE_THREAD_WORK
    was_training = model.training
    model.train()
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(_threads(1 if small else None))
        cleanup.enter_context(torch.enable_grad())  # also when called under torch.no_grad()
        cleanup.callback(model.train, was_training)  # also when an error stops training
        bar = cleanup.enter_context(
            tqdm(total=epochs, disable=not progress, desc="fit", unit="epoch", leave=True)
        )
        for epoch in range(epochs):
            if minibatch:
                order = torch.randperm(n, generator=generator).to(X.device)
                batches = [(X[i], y[i]) for i in order.split(batch_size)]
            else:
                batches = [(X, y)]
            epoch_loss = 0.0
            epoch_correct = None
            for step, (xb, yb) in enumerate(batches):
                loss, correct = _loss_and_correct(model(xb), yb, loss_fn)
                value = loss.item()  # the NaN guard's read-back: one per step, before the update
                if not math.isfinite(value):
                    where = f"epoch {epoch + 1} of {epochs}"
                    if minibatch:
                        where += f" (mini-batch {step + 1} of {len(batches)})"
                    raise FloatingPointError(
                        f"the loss became {value} at {where}: training diverged. "
                        f"Try a lower learning rate (lr={_learning_rates(optimizer)} now), "
                        "or scale the inputs. This step's update was not applied."
                    )
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                epoch_loss += value * len(yb)
                epoch_correct = correct if epoch_correct is None else epoch_correct + correct
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
