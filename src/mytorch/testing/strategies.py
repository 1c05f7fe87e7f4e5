"""Hypothesis strategies for property-testing ops: shapes, broadcast pairs, arrays.

Requires ``hypothesis`` (the ``test`` extra). Use them to test your own ops::

    from hypothesis import given
    from mytorch.testing import gradcheck, strategies as st

    @given(st.arrays_in(st.shapes(), low=-3, high=3))
    def test_my_op(x):
        gradcheck(my_op, [x])
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

__all__ = ["arrays_in", "broadcastable_pair", "shapes"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> Any:
    """Array shapes, including 0-d and size-1 axes by default.

    Examples
    --------
    >>> from mytorch.testing import strategies
    >>> strategy = strategies.shapes(max_dims=2)
    """
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_pair(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> Any:
    """Pairs of shapes that broadcast against each other (numpy's rules).

    Examples
    --------
    >>> from mytorch.testing import strategies
    >>> strategy = strategies.broadcastable_pair()
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda result: result.input_shapes)


def arrays_in(
    shape: Any,
    low: float = -3.0,
    high: float = 3.0,
    away_from: float | None = None,
    margin: float = 0.1,
) -> Any:
    """float64 arrays of ``shape`` (a shape or a strategy of them), values in ``[low, high]``.

    Parameters
    ----------
    away_from : float, optional
        Keep values at least ``margin`` away from this point (e.g. 0 for ``abs``,
        whose derivative jumps there, so finite differences would straddle it).

    Examples
    --------
    >>> from mytorch.testing import strategies
    >>> strategy = strategies.arrays_in((2, 3), low=0.1, high=2.0)
    """
    elements = hst.floats(low, high, allow_nan=False, allow_infinity=False)
    if away_from is not None:
        elements = elements.filter(lambda value: abs(value - away_from) >= margin)
    return hnp.arrays(np.float64, shape, elements=elements)
