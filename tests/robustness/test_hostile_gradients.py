"""Silently wrong gradients (issue 15, section 1) and the tensor-API traps: one table, then
the cases a table cannot express.

Each case builds what it needs and makes one call that must raise the exception type
given, with a message naming the op (a regex), and change nothing (``refused`` in
conftest.py). The in-place cases change state a backward reads (labels, index tensors,
``where``'s condition, an alias of a saved tensor): backward must refuse, as PyTorch's
"modified by an inplace operation", rather than give the gradient of another loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hostile_tables import Case, leaf, nothing, params

import mytorch
import mytorch.nn.functional as F
from mytorch import nn


def changed_after_forward(make_loss: Callable[[Any], Any], change: Callable[[Any], Any]):
    """Build ``loss`` from a leaf, then change some state in place; the call backprops."""

    def build() -> list[Any]:
        x = leaf(3, 4)
        loss, state = make_loss(x)
        change(state)
        return [loss, x]

    return build


def backprop(loss: Any, *_: Any) -> None:
    loss.backward()


def labels_loss(x: Any) -> tuple[Any, Any]:
    labels = mytorch.tensor([0, 1, 2])
    return F.cross_entropy(x, labels), labels


def index_loss(x: Any) -> tuple[Any, Any]:
    index = mytorch.tensor([0, 2])
    return (x[index] ** 2).sum(), index


def pair_index_loss(x: Any) -> tuple[Any, Any]:
    columns = mytorch.tensor([1, 3, 0])
    return (x[mytorch.arange(3), columns] ** 2).sum(), columns


def where_loss(x: Any) -> tuple[Any, Any]:
    condition = mytorch.tensor(np.arange(12).reshape(3, 4) % 2 == 0)
    return mytorch.where(condition, x, 0.0).pow(2).sum(), condition


def alias_loss(x: Any) -> tuple[Any, Any]:
    saved = mytorch.ones(3, 4)
    return (x * saved).sum(), saved


def array_loss(x: Any) -> tuple[Any, Any]:
    array = np.ones((3, 4), dtype=np.float32)
    return (x * mytorch.from_numpy(array)).sum(), array


def parameter_alias_step(saved: Any) -> None:
    weight = nn.Parameter(saved)
    weight.grad = mytorch.ones(3, 4)
    mytorch.optim.SGD([weight], lr=0.5).step()


def wrong_grad(grad: Any) -> Callable[[], list[Any]]:
    def build() -> list[Any]:
        return [leaf(2, 3), grad]

    return build


def set_grad(tensor: Any, grad: Any) -> None:
    tensor.grad = grad


CASES = [
    # Non-tensor state that a backward reads is version-checked like saved tensors.
    Case(
        "cross_entropy: labels changed in place",
        changed_after_forward(labels_loss, lambda labels: labels.add_(1)),
        backprop,
        RuntimeError,
        r"CrossEntropyBackward: .* modified in place",
    ),
    Case(
        "cross_entropy: labels overwritten by copy_",
        changed_after_forward(labels_loss, lambda labels: labels.copy_(mytorch.tensor([2, 1, 0]))),
        backprop,
        RuntimeError,
        r"CrossEntropyBackward: .* modified in place",
    ),
    # nll_loss copies its labels, so changing them cannot alter its gradient (and is no
    # error): tests/nn/test_loss_options.py checks that the gradient stays right.
    Case(
        "getitem: index tensor changed in place",
        changed_after_forward(index_loss, lambda index: index.add_(1)),
        backprop,
        RuntimeError,
        r"GetItemBackward: .* modified in place",
    ),
    Case(
        "getitem: one tensor of a tuple index zeroed",
        changed_after_forward(pair_index_loss, lambda columns: columns.zero_()),
        backprop,
        RuntimeError,
        r"GetItemBackward: .* modified in place",
    ),
    Case(
        "where: condition overwritten",
        changed_after_forward(where_loss, lambda c: c.copy_(np.ones((3, 4), dtype=bool))),
        backprop,
        RuntimeError,
        r"WhereBackward: .* modified in place",
    ),
    # Aliases share one version counter.
    Case(
        "Tensor(x).add_ of a saved x",
        changed_after_forward(alias_loss, lambda saved: mytorch.Tensor(saved).add_(1)),
        backprop,
        RuntimeError,
        r"MulBackward: .* modified in place",
    ),
    Case(
        "optimiser step on Parameter(x) of a saved x",
        changed_after_forward(alias_loss, parameter_alias_step),
        backprop,
        RuntimeError,
        r"MulBackward: .* modified in place",
    ),
    Case(
        "from_numpy twice on one array",
        changed_after_forward(array_loss, lambda array: mytorch.from_numpy(array).add_(1)),
        backprop,
        RuntimeError,
        r"MulBackward: .* modified in place",
    ),
    Case(
        "Tensor(view of the array) changed by item assignment",
        changed_after_forward(
            array_loss, lambda array: mytorch.Tensor(array[1:]).__setitem__(0, 5)
        ),
        backprop,
        RuntimeError,
        r"MulBackward: .* modified in place",
    ),
    # A gradient of another shape or dtype is refused, not broadcast.
    Case(
        ".grad = a broadcastable gradient",
        wrong_grad(mytorch.ones(1) * 5),
        set_grad,
        RuntimeError,
        r"grad: assigned grad has data of a different size: \(1,\) for a tensor of shape \(2, 3\)",
    ),
    Case(
        ".grad = a gradient of another dtype",
        wrong_grad(mytorch.ones(2, 3, dtype=mytorch.float64)),
        set_grad,
        TypeError,
        r"grad: assigned grad has data of a different type: float64",
    ),
    Case(
        ".grad = a numpy array",
        wrong_grad(np.ones((2, 3), dtype=np.float32)),
        set_grad,
        TypeError,
        r"grad: assigned grad expected to be a Tensor or None, got ndarray",
    ),
    # In place on a leaf that requires grad.
    Case(
        "setitem on a leaf requiring grad",
        lambda: [leaf(2)],
        lambda w: w.__setitem__(0, 5.0),
        RuntimeError,
        r"setitem: a leaf Variable that requires grad is being used in an in-place operation",
    ),
    Case(
        "clamp_ on a leaf requiring grad",
        lambda: [leaf(2)],
        lambda w: w.clamp_(0, 0.5),
        RuntimeError,
        r"clamp_: a leaf Variable that requires grad",
    ),
    # Traps that once gave a silent wrong result (issue 12 item 10, issue 15 section 5).
    Case(
        "arange: step 0",
        nothing,
        lambda: mytorch.arange(0, 10, 0),
        ValueError,
        r"arange: step must be nonzero",
    ),
    Case(
        "zeros(True)",
        nothing,
        lambda: mytorch.zeros(True),
        TypeError,
        r"zeros: sizes must be integers, not bools",
    ),
    Case(
        "full: fill_value None",
        nothing,
        lambda: mytorch.full((2,), None),
        TypeError,
        r"full: fill_value must be a number, got NoneType",
    ),
    Case(
        "tensor: requires_grad='False'",
        nothing,
        lambda: mytorch.tensor([1.0], requires_grad="False"),
        TypeError,
        r"requires_grad must be a bool, got str",
    ),
    Case(
        "requires_grad_('yes')",
        lambda: [mytorch.ones(2)],
        lambda t: t.requires_grad_("yes"),
        TypeError,
        r"requires_grad_: requires_grad must be a bool, got str",
    ),
    Case(
        "iterating a 0-d tensor",
        lambda: [mytorch.tensor(3.0)],
        list,
        TypeError,
        r"iteration over a 0-d tensor",
    ),
    Case(
        "a model called on a numpy array",
        lambda: [nn.Sequential(nn.Linear(2, 3), nn.ReLU()), np.ones((1, 2), dtype=np.float32)],
        lambda model, x: model(x),
        TypeError,
        r"Linear: input 0 is a ndarray, not a Tensor",
    ),
    # dtype traps.
    Case(
        "matmul: float32 @ float64",
        lambda: [mytorch.ones(2, 3), mytorch.ones(3, 2, dtype=mytorch.float64)],
        lambda a, b: a @ b,
        RuntimeError,
        r"matmul: both operands must have the same dtype, got float32 and float64",
    ),
    Case(
        "Linear: a float64 batch into a float32 model",
        lambda: [nn.Linear(3, 2), mytorch.ones(4, 3, dtype=mytorch.float64)],
        lambda layer, x: layer(x),
        RuntimeError,
        r"linear: input of dtype float64 and weight of dtype float32",
    ),
    Case(
        "to('cuda')",
        lambda: [mytorch.ones(2)],
        lambda t: t.to("cuda"),
        RuntimeError,
        r"MyTorch runs on the CPU only",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile_gradients_and_traps_are_refused_and_change_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)


def test_the_same_changes_are_refused_by_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.ones(3, 4, requires_grad=True)
    labels = torch.tensor([0, 1, 2])
    loss = torch.nn.functional.cross_entropy(x, labels)
    labels.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    w = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="size"):
        w.grad = torch.ones(1) * 5


def test_create_graph_never_leaves_two_leaves_sharing_one_grad() -> None:
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor([3.0, 4.0], requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    with mytorch.no_grad():
        a.grad.mul_(10)
    assert b.grad.tolist() == [1.0, 1.0]


def test_create_graph_warns_of_the_cycle_as_torch_does() -> None:
    # PyTorch warns once per process ("will create a reference cycle between the
    # parameter and its gradient"); MyTorch warns too, naming the way out.
    y = mytorch.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match="mytorch.grad"):
        (y**3).backward(create_graph=True)
    assert y.grad.item() == 12.0


def test_no_grad_on_a_generator_function_applies_to_its_steps_only() -> None:
    x = mytorch.ones(2, requires_grad=True)

    @mytorch.no_grad()
    def steps():
        for scale in (1.0, 2.0):
            received = yield (x * scale).requires_grad, mytorch.is_grad_enabled()
            assert received is None or received == "sent"

    generator = steps()
    assert next(generator) == (False, False)
    assert mytorch.is_grad_enabled()  # the caller, between steps, records as before
    assert generator.send("sent") == (False, False)
    with pytest.raises(StopIteration):
        next(generator)


def test_set_grad_enabled_as_a_decorator_does_not_switch_at_import() -> None:
    @mytorch.set_grad_enabled(False)
    def evaluate(t):
        return t * 2

    assert mytorch.is_grad_enabled()
    assert not evaluate(mytorch.ones(1, requires_grad=True)).requires_grad
    assert mytorch.is_grad_enabled()
    torch = pytest.importorskip("torch")

    @torch.set_grad_enabled(False)
    def torch_evaluate(t):
        return t * 2

    assert torch.is_grad_enabled()


@pytest.mark.parametrize(
    ("compute", "dtype", "expected"),
    [
        (lambda: mytorch.tensor([1e-3, 2.0]).half() * 1e5, "float16", [100.0625, np.inf]),
        (lambda: mytorch.tensor(np.array([0, 1, 80], dtype=np.uint8)).exp(), "float32", None),
        (lambda: mytorch.tensor([1, 2, 3]) / mytorch.tensor([2, 2, 2]), "float32", [0.5, 1, 1.5]),
        (lambda: mytorch.tensor([1, 2]) * 0.5, "float32", [0.5, 1.0]),
        (lambda: mytorch.tensor([1, 2]).to(None), "int64", [1, 2]),
    ],
)
def test_dtype_traps(compute, dtype, expected) -> None:
    out = compute()
    assert out.dtype == np.dtype(dtype)
    if expected is None:
        np.testing.assert_allclose(out.data, np.exp(np.array([0.0, 1.0, 80.0])), rtol=1e-6)
    else:
        np.testing.assert_array_equal(out.data, np.array(expected, dtype=dtype))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(True),
        lambda lib: lib.full((2,), None),
        lambda lib: lib.tensor([1.0], requires_grad="False"),
        lambda lib: list(lib.tensor(1.0)),
        lambda lib: lib.nn.Linear(2, 3)(np.ones((1, 2), dtype=np.float32)),
        lambda lib: lib.ones(2).requires_grad_("yes"),
    ],
)
def test_the_traps_raise_the_error_type_torch_raises(call) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(TypeError):
        call(mytorch)
