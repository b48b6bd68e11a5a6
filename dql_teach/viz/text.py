"""Figure text as plain words: captions and titles for alt texts and accessible names.

A screen reader reads an alt text aloud, and a page without MathJax shows it as it is, so it
must hold no TeX (``x_1^2``, ``\\lambda``), no Markdown and no markup: :func:`plain_text` turns
``$x_1^2 + \\lambda_2$`` into ``x₁² + λ₂``, and :func:`caption_alt` takes a caption's first
sentence. ``scripts/sync_notebooks.py`` writes the alt texts of the episodes' figures with it,
and the book's caption transform (``book/_ext/dql_captions.py``) the accessible names of their
plotly figures.
"""

from __future__ import annotations

import html
import re

__all__ = ["caption_alt", "plain_text"]

_SUPER = dict(zip("0123456789+-=()nijkTt", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_GREEK = {
    name: chr(code)
    for name, code in [
        ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4),
        ("epsilon", 0x3B5), ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7),
        ("theta", 0x3B8), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD),
        ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4),
        ("phi", 0x3C6), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
        ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B),
        ("Sigma", 0x3A3), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9),
    ]
}  # fmt: skip
_SYMBOLS = {
    "cdot": "·", "circ": "∘", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "~", "to": "→", "rightarrow": "→",
    "in": "∈", "pm": "±", "infty": "∞", "top": "ᵀ", "sum": "Σ", "prod": "Π", "ldots": "…",
    "dots": "…", "cdots": "⋯", "partial": "∂", "nabla": "∇", "mid": "|", "odot": "⊙",
    "otimes": "⊗", "ast": "∗", "star": "⋆", "prime": "′", "langle": "⟨", "rangle": "⟩",
    "lvert": "|", "rvert": "|", "{": "(", "}": ")", "|": "‖", "%": "%", "#": "#", "&": "and",
    "_": " ",
}  # fmt: skip
_SPACES = ("quad", "qquad", ",", ";", ":", "!", " ", "left", "right", "big", "Big", "bigl",
           "bigr", "displaystyle", "limits")  # fmt: skip
_FONTS = ("mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "boldsymbol", "text",
          "textrm", "textbf", "textit", "operatorname", "mathbb", "bm", "emph")  # fmt: skip
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}


def _group(tex: str, start: int) -> tuple[str, int]:
    """The argument at ``tex[start:]``: a ``{...}`` group (nested), a macro or one character;
    and where it ends."""
    while start < len(tex) and tex[start] == " ":
        start += 1
    if start >= len(tex):
        return "", start
    if tex[start] == "{":
        depth = 0
        for i in range(start, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[i], 0)
            if depth == 0:
                return tex[start + 1 : i], i + 1
        return tex[start + 1 :], len(tex)
    if tex[start] == "\\":
        match = re.match(r"\\([A-Za-z]+|.)", tex[start:])
        return match.group(0), start + len(match.group(0))
    return tex[start], start + 1


def _script(text: str, table: dict, word: str) -> str:
    """Text as super- or subscript characters where Unicode has them all, else in words."""
    plain = _tex(text).replace(" ", "")
    if len(plain) == 1 and not plain.isalnum() and plain not in table:
        return plain  # A_* is A∗
    if plain and all(ch in table for ch in plain):
        return "".join(table[ch] for ch in plain)
    if word == "^" and plain in ("ᵀ", "T", "⊤"):
        return "ᵀ"
    return f" to the power {plain}" if word == "^" else f" {plain}"


def _tex(tex: str) -> str:
    """TeX math as plain Unicode text."""
    out, i = [], 0
    while i < len(tex):
        ch = tex[i]
        if ch in "^_":
            arg, i = _group(tex, i + 1)
            out.append(_script(arg, _SUPER if ch == "^" else _SUB, ch))
        elif ch == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            name, i = match.group(1), i + len(match.group(0))
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                num, den = _tex(num), _tex(den)
                wrap = [f"({t})" if len(t) > 1 and not t.isalnum() else t for t in (num, den)]
                out.append(f"{wrap[0]}/{wrap[1]}")
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append(f"√({_tex(arg)})")
            elif name in _FONTS:
                arg, i = _group(tex, i)
                text = _tex(arg)
                out.append(_BLACKBOARD.get(text, text) if name == "mathbb" else text)
            elif name in _GREEK:
                out.append(_GREEK[name])
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            elif name in _SPACES:
                out.append(" " if name in ("quad", "qquad", ",", ";", ":", " ") else "")
            else:
                out.append(name)  # an unknown macro: its name, without the backslash
        elif ch in "{}":
            i += 1
        elif ch == "~":
            out.append(" ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def plain_text(markdown: str) -> str:
    """Markdown with ``$math$`` as plain words: the maths in Unicode (``x₁² + λ₂``,
    ``Aᵀ``, ``1/k``), no emphasis, code marks, links, citations or HTML tags.

    Example:
        >>> plain_text(r"**Figure 2.1.** The conic $x_1^2 + a_{12}\\,x_1 x_2 = 1$ of `A`")
        'Figure 2.1. The conic x₁² + a₁₂ x₁ x₂ = 1 of A'
        >>> plain_text(r"$\\frac{1}{k} f^\\top \\Lambda_k f$ {cite:p}`chen2023efficient`")
        '1/k fᵀ Λₖ f'
    """
    text = re.sub(r"\{(?:cite|footcite)(?::\w+)?\}`[^`]*`", "", str(markdown))  # citations
    text = re.sub(r"\{\w+\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", text)  # {doc}`x`, {ref}`t <x>`
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images
    text = re.sub(r"<br\s*/?>", " ", text)
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", text)  # HTML tags (not "c < 0, c > 0")
    text = re.sub(r"\$\$(.+?)\$\$", lambda m: _tex(m.group(1)), text, flags=re.S)
    text = re.sub(r"\$(.+?)\$", lambda m: _tex(m.group(1)), text, flags=re.S)
    text = re.sub(r"\\[()\[\]]", "", text)  # \( \) \[ \]
    if "\\" in text or "^" in text:  # TeX outside dollars (a title): the same rules
        text = _tex(text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)  # emphasis, code
    text = html.unescape(text).replace("{", "(").replace("}", ")")
    return re.sub(r"\s+", " ", text).strip()


_CAPTION = re.compile(r"^\s*\*\*Figure [\d.]+\*\*\s*")


def caption_alt(caption: str) -> str:
    """The first sentence of a ``**Figure N.M.** ...`` caption, as plain words, without its
    number: a figure's alt text.

    Example:
        >>> caption_alt("**Figure 1.1.** The conic $x_1^2 + x_2^2 + c = 0$ as $c$ moves. More.")
        'The conic x₁² + x₂² + c = 0 as c moves'
    """
    first = _CAPTION.sub("", caption.strip()).split("\n\n", 1)[0]
    text = plain_text(first)
    sentence = re.match(r"(.+?[.!?])(\s|$)", text)
    return (sentence.group(1) if sentence else text).rstrip(".")
