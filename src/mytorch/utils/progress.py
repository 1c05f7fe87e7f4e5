"""A small text progress bar for training loops, with no dependency.

On a terminal it redraws one line in place; when the output is a file or a
pipe (CI logs, ``> log.txt``) carriage returns would make a mess, so it prints
a plain line every tenth of the way instead.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """Show the progress of a loop: steps done, rate, ETA and running values.

    Parameters
    ----------
    total : int
        The number of steps (e.g. batches in an epoch).
    description : str, optional
        Printed before the bar, e.g. ``"epoch 1/3"``.
    unit : str, default "examples"
        What ``update(count=...)`` counts, for the rate (``examples/s``).
    stream : file-like, optional
        Where to write (standard output by default).
    width : int, default 24
        The bar's width in characters.

    Examples
    --------
    >>> import io
    >>> from mytorch.utils import ProgressBar
    >>> out = io.StringIO()
    >>> with ProgressBar(2, "epoch 1", stream=out) as bar:
    ...     bar.update(count=100, loss=0.5)
    ...     bar.update(count=100, loss=0.25)
    >>> print(out.getvalue().splitlines()[-1].split(" examples/s")[0].rsplit(" ", 1)[0])
    epoch 1 [########################] 2/2 loss 0.2500
    """

    def __init__(
        self,
        total: int,
        description: str = "",
        unit: str = "examples",
        stream: TextIO | None = None,
        width: int = 24,
    ) -> None:
        if total < 0:
            raise ValueError(f"ProgressBar: total must be >= 0, got {total}")
        self.total = total
        self.description = description
        self.unit = unit
        self.stream = stream if stream is not None else sys.stdout
        self.width = width
        self.done = 0
        self.counted = 0
        self.values: dict[str, float] = {}
        self.start = time.perf_counter()
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self._next_plain = 0  # plain mode: the step at which to print the next line
        self._printed = -1  # plain mode: the step last printed

    def update(self, steps: int = 1, count: int = 0, **values: float) -> None:
        """Record ``steps`` finished steps that processed ``count`` units; show ``values``.

        Parameters
        ----------
        steps : int, default 1
            How many steps just finished.
        count : int, default 0
            How many units (e.g. examples) they processed, for the rate.
        **values : float
            Running values to show, e.g. ``loss=0.25``; the latest of each is kept.

        Examples
        --------
        >>> import io
        >>> from mytorch.utils import ProgressBar
        >>> bar = ProgressBar(4, stream=io.StringIO())
        >>> bar.update(steps=2, count=64, loss=0.5)
        >>> bar.done, bar.counted, bar.values
        (2, 64, {'loss': 0.5})
        """
        self.done += steps
        self.counted += count
        self.values.update(values)
        if self.interactive:
            self.stream.write("\r" + self.line())
            self.stream.flush()
        elif self.done >= self._next_plain or self.done >= self.total:
            self.stream.write(self.line() + "\n")
            self._printed = self.done
            self._next_plain = self.done + max(self.total // 10, 1)

    def line(self) -> str:
        """Return the text of the bar as it stands.

        Returns
        -------
        str
            The description, the bar, ``done/total``, the values, the rate and
            the ETA (or, when done, the elapsed seconds).

        Examples
        --------
        >>> import io
        >>> from mytorch.utils import ProgressBar
        >>> bar = ProgressBar(4, "epoch 1", stream=io.StringIO(), width=8)
        >>> bar.update(steps=2, loss=0.5)
        >>> bar.line().split(" ETA")[0]
        'epoch 1 [####....] 2/4 loss 0.5000'
        """
        elapsed = time.perf_counter() - self.start
        filled = self.width * self.done // self.total if self.total else self.width
        parts = [
            f"{self.description} [{'#' * filled}{'.' * (self.width - filled)}]",
            f"{self.done}/{self.total}",
        ]
        parts += [f"{name} {value:.4f}" for name, value in self.values.items()]
        if elapsed > 0 and self.counted:
            parts.append(f"{self.counted / elapsed:,.0f} {self.unit}/s")
        if 0 < self.done < self.total:
            parts.append(f"ETA {elapsed / self.done * (self.total - self.done):.1f}s")
        else:
            parts.append(f"{elapsed:.1f}s")
        return " ".join(part for part in parts if part).strip()

    def close(self) -> float:
        """Finish the line and return the elapsed seconds.

        Leaving a ``with ProgressBar(...)`` block calls it.

        Returns
        -------
        float
            The seconds since the bar was made.

        Examples
        --------
        >>> import io
        >>> from mytorch.utils import ProgressBar
        >>> bar = ProgressBar(1, stream=io.StringIO())
        >>> bar.update()
        >>> bar.close() >= 0
        True
        """
        if self.interactive:
            self.stream.write("\n")
        elif self._printed != self.done:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
        return time.perf_counter() - self.start

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
