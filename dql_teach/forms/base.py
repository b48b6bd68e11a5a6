r"""The base class of the quadric neuron forms, and what they share.

Every form computes, for each of its ``m`` output neurons, a quadric of the input
:math:`x \in \mathbb{R}^n`,

.. math:: y = x^\top A x + b^\top x + c,

but each form parametrises ``A`` differently, and that choice sets its cost (parameters,
multiply-adds) and what one neuron can draw. A form's class carries these facts itself (its
formula, citation, parameter count, multiply-adds, the ``nn.Linear`` of equal arithmetic, the
parameters that start at zero, the largest rank of ``A``), so that tables, benchmarks and the
book read them from one place: :mod:`dql_teach.forms.registry` lists the forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from .._checks import check_positive_int

__all__ = ["QuadricForm"]

INITS = ("default", "relinear")

LinearOp = Callable[[Tensor, Tensor, "Tensor | None"], Tensor]
"""``linear(input (*, n), weight (k, n), bias (k,) or None) -> (*, k)``: ``F.linear`` for a
dense layer, a convolution for :class:`~dql_teach.QuadricConv2d`."""


def uniform_(tensor: Tensor, fan_in: int) -> None:
    """``nn.Linear``'s default init, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: outputs then
    start at about the scale of the inputs."""
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    nn.init.uniform_(tensor, -bound, bound)


class QuadricForm(nn.Module):
    r"""Base class of the quadric neuron forms.

    A subclass implements ``_compute(x, linear)`` (the form written with one linear primitive,
    so that :class:`~dql_teach.QuadricConv2d` can reuse it), ``as_quadric()``,
    ``reset_parameters()``, ``load_linear_()``, and states its facts: the class attributes
    below and the methods :meth:`parameters_per_neuron`, :meth:`multiply_adds`,
    :meth:`flop_equivalent`, :meth:`max_rank` and :meth:`relinear_zeros`. Adding a form is one
    such class and one line in :data:`dql_teach.FORMS`.

    Args:
        in_features: size ``n`` of each input sample.
        out_features: number ``m`` of neurons.
        bias: whether each neuron has a constant term ``c``.
        init: ``"default"`` (random, ``nn.Linear``-style scales) or ``"relinear"`` (the
            quadratic part starts at exactly zero, so the layer starts as its linear part:
            the ReLinear start of Fan et al.; :meth:`relinear_zeros` names what is zeroed).
        memory_efficient: keep only the input for backward and recompute the quadratic
            intermediates there (QuadraLib's memory saving), trading compute for memory.

    Shape:
        ``(*, in_features) -> (*, out_features)``; any leading dimensions, including empty
        ones (a batch of 0 samples gives an empty output, as ``nn.Linear`` does).

    Attributes:
        name: the form's key in :data:`dql_teach.FORMS`.
        formula: one neuron's output in LaTeX (letters ``u, v`` factors, ``q`` squares, ``w``
            linear weights, ``c`` constant, ``Q_k, \Lambda_k`` the low-rank eigen form).
        citation: its key in ``book/references.bib``.
        published_as: who published it, in a few words.
        parameter_formula: free parameters per neuron with the default options, in ``n`` (and
            ``k``), as plain text (``"3n + 1"``).
        quadratic_names: the second-order parameters (see
            :func:`dql_teach.quadratic_param_groups`); names the options leave out are
            skipped.
        authors_quadratic_names: the parameters that the form's authors' code trains with the
            second learning rate, where that differs from ``quadratic_names`` (``None``:
            the same).

    Every form works with ``torch.compile`` (``fullgraph=True``), ``torch.export`` (with a
    dynamic batch size), ``torch.jit.trace`` (deprecated by torch in favour of the first two),
    ``DistributedDataParallel`` and ``fully_shard`` (FSDP2); each is tested.
    ``torch.jit.script`` is not supported: the forms use ``torch.utils.checkpoint``, a custom
    autograd function and Python-level checks that TorchScript cannot compile, and scripting
    a form raises a ``RuntimeError`` that says so.
    """

    name: ClassVar[str] = ""
    formula: ClassVar[str] = ""
    citation: ClassVar[str | None] = None
    published_as: ClassVar[str] = ""
    parameter_formula: ClassVar[str] = ""
    quadratic_names: ClassVar[tuple[str, ...]] = ()
    authors_quadratic_names: ClassVar[tuple[str, ...] | None] = None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "default",
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.init = init
        self.memory_efficient = bool(memory_efficient)

    def _parameter(self, name: str, shape: tuple[int, ...], factory: dict, present: bool = True):
        """Create parameter ``name`` (uninitialised: ``reset_parameters`` fills it), or register
        it as ``None`` when the options leave it out, as ``nn.Linear`` does with its bias."""
        if present:
            setattr(self, name, nn.Parameter(torch.empty(shape, **factory)))
        else:
            self.register_parameter(name, None)

    # -- the public forward -------------------------------------------------------------
    def forward(self, x: Tensor) -> Tensor:
        """``(*, in_features) -> (*, out_features)``."""
        self._check_input(x)
        if self.memory_efficient and torch.is_grad_enabled():
            # only x is stored; _forward runs again in backward to rebuild its intermediates
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)

    def _forward(self, x: Tensor) -> Tensor:
        return self._compute(x, F.linear)

    def _compute(self, x: Tensor, linear: LinearOp) -> Tensor:
        """The form written with one primitive, ``linear(input, weight (k, n), bias) ->
        (*, k)``: ``F.linear`` for a dense layer, a convolution for :class:`QuadricConv2d`."""
        raise NotImplementedError

    def load_linear_(self, weight: Tensor, bias: Tensor | None) -> None:
        """Make this layer compute exactly ``F.linear(x, weight, bias)``: copy the weights into
        the linear part and zero the quadratic part (used by :func:`dql_teach.quadrify`)."""
        raise NotImplementedError(f"{type(self).__name__} has no linear part to load into")

    def _check_input(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(x).__name__}")
        if not (x.is_floating_point() or x.is_complex()):
            raise TypeError(
                f"input must be a floating-point tensor, got dtype {x.dtype}; "
                "convert it with x.float()"
            )
        if torch.jit.is_tracing():  # the example input fixed the shape; sizes are tensors now
            return
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"input must have shape (*, in_features={self.in_features}), got {tuple(x.shape)}"
            )

    def __prepare_scriptable__(self):
        # torch.jit.script calls this first: say why it cannot work instead of a parse error
        raise RuntimeError(
            f"torch.jit.script does not support {type(self).__name__} (checkpointing and a "
            "custom autograd function): use torch.compile, torch.export or torch.jit.trace"
        )

    # -- the explicit quadric ---------------------------------------------------------
    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        """``(A (m, n, n), b (m, n), c (m,))`` with ``A`` symmetric and
        ``forward(x) == einsum('...i,mij,...j->...m', x, A, x) + x @ b.T + c``."""
        raise NotImplementedError

    def _constant(self) -> Tensor:
        if self.bias is None:
            ref = next(self.parameters())
            return ref.new_zeros(self.out_features)
        return self.bias.detach().clone()

    def quadratic_parameters(self, as_authors: bool = False) -> list[nn.Parameter]:
        """The second-order parameters, those that a smaller learning rate suits; with
        ``as_authors=True`` those that the form's authors' code puts in its second group
        (:attr:`authors_quadratic_names`)."""
        names = self.quadratic_names
        if as_authors and self.authors_quadratic_names is not None:
            names = self.authors_quadratic_names
        return [p for name in names if (p := getattr(self, name, None)) is not None]

    def _init_bias(self, fan_in: int) -> None:
        if self.bias is not None:
            uniform_(self.bias, fan_in)

    def _copy_bias(self, bias: Tensor | None) -> None:
        if self.bias is not None:
            self.bias.copy_(bias if bias is not None else torch.zeros_like(self.bias))
        elif bias is not None:
            raise ValueError(f"the linear layer has a bias but this {type(self).__name__} has none")

    def _require(self, condition: bool, options: str) -> None:
        if not condition:
            raise ValueError(f"loading a linear layer into {type(self).__name__} needs {options}")

    # -- the form's facts, for this layer's sizes and options ----------------------------
    def parameters_per_neuron(self) -> int:
        """Free parameters of one neuron, from the form's formula in ``n`` and the options
        (:func:`dql_teach.count_parameters` of the layer is ``m`` times this)."""
        raise NotImplementedError

    def multiply_adds(self) -> int:
        """Multiply-adds of one forward pass of the layer per input sample, counted on the
        computation it performs (an elementwise product counts as one; work shared by the
        neurons, like squaring the inputs, counts once)."""
        raise NotImplementedError

    def flop_equivalent(self) -> dict[str, tuple[int, int]]:
        """``{name: (in_features, out_features)}`` of the ``nn.Linear`` layers that do about the
        multiply-adds of this layer, the first the headline one (the timing benchmark's
        reference: a time ratio near 1 means the form costs no more than its arithmetic)."""
        raise NotImplementedError

    def max_rank(self) -> int:
        """The largest rank one neuron's ``A`` can have (reached by random parameters)."""
        raise NotImplementedError

    def relinear_zeros(self) -> tuple[str, ...]:
        """Names of the parameters that are exactly zero with ``init="relinear"`` and after
        :meth:`load_linear_`: zeroing them leaves the neuron its linear part."""
        raise NotImplementedError

    # -- repr -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        parts = [
            f"in_features={self.in_features}",
            f"out_features={self.out_features}",
            f"bias={self.bias is not None}",
        ]
        parts += self._extra_options()
        if self.init != "default":
            parts.append(f"init={self.init!r}")
        if self.memory_efficient:
            parts.append("memory_efficient=True")
        return ", ".join(parts)

    def _extra_options(self) -> list[str]:
        return []
