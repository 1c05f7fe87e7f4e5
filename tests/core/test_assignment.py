"""The interface of the assignment MyTorch grew out of, used the way its tests use it.

Its tests build tensors from float64 numpy arrays with the ``Tensor(...)``
constructor, call ``backward()`` on (N, C) outputs and compare with PyTorch's
``out.sum().backward()``, call each op's ``forward`` and ``backward`` by hand on
a fresh ``ContextManager``, and use the assignment's names for a few attributes
(SPEC.md sections 1, 2 and 4).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import numpy as np
import pytest
from by_hand import all_functions, check_by_hand
from hypothesis import given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import mytorch
from mytorch import Function, Tensor, nn
from mytorch.autograd import ContextManager
from mytorch.core.views import CopySlices
from mytorch.nn import functional as F
from mytorch.ops.arithmetic import Add, Div, Mul, Sub
from mytorch.ops.indexing import SetItem

FLOATS = hst.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


def seed_style(array: np.ndarray, requires_grad: bool = True) -> Tensor:
    """A tensor made as the assignment's tests make them: the constructor on a float64 array."""
    return Tensor(array, requires_grad=requires_grad)


# ------------------------------------------------- backward() on any shape
@given(
    x=hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=5), elements=FLOATS
    ),
    data=hst.data(),
)
def test_backward_on_a_batch_output_equals_the_sums_backward(x: np.ndarray, data: Any) -> None:
    n, c = x.shape
    w = data.draw(hnp.arrays(np.float64, (c, 3), elements=FLOATS), label="w")
    b = data.draw(hnp.arrays(np.float64, (3,), elements=FLOATS), label="b")

    def gradients(reduce: bool) -> list[np.ndarray]:
        leaves = [seed_style(x), seed_style(w), seed_style(b)]
        out = (leaves[0] @ leaves[1] + leaves[2]).tanh() * leaves[0].sum(dim=1, keepdim=True)
        assert out.shape == (n, 3)
        (out.sum() if reduce else out).backward()
        return [leaf.grad.data for leaf in leaves]

    for seeded, summed in zip(gradients(False), gradients(True), strict=True):
        np.testing.assert_array_equal(seeded, summed)


def test_backward_seeds_ones_of_the_outputs_shape_and_dtype() -> None:
    x = seed_style(np.arange(6.0).reshape(2, 3))
    (x * 2).backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))


def test_backward_on_a_model_output_matches_pytorchs_sum_backward() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    mytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2)).double()
    ours = seed_style(x)
    model(ours).backward()  # (5, 2): ones-seeded

    reference = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2)
    ).double()
    reference.load_state_dict({k: torch.from_numpy(v.data) for k, v in model.state_dict().items()})
    theirs = torch.tensor(x, requires_grad=True)
    reference(theirs).sum().backward()

    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, parameter), (_, expected) in zip(
        model.named_parameters(), reference.named_parameters(), strict=True
    ):
        np.testing.assert_allclose(
            parameter.grad.data, expected.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_an_explicit_gradient_must_still_have_the_outputs_shape() -> None:
    x = seed_style(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"backward: gradient has shape \(3,\) .* \(2, 3\)"):
        (x * 2).backward(mytorch.ones(3))
    assert x.grad is None


# --------------------------------------------- forward and backward by hand
@pytest.mark.parametrize(
    ("op", "a_grad", "b_grad"),
    [
        (Add, [1.0, 1.0], [1.0, 1.0]),
        (Sub, [1.0, 1.0], [-1.0, -1.0]),
        (Mul, [3.0, 4.0], [1.0, 2.0]),
        (Div, [1 / 3, 1 / 4], [-1 / 9, -2 / 16]),
    ],
)
def test_the_assignments_direct_calls(op: type[Function], a_grad: list, b_grad: list) -> None:
    a = seed_style(np.array([1.0, 2.0]), requires_grad=False)
    b = seed_style(np.array([3.0, 4.0]), requires_grad=False)
    ctx = ContextManager()
    c = op.forward(ctx, a, b)
    assert isinstance(c, Tensor)
    np.testing.assert_allclose(c.data, op.apply(a, b).data)
    assert ctx.needs_input_grad == (True, True)
    grad_a, grad_b = op.backward(ctx, Tensor(np.ones(2)))
    assert not grad_a.requires_grad and not grad_b.requires_grad
    np.testing.assert_allclose(grad_a.data, a_grad, rtol=1e-12)
    np.testing.assert_allclose(grad_b.data, b_grad, rtol=1e-12)


def test_backward_by_hand_accepts_a_numpy_gradient() -> None:
    ctx = ContextManager()
    Mul.forward(ctx, seed_style(np.array([2.0])), seed_style(np.array([5.0])))
    grad_a, grad_b = Mul.backward(ctx, np.array([1.0]))
    assert (grad_a.item(), grad_b.item()) == (5.0, 2.0)


def test_needs_input_grad_by_hand_counts_only_tensors() -> None:
    ctx = ContextManager()
    mytorch.ops.reductions.Sum.forward(ctx, mytorch.ones(2, 3), (1,), False)
    assert ctx.needs_input_grad == (True, False, False)
    assert ContextManager().needs_input_grad == ()


def _model_step(x: Tensor, labels: Tensor) -> Tensor:
    mytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2)).double()
    logits = model(x)
    return F.cross_entropy(logits, labels) + F.nll_loss(logits.log_softmax(dim=1), labels)


