"""DyCL's consistency metric for the zoo: over many random inputs, the share
whose final answer (argmax, exit, expert, token sequence) differs from eager
PyTorch, and the largest numeric error."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

import torch

import dyn
from dyn.zoo.models import MODELS, ZooEntry


@dataclass
class Report:
    model: str
    runs: int
    inconsistent: int
    max_error: float  # relative to the output's scale
    paths: collections.Counter = field(default_factory=collections.Counter)

    @property
    def rate(self) -> float:
        return self.inconsistent / max(1, self.runs)


def _answers_equal(got, want) -> tuple[bool, float]:
    """Whether the final answers agree, and the relative numeric error."""
    if isinstance(want, tuple):
        results = [_answers_equal(g, w) for g, w in zip(got, want)]
        return all(r[0] for r in results), max(r[1] for r in results)
    if not isinstance(want, torch.Tensor):
        return got == want, 0.0
    if got.shape != want.shape or got.dtype != want.dtype:
        return False, float("inf")
    if not want.is_floating_point():
        return bool(torch.equal(got, want)), 0.0
    scale = max(1.0, want.abs().max().item())
    error = (got - want).abs().max().item() / scale
    same = bool(torch.equal(got.argmax(-1), want.argmax(-1)))
    return same, error


def check_model(name: str, count: int = 100, compiled=None, seed: int = 0,
                frontend: str = "torchscript") -> Report:
    entry: ZooEntry = MODELS[name]
    model = entry.build()
    if compiled is None:
        compiled = dyn.compile(model, entry.example(), dynamic_dims=entry.dynamic_dims,
                               frontend=frontend)
    g = torch.Generator().manual_seed(seed)
    report = Report(name, 0, 0, 0.0)
    with torch.no_grad():
        for _ in range(count):
            inputs = entry.sample(g)
            want = model(*inputs)
            got = compiled(*inputs)
            same, error = _answers_equal(got, want)
            report.runs += 1
            report.inconsistent += 0 if same else 1
            report.max_error = max(report.max_error, error)
            report.paths[entry.path(model, inputs)] += 1
    return report


def gate_coverage(paths: collections.Counter) -> list[tuple[int, int]]:
    """For bit-string paths (one bit per gate): (runs, skips) per gate."""
    bits = list(paths.elements())
    return [(sum(b[i] == "1" for b in bits), sum(b[i] == "0" for b in bits))
            for i in range(len(bits[0]))]
