"""Embedding's ``max_norm`` (rows renormalised in place, as PyTorch) and ``from_pretrained``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch import nn


def _indices(values):
    return mytorch.tensor(np.asarray(values), dtype=mytorch.int64)


def test_max_norm_worked_example():
    weight = mytorch.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], dtype=mytorch.float64)
    out = F.embedding(_indices([[0, 1], [0, 0]]), weight, max_norm=1.0)
    scale = 1.0 / (5.0 + 1e-7)  # PyTorch's max_norm / (norm + 1e-7)
    np.testing.assert_allclose(weight.data[0], [3.0 * scale, 4.0 * scale], rtol=1e-15)
    assert weight.data[1].tolist() == [0.3, 0.4]  # under max_norm: unchanged
    assert weight.data[2].tolist() == [6.0, 8.0]  # not looked up: unchanged
    np.testing.assert_array_equal(out.data[1, 1], weight.data[0])  # the lookup sees new values


def test_max_norm_with_the_inf_and_one_norms():
    weight = mytorch.tensor([[3.0, -4.0]], dtype=mytorch.float64)
    F.embedding(_indices([0]), weight, max_norm=2.0, norm_type=float("inf"))
    np.testing.assert_allclose(weight.data[0], [1.5, -2.0], rtol=1e-7)
    weight = mytorch.tensor([[3.0, -4.0]], dtype=mytorch.float64)
    F.embedding(_indices([0]), weight, max_norm=3.5, norm_type=1)
    np.testing.assert_allclose(weight.data[0], [1.5, -2.0], rtol=1e-7)


@given(
    rows=hst.integers(1, 6),
    dim=hst.integers(1, 4),
    max_norm=hst.floats(0.1, 3.0),
    norm_type=hst.sampled_from([1.0, 2.0, 3.0, float("inf")]),
    seed=hst.integers(0, 2**16),
)
def test_max_norm_matches_torch(rows, dim, max_norm, norm_type, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    values = rng.normal(scale=2.0, size=(rows, dim))
    indices = rng.integers(0, rows, size=(2, 3))
    upstream = rng.normal(size=(2, 3, dim))
    ours = nn.Embedding(rows, dim, max_norm=max_norm, norm_type=norm_type, dtype=mytorch.float64)
    theirs = torch.nn.Embedding(rows, dim, max_norm=max_norm, norm_type=norm_type).double()
    ours.weight.data[...] = values
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(values))
    y_ours, y_theirs = ours(_indices(indices)), theirs(torch.from_numpy(indices))
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)
    y_ours.backward(mytorch.tensor(upstream))
    y_theirs.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)
    assert repr(ours) == repr(theirs)


def test_max_norm_in_float32_matches_torch(torch):
    values = np.random.default_rng(1).normal(scale=3.0, size=(5, 4)).astype(np.float32)
    ours, theirs = nn.Embedding(5, 4, max_norm=1.5), torch.nn.Embedding(5, 4, max_norm=1.5)
    ours.weight.data[...] = values
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(values))
    for batch in ([0, 1, 1], [2, 4], [0, 3]):
        ours(_indices(batch))
        theirs(torch.tensor(batch))
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-6)


def test_renormalising_bumps_the_version_only_when_a_row_changes():
    weight = mytorch.tensor([[3.0, 4.0], [0.3, 0.4]], requires_grad=True)
    before = weight._version
    F.embedding(_indices([1]), weight, max_norm=1.0)
    assert weight._version == before
    F.embedding(_indices([0]), weight, max_norm=1.0)
    assert weight._version == before + 1
    assert weight.grad_fn is not None and weight.is_leaf  # still the same leaf


def test_training_with_max_norm_keeps_the_rows_capped():
    mytorch.manual_seed(0)
    table = nn.Embedding(8, 3, max_norm=1.0)
    opt = mytorch.optim.SGD(table.parameters(), lr=0.5)
    tokens = _indices([[1, 2, 3], [3, 4, 5]])
    for _ in range(3):
        opt.zero_grad()
        (table(tokens) ** 2).sum().backward()
        opt.step()
    table(tokens)
    norms = np.linalg.norm(table.weight.data[[1, 2, 3, 4, 5]], axis=1)
    assert (norms <= 1.0 + 1e-6).all()


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: nn.Embedding(3, 2, max_norm=-1.0),
            ValueError,
            r"Embedding: max_norm must be >= 0, got -1\.0",
        ),
        (
            lambda: nn.Embedding(3, 2, max_norm="1"),
            TypeError,
            r"Embedding: max_norm must be a real number, got '1'",
        ),
        (
            lambda: nn.Embedding(3, 2, norm_type=None),
            TypeError,
            r"Embedding: norm_type must be a real number",
        ),
        (
            lambda: F.embedding(_indices([0]), mytorch.ones(3, 2), max_norm=float("nan")),
            ValueError,
            r"embedding: max_norm must be >= 0, got nan",
        ),
        (
            lambda: nn.Embedding.from_pretrained(mytorch.ones(3)),
            ValueError,
            r"Embedding.from_pretrained: embeddings must be a 2-D Tensor .* shape \(3,\)",
        ),
        (
            lambda: nn.Embedding(3, 2, _weight=mytorch.ones(2, 3)),
            ValueError,
            r"Embedding: _weight has shape \(2, 3\), expected \(3, 2\)",
        ),
    ],
)
def test_bad_arguments_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_from_pretrained_shares_the_vectors_and_freezes_them():
    vectors = mytorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    table = nn.Embedding.from_pretrained(vectors, padding_idx=0)
    assert table.weight.is_parameter and not table.weight.requires_grad
    assert table.weight.data is vectors.data  # shared, as PyTorch's
    assert table.weight.data[0].tolist() == [1.0, 2.0]  # the padding row is not zeroed
    out = table(_indices([2, 0]))
    assert out.tolist() == [[5.0, 6.0], [1.0, 2.0]] and not out.requires_grad
    assert list(table.state_dict()) == ["weight"]
    assert table.extra_repr() == "3, 2, padding_idx=0"


def test_from_pretrained_does_not_draw_random_numbers():
    mytorch.manual_seed(3)
    expected = mytorch.rand(2)
    mytorch.manual_seed(3)
    nn.Embedding.from_pretrained(mytorch.ones(4, 2))
    assert mytorch.rand(2).tolist() == expected.tolist()


def test_from_pretrained_matches_torch(torch):
    values = np.arange(12, dtype=np.float64).reshape(4, 3) / 4
    upstream = np.random.default_rng(0).normal(size=(2, 3))
    ours = nn.Embedding.from_pretrained(
        mytorch.tensor(values.copy()), freeze=False, padding_idx=1, max_norm=2.0
    )
    theirs = torch.nn.Embedding.from_pretrained(
        torch.from_numpy(values.copy()), freeze=False, padding_idx=1, max_norm=2.0
    )
    indices = np.array([3, 1])
    y_ours, y_theirs = ours(_indices(indices)), theirs(torch.from_numpy(indices))
    y_ours.backward(mytorch.tensor(upstream))
    y_theirs.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)
    assert ours.weight.requires_grad and theirs.weight.requires_grad
    assert repr(ours) == repr(theirs)
    frozen = torch.nn.Embedding.from_pretrained(torch.from_numpy(values))
    assert not frozen.weight.requires_grad
    assert not nn.Embedding.from_pretrained(mytorch.tensor(values)).weight.requires_grad