def _every_other_op(x: Tensor, y: Tensor) -> None:
    """One expression per op class that the gradient catalogue does not reach by name."""
    x.to(mytorch.float32)
    x.max(dim=1)
    x[[0, 1]]
    mytorch.stack([x, y])
    mytorch.cat([x, y], dim=1)
    mytorch.where(x > 0, x, y)
    mytorch.maximum(x, y), mytorch.minimum(x, y), x.clip(-0.5, 0.5)
    x.abs(), x.exp(), (x * x + 1).log(), (x * x + 1).sqrt(), x.tanh(), x.sigmoid(), x.relu()
    x.clone(), -x, x - y, x / (y * y + 1), (x * x + 1) ** y, x @ y.T, x.reshape(-1)
    x.permute(1, 0), x.expand(2, 2, 4), x.sum(), x.mean(), x.logsumexp(dim=1)
    x.log_softmax(dim=1)
    images = x.reshape(1, 2, 2, 2)
    F.conv2d(images, y.reshape(2, 1, 2, 2)[:, :, :1], stride=1, padding=1, groups=2)
    F.max_pool2d(images, 2), F.avg_pool2d(images, 1), F.pad(images, (1, 0, 0, 1))
    F.gelu(x), F.gelu(x, approximate="tanh"), F.silu(x), F.elu(x), F.softplus(x)
    F.embedding(mytorch.tensor(np.array([[0, 1], [1, 1]])), y)
    F.binary_cross_entropy(x.sigmoid(), (y > 0).to(x.dtype))
    x.sin(), x.cos(), x.tan(), (x * x).log1p(), x.expm1(), (x * x + 1).log2()
    (x * x + 1).log10(), x.floor(), x.ceil(), x.round(), x.sign(), x % 1.5
    mytorch.einsum("ij,ij->i", x, y), x.norm(), x.cumsum(dim=1), x.prod(dim=1)
    x.clamp(min=y), x.flip(0)
    # p=1 zeroes everything: the one dropout whose mask a replay by hand draws again.
    F.dropout(x, p=1.0), F.dropout2d(images, p=1.0)
    # Item assignment on a non-leaf records SetItem, then writes its result into the
    # tensor in place (which would change the recorded input): applied out of place here.
    SetItem.apply(x * 1.0, y[1], 0)
    # So does a write through a view (x[1] *= 2): the view's values into its base.
    CopySlices.apply(x * 1.0, y[1], np.arange(4, 8))


def _backward_only_ops(x: Tensor, v: Tensor) -> None:
    mytorch.grad(x[[0, 0]], x, v, create_graph=True)
    images, kernel = x.reshape(1, 2, 2, 2), x.reshape(2, 1, 2, 2)
    mytorch.grad(
        F.conv2d(images, kernel, groups=2), images, v[:, :1].reshape(1, 2, 1, 1), create_graph=True
    )
    (pooled,) = mytorch.grad(
        F.max_pool2d(images, 2), images, v[:, :1].reshape(1, 2, 1, 1), create_graph=True
    )
    mytorch.grad(pooled, v, pooled, create_graph=True)  # ScatterAdd's backward is a Gather
    mytorch.grad(F.gelu(x), x, v, create_graph=True)  # its second derivative applies Erf
    square = x[:, :2]
    mytorch.grad(mytorch.einsum("ii->i", square), square, v[0, :2], create_graph=True)


def _builtin_functions() -> set[str]:
    """The qualified names of all ``Function`` subclasses that MyTorch itself defines."""
    for module in pkgutil.walk_packages(mytorch.__path__, "mytorch."):
        importlib.import_module(module.name)
    return {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in all_functions()
        if cls.__module__.startswith("mytorch.")
    }


