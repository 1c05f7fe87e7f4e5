"""The progress bar: plain lines off a terminal, one redrawn line on a terminal."""

import io

import pytest

from mytorch.utils import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_output_prints_about_ten_lines_and_the_last_step():
    out = io.StringIO()
    with ProgressBar(100, "epoch 1", stream=out) as bar:
        for _ in range(100):
            bar.update(count=10, loss=0.5)
    lines = out.getvalue().splitlines()
    assert 10 <= len(lines) <= 12
    assert "\r" not in out.getvalue()
    assert "100/100" in lines[-1]
    assert "loss 0.5000" in lines[-1]
    assert "examples/s" in lines[-1]


def test_terminal_output_redraws_one_line_with_eta():
    out = FakeTerminal()
    bar = ProgressBar(4, "epoch 2", stream=out)
    bar.update(count=5)
    assert out.getvalue().startswith("\repoch 2 [")
    assert "ETA" in out.getvalue()
    bar.update(3, count=15)
    elapsed = bar.close()
    assert out.getvalue().endswith("\n")
    assert out.getvalue().count("\n") == 1
    assert elapsed >= 0


def test_close_prints_the_final_state_once():
    out = io.StringIO()
    bar = ProgressBar(3, stream=out)
    bar.update()
    bar.update()
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[") and "1/3" in lines[0]
    assert "2/3" in lines[-1]


def test_negative_total_is_refused():
    with pytest.raises(ValueError, match="total must be >= 0, got -1"):
        ProgressBar(-1)
