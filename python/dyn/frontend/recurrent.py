"""nn.LSTM / nn.GRU / nn.RNN as loops over time that both frontends compile.

PyTorch's fused recurrent layers are opaque to both paths: TorchScript keeps
one `aten::lstm` node, and torch.export unrolls the example's sequence length
into the program (a dynamic length is refused: "your code specialized it to
be a constant"). `unfused(module)` returns a copy of the module in which
every such layer is replaced by an equivalent module written as a Python
loop over the time steps (the same weights, gate orders and results): the
TorchScript importer makes the loop a `dyn.while`, the PyTorch 2 capture a
`torch.while_loop`, and the sequence length stays dynamic. The input
projection of each layer is one matmul over all steps, hoisted out of the
loop; each step multiplies the hidden state only.

Supported: any number of layers, bidirectional, batch_first, unbatched
input, initial states, biases or none, float32; LSTM's proj_size is
refused (UnsupportedError at compile time), and so is a PackedSequence
input (the loop's forward takes tensors).
"""

from __future__ import annotations

import copy
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from dyn.frontend.values import UnsupportedError

__all__ = ["unfused", "LSTMLoop", "RNNLoop"]


class _Direction(nn.Module):
    """One layer in one direction over a batch-first [B, T, I] input."""

    def __init__(self, mode: str, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor],
                 b_hh: Optional[Tensor], reverse: bool):
        super().__init__()
        self.mode = mode
        self.reverse = reverse
        self.w_ih = nn.Parameter(w_ih.detach(), requires_grad=False)
        self.w_hh = nn.Parameter(w_hh.detach(), requires_grad=False)
        gates = w_ih.shape[0]
        zeros = torch.zeros(gates, dtype=w_ih.dtype)
        self.b_ih = nn.Parameter((b_ih if b_ih is not None else zeros).detach(),
                                 requires_grad=False)
        self.b_hh = nn.Parameter((b_hh if b_hh is not None else zeros).detach(),
                                 requires_grad=False)
        self.hidden = w_hh.shape[1]

    def forward(self, x: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        if self.reverse:
            x = x.flip([1])
        # The input's share of every gate at every step: one matmul.
        projected = torch.matmul(x, self.w_ih.t()) + self.b_ih
        # Written step by step into a buffer of the sequence's length (not
        # grown by concatenation): the output's length stays the input's,
        # which the next layer's loop runs over.
        outputs = torch.zeros(x.size(0), x.size(1), self.hidden)
        for t in range(x.size(1)):
            gx = projected.select(1, t)
            gh = torch.matmul(h, self.w_hh.t()) + self.b_hh
            if self.mode == "LSTM":
                i, f, g, o = (gx + gh).chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            elif self.mode == "GRU":
                xr, xz, xn = gx.chunk(3, 1)
                hr, hz, hn = gh.chunk(3, 1)
                r = torch.sigmoid(xr + hr)
                z = torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1.0 - z) * n + z * h
            elif self.mode == "RNN_RELU":
                h = torch.relu(gx + gh)
            else:
                h = torch.tanh(gx + gh)
            outputs = torch.slice_scatter(outputs, h.unsqueeze(1), dim=1, start=t, end=t + 1)
        if self.reverse:
            outputs = outputs.flip([1])
        return outputs, h, c


