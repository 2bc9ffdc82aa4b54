"""torchvision classifiers nobody here wrote, compiled unmodified (random
weights, 10 classes, batch dynamic) and compared with eager at batch 1 and
3: the fast ones (utils/torchvision/check.py runs them all and times them;
docs/benchmarks.md has the table). The frontend is the environment's:
TorchScript under Debian's torch 1.13 (torchvision 0.14), torch.export
where torchvision is installed next to PyTorch 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

torchvision = pytest.importorskip("torchvision")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "utils" / "torchvision"))

import dyn  # noqa: E402
from check import build, logits, sensitive  # noqa: E402

FRONTEND = "export" if hasattr(torch, "export") and hasattr(torch, "cond") else "torchscript"


@pytest.mark.parametrize("name", ["squeezenet1_0", "mnasnet0_5", "shufflenet_v2_x0_5",
                                  "vit_small", "googlenet", "resnext50_32x4d"])
def test_matches_eager(name):
    torch.manual_seed(0)
    model, size = build(name)
    model = model.eval()
    compiled = dyn.compile(model, (torch.randn(1, 3, size, size),), frontend=FRONTEND)
    with torch.no_grad():
        for batch in (1, 3):
            x = torch.randn(batch, 3, size, size)
            want, got = model(x), logits(compiled(x))
            scale = max(want.abs().max().item(), 1e-30)
            assert got.shape == want.shape
            assert (got - want).abs().max().item() / scale <= 1e-4
        assert sensitive(want, scale), "the logits do not depend on the image: no test"
