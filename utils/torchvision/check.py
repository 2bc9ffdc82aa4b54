"""torchvision classifiers through dyn, either frontend: each model (random
weights, 10 classes) compiled unmodified with dyn.compile from a batch-1
example (the batch dynamic), compared with eager at batch 1 and 3, and
timed against eager at batch 1 (median of --runs calls each, one thread).

    PYTHONPATH=python /usr/bin/python3 utils/torchvision/check.py [MODEL ...]
    VENV/bin/pip install --no-deps torchvision==0.29.2 pillow   # once
    PYTHONPATH=python VENV/bin/python utils/torchvision/check.py --frontend export

Debian's python3 has torchvision 0.14 (the TorchScript path, the default
there); VENV is the torch 2 environment (scripts/setup-torch2.sh), where
PyPI has no torchvision built for torch 2.15 yet but 0.29.2's model
definitions work with it (its C++ ops are not needed here). Not run by CI
(python/tests/test_torchvision.py runs the fast ones); docs/python.md and
docs/benchmarks.md record the results.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import torch
import torchvision

import dyn

DEFAULT = ["resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2", "mobilenet_v2",
           "mobilenet_v3_small", "shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0",
           "densenet121", "alexnet", "vgg11", "squeezenet1_0", "googlenet", "inception_v3",
           "regnet_x_400mf", "convnext_tiny", "vit_small"]


def build(name: str) -> tuple[torch.nn.Module, int]:
    """The model (random weights, batch norms calibrated) and its image size."""
    model, size = _construct(name)
    return calibrated(model, size), size


def calibrated(model: torch.nn.Module, size: int) -> torch.nn.Module:
    """`model` with each batch norm's running statistics set to those of
    its input on a random batch. With random weights and the default
    statistics (mean 0, variance 1) the activations of deep models fade
    layer by layer (mnasnet's logits are ~1e-7, googlenet's do not depend
    on the image at all), and a comparison with eager would test nothing."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return model
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average: after one batch, its statistics
    generator = torch.Generator().manual_seed(1)
    model.train()
    with torch.no_grad():
        model(torch.randn(4, 3, size, size, generator=generator))
    return model.eval()


def sensitive(outputs: torch.Tensor, scale: float) -> bool:
    """Whether a batch's logits differ from image to image (by 1% of their
    size): logits that do not are no test of the compiled code."""
    return (outputs - outputs[:1]).abs().max().item() >= 1e-2 * scale


def _construct(name: str) -> tuple[torch.nn.Module, int]:
    if name == "vit_small":  # torchvision's VisionTransformer, small enough for CPU
        model = torchvision.models.VisionTransformer(
            image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
            mlp_dim=64, num_classes=10)
        for param_name, p in model.named_parameters():
            if "heads" in param_name:  # torchvision initialises the head to zeros
                p.data.normal_(0, 0.2)
        return model, 32
    if name == "inception_v3":  # 75x75 is its smallest input
        return torchvision.models.inception_v3(num_classes=10, aux_logits=False,
                                               init_weights=True), 75
    if name == "googlenet":
        return torchvision.models.googlenet(num_classes=10, aux_logits=False,
                                            init_weights=True), 64
    return getattr(torchvision.models, name)(num_classes=10), 224 if name == "alexnet" else 64


def logits(output) -> torch.Tensor:
    """The logits in what a classifier returned: the tensor eager returns in
    eval mode, or the first field of the NamedTuple that the TorchScript
    versions of googlenet and inception_v3 always return (their aux fields
    None), which the compiled module returns too."""
    return output[0] if isinstance(output, tuple) else output


def median_us(fn, x, runs: int) -> float:
    fn(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=DEFAULT)
    parser.add_argument("--frontend", choices=["torchscript", "export"],
                        default="export" if hasattr(torch, "export") else "torchscript")
    parser.add_argument("--runs", type=int, default=10, help="timed calls per model")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    print(f"frontend: {args.frontend}, torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}\n")
    print("| model | result | output scale | max error / scale | compile (s) | "
          "dyn (us) | eager (us) | eager / dyn |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")
    failures = 0
    for name in args.models:
        torch.manual_seed(0)
        model, size = build(name)
        model = model.eval()
        start = time.perf_counter()
        try:
            compiled = dyn.compile(model, (torch.randn(1, 3, size, size),),
                                   frontend=args.frontend)
            seconds = time.perf_counter() - start
            error, scale = 0.0, 0.0
            with torch.no_grad():
                for batch in (1, 3):
                    x = torch.randn(batch, 3, size, size)
                    want, got = model(x), logits(compiled(x))
                    scale = max(scale, want.abs().max().item())
                    error = max(error, (want - got).abs().max().item())
                varies = sensitive(want, scale)
                x = torch.randn(1, 3, size, size)
                ours, eager = median_us(compiled, x, args.runs), median_us(model, x, args.runs)
            error /= max(scale, 1e-30)  # relative to the logits' size, however small
            result = ("WRONG" if error > 1e-4 else
                      "matches eager" if varies else "logits do not depend on the image")
            failures += result != "matches eager"
            print(f"| {name} | {result} | {scale:.1e} | {error:.1e} | {seconds:.1f} | "
                  f"{ours:.0f} | {eager:.0f} | {eager / ours:.2f} |", flush=True)
        except Exception as e:  # reported, the sweep goes on
            failures += 1
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            print(f"| {name} | {type(e).__name__}: {first[:160]} | | | | | | |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
