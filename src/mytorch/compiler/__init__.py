"""``mytorch.compile``: capture a training step once, then replay it without the graph.

``recorder.py`` captures (it listens at the hook points of
``mytorch.core.capture``), ``program.py`` replays, and ``compiled.py`` holds the
cache of programs and the public ``compile``.
"""

from mytorch.compiler.compiled import Compiled, compile
from mytorch.compiler.program import Program

__all__ = ["Compiled", "Program", "compile"]
