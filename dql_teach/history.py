"""What :func:`dql_teach.fit` records while it trains: one :class:`History` per run."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


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
