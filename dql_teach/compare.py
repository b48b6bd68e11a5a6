"""Fair comparisons of architectures: networks built from form names, trained over seeds.

A single training run says little: the split and the initialisation each move a small
network's test accuracy by a point or more (with ten seeds, some small networks stay at chance
on a seed or two). :func:`run_seeds` trains one fresh network per seed (the seed fixes both the
split and the initial weights, so every architecture sees the same splits) and keeps every
test accuracy in a :class:`~dql_teach.results.SeedResult`; :mod:`dql_teach.results` asks the
questions of episode 4 of a set of them, spread included.

Seeds trained together: for full-batch Adam, :func:`run_seeds` stacks the seeds' networks into
one (``torch.func.stack_module_state``), runs them all in one call per step
(``torch.func.vmap`` over ``functional_call``, each seed on its own split, all of one size) and
steps one Adam over the stacked parameters. Adam works element by element and the summed loss
gives each seed's parameters exactly its own gradient, so every seed ends where
:func:`dql_teach.fit` alone would have brought it, up to rounding (float64: within 1e-10; in
float32 the rounding can grow over hundreds of epochs of a chaotic run, as between any two
machines); :func:`fit_together` is that loop. It pays where Python, not arithmetic, sets the
speed: ten seeds of the toy 2-h-1 networks train 2-7x faster, the digits' 64-128-10 no faster
(``benchmarks/bench_seeds.py``), so :func:`run_seeds` chooses.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from ._checks import check_positive_int, check_seed
from .analysis import count_connections, count_parameters
from .data import train_test_split
from .forms.registry import make_mlp
from .results import SeedResult, pareto_front, smallest_reaching
from .train import (
    History,
    _check_fit_arguments,
    _loss_and_correct,
    _threads_for,
    evaluate,
    fit,
)

__all__ = [
    "SeedResult",
    "fit_together",
    "make_mlp",
    "pareto_front",
    "run_seeds",
    "run_seeds_on",
    "smallest_reaching",
]


# the fit options that training seeds together supports (the others need one model at a time)
_TOGETHER_OPTIONS = {"epochs", "lr", "loss_fn", "progress", "batch_size", "seed"}
_FIT_OPTIONS = {
    name
    for name, p in inspect.signature(fit).parameters.items()
    if p.kind is inspect.Parameter.KEYWORD_ONLY
}


def run_seeds(
    name: str,
    build: Callable[[], nn.Module],
    X: Tensor,
    y: Tensor,
    seeds: Iterable[int] = (0, 1, 2),
    test_size: float = 0.25,
    *,
    together: bool | None = None,
    track_test: bool = False,
    **fit_options,
) -> SeedResult:
    """Train a fresh ``build()`` once per seed and record its test accuracy.

    Seed ``s`` fixes the stratified split (:func:`dql_teach.train_test_split`) and, through
    ``torch.manual_seed(s)``, the initial weights, so two architectures run with the same seeds
    are compared on the same splits. The global torch seed is left as seed's last value.

    Args:
        name: a label for tables and plots.
        build: makes a new untrained model each time it is called.
        X: ``(N, ...)`` samples; y: ``(N,)`` integer labels.
        seeds: one training run per seed, each an int in ``[0, 2**32)``, all different.
        test_size: the fraction of samples held out for the test accuracy.
        together: train the seeds together (:func:`fit_together`, one batched network):
            ``None`` (default) where that gives the same result as one :func:`dql_teach.fit`
            per seed (full-batch default Adam, no ``callback``, validation data, ``optimizer``
            or ``param_groups``, a model that ``torch.func.vmap`` can run and that updates no
            buffers) and is faster (four or more seeds, and a model small enough that
            Python, not arithmetic, sets the speed: training rows x parameters < 2**22),
            else one seed after the other; ``True`` trains them together wherever that
            gives the same result (``ValueError`` saying why not); ``False`` trains one seed
            after the other.
        track_test: also measure every model on its test split after each epoch, into
            ``History.val_loss`` and ``History.val_accuracy`` (seeds trained together too):
            to *show* what picking an epoch by its test accuracy does (it flatters), never to
            pick one. The recorded accuracies stay those of the last epoch.
        fit_options: passed to :func:`dql_teach.fit` (``epochs``, ``lr``...); its progress
            bar is off unless asked for.

    Returns:
        A :class:`SeedResult` with one accuracy, one trained model and one
        :class:`~dql_teach.History` per seed.

    Example:
        >>> from dql_teach import make_dataset
        >>> X, y = make_dataset("circles", n_samples=100)
        >>> r = run_seeds("quadric", lambda: make_mlp([2, 1], "diagonal"), X, y,
        ...               seeds=range(4), epochs=50, lr=0.1)
        >>> r.params, len(r.accuracies), len(r.histories[0].loss)
        (5, 4, 50)
    """
    return run_seeds_on(
        name, build, {0: (X, y)}, seeds, test_size, together=together, track_test=track_test,
        **fit_options,
    )[0]  # fmt: skip


def run_seeds_on(
    name: str,
    build: Callable[[], nn.Module],
    datasets: Mapping[Hashable, tuple[Tensor, Tensor]],
    seeds: Iterable[int] = (0, 1, 2),
    test_size: float = 0.25,
    *,
    together: bool | None = None,
    track_test: bool = False,
    **fit_options,
) -> dict[Hashable, SeedResult]:
    """:func:`run_seeds` on several datasets: one architecture, the same seeds, each dataset.

    ``result[key]`` is what ``run_seeds(name, build, X, y, seeds, test_size, ...)`` returns
    for ``datasets[key] = (X, y)``: the same splits, initial weights and training. Where
    :func:`run_seeds` would train the seeds together and every dataset's splits have the same
    sizes, every (dataset, seed) pair trains in one batched network (:func:`fit_together`):
    for the toy networks about twice as fast as one batch per dataset, since Python, not
    arithmetic, sets the speed there.

    Example:
        >>> from dql_teach import make_dataset
        >>> data = {name: make_dataset(name, n_samples=100) for name in ("moons", "xor")}
        >>> rs = run_seeds_on("quadric", lambda: make_mlp([2, 1], "diagonal"), data,
        ...                   seeds=range(4), epochs=20, lr=0.1)
        >>> sorted(rs), [len(r.accuracies) for r in rs.values()]
        (['moons', 'xor'], [4, 4])
    """
    if isinstance(build, nn.Module) or not callable(build):
        # a module is callable too, but training it per seed would reuse one set of weights
        raise TypeError(
            f"build must be a function that returns a new model (lambda: ...), got "
            f"{type(build).__name__}"
        )
    if not isinstance(datasets, Mapping) or not datasets:
        raise ValueError(f"datasets must be a non-empty dict {{key: (X, y)}}, got {datasets!r}")
    seeds = [check_seed("seeds[]", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must differ (a repeated seed repeats its run), got {seeds}")
    if together not in (None, True, False):
        raise TypeError(f"together must be None, True or False, got {together!r}")
    unknown = sorted(set(fit_options) - _FIT_OPTIONS)
    if unknown:
        raise TypeError(f"run_seeds got options that fit does not take: {unknown}")
    if not isinstance(track_test, bool):
        raise TypeError(f"track_test must be True or False, got {track_test!r}")
    if track_test and {"X_val", "y_val"} & set(fit_options):
        raise ValueError("track_test measures the test split: pass it or X_val/y_val, not both")
    fit_options.setdefault("progress", False)
    # checked here as fit would: the seeds trained together leave these two out
    check_positive_int("batch_size", fit_options.get("batch_size"), allow_none=True)
    check_seed("seed", fit_options.get("seed"), allow_none=True)

    splits = {
        key: [train_test_split(X, y, test_size, seed=seed) for seed in seeds]
        for key, (X, y) in datasets.items()
    }
    flat = [split for key in splits for split in splits[key]]  # dataset by dataset
    if len(splits) > 1 and len({(len(s[0]), len(s[1])) for s in flat}) > 1:
        # one batched network needs one size: train each dataset on its own
        return {
            key: run_seeds_on(
                name, build, {key: data}, seeds, together=together, track_test=track_test,
                test_size=test_size, **fit_options,
            )[key]
            for key, data in datasets.items()
        }  # fmt: skip
    reason = (
        None
        if together is False
        else _why_not_together(build, seeds, flat, fit_options, insist=bool(together))
    )
    if together and reason:
        raise ValueError(f"run_seeds cannot train these seeds together: {reason}")
    runs = [seed for _ in splits for seed in seeds]
    if together is False or reason:
        models, histories = [], []
        for seed, (X_train, X_test, y_train, y_test) in zip(runs, flat):
            # seed, build and train in turn: a model that draws random numbers as it trains
            # (dropout, mini-batches) draws them from its own seed
            torch.manual_seed(seed)
            models.append(build())
            test = {"X_val": X_test, "y_val": y_test} if track_test else {}
            histories.append(fit(models[-1], X_train, y_train, **fit_options, **test))
    else:
        models = _build(build, runs)
        options = {k: v for k, v in fit_options.items() if k not in ("batch_size", "seed")}
        if track_test:
            options.update(X_val=[s[1] for s in flat], y_val=[s[3] for s in flat])
        histories = fit_together(models, [s[0] for s in flat], [s[2] for s in flat], **options)
    accuracies = [evaluate(m, X_test, y_test) for m, (_, X_test, _, y_test) in zip(models, flat)]
    n = len(seeds)
    return {
        key: SeedResult(
            name,
            count_parameters(models[0]),
            count_connections(models[0]),
            seeds=seeds,
            accuracies=accuracies[i * n : (i + 1) * n],
            models=models[i * n : (i + 1) * n],
            histories=histories[i * n : (i + 1) * n],
        )
        for i, key in enumerate(splits)
    }


def _build(build: Callable[[], nn.Module], seeds: list[int]) -> list[nn.Module]:
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(build())
    return models


# where training the seeds together pays (benchmarks/bench_seeds.py, 2-core CPU): with four or
# more seeds, and while a seed's step is small enough (rows x parameters) for Python overhead,
# not arithmetic, to set the speed: x3-5 for the toy 2-h-1 nets, x1.4 for the digits' 64-16-10
# with ten seeds, but x0.7-1.2 for the 64-128-10, where the batched products run slower
_TOGETHER_MIN_SEEDS = 4
_TOGETHER_MAX_WORK = 2**22


def _why_not_together(
    build: Callable[[], nn.Module], seeds: list[int], splits: list, options: dict, insist: bool
) -> str | None:
    """Why ``fit_together`` would not do what one ``fit`` per seed does, or (unless
    ``insist``) would not be faster; ``None``: train the seeds together."""
    other = sorted(k for k, v in options.items() if k not in _TOGETHER_OPTIONS and v is not None)
    if other:
        return f"the fit options {other} need one model at a time"
    n = len(splits[0][0])
    batch_size = options.get("batch_size")
    if batch_size is not None and batch_size < n:
        return "mini-batches (batch_size) are drawn one seed at a time"
    if not insist and len(splits) < _TOGETHER_MIN_SEEDS:  # one split per model
        return f"fewer than {_TOGETHER_MIN_SEEDS} seeds: one at a time is as fast"
    state = torch.random.get_rng_state()  # the probe's models must not move the global seed
    try:
        models = _build(build, seeds[:2])
    finally:
        torch.random.set_rng_state(state)
    if not insist and n * count_parameters(models[0]) >= _TOGETHER_MAX_WORK:
        return "the model and data are large enough for one at a time to be as fast"
    return _why_not_stackable(models, splits[0][0][:2], splits[0][2][:2], options.get("loss_fn"))


def _why_not_stackable(
    models: Sequence[nn.Module], X: Tensor, y: Tensor, loss_fn: Callable | None
) -> str | None:
    """``None`` when the models stack into one ``vmap``-able network, else the reason."""
    shapes = [[(n, p.shape, p.dtype) for n, p in m.named_parameters()] for m in models]
    if any(s != shapes[0] for s in shapes):
        return "the models differ in their parameters (build must make one architecture)"
    # buffers are shared by the stacked network as constants (the full form's index tables);
    # statistics that forward updates (BatchNorm's) would not be kept per seed
    buffers = [dict(m.named_buffers()) for m in models]
    if any(b.keys() != buffers[0].keys() for b in buffers) or any(
        not torch.equal(b[k], buffers[0][k]) for b in buffers for k in b
    ):
        return "the models' buffers differ (statistics such as BatchNorm's are kept per model)"
    before = {k: v.clone() for k, v in buffers[0].items()}
    try:  # a forward and backward on a sample or two per seed: custom autograd, randomness...
        step = _StackedStep(models, loss_fn)
        X1, y1 = X.expand(len(models), *X.shape), y.expand(len(models), *y.shape)
        with torch.enable_grad():
            losses, _ = step(X1, y1)
            torch.autograd.grad(losses.sum(), list(step.params.values()), allow_unused=True)
    except Exception as error:  # noqa: BLE001 - any failure means: train one at a time
        return f"torch.func.vmap cannot run the model ({type(error).__name__}: {error})"
    if any(not torch.equal(step.buffers[k], v) for k, v in before.items()):
        return "the model changes its buffers in forward (BatchNorm statistics...)"
    return None


class _StackedStep:
    """The seeds' models as one: stacked parameters and a vmapped loss over stacked data."""

    def __init__(self, models: Sequence[nn.Module], loss_fn: Callable | None) -> None:
        params, _ = torch.func.stack_module_state(list(models))  # leaves, (S, *shape) each
        self.params: dict[str, Tensor] = params
        self.buffers = {k: v.clone() for k, v in models[0].named_buffers()}  # one for all
        base = copy.deepcopy(models[0]).to("meta")  # the architecture without its weights
        base.train()  # as fit trains
        base_eval = copy.deepcopy(base).eval()  # as fit measures validation data

        def seeds_of(net: nn.Module) -> Callable:
            def one_seed(p: dict[str, Tensor], x: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
                out = torch.func.functional_call(net, (p, self.buffers), (x,))
                return _loss_and_correct(out, t, loss_fn)

            return torch.func.vmap(one_seed, randomness="error")

        self._step, self._measure = seeds_of(base), seeds_of(base_eval)

    def __call__(self, X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Each seed's mean loss ``(S,)`` and number of correct predictions ``(S,)``."""
        return self._step(self.params, X, y)

    def measure(self, X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """As a call, in eval mode and without gradients (validation data)."""
        with torch.no_grad():
            return self._measure(self.params, X, y)


def fit_together(
    models: Sequence[nn.Module],
    X: Sequence[Tensor],
    y: Sequence[Tensor],
    *,
    epochs: int = 200,
    lr: float = 1e-2,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    X_val: Sequence[Tensor] | None = None,
    y_val: Sequence[Tensor] | None = None,
    progress: bool = False,
) -> list[History]:
    """Train several models of one architecture, each on its own data, as one batched network.

    Full-batch Adam, as :func:`dql_teach.fit` with the same ``epochs``, ``lr`` and ``loss_fn``
    trains each model alone: the models' parameters are stacked, every step runs all models
    through ``torch.func.vmap`` (model ``s`` on ``X[s]``), and one Adam steps the stacked
    parameters with the gradient of the summed losses, which is each model's own gradient.
    The models end with the weights they would have after ``fit`` (equal up to rounding: the
    batched products add in another order) and keep their training mode.

    Args:
        models: ``S`` models with the same parameters (names, shapes, dtypes) and equal
            buffers that forward leaves alone (constants, not BatchNorm statistics).
        X: ``S`` inputs, each ``(N, ...)`` with the same ``N``; y: ``S`` label tensors ``(N,)``.
        epochs, lr, loss_fn, progress: as in :func:`dql_teach.fit`.
        X_val, y_val: ``S`` validation sets (each the same size), measured after every
            epoch as :func:`dql_teach.fit` measures its ``X_val, y_val`` (model ``s`` on
            ``X_val[s]``).

    Returns:
        One :class:`~dql_teach.History` per model (training loss and accuracy per epoch;
        validation loss and accuracy when given).

    Raises:
        FloatingPointError: some model's loss became NaN or infinite; the message names it
            and the epoch. The models keep their initial weights.
        ValueError, TypeError: as :func:`dql_teach.fit` for each model and its data; models
            that cannot be stacked or run by ``vmap`` (the message says why).

    Example:
        >>> from dql_teach import make_dataset
        >>> X, y = make_dataset("moons", n_samples=64)
        >>> models = [nn.Linear(2, 1) for _ in range(3)]
        >>> [h.epochs for h in fit_together(models, [X] * 3, [y] * 3, epochs=5)]
        [5, 5, 5]
    """
    models, X, y = list(models), list(X), list(y)
    if not models or len(X) != len(models) or len(y) != len(models):
        raise ValueError(
            f"models, X and y must have one entry per model, got {len(models)}, {len(X)} and "
            f"{len(y)}"
        )
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    validate = X_val is not None
    X_val, y_val = (list(X_val), list(y_val)) if validate else ([None] * len(models),) * 2
    if len(X_val) != len(models) or len(y_val) != len(models):
        raise ValueError(
            f"X_val and y_val must have one entry per model ({len(models)}), got {len(X_val)} "
            f"and {len(y_val)}"
        )
    checked = [
        _check_fit_arguments(
            m, Xs, ys, epochs=epochs, lr=lr, batch_size=None, optimizer=None,
            param_groups=None, loss_fn=loss_fn, X_val=Xv, y_val=yv, seed=None,
            callback=None,
        )
        for m, Xs, ys, Xv, yv in zip(models, X, y, X_val, y_val)
    ]  # fmt: skip
    epochs = checked[0][1]
    for what, sizes in [
        ("data", {len(c[0].X) for c in checked}),
        ("validation data", {len(c[0].X_val) for c in checked if validate}),
    ]:
        if len(sizes) > 1:
            raise ValueError(
                f"every model's {what} must have the same number of samples, got {sizes}"
            )
    if any(len(list(m.parameters())) == 0 for m in models):
        raise ValueError("model has no parameters to train")
    reason = _why_not_stackable(models, checked[0][0].X[:2], checked[0][0].y[:2], loss_fn)
    if reason:
        raise ValueError(f"fit_together cannot train these models together: {reason}")

    n = len(checked[0][0].X)
    X_all = torch.stack([c[0].X for c in checked])  # (S, N, ...)
    y_all = torch.stack([c[0].y for c in checked])  # (S, N)
    if validate:
        Xv_all = torch.stack([c[0].X_val for c in checked])
        yv_all = torch.stack([c[0].y_val for c in checked])
    val_losses, val_corrects = [], []
    step = _StackedStep(models, loss_fn)
    optimizer = torch.optim.Adam(list(step.params.values()), lr=lr)
    losses, corrects = [], []  # per epoch, (S,) each: read back once at the end
    parameters = sum(p.numel() for p in models[0].parameters())
    with contextlib.ExitStack() as cleanup:
        # the threads one fit per model would use: more spin-wait on a shared CPU (train.py)
        cleanup.enter_context(_threads_for(X_all[0], n, parameters))
        cleanup.enter_context(torch.inference_mode(False))
        cleanup.enter_context(torch.enable_grad())
        bar = cleanup.enter_context(
            tqdm(total=epochs, disable=not progress, desc=f"fit {len(models)} together")
        )
        for epoch in range(epochs):
            loss, correct = step(X_all, y_all)  # (S,), (S,)
            if not bool(torch.isfinite(loss).all()):  # the NaN guard: one read-back per step
                bad = next(i for i, v in enumerate(loss.tolist()) if not math.isfinite(v))
                raise FloatingPointError(
                    f"model {bad} (of {len(models)} trained together): the loss became "
                    f"{loss[bad].item()} at epoch {epoch + 1} of {epochs}: training diverged. "
                    f"Try a lower learning rate (lr={lr} now), or scale the inputs. The models "
                    "keep their initial weights."
                )
            optimizer.zero_grad(set_to_none=True)
            loss.sum().backward()
            optimizer.step()
            losses.append(loss.detach())
            corrects.append(correct)
            if validate:
                val_loss, val_correct = step.measure(Xv_all, yv_all)
                val_losses.append(val_loss)
                val_corrects.append(val_correct)
            bar.update(1)
    with torch.no_grad():
        for s, model in enumerate(models):
            for name, p in model.named_parameters():
                p.copy_(step.params[name][s])
    loss_table = torch.stack(losses).double().T.tolist()  # (S, epochs)
    acc_table = (torch.stack(corrects).double() / n).T.tolist()
    histories = [History(loss=lo, accuracy=acc) for lo, acc in zip(loss_table, acc_table)]
    if validate:
        val_loss_table = torch.stack(val_losses).double().T.tolist()
        val_acc_table = (torch.stack(val_corrects).double() / yv_all.shape[1]).T.tolist()
        for h, lo, acc in zip(histories, val_loss_table, val_acc_table):
            h.val_loss, h.val_accuracy = lo, acc
    return histories
