"""The book's logo and favicon: a quadric surface, drawn by the library when the book builds.

A hyperboloid of one sheet, ``x² + y² − z² = r²``, the surface a single quadric neuron of
three inputs draws and no linear neuron can: shaded in the book's colours (Okabe–Ito blue to
green), on a transparent background, so it reads on the light and the dark theme.
:func:`write_logo` writes it as PNG (the logo) and ICO and PNG (the favicon);
``book/_ext/dql_assets.py`` calls it at every build, so nothing is stored in git.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .style import PALETTE

__all__ = ["draw_logo", "write_logo"]


def draw_logo(size: float = 2.0, *, lines: bool = True):
    """The logo as a matplotlib figure, ``size`` inches square (transparent background).

    ``lines``: draw the surface's rulings (a hyperboloid of one sheet is ruled: straight lines
    lie on it), which a favicon of 16 pixels leaves out.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    fig = plt.figure(figsize=(size, size), dpi=100)
    plt.close(fig)  # managed here, not by pyplot's global state
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes((-0.12, -0.12, 1.24, 1.24), projection="3d")
    ax.set_axis_off()
    ax.patch.set_alpha(0.0)
    radius = 0.45
    u = np.linspace(0, 2 * np.pi, 48)
    v = np.linspace(-1.1, 1.1, 24)
    U, V = np.meshgrid(u, v)
    X = radius * np.cosh(V) * np.cos(U)
    Y = radius * np.cosh(V) * np.sin(U)
    Z = radius * np.sinh(V) * 1.25
    cmap = LinearSegmentedColormap.from_list("dql", ["#003d5e", PALETTE["blue"],
                                                     PALETTE["green"], "#7fdcc0"])  # fmt: skip
    # light from the upper left: the normal of x² + y² − (z/1.25)² = r² is (x, y, −z/1.25²)
    normal = np.stack([X, Y, -Z / 1.25**2])
    normal /= np.linalg.norm(normal, axis=0)
    light = np.array([-0.3, -0.9, 0.45]) / np.linalg.norm([-0.3, -0.9, 0.45])
    shade = np.clip(0.5 + 0.5 * np.einsum("i,iuv->uv", light, normal), 0, 1)
    colors = cmap(shade)
    # not antialiased: no hairline seams between the faces (write_logo draws at three times
    # the size and scales down, which smooths the edges)
    ax.plot_surface(X, Y, Z, facecolors=colors, rstride=1, cstride=1, linewidth=0,
                    antialiased=False, shade=False)  # fmt: skip
    if lines:
        for t in np.linspace(0, 2 * np.pi, 16, endpoint=False):
            # a ruling: (r cos t - s r sin t, r sin t + s r cos t, 1.25 s r) lies on the surface
            s = np.linspace(-1.34, 1.34, 30)
            x, y = radius * (np.cos(t) - s * np.sin(t)), radius * (np.sin(t) + s * np.cos(t))
            front = x * np.cos(np.radians(35)) + y * np.sin(np.radians(35)) > -0.05
            ax.plot(np.where(front, x, np.nan), np.where(front, y, np.nan),
                    1.25 * radius * s, color="white", lw=0.5 * size, alpha=0.7,
                    zorder=5)  # fmt: skip
    lim = 0.8
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), zlim=(-lim, lim))
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=18, azim=35)
    return fig


def write_logo(folder: str | Path) -> dict[str, Path]:
    """Write ``logo.png`` (256 px), ``favicon.ico`` (16, 32, 48 px) and ``favicon.png``
    (32 px) into ``folder``; returns their paths by name.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     sorted(p.name for p in write_logo(tmp).values())
        ['favicon.ico', 'favicon.png', 'logo.png']
    """
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in ("logo.png", "favicon.ico", "favicon.png")}

    def render(fig, pixels: int) -> Image.Image:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=3 * pixels / fig.get_figwidth(), transparent=True)
        return Image.open(buffer).convert("RGBA").resize((pixels, pixels), Image.LANCZOS)

    render(draw_logo(2.56), 256).save(paths["logo.png"], optimize=True)
    icon = render(draw_logo(1.0, lines=False), 48)
    icon.save(paths["favicon.ico"], sizes=[(16, 16), (32, 32), (48, 48)])
    icon.resize((32, 32), Image.LANCZOS).save(paths["favicon.png"], optimize=True)
    return paths
