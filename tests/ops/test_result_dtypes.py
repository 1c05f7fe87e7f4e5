"""Full reductions and losses keep their input's float dtype, on every supported numpy.

A full reduction gives numpy a scalar, and numpy 1.x promotes a float32 scalar divided
by a Python int to float64 (numpy 2 does not): a float32 model's loss came out float64
there. CI's oldest pair (numpy 1.26) runs this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch
import mytorch.nn.functional as F

CASES: dict[str, Callable[[Any, Any, Any], Any]] = {
    "mean": lambda x, y, labels: x.mean(),
    "mean(dim)": lambda x, y, labels: x.mean(dim=0),
    "var": lambda x, y, labels: x.var(),
    "std": lambda x, y, labels: x.std(),
    "norm": lambda x, y, labels: x.norm(),
    "sum / 3": lambda x, y, labels: x.sum() / 3,
    "logsumexp": lambda x, y, labels: x.logsumexp(dim=(0, 1)),
    "cross_entropy": lambda x, y, labels: F.cross_entropy(x, labels),
    "cross_entropy smoothed": lambda x, y, labels: F.cross_entropy(x, labels, label_smoothing=0.1),
    "nll_loss": lambda x, y, labels: F.nll_loss(x.log_softmax(dim=1), labels),
    "mse_loss": lambda x, y, labels: F.mse_loss(x, y),
    "l1_loss": lambda x, y, labels: F.l1_loss(x, y),
    "smooth_l1_loss": lambda x, y, labels: F.smooth_l1_loss(x, y),
    "huber_loss": lambda x, y, labels: F.huber_loss(x, y),
    "binary_cross_entropy": lambda x, y, labels: F.binary_cross_entropy(x.sigmoid(), y),
    "bce_with_logits": lambda x, y, labels: F.binary_cross_entropy_with_logits(x, y),
    "kl_div": lambda x, y, labels: F.kl_div(
        x.log_softmax(dim=1), y.softmax(dim=1), reduction="batchmean"
    ),
    "gelu().mean()": lambda x, y, labels: F.gelu(x).mean(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_result_keeps_the_inputs_float_dtype(case: Callable[..., Any], dtype: Any) -> None:
    rng = np.random.default_rng(0)
    x = mytorch.tensor(rng.uniform(0.1, 0.9, size=(4, 3)).astype(dtype), requires_grad=True)
    y = mytorch.tensor(rng.uniform(0.1, 0.9, size=(4, 3)).astype(dtype))
    labels = mytorch.tensor([0, 1, 2, 0])
    result = case(x, y, labels)
    assert result.dtype == dtype
    result.backward()
    assert x.grad.dtype == dtype
