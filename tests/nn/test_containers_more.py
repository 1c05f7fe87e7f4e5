"""ModuleList, ModuleDict, ParameterList, ParameterDict: behaviour and state_dict keys as torch."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import nn


def _architectures(lib):
    """One model using every container, built the same way from ``lib.nn``."""
    m = lib.nn

    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.blocks = m.ModuleList([m.Linear(4, 4), m.LayerNorm(4), m.GELU()])
            self.heads = m.ModuleDict({"a": m.Linear(4, 2), "b": m.Sequential(m.Linear(4, 3))})
            self.scales = m.ParameterList([m.Parameter(lib.ones(4)), m.Parameter(lib.ones(2))])
            self.extra = m.ParameterDict({"shift": m.Parameter(lib.zeros(4))})
            self.embed = m.Embedding(7, 4, padding_idx=0)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x * self.scales[0] + self.extra["shift"])

    return Net()


def test_state_dict_keys_and_shapes_match_torch(torch):
    ours, theirs = _architectures(mytorch), _architectures(torch)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert [name for name, _ in ours.named_parameters()] == [
        name for name, _ in theirs.named_parameters()
    ]
    # Torch's weights load into ours and give the same output.
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = torch.randn(3, 4)
    out = ours(mytorch.Tensor(x.numpy()))
    np.testing.assert_allclose(out.data, theirs(x).detach().numpy(), atol=1e-5)


def test_module_list_edits_renumber_as_torch():
    layers = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    del layers[0]
    assert [name for name, _ in layers.named_children()] == ["0", "1"]
    layers.insert(1, nn.ELU())
    assert [type(m).__name__ for m in layers] == ["Tanh", "ELU", "Sigmoid"]
    layers[-1] = nn.SiLU()
    layers += [nn.GELU()]
    assert [type(m).__name__ for m in layers[1:]] == ["ELU", "SiLU", "GELU"]
    assert isinstance(layers[1:], nn.ModuleList)
    before = len(layers)
    with pytest.raises(TypeError, match=r"ModuleList.extend: int is not a Module"):
        layers.extend([nn.ReLU(), 3])
    assert len(layers) == before  # nothing was added


def test_module_dict_as_a_dict():
    heads = nn.ModuleDict({"a": nn.ReLU()})
    heads["b"] = nn.Tanh()
    assert list(heads.keys()) == ["a", "b"] and "b" in heads
    assert heads.pop("a").__class__ is nn.ReLU and list(heads) == ["b"]
    with pytest.raises(KeyError, match=r"ModuleDict: no module named 'z'"):
        heads["z"]
    with pytest.raises(TypeError, match=r"ModuleDict.update: entry 'c': float is not a Module"):
        heads.update({"d": nn.ReLU(), "c": 1.0})
    assert list(heads) == ["b"]
    heads.clear()
    assert len(heads) == 0


def test_parameter_containers_register_and_convert_tensors():
    params = nn.ParameterList([mytorch.zeros(2)])
    params.append(nn.Parameter(mytorch.ones(3)))
    assert all(isinstance(p, nn.Parameter) for p in params)
    assert [p.shape for p in params.parameters()] == [(2,), (3,)]
    with pytest.raises(TypeError, match=r"ParameterList.append: expected a Parameter or Tensor"):
        params.append([1.0])
    table = nn.ParameterDict({"w": mytorch.ones(1)})
    table["v"] = mytorch.zeros(1)
    del table["w"]
    assert list(table) == ["v"] and list(table.state_dict()) == ["v"]
    with pytest.raises(
        IndexError, match=r"ParameterList: index 5 is out of range for 2 parameters"
    ):
        params[5]


@pytest.mark.parametrize("container", [nn.Sequential(nn.ReLU()), nn.ModuleList([nn.ReLU()])])
@pytest.mark.parametrize("index", ["0", 1.0, None])
def test_indexing_with_a_non_integer_is_a_type_error_as_in_torch(torch, container, index):
    name = type(container).__name__
    with pytest.raises(TypeError, match=rf"{name}: indices must be integers or slices, not"):
        container[index]
    with pytest.raises(TypeError):
        getattr(torch.nn, name)(torch.nn.ReLU())[index] if name == "Sequential" else (
            torch.nn.ModuleList([torch.nn.ReLU()])[index]
        )
