"""Bad input to issue 12's math ops and issue 15's edge cases: one table, one test.

As in ``test_hostile_input.py``: each case makes one bad call, which must raise
the exception type given with a message naming the op and the offending shape
or value (never numpy's or Python's words alone), and must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hostile_tables import Case, leaf, nothing, params

import mytorch


def ints(*values: int) -> mytorch.Tensor:
    return mytorch.tensor(np.array(values, dtype=np.int64))


CASES = [
    # issue 15, section 5: errors in our words
    Case(
        "sum: dim=1.5",
        lambda: [leaf(2, 3)],
        lambda a: a.sum(dim=1.5),
        TypeError,
        r"sum: dim must be an int or a tuple of ints, got 1.5",
    ),
    Case(
        "sum: dim=(1.5,)",
        lambda: [leaf(2, 3)],
        lambda a: a.sum(dim=(1.5,)),
        TypeError,
        r"sum: dim must be an int or a tuple of ints, got \(1.5,\)",
    ),
    Case(
        "mean: dim='a'",
        lambda: [leaf(2, 3)],
        lambda a: a.mean(dim="a"),
        TypeError,
        r"mean: dim must be an int or a tuple of ints, got 'a'",
    ),
    Case(
        "amax: dim=True",
        lambda: [leaf(2, 3)],
        lambda a: a.amax(dim=True),
        TypeError,
        r"amax: dim must be an int",
    ),
    Case(
        "max(dim=0) of a (0, 3) tensor",
        lambda: [mytorch.zeros(0, 3)],
        lambda a: a.max(dim=0),
        IndexError,
        r"max: cannot reduce dimension 0 of size 0",
    ),
    Case(
        "min() of an empty tensor",
        lambda: [mytorch.zeros(0, 3)],
        lambda a: a.min(),
        ValueError,
        r"min: cannot take min of an empty tensor of shape \(0, 3\)",
    ),
    Case(
        "argmin(dim=1) of a (3, 0) tensor",
        lambda: [mytorch.zeros(3, 0)],
        lambda a: a.argmin(dim=1),
        IndexError,
        r"argmin: cannot reduce dimension 1 of size 0",
    ),
    Case(
        "clip: a string bound",
        lambda: [leaf(3)],
        lambda a: a.clip(min="0"),
        TypeError,
        r"clip: min must be a number or a Tensor, got str",
    ),
    Case(
        "clamp: tensor bounds that do not broadcast",
        lambda: [leaf(3), leaf(2)],
        lambda a, b: a.clamp(min=b),
        ValueError,
        r"clip: the bounds must broadcast with the input, got shapes \(3,\), \(2,\)",
    ),
    # linear algebra
    Case(
        "mm: a vector",
        lambda: [leaf(3), leaf(3, 2)],
        lambda a, b: mytorch.mm(a, b),
        ValueError,
        r"mm: expects matrices \(2-D\), got shapes \(3,\) and \(3, 2\)",
    ),
    Case(
        "mm: inner sizes differ",
        lambda: [leaf(2, 3), leaf(2, 3)],
        lambda a, b: a.mm(b),
        ValueError,
        r"matmul: shapes \(2, 3\) and \(2, 3\) do not fit",
    ),
    Case(
        "bmm: batch sizes differ",
        lambda: [leaf(2, 2, 3), leaf(3, 3, 2)],
        lambda a, b: mytorch.bmm(a, b),
        ValueError,
        r"bmm: batch sizes differ",
    ),
    Case(
        "dot: lengths differ",
        lambda: [leaf(3), leaf(2)],
        lambda a, b: mytorch.dot(a, b),
        ValueError,
        r"dot: lengths differ: shapes \(3,\) and \(2,\)",
    ),
    Case(
        "einsum: too few operands",
        lambda: [leaf(2, 3)],
        lambda a: mytorch.einsum("ij,jk->ik", a),
        ValueError,
        r"einsum: the equation 'ij,jk->ik' names 2 operands, got 1",
    ),
    Case(
        "einsum: subscripts against shape",
        lambda: [leaf(2, 3)],
        lambda a: mytorch.einsum("ijk->i", a),
        ValueError,
        r"einsum: subscripts 'ijk' name 3 dimensions, but the operand has shape \(2, 3\)",
    ),
    Case(
        "einsum: sizes that disagree",
        lambda: [leaf(2, 3), leaf(2, 3)],
        lambda a, b: mytorch.einsum("ij,jk->ik", a, b),
        ValueError,
        r"einsum: .*\(2, 3\)",
    ),
    Case(
        "einsum: not a str",
        lambda: [leaf(2)],
        lambda a: mytorch.einsum(3, a),
        TypeError,
        r"einsum: the equation must be a str, got int",
    ),
    Case(
        "norm: p=3",
        lambda: [leaf(3)],
        lambda a: a.norm(p=3),
        ValueError,
        r"norm: p must be 2, 1, inf or 'fro', got 3",
    ),
    # indexing along a dimension
    Case(
        "gather: index out of range",
        lambda: [leaf(2, 3)],
        lambda a: a.gather(1, ints(0, 3, 1).reshape(1, 3)),
        IndexError,
        r"gather: index out of range for dimension 1 of size 3 \(values from 0 to 3\)",
    ),
    Case(
        "index_select: a negative index (as PyTorch, not numpy's wrap-around)",
        lambda: [leaf(2, 3)],
        lambda a: a.index_select(1, ints(-1)),
        IndexError,
        r"index_select: index out of range for dimension 1 of size 3 \(values from -1 to -1\)",
    ),
    Case(
        "gather: float index",
        lambda: [leaf(2, 3)],
        lambda a: a.gather(1, mytorch.zeros(2, 3)),
        TypeError,
        r"gather: index must be an integer tensor, got dtype float32",
    ),
    Case(
        "gather: index with fewer dimensions",
        lambda: [leaf(2, 3)],
        lambda a: a.gather(1, ints(0, 1)),
        ValueError,
        r"gather: index must have as many dimensions as the input \(2\), got shape \(2,\)",
    ),
    Case(
        "gather: index larger than the input",
        lambda: [leaf(2, 3)],
        lambda a: a.gather(1, ints(*[0] * 9).reshape(3, 3)),
        ValueError,
        r"gather: index of shape \(3, 3\) is larger than the input \(2, 3\) in dimension 0",
    ),
    Case(
        "scatter_add: src smaller than index",
        lambda: [leaf(2, 3), leaf(1, 1)],
        lambda a, s: a.scatter_add(1, ints(0, 1).reshape(1, 2), s),
        ValueError,
        r"scatter_add: src of shape \(1, 1\) is smaller than the index \(1, 2\)",
    ),
    Case(
        "index_select: 2-D index",
        lambda: [leaf(2, 3)],
        lambda a: a.index_select(0, ints(0, 1).reshape(1, 2)),
        ValueError,
        r"index_select: index must be 1-D, got shape \(1, 2\)",
    ),
    Case(
        "index_add: source of the wrong shape",
        lambda: [leaf(3, 2), leaf(2, 3)],
        lambda a, s: a.index_add(0, ints(0, 1), s),
        ValueError,
        r"index_add: source must have shape \(2, 2\) .* got \(2, 3\)",
    ),
    Case(
        "masked_fill: float mask",
        lambda: [leaf(3)],
        lambda a: a.masked_fill(mytorch.zeros(3), 1.0),
        TypeError,
        r"masked_fill: mask must be a bool tensor, got dtype float32",
    ),
    Case(
        "masked_fill: mask that would grow the input",
        lambda: [leaf(3)],
        lambda a: a.masked_fill(mytorch.zeros(2, 3) > 0, 1.0),
        ValueError,
        r"masked_fill: a mask of shape \(2, 3\) does not broadcast to the input's shape \(3,\)",
    ),
    Case(
        "masked_fill: a vector value",
        lambda: [leaf(3), leaf(3)],
        lambda a, v: a.masked_fill(a > 0, v),
        ValueError,
        r"masked_fill: value must be a number or a 0-d tensor, got shape \(3,\)",
    ),
    # sorting, splitting, repeating
    Case(
        "topk: k too large",
        lambda: [leaf(3)],
        lambda a: a.topk(4),
        ValueError,
        r"topk: k=4 is out of range for a dimension of size 3",
    ),
    Case(
        "sort: dim out of range",
        lambda: [leaf(3)],
        lambda a: a.sort(dim=2),
        IndexError,
        r"argsort: dimension 2 is out of range",
    ),
    Case(
        "split: sizes that do not add up",
        lambda: [leaf(5)],
        lambda a: a.split([2, 2]),
        ValueError,
        r"split: sizes \[2, 2\] must add up to 5",
    ),
    Case(
        "chunk: zero chunks",
        lambda: [leaf(5)],
        lambda a: a.chunk(0),
        ValueError,
        r"chunk: chunks must be a positive int, got 0",
    ),
    Case(
        "repeat: fewer counts than dimensions",
        lambda: [leaf(2, 3)],
        lambda a: a.repeat(2),
        ValueError,
        r"repeat: 1 repeat counts for a tensor of shape",
    ),
    Case(
        "flip: a repeated dim",
        lambda: [leaf(2, 3)],
        lambda a: a.flip(0, 0),
        ValueError,
        r"flip: dimension repeated",
    ),
    Case(
        "tril: a vector",
        lambda: [leaf(3)],
        lambda a: a.tril(),
        ValueError,
        r"tril: expects a matrix or a batch of matrices, got shape \(3,\)",
    ),
    Case(
        "t: 3-D",
        lambda: [leaf(2, 3, 4)],
        lambda a: a.t(),
        ValueError,
        r"t: expects a tensor with at most 2 dimensions, got shape \(2, 3, 4\)",
    ),
    Case(
        "size: dim out of range",
        lambda: [leaf(2, 3)],
        lambda a: a.size(5),
        IndexError,
        r"size: dimension 5 is out of range for a tensor with 2 dimensions",
    ),
    Case(
        "round: float decimals",
        lambda: [leaf(3)],
        lambda a: a.round(decimals=1.5),
        TypeError,
        r"round: decimals must be an int, got float",
    ),
    # operators
    Case(
        "&: float tensors",
        lambda: [leaf(3)],
        lambda a: a & a,
        NotImplementedError,
        r"bitwise_and: only bool and integer tensors, got dtype float32",
    ),
    Case(
        "~: a float tensor",
        lambda: [leaf(3)],
        lambda a: ~a,
        TypeError,
        r"bitwise_not: ~ is only implemented on integer and bool tensors",
    ),
    Case(
        "eq: a string",
        lambda: [leaf(3)],
        lambda a: a.eq("a"),
        TypeError,
        r"eq: cannot compare a Tensor with str",
    ),
    Case(
        "//: integer division by zero",
        nothing,
        lambda: ints(1, 2) // 0,
        ZeroDivisionError,
        r"floor_divide: integer division by zero",
    ),
    Case(
        "%: integer division by zero",
        nothing,
        lambda: ints(1, 2) % ints(1, 0),
        ZeroDivisionError,
        r"remainder: integer division by zero",
    ),
    Case(
        "std: an int tensor",
        nothing,
        lambda: ints(1, 2).std(),
        TypeError,
        r"std: expected a floating-point tensor, got dtype int64",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_to_math_ops_is_refused_clearly_and_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)


def test_clip_with_tensor_bounds_backward_gives_every_input_its_gradient() -> None:
    """Issue 15: ``clip`` with tensor bounds failed in backward with numpy's words."""
    x = mytorch.tensor([-2.0, 0.5, 2.0], requires_grad=True)
    low = mytorch.tensor([-1.0, -1.0, -1.0], requires_grad=True)
    high = mytorch.tensor(1.0, requires_grad=True)
    x.clip(low, high).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert low.grad.tolist() == [1.0, 0.0, 0.0]
    assert high.grad.item() == 1.0
