"""Recurrent cells: LSTM cells (gates as one matmul per input)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import NoneVal, TensorVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _slice_cols(imp: Importer, t: TensorVal, start: int, size: int) -> TensorVal:
    return imp.extract_slice(t, [0, start], [t.shape[0], size])


@handles("aten::lstm_cell")
def _lstm_cell(imp: Importer, node):
    x, state, w_ih, w_hh, b_ih, b_hh = inputs(imp, node)
    x = imp.tensor(x)
    h, c = state.items
    unbatched = x.rank == 1
    if unbatched:
        x, h, c = (imp.reshape(v, [1] + list(v.shape)) for v in (x, h, c))
    wi = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(imp.constant_array(w_ih).T)))
    wh = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(imp.constant_array(w_hh).T)))
    gates = imp.binary("tosa.add", imp.matmul2d(x, wi), imp.matmul2d(h, wh))
    if not isinstance(b_ih, NoneVal):
        bias = imp.constant_array(b_ih) + imp.constant_array(b_hh)
        gates = imp.binary("tosa.add", gates, imp.constant_tensor(torch.from_numpy(bias.reshape(1, -1))))
    hidden = wh.shape[0]
    i, f, g, o = (_slice_cols(imp, gates, k * hidden, hidden) for k in range(4))
    i, f, o = (imp.unary("tosa.sigmoid", v) for v in (i, f, o))
    g = imp.unary("tosa.tanh", g)
    c2 = imp.binary("tosa.add", imp.binary("tosa.mul", f, c), imp.binary("tosa.mul", i, g))
    h2 = imp.binary("tosa.mul", o, imp.unary("tosa.tanh", c2))
    if unbatched:
        h2, c2 = imp.reshape(h2, [hidden]), imp.reshape(c2, [hidden])
    return [h2, c2]
