"""``Function`` and the graph's nodes: AccumulateGrad, BackwardFunction, None for constants."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mytorch
from mytorch import Function, Tensor
from mytorch.autograd import AccumulateGrad, BackwardFunction
from mytorch.testing import strategies


class Cube(Function):
    """A user-defined op, written as the Function docstring says."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.note = "kept until backward"
        return x.data**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        assert ctx.note == "kept until backward"
        return grad * 3 * x * x


class ScaleBy(Function):
    """Records which inputs backward was asked about."""

    seen: tuple[bool, ...] = ()

    @staticmethod
    def forward(ctx, x, factor, y):
        ctx.factor = factor
        return x.data * factor + y.data

    @staticmethod
    def backward(ctx, grad):
        ScaleBy.seen = ctx.needs_input_grad
        need_x, _, need_y = ctx.needs_input_grad
        return (grad * ctx.factor if need_x else None, None, grad if need_y else None)


def test_node_kinds_and_next_functions_of_a_small_graph() -> None:
    a = mytorch.tensor(1.0, requires_grad=True)
    b = mytorch.tensor(2.0)
    c = mytorch.tensor(3.0, requires_grad=True)
    d = a * b
    e = d + c
    assert type(e.grad_fn) is BackwardFunction and e.grad_fn.name() == "AddBackward"
    mul_node, c_node = e.grad_fn.next_functions
    assert mul_node is d.grad_fn and repr(mul_node) == "<MulBackward>"
    assert type(c_node) is AccumulateGrad and c_node.variable is c and c_node is c.grad_fn
    a_node, constant = mul_node.next_functions
    assert type(a_node) is AccumulateGrad and a_node.variable is a
    assert constant is None
    assert a_node.next_functions == ()
    assert repr(a_node) == "<AccumulateGrad>" and a_node.name() == "AccumulateGrad"


def test_leaf_and_constant_attributes() -> None:
    a = mytorch.tensor(1.0, requires_grad=True)
    b = mytorch.tensor(2.0)
    d = a * b
    assert a.is_leaf and a.requires_grad
    assert b.is_leaf and not b.requires_grad and b.grad_fn is None
    assert not d.is_leaf and d.requires_grad
    constant = b * 3  # every input is constant: the result is a constant leaf
    assert constant.is_leaf and not constant.requires_grad and constant.grad_fn is None


def test_a_leaf_shares_one_accumulate_grad_node_between_ops() -> None:
    a = mytorch.tensor(1.0, requires_grad=True)
    y, z = a * 2, a * 3
    assert y.grad_fn.next_functions[0] is z.grad_fn.next_functions[0]


def test_a_leaf_keeps_its_node_and_frees_it_without_the_cyclic_collector() -> None:
    # The tensor holds its node; the node holds the tensor only weakly (no cycle).
    a = mytorch.tensor(1.0, requires_grad=True)
    node = a.grad_fn
    assert node is a.grad_fn and node.variable is a
    node_ref, a_ref = weakref.ref(node), weakref.ref(a)
    del node
    assert node_ref() is not None
    gc.disable()
    try:
        del a
        assert a_ref() is None and node_ref() is None
    finally:
        gc.enable()


def test_custom_function_forward_backward_and_ctx_attributes() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    np.testing.assert_array_equal(y.data, [1.0, 8.0])
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 12.0])


def test_release_frees_saved_tensors_and_ctx_attributes() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    y = Cube.apply(x)
    node = y.grad_fn
    y.backward()
    assert node._saved == () and not hasattr(node, "note")
    with pytest.raises(RuntimeError, match=r"CubeBackward: trying to backward .* second time"):
        node.saved_tensors
    with pytest.raises(RuntimeError, match="second time"):
        node.apply(mytorch.tensor(1.0), retain_graph=False)


def test_needs_input_grad_and_non_tensor_arguments() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    y = mytorch.tensor(5.0)
    out = ScaleBy.apply(x, 4.0, y)
    assert out.item() == 9.0
    assert out.grad_fn.next_functions == (x.grad_fn, None, None)
    out.backward()
    assert ScaleBy.seen == (True, False, False)
    assert x.grad.item() == 4.0 and y.grad is None


def test_no_node_is_recorded_when_no_input_requires_grad() -> None:
    out = Cube.apply(mytorch.tensor(2.0))
    assert out.grad_fn is None and not out.requires_grad and out.is_leaf


def test_no_node_is_recorded_under_no_grad() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    with mytorch.no_grad():
        out = Cube.apply(x)
    assert out.grad_fn is None and not out.requires_grad


def test_a_saved_tensor_modified_in_place_makes_backward_raise() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    a = mytorch.tensor([3.0, 4.0])
    y = (w * a).sum()
    a.mul_(2)
    with pytest.raises(RuntimeError, match=r"MulBackward: .* modified in place") as info:
        y.backward()
    assert "(2,)" in str(info.value) and "version 0 then, 1 now" in str(info.value)
    assert w.grad is None


