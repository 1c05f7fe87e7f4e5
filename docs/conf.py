"""Sphinx configuration for the MyTorch documentation.

Build from the repository root (warnings are errors, as in CI):

    python -m sphinx -E -W --keep-going -b html docs docs/_build/html
    python -m sphinx -E -W --keep-going -b doctest docs docs/_build/doctest

The second command runs every ``>>>`` example: the ones in these pages and the
ones in the docstrings that the API reference pulls in. ``-E`` rereads every
page: Sphinx does not notice on its own that a docstring changed in a module
that a package re-exports from, and would keep the old text.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import inspect
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

# Document this checkout's source, even if another copy of mytorch is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import mytorch  # after the path above

logger = logging.getLogger(__name__)

project = "MyTorch"
author = "The MyTorch developers"
copyright = "2026, The MyTorch developers"
release = mytorch.__version__
version = release

extensions = [
    # API pages come from the docstrings, so they cannot drift from the code.
    "sphinx.ext.autodoc",
    # One page per public object plus summary tables, generated at build time.
    "sphinx.ext.autosummary",
    # Our docstrings are numpydoc. napoleon ships with Sphinx and renders them;
    # we prefer it to the numpydoc extension, which adds a second dependency and
    # its own tables of class members that would duplicate autosummary's.
    "sphinx.ext.napoleon",
    # Links to the Python and numpy docs, when their inventories can be fetched
    # (see intersphinx_mapping below).
    "sphinx.ext.intersphinx",
    # A "[source]" link on every object: users read the code to learn autograd.
    "sphinx.ext.viewcode",
    # `sphinx-build -b doctest` runs every example, in pages and in docstrings.
    "sphinx.ext.doctest",
    # The equations of layers and optimisers (:math:). MathJax is loaded by the
    # reader's browser; building needs no network.
    "sphinx.ext.mathjax",
    # Only to include CHANGELOG.md as it is. The pages themselves are
    # reStructuredText: the doctest builder tests its ">>>" blocks natively, and
    # the docstrings are reStructuredText too, so one markup serves everything.
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build"]

# -- API pages ---------------------------------------------------------------
# The pages under api/ list the objects by hand, grouped for readers;
# _check_api_coverage below fails the build if they miss a public name.
autosummary_generate = True
# Document exactly what each module's __all__ exports.
autosummary_ignore_module_all = False
# mytorch.Tensor (the class) and mytorch.tensor (the factory) would share one
# file on case-insensitive file systems (macOS, Windows).
autosummary_filename_map = {"mytorch.tensor": "mytorch.tensor-function"}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

napoleon_google_docstring = False
napoleon_numpy_docstring = True
# Render "Attributes" sections as field lists: as attribute directives they
# would clash with the attributes autodoc lists on the class page.
napoleon_use_ivar = True

# -- intersphinx -------------------------------------------------------------
# Links to docs.python.org and numpy.org need their objects.inv inventories,
# which Sphinx downloads at build time. Where the network is closed (as on our
# build machine) every download fails with a warning, and -W makes that an
# error. So the mapping is empty unless MYTORCH_DOCS_ONLINE=1 says the network
# is there; offline, references such as numpy.ndarray are simply left as plain
# text. We ship no copies of the inventories: they would go stale unseen.
if os.environ.get("MYTORCH_DOCS_ONLINE") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
    }
else:
    intersphinx_mapping = {}

# -- doctest -----------------------------------------------------------------
# Sphinx's default flags include IGNORE_EXCEPTION_DETAIL, which would let an
# example pass whatever its error message says; ours are part of what we teach.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1
# Every example imports what it uses, so that it runs when copied; the setup
# only prepares the check below, which fails an example that leaks global
# state into the next one (as tests/conftest.py does for the tests).
# EXAMPLES lets a page load the example scripts wherever sphinx-build is run from.
doctest_global_setup = f"""
import numpy as _np
from mytorch.core import dtypes as _dtypes, grad_mode as _grad_mode
EXAMPLES = {str(Path(__file__).resolve().parent.parent / "examples")!r}
"""
doctest_global_cleanup = """
assert _grad_mode.is_grad_enabled(), "an example left grad mode disabled"
assert _dtypes.get_default_dtype() == _np.float32, "an example changed the default dtype"
"""

# -- HTML --------------------------------------------------------------------
html_theme = "furo"
html_title = f"MyTorch {release}"


def _object(fullname: str) -> Any:
    """Return the object that a dotted documented name refers to.

    Attributes come first: ``mytorch.testing.gradcheck`` is the function that the
    package exports, not the module of the same name that defines it.
    """
    parts = fullname.split(".")
    value: Any = importlib.import_module(parts[0])
    for index, attribute in enumerate(parts[1:], start=2):
        try:
            value = getattr(value, attribute)
        except AttributeError:
            value = importlib.import_module(".".join(parts[:index]))
    return value


def _check_api_coverage(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn about any name in a documented module's __all__ that no page documents.

    A name counts as documented when its object is documented under any name
    (``mytorch.autograd.grad`` is ``mytorch.grad``), so re-exports need no
    second page.
    """
    documented = env.get_domain("py").objects
    documented_ids = set()
    for fullname in documented:
        # Some documented names are not attributes (instance attributes set in __init__).
        with contextlib.suppress(ImportError, AttributeError):
            documented_ids.add(id(_object(fullname)))
    modules = sorted(name for name, entry in documented.items() if entry.objtype == "module")
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, ModuleType):
                continue
            # Matching by identity is safe for functions and classes only: small
            # ints and short strings are shared objects in CPython.
            same_object = callable(value) and id(value) in documented_ids
            if f"{module_name}.{name}" not in documented and not same_object:
                logger.warning(
                    "%s.%s is public (in __all__) but no API page documents it; "
                    "add it to the page of %s under docs/api/",
                    module_name,
                    name,
                    module_name,
                )


def _drop_type_docstring(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Drop the docstring of a constant's type (int, dict, ...), shown as its own.

    For data without a doc comment, autodoc falls back to ``type(obj).__doc__``,
    which describes ``dict`` rather than ``MNIST_MD5`` (and is not valid
    reStructuredText either).
    """
    type_doc = getattr(type(obj), "__doc__", None)
    if what not in ("data", "attribute") or not isinstance(type_doc, str):
        return
    type_lines = [line for line in inspect.cleandoc(type_doc).splitlines() if line.strip()]
    if [line for line in lines if line.strip()] == type_lines:
        lines.clear()


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _drop_type_docstring)
    app.connect("env-check-consistency", _check_api_coverage)
