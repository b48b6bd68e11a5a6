"""The quadric playground: quadric neurons of every form, trained live in the reader's page.

One JavaScript source, two hosts. The app is plain ES modules in this folder, in
TensorFlow Playground's shape: the maths (``data.js``: datasets; ``forms.js``: every form's
forward and backward on the library's ``state_dict()`` names; ``conic.js``: naming and tracing
the conic; ``train.js``: the 2-h-1 model, binary cross-entropy, Adam), the drawing
(``draw.js``: canvas) and the controls (``controls.js``: DOM), tied together by ``app.js``
(the controller) and mounted by ``hooks.js`` (the page hooks, ``window.dqlTeach``).

- In Jupyter, Colab and VS Code, :func:`playground` returns an object that displays as HTML
  with the script inlined: it trains in the output, with no kernel round trip.
- In the built book, the same call emits only the root element, and the book's Sphinx
  extension (``book/_ext/dql_playground.py``) serves :func:`page_script` as a static file to
  the pages that hold one.

Nothing is fetched from the network. The page's maths is tested under ``node --test``
(``tests/js/``) against fixtures that tests/test_playground_node.py exports from the library.

Example:
    >>> from dql_teach.playground import playground
    >>> playground("diagonal-xor").settings["form"]
    'diagonal'
"""

from .assets import MODULES, SCRIPT_NAME, STYLE_NAME, page_css, page_script, write_static_files
from .host import MODES, Playground, page_document, playground, playground_html
from .presets import PRESETS

__all__ = [
    "MODES",
    "MODULES",
    "PRESETS",
    "SCRIPT_NAME",
    "STYLE_NAME",
    "Playground",
    "page_css",
    "page_document",
    "page_script",
    "playground",
    "playground_html",
    "write_static_files",
]
