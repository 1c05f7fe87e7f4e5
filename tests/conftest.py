"""Shared test settings: hypothesis profiles, and a guard against leaked global state."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import mytorch
from mytorch.core import grad_mode

# "ci" (the default) keeps the suite within its time budget; "dev" looks harder.
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _no_leaked_global_state():
    """Fail a test that leaves grad mode off or changes the default dtype."""
    yield
    leaked_no_grad = not grad_mode.is_grad_enabled()
    leaked_dtype = mytorch.get_default_dtype() != np.float32
    grad_mode._state.enabled = True
    mytorch.set_default_dtype(np.float32)
    assert not leaked_no_grad, "the test left grad mode disabled"
    assert not leaked_dtype, "the test left the default dtype changed"
