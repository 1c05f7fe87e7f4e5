"""``mytorch.nn.utils``: gradient clipping and flattening parameters into one vector.

PyTorch's names and paths: ``clip_grad_norm_``, ``clip_grad_value_``,
``parameters_to_vector``, ``vector_to_parameters``.

Examples
--------
>>> import mytorch
>>> from mytorch import nn
>>> layer = nn.Linear(3, 1)
>>> layer(mytorch.ones(4, 3)).sum().backward()
>>> nn.utils.clip_grad_norm_(layer.parameters(), max_norm=1.0).item() > 1.0
True
>>> grads = nn.utils.parameters_to_vector(p.grad for p in layer.parameters())
>>> (grads * grads).sum().item() <= 1.0
True
"""

from mytorch.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from mytorch.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
