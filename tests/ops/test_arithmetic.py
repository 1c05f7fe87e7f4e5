"""Arithmetic ops: operators, reversed operands, function and method forms, operand types."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch


def test_operators_and_their_reversed_forms_with_python_scalars() -> None:
    x = mytorch.tensor([1.0, 2.0, 4.0])
    cases = {
        "x + 2": (x + 2, [3.0, 4.0, 6.0]),
        "2 + x": (2 + x, [3.0, 4.0, 6.0]),
        "x - 2": (x - 2, [-1.0, 0.0, 2.0]),
        "2 - x": (2 - x, [1.0, 0.0, -2.0]),
        "x * 2": (x * 2, [2.0, 4.0, 8.0]),
        "2 * x": (2 * x, [2.0, 4.0, 8.0]),
        "x / 2": (x / 2, [0.5, 1.0, 2.0]),
        "2 / x": (2 / x, [2.0, 1.0, 0.5]),
        "x ** 2": (x**2, [1.0, 4.0, 16.0]),
        "2 ** x": (2**x, [2.0, 4.0, 16.0]),
        "-x": (-x, [-1.0, -2.0, -4.0]),
    }
    for name, (result, expected) in cases.items():
        assert isinstance(result, mytorch.Tensor), name
        np.testing.assert_array_equal(result.data, expected, err_msg=name)


def test_operators_with_numpy_arrays_on_either_side_give_tensors() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    array = np.array([[10.0], [20.0]])
    for result, expected in [
        (array + x, [[11.0, 12.0], [21.0, 22.0]]),
        (x - array, [[-9.0, -8.0], [-19.0, -18.0]]),
        (array * x, [[10.0, 20.0], [20.0, 40.0]]),
        (array / x, [[10.0, 5.0], [20.0, 10.0]]),
        (array**x, [[10.0, 100.0], [20.0, 400.0]]),
    ]:
        assert isinstance(result, mytorch.Tensor) and result.requires_grad
        np.testing.assert_allclose(result.data, expected)


def test_list_operands_are_converted() -> None:
    x = mytorch.tensor([1.0, 2.0])
    np.testing.assert_array_equal(mytorch.add(x, [1, 1]).data, [2.0, 3.0])
    np.testing.assert_array_equal(([3.0, 3.0] - x).data, [2.0, 1.0])


def test_function_and_method_forms_agree_with_operators() -> None:
    a = mytorch.tensor([1.0, 2.0])
    b = mytorch.tensor([3.0, 5.0])
    for via_function, via_method, via_operator in [
        (mytorch.add(a, b), a.add(b), a + b),
        (mytorch.sub(a, b), a.sub(b), a - b),
        (mytorch.mul(a, b), a.mul(b), a * b),
        (mytorch.div(a, b), a.div(b), a / b),
        (mytorch.pow(a, b), a.pow(b), a**b),
        (mytorch.neg(a), a.neg(), -a),
    ]:
        np.testing.assert_array_equal(via_function.data, via_operator.data)
        np.testing.assert_array_equal(via_method.data, via_operator.data)


def test_function_forms_accept_the_tensor_on_either_side() -> None:
    x = mytorch.tensor([2.0])
    assert mytorch.sub(10, x).item() == 8.0
    assert mytorch.div(10, x).item() == 5.0
    assert mytorch.pow(3, x).item() == 9.0


def test_a_constant_operand_gets_no_gradient() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    c = mytorch.tensor([3.0, 4.0])
    y = x * c
    assert y.grad_fn.next_functions[1] is None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    assert c.grad is None


def test_a_number_operand_is_one_shared_read_only_constant() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    first, second = (x * 3).grad_fn.saved_tensors[1], (x * 3).grad_fn.saved_tensors[1]
    assert first is second and not first.requires_grad
    assert not first.data.flags.writeable
    with pytest.raises(ValueError, match="read-only"), mytorch.no_grad():
        first.add_(1)
    np.testing.assert_array_equal((x * 3).data, [3.0, 6.0])


def test_shared_number_operands_keep_their_dtype_and_the_sign_of_zero() -> None:
    ints = mytorch.tensor([1, 2], dtype=mytorch.int64)
    assert (ints * 1.0).dtype.kind == "f"  # 1.0 == 1 == True, yet each gives its dtype
    assert (ints * 1).dtype == mytorch.int64
    assert (ints * True).dtype == mytorch.int64
    assert (ints * np.float64(1.0)).dtype.kind == "f"
    x = mytorch.tensor([1.0, -1.0])
    np.testing.assert_array_equal(np.signbit((x * 0.0).data), [False, True])
    np.testing.assert_array_equal(np.signbit((x * -0.0).data), [True, False])


def test_pow_gradients_with_respect_to_base_and_exponent() -> None:
    base = mytorch.tensor(2.0, dtype=mytorch.float64, requires_grad=True)
    exponent = mytorch.tensor(3.0, dtype=mytorch.float64, requires_grad=True)
    (base**exponent).backward()
    assert base.grad.item() == 3 * 2.0**2
    np.testing.assert_allclose(exponent.grad.item(), 2.0**3 * np.log(2.0))


@pytest.mark.parametrize(
    ("base", "exponent"),
    [
        ([0.0, 2.0, 3.0], [2.0]),  # d/de at b = 0: the limit of b**e log(b), 0
        ([0.0, 2.0], [0.0]),  # d/db at e = 0: 0, though b**(e - 1) is inf at b = 0
        ([[0.0], [1.5]], [0.0, 1.0, 2.5]),  # broadcast, zeros in both
    ],
)
def test_pow_gradients_at_a_zero_base_are_finite_limits_as_in_torch(base, exponent):
    torch = pytest.importorskip("torch")
    ours = [mytorch.tensor(v, dtype=mytorch.float64, requires_grad=True) for v in (base, exponent)]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (base, exponent)]
    (ours[0] ** ours[1]).sum().backward()  # warnings are errors here: no log(0), no 0 * inf
    (theirs[0] ** theirs[1]).sum().backward()
    for mine, reference in zip(ours, theirs):
        assert np.isfinite(mine.grad.data).all()
        np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), rtol=1e-12)


def test_pow_gradients_at_a_zero_base_without_torch() -> None:
    base = mytorch.tensor([0.0, 2.0], dtype=mytorch.float64, requires_grad=True)
    exponent = mytorch.tensor(2.0, dtype=mytorch.float64, requires_grad=True)
    (base**exponent).sum().backward()
    np.testing.assert_array_equal(base.grad.data, [0.0, 4.0])
    np.testing.assert_allclose(exponent.grad.item(), 4.0 * np.log(2.0))  # 0 from b = 0


def test_broadcast_gradients_are_summed_back_to_each_shape() -> None:
    a = mytorch.tensor([[1.0], [2.0]], requires_grad=True)  # (2, 1)
    b = mytorch.tensor([10.0, 20.0, 30.0], requires_grad=True)  # (3,)
    (a * b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[60.0], [60.0]])
    np.testing.assert_array_equal(b.grad.data, [3.0, 3.0, 3.0])


def test_an_unsupported_operand_type_raises_type_error() -> None:
    x = mytorch.tensor([1.0, 2.0])
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for \+: 'Tensor' and 'str'"
    ):
        x + "a"
    with pytest.raises(TypeError, match=r"for -: 'str' and 'Tensor'"):
        "a" - x
    with pytest.raises(TypeError, match=r"for \*: 'Tensor' and 'NoneType'"):
        x * None
    with pytest.raises(TypeError, match=r"add: unsupported operand type 'str' .*shape \(2,\)"):
        mytorch.add(x, "a")
    with pytest.raises(TypeError, match=r"mul: unsupported operand type 'dict'"):
        mytorch.mul({}, x)
    with pytest.raises(
        TypeError, match="add: expected at least one Tensor operand, got int and int"
    ):
        mytorch.add(1, 2)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_mismatched_shapes_name_the_op_and_both_shapes() -> None:
    a, b = mytorch.ones(2, 3, requires_grad=True), mytorch.ones(4)
    for op, name in [(lambda: a + b, "add"), (lambda: a - b, "sub"), (lambda: a / b, "div")]:
        with pytest.raises(ValueError, match=rf"^{name}: .*\(2, 3\), \(4,\)\)$"):
            op()