def test_mul_and_div_save_only_what_their_backward_reads() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    a = mytorch.tensor([3.0, 4.0])
    product, quotient = w * a, w / a
    for node in (product.grad_fn, quotient.grad_fn):
        saved_w, saved_a = node.saved_tensors
        assert saved_w is None and saved_a is a  # w's gradient needs a, not w
    # So changing w in place, which neither backward reads, is no error (as in PyTorch).
    with mytorch.no_grad():
        w.mul_(10)
    (product.sum() + quotient.sum()).backward()
    np.testing.assert_allclose(w.grad.data, [3.0 + 1 / 3, 4.0 + 1 / 4], rtol=1e-6)
    both = w * w
    assert all(t is w for t in both.grad_fn.saved_tensors)


def test_a_parameter_changed_under_no_grad_makes_backward_raise_before_any_change() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    v = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum() + (v * 2).sum()
    with mytorch.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()
    assert w.grad is None and v.grad is None


def test_backward_returning_the_wrong_number_of_gradients_is_reported() -> None:
    class TwoGradients(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = mytorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="TwoGradientsBackward: backward returned 2 gradients"):
        TwoGradients.apply(x).backward()


def test_a_gradient_of_the_wrong_shape_for_a_leaf_is_reported() -> None:
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data.sum()

        @staticmethod
        def backward(ctx, grad):
            return grad  # should be expanded to x's shape

    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"Function WrongShapeBackward returned an invalid gradient at index 0: "
        r"got shape \(\) but expected a shape compatible with \(2,\)",
    ):
        WrongShape.apply(x).backward()
    assert x.grad is None


def test_forward_value_errors_name_the_op_and_the_input_shapes() -> None:
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            raise ValueError("something is off")

    with pytest.raises(ValueError, match=r"^broken: something is off \(input shapes \(2,\)\)$"):
        Broken.apply(mytorch.ones(2))

    class Named(Function):
        @staticmethod
        def forward(ctx, x, y):
            raise ValueError("named: already names itself")

    with pytest.raises(
        ValueError, match=r"^named: already names itself \(input shapes \(\), \(3,\)\)$"
    ):
        Named.apply(mytorch.tensor(1.0), mytorch.ones(3))


def test_base_function_methods_must_be_overridden() -> None:
    with pytest.raises(NotImplementedError):
        Function.apply(mytorch.ones(1))
    with pytest.raises(NotImplementedError):
        Function.backward(None, mytorch.ones(1))


def test_a_branch_that_sends_no_gradient_does_not_stall_the_walk() -> None:
    # x's node has two consumers: the Add, and the Mul behind Block, whose
    # backward returns None. x's node must still run once both are done.
    class Block(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data.copy()

        @staticmethod
        def backward(ctx, grad):
            return None

    x = mytorch.tensor(2.0, requires_grad=True)
    (Block.apply(x * 5) + x).backward()
    assert x.grad.item() == 1.0


def test_apply_result_wraps_numpy_scalars_as_arrays() -> None:
    out = mytorch.tensor([1.0, 2.0]).sum()  # numpy returns a scalar here
    assert isinstance(out, Tensor) and type(out.data) is np.ndarray and out.shape == ()


# ------------------------------------------- the two-tensor fast path of apply


def _graph_of(out: Tensor) -> tuple:
    """What a result says of the node that made it: enough to tell two graphs apart."""
    node = out.grad_fn
    ctx = None
    if isinstance(node, BackwardFunction):
        ctx = {k: v for k, v in vars(node).items() if k != "next_functions"}
        node = (node.function, node.next_functions)
    return out.requires_grad, out.is_leaf, node, ctx


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["Add", "Sub", "Mul", "Div", "Pow"]),
    strategies.broadcastable_pair(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**32 - 1),
)
def test_apply_pair_builds_what_apply_builds(
    name, shapes, a_grad, b_grad, grad_enabled, dtype, seed
) -> None:
    from mytorch.ops import arithmetic

    function = getattr(arithmetic, name)
    rng = np.random.default_rng(seed)
    # Positive values: Pow's gradient takes the log of its base.
    a, b = (
        Tensor(rng.uniform(0.5, 2.0, shape).astype(dtype), requires_grad=grad)
        for shape, grad in zip(shapes, (a_grad, b_grad))
    )
    with mytorch.set_grad_enabled(grad_enabled):
        general, fast = function.apply(a, b), function._apply_pair(a, b)
    np.testing.assert_array_equal(fast.data, general.data)
    assert fast.dtype == general.dtype
    assert _graph_of(fast) == _graph_of(general)
    if fast.requires_grad:
        weights = Tensor(rng.normal(size=fast.shape).astype(dtype))
        expected = mytorch.grad((general * weights).sum(), [t for t in (a, b) if t.requires_grad])
        got = mytorch.grad((fast * weights).sum(), [t for t in (a, b) if t.requires_grad])
        for e, g in zip(expected, got):
            np.testing.assert_array_equal(g.data, e.data)


def test_apply_pair_names_the_op_and_shapes_as_apply_does() -> None:
    from mytorch.ops.arithmetic import Add

    a, b = mytorch.ones(2, 3, requires_grad=True), mytorch.ones(4)
    with pytest.raises(ValueError) as general:
        Add.apply(a, b)
    with pytest.raises(ValueError) as fast:
        Add._apply_pair(a, b)
    assert str(fast.value) == str(general.value)
    assert "add" in str(fast.value) and "(2, 3), (4,)" in str(fast.value)
