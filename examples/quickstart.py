"""Quick start: fit y = 3x - 1 with a single Linear-style model, by hand.

Run it with ``python examples/quickstart.py``.
"""

import mytorch

mytorch.manual_seed(0)
x = mytorch.randn(64, 1)
y = 3 * x - 1  # the line to learn

w = mytorch.zeros(1, 1, requires_grad=True)
b = mytorch.zeros(1, requires_grad=True)
for step in range(200):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    with mytorch.no_grad():  # the update must not enter the graph
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    w.grad, b.grad = None, None
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.item():.6f}")

print(f"learned w = {w.item():.4f}, b = {b.item():.4f} (true: 3, -1)")
