r"""Quadric convolutions: a quadric neuron form applied to every receptive field.

A convolution is a linear neuron that slides over the image: at each position it reads the patch
``x_p`` (``in_channels * kh * kw`` numbers, in the order of ``F.unfold``) and computes
``w·x_p + c``. :class:`QuadricConv2d` replaces that neuron by a quadric form. Because every
form except the full one is built from linear maps of ``x_p`` and of ``x_p ∘ x_p``, and the
patch of ``x ∘ x`` is ``x_p ∘ x_p``, those forms run as ordinary convolutions (one
``conv2d`` with all factors stacked as output channels); the full form needs the products
``x_i x_j`` inside each patch and runs on unfolded patches.
"""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.modules.utils import _pair
from torch.utils.checkpoint import checkpoint

from ._checks import check_int, check_positive_int
from .forms import QUADRIC_FORMS, VARIANTS, HadamardQuadric, QuadricForm, QuadricLinear, make_layer

__all__ = ["BranchNormConv2d", "QuadricConv2d"]


class QuadricConv2d(nn.Module):
    r"""A 2-D convolution whose neurons are quadric forms.

    Output channel ``o`` at position ``p`` is ``neuron_o(x_p)``, the form's neuron applied to the
    flattened receptive field ``x_p`` of length ``in_channels * kh * kw``: exactly what
    ``F.unfold`` followed by the dense form computes, only faster.

    Args:
        in_channels: channels ``C`` of the input.
        out_channels: number of quadric neurons (output channels).
        kernel_size, stride, dilation: as in ``nn.Conv2d``.
        padding: as in ``nn.Conv2d`` (zeros): an int, a pair, ``"valid"`` (none) or
            ``"same"`` (output as large as the input; needs ``stride=1``; an odd total
            padding puts the extra row or column at the bottom or right, as torch does).
        form: ``"hadamard"``, ``"fan"``, ``"lowrank"``, ``"diagonal"`` or ``"full"``, or a
            variant of :data:`dql_teach.VARIANTS` (``"T3-code"``, ``"quadralib"``...).
            ``"full"`` is the generic second-order Volterra expansion over the patch,
            ``sum_i w_i x_i + sum_{i<=j} a_ij x_i x_j + c``: a convolution in the spirit of
            Zoumpourlis et al. (2017), whose exact formula was not checked here.
        bias: as in ``nn.Conv2d``; ``None`` (default) leaves it to the form (``True`` for the
            forms, the variant's own choice for a variant).
        device, dtype: as in ``nn.Conv2d``.
        memory_efficient: recompute the quadratic intermediates in backward.
        form_options: passed to the form through :func:`dql_teach.make_layer` (``rank=``,
            which only the forms with a rank option use, ``init=``, ``residual=``...).

    Shape:
        ``(N, C, H, W) -> (N, out_channels, H_out, W_out)`` with ``nn.Conv2d``'s output size; a
        low-rank form with ``return_features=True`` gives ``out_channels * (rank + 1)``
        channels.

    Attributes:
        neuron: the dense form over patches; its parameters are the convolution's.

    Example:
        >>> conv = QuadricConv2d(3, 8, 3, padding=1, form="hadamard")
        >>> conv(torch.randn(2, 3, 16, 16)).shape
        torch.Size([2, 8, 16, 16])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        form: str = "hadamard",
        bias: bool | None = None,
        device=None,
        dtype=None,
        memory_efficient: bool = False,
        **form_options,
    ) -> None:
        super().__init__()
        if not isinstance(form, str) or (form not in QUADRIC_FORMS and form not in VARIANTS):
            raise ValueError(
                f"form must be one of {QUADRIC_FORMS} or a variant {sorted(VARIANTS)}, got {form!r}"
            )
        check_positive_int("in_channels", in_channels)
        check_positive_int("out_channels", out_channels)
        self.in_channels, self.out_channels, self.form = in_channels, out_channels, form
        self.kernel_size = _pair(kernel_size)
        self.stride, self.dilation = _pair(stride), _pair(dilation)
        for name, pair in (
            ("kernel_size", self.kernel_size),
            ("stride", self.stride),
            ("dilation", self.dilation),
        ):
            for v in pair:
                check_int(name, v, minimum=1)
        self.padding, self._pad, self._extra_pad = self._padding(padding)
        kh, kw = self.kernel_size
        self.memory_efficient = bool(memory_efficient)
        if bias is not None:
            form_options["bias"] = bias
        self.neuron: QuadricForm = make_layer(
            form, in_channels * kh * kw, out_channels, device=device, dtype=dtype,
            **form_options,
        )  # fmt: skip

    def _padding(self, padding) -> tuple:
        """``(padding as given, the symmetric padding of the convolution, the extra
        bottom/right padding of the input or None)``."""
        if not isinstance(padding, str):
            pair = _pair(padding)
            for v in pair:
                check_int("padding", v, minimum=0)
            return pair, pair, None
        if padding == "valid":
            return padding, (0, 0), None
        if padding != "same":
            raise ValueError(
                f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}"
            )
        if self.stride != (1, 1):
            raise ValueError(f"padding='same' needs stride=1, got stride={self.stride}")
        totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]  # (h, w)
        extra = (0, totals[1] % 2, 0, totals[0] % 2)  # F.pad's order: left, right, top, bottom
        return padding, (totals[0] // 2, totals[1] // 2), extra if any(extra) else None

    def reset_parameters(self) -> None:
        """Re-initialise the neuron as its form does (fan-in: ``in_channels * kh * kw``)."""
        self.neuron.reset_parameters()

    def as_quadric(self) -> tuple[Tensor, Tensor, Tensor]:
        """The quadric of each output channel over a flattened patch (``F.unfold`` order)."""
        return self.neuron.as_quadric()

    def quadratic_parameters(self, as_authors: bool = False) -> list[nn.Parameter]:
        return self.neuron.quadratic_parameters(as_authors)

    def _conv_linear(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        # a dense (k, C*kh*kw) weight is a (k, C, kh, kw) kernel; channels go last so the
        # form's elementwise code (written for (*, k) outputs) works unchanged
        kernel = weight.view(weight.shape[0], self.in_channels, *self.kernel_size)
        y = F.conv2d(x, kernel, bias, self.stride, self._pad, self.dilation)
        return y.permute(0, 2, 3, 1)  # (N, H_out, W_out, k)

    def _forward(self, x: Tensor) -> Tensor:
        if self._extra_pad is not None:  # "same" with an even kernel: the odd row/column
            x = F.pad(x, self._extra_pad)
        if isinstance(self.neuron, QuadricLinear):
            return self._forward_unfold(x)
        y = self.neuron._compute(x, self._conv_linear)  # (N, H_out, W_out, m)
        return y.permute(0, 3, 1, 2)  # channels-last memory, (N, m, H_out, W_out) shape

    def _forward_unfold(self, x: Tensor) -> Tensor:
        n_batch, _, height, width = x.shape  # x already has the extra "same" padding
        unfold = partial(
            F.unfold,
            kernel_size=self.kernel_size,
            dilation=self.dilation,
            padding=self._pad,
            stride=self.stride,
        )
        patches = unfold(x).transpose(1, 2)  # (N, L, C*kh*kw)
        y = self.neuron._forward(patches)  # (N, L, m)
        h_out, w_out = self._output_shape(height, width)
        # sizes, not -1: an empty batch has none to infer
        return y.transpose(1, 2).reshape(n_batch, y.shape[-1], h_out, w_out)

    def output_shape(self, height: int, width: int) -> tuple[int, int]:
        """Spatial size of the output for an input of ``height x width``."""
        if self._extra_pad is not None:
            height, width = height + self._extra_pad[3], width + self._extra_pad[1]
        return self._output_shape(height, width)

    def _output_shape(self, height: int, width: int) -> tuple[int, int]:
        out = []
        for size, k, s, p, d in zip(
            (height, width), self.kernel_size, self.stride, self._pad, self.dilation
        ):
            out.append((size + 2 * p - d * (k - 1) - 1) // s + 1)
        return out[0], out[1]

    def _check_input(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"input must be a floating-point tensor, got dtype {x.dtype}")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"input must have shape (N, in_channels={self.in_channels}, H, W), "
                f"got {tuple(x.shape)}"
            )

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, H, W) -> (N, out_channels, H_out, W_out)``."""
        self._check_input(x)
        if self.memory_efficient and torch.is_grad_enabled():
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, form={self.form!r}"
        )
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.memory_efficient:
            s += ", memory_efficient=True"
        return s


