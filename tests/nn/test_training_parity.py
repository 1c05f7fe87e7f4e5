"""A small model using the new layers and loss options trains as PyTorch's does, step by step."""

from __future__ import annotations

import numpy as np

import mytorch


def _model(lib):
    m = lib.nn

    class Tagger(m.Module):
        def __init__(self):
            super().__init__()
            self.embed = m.Embedding(11, 6, padding_idx=0)
            self.blocks = m.ModuleList(
                [m.Sequential(m.Linear(6, 6), m.LayerNorm(6), m.GELU()) for _ in range(2)]
            )
            self.heads = m.ModuleDict({"tag": m.Linear(6, 4)})

        def forward(self, tokens):
            x = self.embed(tokens)
            for block in self.blocks:
                x = x + block(x)
            return self.heads["tag"](x).permute(0, 2, 1)  # (N, C, L) for the loss

    return Tagger().double()


def test_training_matches_torch_for_twenty_steps(torch):
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 11, size=(5, 7))
    tags = rng.integers(0, 4, size=(5, 7))
    tags[tokens == 0] = -100  # padding is not scored
    ours, theirs = _model(mytorch), _model(torch)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    weight = np.array([1.0, 2.0, 0.5, 1.5])
    loss_ours = mytorch.nn.CrossEntropyLoss(mytorch.Tensor(weight), label_smoothing=0.1)
    loss_theirs = torch.nn.CrossEntropyLoss(torch.tensor(weight), label_smoothing=0.1)
    opt_ours = mytorch.optim.SGD(ours.parameters(), lr=0.5)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.5)
    x_ours, y_ours = mytorch.tensor(tokens, dtype=mytorch.int64), mytorch.Tensor(tags)
    x_theirs, y_theirs = torch.from_numpy(tokens), torch.from_numpy(tags)
    history = []
    for _ in range(20):
        for lib, model, loss_fn, opt, x, y in [
            (mytorch, ours, loss_ours, opt_ours, x_ours, y_ours),
            (torch, theirs, loss_theirs, opt_theirs, x_theirs, y_theirs),
        ]:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            history.append(loss.item())
    ours_losses, theirs_losses = history[::2], history[1::2]
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=1e-9)
    assert ours_losses[-1] < ours_losses[0]
    assert not ours.embed.weight.data[0].any()  # the padding row never moved
