"""Guards for what the guides claim that a doctest cannot check by itself."""

from __future__ import annotations

import html
import importlib.util
import re
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDES = sorted(DOCS.glob("*.rst"))
MERMAID = re.compile(r'<pre class="mermaid">\n(.*?)\n\s*</pre>', re.DOTALL)


def doctest_outputs(text: str) -> list[str]:
    """The expected output of every ``>>>`` example in a reStructuredText page."""
    outputs, current, in_output = [], [], False
    for line in text.splitlines():
        if line.startswith((">>> ", "... ")):
            if current:
                outputs.append("\n".join(current))
            current, in_output = [], True
        elif in_output and line.strip():
            current.append(line)
        else:
            if current:
                outputs.append("\n".join(current))
            current, in_output = [], False
    if current:
        outputs.append("\n".join(current))
    return outputs


@pytest.mark.parametrize("page", ["autograd.rst", "mnist.rst"])
def test_every_drawn_graph_is_the_text_a_doctest_printed(page):
    text = (DOCS / page).read_text()
    pictures = [html.unescape(textwrap.dedent(block)) for block in MERMAID.findall(text)]
    assert pictures, f"{page} draws no graph"
    printed = doctest_outputs(text)
    for picture in pictures:
        assert picture in printed  # so the picture is the library's real output


def test_mermaid_is_loaded_once_per_page_that_draws():
    for page in GUIDES:
        text = page.read_text()
        if '<pre class="mermaid">' in text:
            assert text.count("mermaid.initialize") == 1, page.name


def test_no_guide_uses_names_that_exist_only_in_the_docs_build():
    for page in GUIDES:
        assert "EXAMPLES" not in page.read_text(), page.name


def test_the_mnist_page_gives_the_scripts_defaults(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    monkeypatch.delitem(sys.modules, "common", raising=False)
    spec = importlib.util.spec_from_file_location("mnist_mlp", ROOT / "examples" / "mnist_mlp.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    parser, _ = example.parse_args([])
    text = (DOCS / "mnist.rst").read_text()
    options_table = text[text.index("option                    default") :]
    options_table = options_table[: options_table.index("\n\n")]
    table = dict(re.findall(r"^``(--[a-z-]+)``\s+(\S.*?)\s{2,}", options_table, re.MULTILINE))
    assert table["--out"] == f"``{parser.get_default('out')}``"
    for option in ("epochs", "batch_size", "lr", "hidden", "seed"):
        assert table["--" + option.replace("_", "-")] == f"{parser.get_default(option):g}"
    sys.modules.pop("common", None)


def test_the_benchmarks_readme_speaks_to_a_user_of_the_project():
    text = (ROOT / "benchmarks" / "README.md").read_text()
    assert not re.search(r"\bissue \d", text, re.IGNORECASE)
    assert "SPEC.md" not in text


def test_coming_from_pytorch_has_no_leftover_notes():
    text = (DOCS / "coming_from_pytorch.rst").read_text()
    assert "\n.. Add a row" not in text
    assert "What is missing" in text


def test_readme_both_refuse_a_batchnorm_training_batch_of_one():
    torch = pytest.importorskip("torch")
    import mytorch
    from mytorch import nn

    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(3).train()(torch.ones(1, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3).train()(mytorch.ones(1, 3))


def test_readme_our_detect_anomaly_also_checks_the_forward_pass():
    torch = pytest.importorskip("torch")
    import numpy as np

    import mytorch
    from mytorch.autograd import AnomalyError, detect_anomaly

    zero = torch.tensor(0.0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Anomaly Detection has been enabled"
        with torch.autograd.detect_anomaly(check_nan=True):
            torch.log(zero).backward()  # -inf forward, inf gradient: PyTorch's check passes
    assert torch.isinf(zero.grad)
    ours = mytorch.tensor(0.0, requires_grad=True)
    with (
        pytest.raises(AnomalyError, match="log: the forward result"),
        detect_anomaly(),
        np.errstate(divide="ignore"),
    ):
        mytorch.log(ours)
