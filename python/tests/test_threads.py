"""dyn.compile(..., threads=N): the compiled code's parallel loops on the
artifact's thread pool give eager's results at every thread count, on both
branches, and bad counts are refused."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import dyn


class GatedWide(nn.Module):
    """Large enough that its matmuls and elementwise ops become parallel
    loops (dyn-tile-and-vectorize's parallel-min-work)."""

    def __init__(self):
        super().__init__()
        self.up = nn.Linear(256, 512)
        self.down = nn.Linear(512, 256)

    def forward(self, x):
        h = torch.relu(self.up(x))
        if h.mean() > 0.25:
            h = h * 2.0
        return self.down(h)


@pytest.fixture(scope="module")
def compiled():
    torch.manual_seed(0)
    model = GatedWide().eval()
    return model, dyn.compile(model, [torch.randn(64, 256)], threads=2)


def test_threads_match_eager_on_every_branch(compiled):
    model, f = compiled
    assert f.threads == 2
    assert "dyn_rt_parallel_for" not in f.mlir  # the import has no loops yet
    taken = set()
    for threads in (1, 2, 3):
        f.threads = threads
        assert f.threads == threads
        for rows, shift in ((64, 0.0), (64, 2.0), (1, 0.0), (37, 2.0)):
            x = torch.randn(rows, 256) + shift
            with torch.no_grad():
                want = model(x)
                taken.add(bool(torch.relu(model.up(x)).mean() > 0.25))
            torch.testing.assert_close(f(x), want, rtol=1e-4, atol=1e-4)
    assert taken == {True, False}


@pytest.mark.parametrize("count,error", [(0, ValueError), (257, ValueError),
                                         ("2", TypeError), (True, TypeError)])
def test_bad_thread_counts_are_refused(compiled, count, error):
    _, f = compiled
    before = f.threads
    with pytest.raises(error):
        f.threads = count
    assert f.threads == before


def test_compile_checks_threads_before_compiling():
    with pytest.raises(ValueError, match="threads must be"):
        dyn.compile(GatedWide(), [torch.randn(4, 256)], threads=0)
