"""Exports small PyTorch 2 models with torch-mlir's FX importer to
linalg-on-tensors, the input another MLIR compiler hands to dyn, and records
inputs that drive every path with PyTorch eager's outputs beside them.

usage: python export.py [--out DIR] [MODEL...]     (default: every model)

Needs a Python with torch 2.x and torch-mlir (utils/torch-mlir/setup-venv.sh
makes one); CI does not run this: its outputs are committed under
test/Integration/Inputs/torch-mlir/ (MODEL.mlir, MODEL.npz) and
test/Integration/torch-mlir.test compiles and runs them against the
recorded references.

What torch-mlir can express decides the form of each model:
- loops are torch.while_loop (torch.export unrolls a Python loop to the
  example's trip count); torch-mlir imports them as scf.while over tensors.
  Its importer mishandles values a loop body captures from outside
  (`region branch point has 5 operands, but region successor needs 2`), so
  the bodies here take weights as loop-carried values.
- torch-mlir has no torch.cond (NotImplementedError), so a branch is
  written as scf by hand: the model's parts are exported as functions of
  one module and a hand-written entry calls them under scf.if; the parts
  are then inlined (`inline`, `symbol-dce`), leaving one function as a
  producer would emit it.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
from torch._higher_order_ops.while_loop import while_loop
from torch_mlir import fx, ir, passmanager
from torch_mlir.compiler_utils import OutputType
from torch_mlir.extras.fx_importer import FxImporter
from torch_mlir.dialects import torch as torch_d

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "test" / "Integration" / "Inputs" / "torch-mlir"


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------
class RNNClassifier(nn.Module):
    """An RNN cell over a sequence of dynamic length, then a linear head."""

    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(8, 8)
        self.head = nn.Linear(8, 4)

    def forward(self, x, h):
        c = self.cell
        params = (c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh)

        def cond(t, h, x, w_ih, w_hh, b_ih, b_hh):
            return t < x.shape[0]

        def body(t, h, x, w_ih, w_hh, b_ih, b_hh):
            xt = torch.index_select(x, 0, t.reshape(1))
            h = torch.tanh(xt @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh)
            return (t + 1, h, x.clone()) + tuple(p.clone() for p in (w_ih, w_hh, b_ih, b_hh))

        t0 = torch.zeros((), dtype=torch.int64)
        out = while_loop(cond, body, (t0, h, x) + params)
        return self.head(out[1])


class Halting(nn.Module):
    """Halves its input until its squared norm is at most 1 (a trip count
    that depends on the data, possibly zero)."""

    def forward(self, x):
        def cond(i, v):
            return (v * v).sum() > 1.0

        def body(i, v):
            return i + 1, v * 0.5

        n, y = while_loop(cond, body, (torch.zeros((), dtype=torch.int64), x))
        return y, n


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x)).mean() > 0.5


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 8)

    def forward(self, x):
        return x + torch.relu(self.fc2(torch.relu(self.fc1(x))))


class GatedMLP(nn.Module):
    """The eager reference of the hand-written entry below: a residual block
    that runs only when the gate opens, then a classifier head."""

    def __init__(self):
        super().__init__()
        self.gate = Gate()
        self.block = Block()
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        if self.gate(x):
            x = self.block(x)
        return self.head(x)


GATED_ENTRY = """
func.func @main(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
  %open = func.call @gate(%x) : (tensor<?x8xf32>) -> tensor<i1>
  %p = tensor.extract %open[] : tensor<i1>
  %h = scf.if %p -> (tensor<?x8xf32>) {
    %y = func.call @block(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    scf.yield %y : tensor<?x8xf32>
  } else {
    scf.yield %x : tensor<?x8xf32>
  }
  %logits = func.call @head(%h) : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return %logits : tensor<?x4xf32>
}
"""


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------
def lower(module) -> None:
    fx._module_lowering(False, False, OutputType.LINALG_ON_TENSORS, module)


def export_rnn():
    torch.manual_seed(1)
    model = RNNClassifier().eval()
    x, h = torch.randn(5, 8), torch.zeros(1, 8)
    seq = torch.export.Dim("seq", min=2, max=256)
    module = fx.export_and_import(model, x, h, output_type="linalg-on-tensors",
                                  dynamic_shapes={"x": {0: seq}, "h": None})
    rng = torch.Generator().manual_seed(2)
    cases = [(torch.randn(n, 8, generator=rng), torch.randn(1, 8, generator=rng))
             for n in (1, 2, 5, 13, 40)]
    return module, model, cases


def export_halting():
    model = Halting().eval()
    x = torch.randn(4, 8) * 4
    batch = torch.export.Dim("batch", min=2, max=256)
    module = fx.export_and_import(model, x, output_type="linalg-on-tensors",
                                  dynamic_shapes={"x": {0: batch}})
    rng = torch.Generator().manual_seed(3)
    cases = [(torch.randn(b, 8, generator=rng) * s,)
             for b, s in ((1, 0.01), (3, 0.2), (2, 1.0), (6, 5.0), (9, 100.0))]
    return module, model, cases


def export_gated_mlp():
    torch.manual_seed(4)
    model = GatedMLP().eval()
    context = ir.Context()
    torch_d.register_dialect(context)
    importer = FxImporter(context=context)
    batch = torch.export.Dim("batch", min=2, max=256)
    x = torch.randn(4, 8)
    for name, part in (("gate", model.gate), ("block", model.block), ("head", model.head)):
        fx.export_and_import(part, x, output_type="raw", fx_importer=importer,
                             func_name=name, dynamic_shapes={"x": {0: batch}}
                             if name != "head" else {"input": {0: batch}})
    module = importer.module
    lower(module)
    with context:
        for op in module.body.operations:
            op.attributes["sym_visibility"] = ir.StringAttr.get("private")
        # The entry goes in as text: parsed alone, its calls would not
        # verify (their callees are in the other module).
        text = str(module)
        body, sep, resources = text.partition("\n{-#")
        body = body.rstrip()
        assert body.endswith("}"), "unexpected module text"
        module = ir.Module.parse(body[:-1] + GATED_ENTRY + "}\n" + sep + resources)
        passmanager.PassManager.parse(
            "builtin.module(inline, symbol-dce, canonicalize)").run(module.operation)
    # Inputs on both sides of the gate (x and -x), at several batch sizes.
    rng = torch.Generator().manual_seed(5)
    cases = []
    for b in (1, 2, 3, 7):
        xi = torch.randn(b, 8, generator=rng) * 2
        cases += [(xi,), (-xi,)]
    opened = {bool(model.gate(*inputs)) for inputs in cases}
    assert opened == {True, False}, "the cases must open and close the gate"
    return module, model, cases


MODELS = {"rnn": export_rnn, "halting": export_halting, "gated_mlp": export_gated_mlp}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("models", nargs="*", choices=[[], *MODELS], default=[])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.models or MODELS:
        module, model, cases = MODELS[name]()
        header = (f"// {name}: exported by utils/torch-mlir/export.py with torch "
                  f"{torch.__version__.split('+')[0]} and torch-mlir's FX importer "
                  "(linalg-on-tensors).\n// Regenerate; do not edit.\n")
        (args.out / f"{name}.mlir").write_text(header + str(module))
        arrays = {}
        with torch.no_grad():
            for i, inputs in enumerate(cases):
                outputs = model(*inputs)
                outputs = outputs if isinstance(outputs, tuple) else (outputs,)
                for j, value in enumerate(inputs):
                    arrays[f"case{i}_in{j}"] = value.numpy()
                for j, value in enumerate(outputs):
                    arrays[f"case{i}_out{j}"] = value.numpy()
        np.savez(args.out / f"{name}.npz", **arrays)
        print(f"{name}: {len(cases)} cases -> {args.out / name}.mlir, .npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
