"""The backward engine: exact gradients, accumulation, graph release, depth, higher order."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import Tensor


def test_spec_worked_example() -> None:
    a = mytorch.tensor(1.0, requires_grad=True)
    b = mytorch.tensor(2.0)
    c = mytorch.tensor(3.0, requires_grad=True)
    d = a * b + a
    e = (d + c) + 3
    e.backward()
    assert a.grad.item() == 3.0
    assert b.grad is None
    assert c.grad.item() == 1.0
    # The constant 3 is a parent that needs no gradient: recorded as None.
    assert e.grad_fn.next_functions[1] is None
    assert e.item() == 9.0


def test_gradients_along_different_paths_add_up() -> None:
    # x is used by three consumers; each path contributes to dz/dx.
    x = mytorch.tensor(2.0, requires_grad=True)
    y = x * x
    z = y * x + y + x  # x**3 + x**2 + x
    z.backward()
    assert x.grad.item() == 3 * 4 + 2 * 2 + 1


def test_diamond_runs_each_node_once_after_all_its_consumers() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    shared = x.exp()
    left, right = shared * 2, shared * 3
    (left + right).sum().backward()
    np.testing.assert_allclose(x.grad.data, 5 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_gradients_accumulate_over_two_backward_calls() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3 + 2, 3 + 4])
    assert x.grad is first  # accumulated in place into the same buffer


def test_accumulated_gradient_never_aliases_the_incoming_one() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    seed = mytorch.tensor([5.0, 6.0])
    x.backward(seed)  # a leaf's own backward hands the seed straight to AccumulateGrad
    x.grad.data += 1
    np.testing.assert_array_equal(seed.data, [5.0, 6.0])


def test_second_backward_through_a_released_graph_raises() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"second time.*retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_released_error_is_raised_before_any_leaf_changes() -> None:
    # z2 reaches the released node only through one branch; the other branch's
    # leaf w must not receive a gradient before the error.
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    w = mytorch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    z2 = (y * 3).sum() + (w * 5).sum()
    with pytest.raises(RuntimeError, match=r"MulBackward.*second time"):
        z2.backward()
    assert w.grad is None
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_retain_graph_allows_a_second_backward() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_chain_of_100000_ops_backpropagates_without_recursion() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 100_001.0


def test_backward_with_explicit_gradient() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(gradient=[1.0, 0.0, -1.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, -2.0])


def test_backward_on_one_element_non_scalar_needs_no_gradient() -> None:
    x = mytorch.tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    assert x.grad.shape == (1, 1)
    assert x.grad.item() == 6.0


def test_backward_on_a_leaf_accumulates_ones() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_non_leaf_tensors_do_not_keep_grad_unless_retained() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    y = x * 3
    z = x * 4
    y.retain_grad()
    (y * y + z).backward()
    assert y.grad.item() == 2 * 6.0
    assert z.grad is None
    assert x.grad.item() == 2 * 6.0 * 3 + 4


def test_retain_grad_on_a_leaf_is_harmless_and_on_a_constant_refused() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    x.retain_grad()
    (x * x).backward()
    assert x.grad.item() == 4.0
    with pytest.raises(RuntimeError, match="retain_grad: the tensor does not require grad"):
        mytorch.tensor(1.0).retain_grad()


def test_retained_grad_with_create_graph_keeps_its_graph() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    y = x * x
    y.retain_grad()
    with pytest.warns(UserWarning, match="reference cycle"):
        (y * y).backward(create_graph=True)  # dy**2/dy = 2y = 2x**2
    assert y.grad.requires_grad
    (dy2_dx,) = mytorch.grad(y.grad, x)
    assert dy2_dx.item() == 4 * 2.0


# ------------------------------------------------------------------ grad()
def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    w = mytorch.tensor([3.0, 4.0], requires_grad=True)
    gx, gw = mytorch.grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.data, [3.0, 4.0])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_grad_with_respect_to_an_intermediate_tensor() -> None:
    x = mytorch.tensor(3.0, requires_grad=True)
    y = x * 2
    (gy,) = mytorch.grad(y * y, y)
    assert gy.item() == 12.0


def test_grad_allow_unused() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    unused = mytorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad: input 1 \(shape \(\)\) was not used"):
        mytorch.grad(x * 2, [x, unused], retain_graph=True)
    gx, gu = mytorch.grad(x * 2, [x, unused], allow_unused=True)
    assert gx.item() == 2.0
    assert gu is None


def test_grad_of_several_outputs_with_grad_outputs() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = mytorch.grad([x * 2, x * x], x, grad_outputs=[mytorch.ones(2), [1.0, 10.0]])
    np.testing.assert_array_equal(g.data, [2 + 2, 2 + 40])


def test_grad_rejects_inputs_that_do_not_require_grad() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad: input 0 does not require grad"):
        mytorch.grad(x * 2, [mytorch.tensor(1.0)])


def test_grad_rejects_a_wrong_number_of_grad_outputs() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad: got 1 gradients for 2 outputs"):
        mytorch.grad([x * 2, x * 3], x, grad_outputs=[None])


def test_grad_casts_to_the_input_dtype() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)  # float32
    (g,) = mytorch.grad((x * np.array([3.0, 4.0])).sum(), x)  # the product is float64
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g.data, [3.0, 4.0])


def test_autograd_module_exposes_the_engine() -> None:
    x = mytorch.tensor(2.0, requires_grad=True)
    mytorch.autograd.backward([x * x], [None])
    assert x.grad.item() == 4.0
    assert mytorch.autograd.grad(x * x, x)[0].item() == 4.0


# ----------------------------------------------------------- higher order
def test_second_derivative_of_cube_is_6x() -> None:
    x = mytorch.tensor([-1.5, 0.5, 2.0], dtype=mytorch.float64, requires_grad=True)
    (first,) = mytorch.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.data, 3 * x.data**2)
    assert first.requires_grad
    (second,) = mytorch.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, 6 * x.data)
    assert not second.requires_grad


def test_backward_with_create_graph_leaves_a_differentiable_grad() -> None:
    x = mytorch.tensor(2.0, dtype=mytorch.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x**3).backward(create_graph=True)
    first = x.grad
    assert first.item() == 12.0 and first.requires_grad
    x.grad = None
    first.backward()
    assert x.grad.item() == 12.0  # d(3x**2)/dx = 6x


def mlp_loss(w1: Tensor, w2: Tensor, x: Tensor, target: Tensor) -> Tensor:
    hidden = (x @ w1).tanh()
    error = (hidden @ w2).sigmoid() - target
    return (error * error).sum()


def test_hessian_vector_product_of_an_mlp_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    x = mytorch.tensor(rng.normal(size=(5, 3)))
    target = mytorch.tensor(rng.uniform(size=(5, 2)))
    w1_data, w2_data = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    v1, v2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))

    def gradient(w1_values: np.ndarray, w2_values: np.ndarray, create_graph: bool = False):
        w1 = mytorch.tensor(w1_values, requires_grad=True)
        w2 = mytorch.tensor(w2_values, requires_grad=True)
        loss = mlp_loss(w1, w2, x, target)
        return (w1, w2), mytorch.grad(loss, [w1, w2], create_graph=create_graph)

    (w1, w2), (g1, g2) = gradient(w1_data, w2_data, create_graph=True)
    # H v is the gradient of (g . v).
    h1, h2 = mytorch.grad((g1 * v1).sum() + (g2 * v2).sum(), [w1, w2])

    eps = 1e-5
    _, (plus1, plus2) = gradient(w1_data + eps * v1, w2_data + eps * v2)
    _, (minus1, minus2) = gradient(w1_data - eps * v1, w2_data - eps * v2)
    np.testing.assert_allclose(h1.data, (plus1.data - minus1.data) / (2 * eps), rtol=1e-6)
    np.testing.assert_allclose(h2.data, (plus2.data - minus2.data) / (2 * eps), rtol=1e-6)


def test_grad_stops_at_a_non_leaf_input_and_leaves_the_rest_of_the_graph() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.sum().backward()  # releases the node that made h
    (g,) = mytorch.grad((h * 3).sum(), h)  # needs nothing behind h
    assert g.tolist() == [3.0, 3.0]
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_does_not_run_branches_that_lead_to_no_input() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    w = mytorch.tensor([3.0, 4.0], requires_grad=True)
    branch = w * 5
    out = (x * x).sum() + branch.sum()
    (gx,) = mytorch.grad(out, x, retain_graph=False)
    assert gx.tolist() == [2.0, 4.0]
    (gw,) = mytorch.grad(branch.sum(), w)  # w's branch was neither run nor released
    assert gw.tolist() == [5.0, 5.0]


def test_backward_from_two_outputs_where_one_is_computed_from_the_other() -> None:
    # y is a root and also a parent of the other root z: its node runs once,
    # after z's gradient has reached it.
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = y * 3
    mytorch.autograd.backward([y, z], [None, None])
    np.testing.assert_array_equal(x.grad.data, (1 + 3) * 2 * np.array([1.0, 2.0]))


@pytest.mark.parametrize("dtype", [mytorch.float64, mytorch.float32, np.float16])
def test_the_seed_of_a_zero_d_loss_has_its_dtype_and_is_never_shared(dtype) -> None:
    x = mytorch.tensor(3.0, dtype=dtype, requires_grad=True)
    x.backward()  # the seed goes straight to the leaf: it must be copied there
    x.grad.data += 1
    x.backward()
    (x * 2).backward()
    assert x.grad.dtype == x.dtype
    assert x.grad.item() == 1 + 1 + 1 + 2
