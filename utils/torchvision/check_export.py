"""torchvision classifiers through dyn's PyTorch 2 path: each model (random
weights, 10 classes) compiled unmodified with dyn.compile(frontend="export")
from a batch-1 example, then compared with eager at batch 1 and 3.

    VENV/bin/pip install --no-deps torchvision==0.29.2 pillow   # once
    PYTHONPATH=python VENV/bin/python utils/torchvision/check_export.py [MODEL ...]

VENV is the torch 2 environment (scripts/setup-torch2.sh). PyPI has no
torchvision built for torch 2.15 yet; 0.29.2's model definitions work with
it (its C++ ops are not needed here). Not run by CI (torchvision is not in
the test environment); docs/python.md records the results.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import torch
import torchvision

import dyn

DEFAULT = ["resnet18", "mobilenet_v2", "shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0",
           "densenet121", "alexnet", "squeezenet1_0", "googlenet", "regnet_x_400mf",
           "convnext_tiny", "vit_small"]


def build(name: str) -> tuple[torch.nn.Module, int]:
    if name == "vit_small":  # torchvision's VisionTransformer, small enough for CPU
        model = torchvision.models.VisionTransformer(
            image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
            mlp_dim=64, num_classes=10)
        for param_name, p in model.named_parameters():
            if "heads" in param_name:  # torchvision initialises the head to zeros
                p.data.normal_(0, 0.2)
        return model, 32
    return getattr(torchvision.models, name)(num_classes=10), 224 if name == "alexnet" else 64


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    print("| model | result | output scale | max error / scale | compile (s) |\n"
          "| --- | --- | --- | --- | --- |")
    failures = 0
    for name in args.models:
        torch.manual_seed(0)
        model, size = build(name)
        model = model.eval()
        start = time.perf_counter()
        try:
            compiled = dyn.compile(model, (torch.randn(1, 3, size, size),), frontend="export")
            error, scale = 0.0, 0.0
            with torch.no_grad():
                for batch in (1, 3):
                    x = torch.randn(batch, 3, size, size)
                    want, got = model(x), compiled(x)
                    scale = max(scale, want.abs().max().item())
                    error = max(error, (want - got).abs().max().item())
            error /= max(scale, 1e-30)  # relative to the logits' size, however small
            result = "matches eager" if error <= 1e-4 else "WRONG"
            failures += result != "matches eager"
            print(f"| {name} | {result} | {scale:.1e} | {error:.1e} | "
                  f"{time.perf_counter() - start:.1f} |", flush=True)
        except Exception as e:  # reported, the sweep goes on
            failures += 1
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            print(f"| {name} | {type(e).__name__}: {first[:160]} | | | |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