class _Stack(nn.Module):
    """Layers x directions, shared by the LSTM and the GRU / RNN modules."""

    def __init__(self, layer: nn.RNNBase):
        super().__init__()
        if getattr(layer, "proj_size", 0):
            raise UnsupportedError("nn.LSTM with proj_size (projected hidden states)")
        mode = "LSTM" if isinstance(layer, nn.LSTM) else "GRU" if isinstance(layer, nn.GRU) \
            else layer.mode
        self.directions = 2 if layer.bidirectional else 1
        self.num_layers = layer.num_layers
        self.hidden = layer.hidden_size
        self.batch_first = layer.batch_first
        cells = []
        for k in range(layer.num_layers):
            for d in range(self.directions):
                suffix = f"_l{k}" + ("_reverse" if d else "")
                get = lambda name: getattr(layer, name + suffix, None)
                cells.append(_Direction(mode, get("weight_ih"), get("weight_hh"),
                                        get("bias_ih") if layer.bias else None,
                                        get("bias_hh") if layer.bias else None, d == 1))
        self.cells = nn.ModuleList(cells)

    def forward(self, x: Tensor, h0: Tensor, c0: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """x: [B, T, I]; h0, c0: [layers * directions, B, H]."""
        hs: List[Tensor] = []
        cs: List[Tensor] = []
        outputs: List[Tensor] = []
        for index, cell in enumerate(self.cells):
            if index % self.directions == 0 and index > 0:
                x = torch.cat(outputs, 2)
                outputs = []
            out, h, c = cell(x, h0[index], c0[index])
            outputs.append(out)
            hs.append(h)
            cs.append(c)
        return torch.cat(outputs, 2), torch.stack(hs, 0), torch.stack(cs, 0)

    def prepare(self, x: Tensor) -> Tuple[Tensor, bool]:
        """x batch-first and batched."""
        if x.dim() == 2:
            return x.unsqueeze(0), True
        if not self.batch_first:
            x = x.transpose(0, 1)
        return x, False

    def finish(self, out: Tensor, unbatched: bool) -> Tensor:
        if unbatched:
            return out.squeeze(0)
        if not self.batch_first:
            return out.transpose(0, 1)
        return out


class LSTMLoop(nn.Module):
    """nn.LSTM's calling convention: (output, (h_n, c_n))."""

    def __init__(self, layer: nn.LSTM):
        super().__init__()
        self.stack = _Stack(layer)

    def forward(self, x: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None
                ) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:
        x, unbatched = self.stack.prepare(x)
        n = self.stack.num_layers * self.stack.directions
        if hx is None:
            h0 = torch.zeros(n, x.size(0), self.stack.hidden)
            c0 = torch.zeros(n, x.size(0), self.stack.hidden)
        else:
            h0, c0 = hx
            if unbatched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        out, h, c = self.stack(x, h0, c0)
        if unbatched:
            h, c = h.squeeze(1), c.squeeze(1)
        return self.stack.finish(out, unbatched), (h, c)


class RNNLoop(nn.Module):
    """nn.GRU's and nn.RNN's calling convention: (output, h_n)."""

    def __init__(self, layer: nn.RNNBase):
        super().__init__()
        self.stack = _Stack(layer)

    def forward(self, x: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        x, unbatched = self.stack.prepare(x)
        n = self.stack.num_layers * self.stack.directions
        if hx is None:
            h0 = torch.zeros(n, x.size(0), self.stack.hidden)
        else:
            h0 = hx.unsqueeze(1) if unbatched else hx
        # (no cell state: zeros the loop carries unchanged, not an alias of h0)
        out, h, _ = self.stack(x, h0, torch.zeros_like(h0))
        if unbatched:
            h = h.squeeze(1)
        return self.stack.finish(out, unbatched), h


def _replacement(layer: nn.Module) -> Optional[nn.Module]:
    if isinstance(layer, nn.LSTM):
        return LSTMLoop(layer).train(layer.training)
    if isinstance(layer, (nn.GRU, nn.RNN)):
        return RNNLoop(layer).train(layer.training)
    return None


def unfused(module: nn.Module) -> nn.Module:
    """`module` itself if it holds no recurrent layer, else a copy whose
    nn.LSTM / nn.GRU / nn.RNN layers are loops over time."""
    if not any(isinstance(m, (nn.LSTM, nn.GRU, nn.RNN)) for m in module.modules()):
        return module
    whole = _replacement(module)
    if whole is not None:
        return whole
    module = copy.deepcopy(module)
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            new = _replacement(child)
            if new is not None:
                setattr(parent, name, new)
    return module