def test_every_builtin_op_works_by_hand_as_through_apply() -> None:
    rng = np.random.default_rng(1)
    x = seed_style(rng.normal(size=(2, 4)))
    y = seed_style(rng.normal(size=(2, 4)))
    labels = mytorch.tensor(np.array([0, 1]))
    seen = check_by_hand(_model_step, x, labels)
    seen |= check_by_hand(_every_other_op, x, y)
    # Ops that only backward formulas apply (getitem's IndexAdd, conv's Col2im, max
    # pooling's ScatterAdd) are recorded when the incoming gradient requires grad.
    seen |= check_by_hand(_backward_only_ops, x, seed_style(rng.normal(size=(2, 4))))
    missing = _builtin_functions() - seen
    assert not missing, f"ops never called by hand here: {sorted(missing)}"


# ------------------------------------------------ custom Functions as in PyTorch
class LegendrePolynomial3(Function):
    """PyTorch's tutorial op: its forward computes with Tensor operations."""

    @staticmethod
    def forward(ctx: Any, input: Tensor) -> Tensor:
        ctx.save_for_backward(input)
        ctx.grad_was_on = mytorch.is_grad_enabled()
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def test_a_forward_that_returns_a_tensor_runs_without_recording() -> None:
    x = mytorch.tensor([0.5, 2.0], dtype=mytorch.float64, requires_grad=True)
    y = LegendrePolynomial3.apply(x)
    assert y.grad_fn.name() == "LegendrePolynomial3Backward"
    assert y.grad_fn.grad_was_on is False  # as PyTorch runs a custom forward
    y.backward()
    np.testing.assert_allclose(x.grad.data, 1.5 * (5 * np.array([0.25, 4.0]) - 1))
    by_hand = LegendrePolynomial3.forward(ContextManager(), mytorch.tensor([2.0]))
    assert by_hand.tolist() == [17.0]


class BroadcastGradient(Function):
    """A backward returning a gradient of the wrong shape, chosen by ``ctx.shape``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = shape
        return x.data * 2

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return mytorch.ones(*ctx.shape, dtype=grad.dtype) * 2, None


def test_a_larger_broadcast_gradient_is_summed_to_the_inputs_shape() -> None:
    x = mytorch.ones(3, requires_grad=True)
    BroadcastGradient.apply(x, (4, 3)).backward()  # PyTorch sums the extra axis away
    assert x.grad.tolist() == [8.0, 8.0, 8.0]


@pytest.mark.parametrize("shape", [(1,), (2,), (3, 1)])
def test_a_gradient_that_does_not_come_from_the_input_is_refused(shape: tuple) -> None:
    x = mytorch.ones(3, requires_grad=True)
    w = mytorch.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"Function BroadcastGradientBackward returned an invalid gradient at index 0: "
        rf"got shape \({shape[0]},.*\) but expected a shape compatible with \(3,\)",
    ):
        (BroadcastGradient.apply(x, shape) * w).sum().backward()
    assert x.grad is None and w.grad is None  # nothing half-accumulated


# ------------------------------------------------------------ the assignment's names
def test_is_train_reads_and_writes_training() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert model.is_train is True
    model.eval()
    assert model.is_train is False and model[1].is_train is False
    model[1].is_train = True
    assert model[1].training is True and model.training is False


def test_sequential_layers_are_its_modules_in_order() -> None:
    first, second = nn.Linear(2, 3), nn.ReLU()
    model = nn.Sequential(first, second)
    assert model.layers == [first, second]
    assert model.layers[0] is model[0]


def test_batchnorm_gamma_and_beta_are_weight_and_bias() -> None:
    layer = nn.BatchNorm1d(4)
    assert layer.gamma is layer.weight and layer.beta is layer.bias
    assert layer.gamma.tolist() == [1.0] * 4 and layer.beta.tolist() == [0.0] * 4
    replacement = nn.Parameter(np.full(4, 2.0, dtype=np.float32))
    layer.gamma = replacement
    assert layer.weight is replacement
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_tensor_static_constructors() -> None:
    mytorch.manual_seed(3)
    drawn = Tensor.randn(2, 3)
    mytorch.manual_seed(3)
    np.testing.assert_array_equal(drawn.data, mytorch.randn(2, 3).data)
    assert Tensor.ones(2, 3).tolist() == [[1.0] * 3] * 2
    assert Tensor.zeros(4).shape == (4,)
    assert Tensor.zeros(2, dtype=mytorch.float64).dtype == np.float64