class BranchNormConv2d(nn.Module):
    r"""QuadraLib's convolutional quadratic neuron: a BatchNorm on each of its three branches.

    .. math:: y = \mathrm{BN}_u(U * x + u_0) \circ \mathrm{BN}_v(V * x + v_0)
              + \mathrm{BN}_w(W * x + c)

    QuadraLib's ``Quadraour`` (``image_classification/models/quadratic_layer.py``) puts a
    ``BatchNorm2d`` after each of its three convolutions, before the product, and its README
    calls batch normalisation "significantly important" for quadratic networks because the
    second-order term "will generate extreme values". A form cannot hold that (the norms sit
    between its branches), so this small module wraps one :class:`QuadricConv2d` of the
    ``"quadralib"`` variant (the Hadamard form with factor biases: the three convolutions as
    one ``conv2d`` with ``3m`` output channels) and normalises its branches
    (:meth:`~dql_teach.HadamardQuadric.branches`) before combining them.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation: as in
            :class:`QuadricConv2d`.
        bias: the convolutions' biases ``u_0, v_0, c`` (as in QuadraLib, on by default; in
            training mode a BatchNorm removes them again); ``False`` leaves all three out.
        eps, momentum, affine, track_running_stats: of each ``nn.BatchNorm2d``.
        device, dtype: factory arguments.

    Shape:
        ``(N, C, H, W) -> (N, out_channels, H_out, W_out)``.

    Attributes:
        conv: the three convolutions, a :class:`QuadricConv2d`.
        norm_u, norm_v, norm_w: the ``nn.BatchNorm2d`` of the two factors and the linear
            branch.

    Example:
        >>> layer = BranchNormConv2d(3, 8, 3, padding=1)
        >>> layer(torch.randn(2, 3, 10, 10)).shape
        torch.Size([2, 8, 10, 10])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        form = "quadralib" if bias else "hadamard"
        self.conv = QuadricConv2d(
            in_channels, out_channels, kernel_size, stride, padding, dilation, form=form,
            bias=bool(bias), **factory,
        )  # fmt: skip
        norm = partial(
            nn.BatchNorm2d, out_channels, eps=eps, momentum=momentum, affine=affine,
            track_running_stats=track_running_stats, **factory,
        )  # fmt: skip
        self.norm_u, self.norm_v, self.norm_w = norm(), norm(), norm()

    @property
    def neuron(self) -> HadamardQuadric:
        """The dense form of the three convolutions (its parameters are theirs)."""
        return self.conv.neuron

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()
        for norm in (self.norm_u, self.norm_v, self.norm_w):
            norm.reset_parameters()

    def quadratic_parameters(self, as_authors: bool = False) -> list[nn.Parameter]:
        return self.conv.quadratic_parameters(as_authors)

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, H, W) -> (N, out_channels, H_out, W_out)``."""
        conv = self.conv
        conv._check_input(x)
        if conv._extra_pad is not None:  # "same" with an even kernel: the odd row/column
            x = F.pad(x, conv._extra_pad)
        first, second, lin = (
            t.permute(0, 3, 1, 2) for t in conv.neuron.branches(x, conv._conv_linear)
        )  # (N, m, H_out, W_out) each
        return self.norm_u(first) * self.norm_v(second) + self.norm_w(lin)
