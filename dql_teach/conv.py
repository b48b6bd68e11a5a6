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
from .forms import QUADRIC_FORMS, QuadricForm, QuadricLinear, make_layer

__all__ = ["QuadricConv2d"]


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
        form: ``"hadamard"``, ``"fan"``, ``"lowrank"``, ``"diagonal"`` or ``"full"``.
        bias, device, dtype: as in ``nn.Conv2d``.
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
        bias: bool = True,
        device=None,
        dtype=None,
        memory_efficient: bool = False,
        **form_options,
    ) -> None:
        super().__init__()
        if not isinstance(form, str) or form not in QUADRIC_FORMS:
            raise ValueError(f"form must be one of {QUADRIC_FORMS}, got {form!r}")
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
        self.neuron: QuadricForm = make_layer(
            form, in_channels * kh * kw, out_channels, bias=bias, device=device, dtype=dtype,
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

    def quadratic_parameters(self) -> list[nn.Parameter]:
        return self.neuron.quadratic_parameters()

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

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, H, W) -> (N, out_channels, H_out, W_out)``."""
        if not isinstance(x, Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"input must be a floating-point tensor, got dtype {x.dtype}")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"input must have shape (N, in_channels={self.in_channels}, H, W), "
                f"got {tuple(x.shape)}"
            )
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
