"""nn.LSTM / nn.GRU / nn.RNN layers (dyn.frontend.recurrent): compiled as
loops over time by both frontends, the batch and the sequence length
dynamic, compared with eager PyTorch: layers, bidirectional, batch_first,
initial states, unbatched input, no biases."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import dyn

FRONTENDS = ["torchscript"] + (["export"] if hasattr(torch, "export") and hasattr(torch, "cond")
                               else [])


class Stacked(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(16, 6)
        self.rnn = nn.RNN(6, 5, nonlinearity="relu", bias=False)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        z, hz = self.gru(y.transpose(0, 1))
        w, hw = self.rnn(z)
        return y, h, c, z, hz, w, hw


class WithStates(nn.Module):
    """Initial states given, the last step's output read back."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, num_layers=2)
        self.gru = nn.GRU(3, 4, bidirectional=True, batch_first=True)

    def forward(self, x, h0, c0):
        y, (h, c) = self.lstm(x, (h0, c0))
        z, hz = self.gru(x.transpose(0, 1), torch.cat([h0[:1], h0[1:]], 0))
        return y[-1] + h[1], z, hz


def _check(model, example, inputs, frontend, dynamic_dims):
    compiled = dyn.compile(model, example, frontend=frontend, dynamic_dims=dynamic_dims)
    for args in inputs:
        for got, want in zip(compiled(*args), model(*args)):
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_stacked_bidirectional_layers(frontend):
    torch.manual_seed(0)
    _check(Stacked().eval(), [torch.randn(2, 5, 4)],
           [[torch.randn(2, 5, 4)], [torch.randn(1, 1, 4)], [torch.randn(3, 9, 4)]],
           frontend, {0: [0, 1]})


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_initial_states(frontend):
    torch.manual_seed(1)
    example = [torch.randn(5, 2, 3), torch.randn(2, 2, 4), torch.randn(2, 2, 4)]
    inputs = [[torch.randn(t, b, 3), torch.randn(2, b, 4), torch.randn(2, b, 4)]
              for t, b in ((5, 2), (1, 3), (8, 1))]
    _check(WithStates().eval(), example, inputs, frontend, {0: [0, 1], 1: [1], 2: [1]})


def test_unbatched_and_refused_projection():
    torch.manual_seed(2)
    gru = nn.GRU(3, 4).eval()
    compiled = dyn.compile(gru, [torch.randn(6, 3)], dynamic_dims={0: [0]})
    for t in (6, 2, 11):
        x = torch.randn(t, 3)
        for got, want in zip(compiled(x), gru(x)):
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    if hasattr(nn.LSTM(3, 4), "proj_size"):
        with pytest.raises(dyn.UnsupportedError, match="proj_size"):
            dyn.compile(nn.LSTM(3, 4, proj_size=2), [torch.randn(5, 1, 3)])
