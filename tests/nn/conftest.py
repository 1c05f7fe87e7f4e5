"""Helpers for the nn tests: PyTorch as an optional oracle.

Every comparison with PyTorch runs in float64 and asserts agreement to
``RTOL``/``ATOL`` (1e-10): the two libraries compute the same formulas, so they
may differ only by float64 round-off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch

RTOL = 1e-10
ATOL = 1e-10


def assert_close(ours: Any, theirs: Any, what: str = "") -> None:
    """Assert that a mytorch value and a torch value agree to float64 round-off."""
    ours = ours.data if isinstance(ours, mytorch.Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != torch's {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.fixture
def torch():
    """The torch module, or skip the test where it is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture
def close(torch) -> Callable[..., None]:
    """``assert_close``, for tests that compare with torch themselves."""
    return assert_close


@pytest.fixture
def compare_layer(torch) -> Callable[..., None]:
    """Check a mytorch layer against a torch layer on one float64 input.

    The torch layer's parameters are set to ours first. Then forward values,
    the input's gradient, every parameter's gradient and every buffer must
    agree, for a random (not all-ones) upstream gradient.
    """

    def compare(ours: mytorch.nn.Module, theirs: Any, x: np.ndarray, seed: int = 0) -> None:
        theirs_params = dict(theirs.named_parameters())
        assert sorted(theirs_params) == sorted(name for name, _ in ours.named_parameters())
        with torch.no_grad():
            for name, param in ours.named_parameters():
                theirs_params[name].copy_(torch.from_numpy(param.data.copy()))
        x_ours = mytorch.Tensor(x.copy(), requires_grad=True)
        x_theirs = torch.tensor(x, requires_grad=True)
        y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
        assert_close(y_ours, y_theirs, "forward")
        upstream = np.random.default_rng(seed).standard_normal(y_ours.shape)
        y_ours.backward(mytorch.Tensor(upstream))
        y_theirs.backward(torch.from_numpy(upstream))
        assert_close(x_ours.grad, x_theirs.grad, "input gradient")
        for name, param in ours.named_parameters():
            assert_close(param.grad, theirs_params[name].grad, f"gradient of {name}")
        theirs_buffers = dict(theirs.named_buffers())
        for name, buffer in ours.named_buffers():
            assert_close(buffer, theirs_buffers[name], f"buffer {name}")

    return compare
