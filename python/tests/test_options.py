"""dyn.compile(..., **options): the compile options of dyn-compile's tables as
keywords, checked before compiling, and honoured."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import dyn
from dyn.compiler import find_dyn_compile
from dyn.options import compile_options


class Gated(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)

    def forward(self, x):
        if x.sum() > 0:
            x = torch.relu(self.fc(x))
        return x


def test_the_table_has_every_concern():
    options = compile_options(find_dyn_compile())
    for keyword in ("triple", "cpu", "features", "outline", "specialize", "plan_memory",
                    "check_subnet_shapes", "destinations", "elide_loop_copies", "vectorize",
                    "vector_size", "gpu_chip", "gpu_format", "gpu_emulation", "cuda_path"):
        assert keyword in options, keyword
    assert options["vector_size"].type == "int" and options["vector_size"].default == "0"
    assert options["plan_memory"].default == "true"
    assert options["vectorize"].targets == ("x86_64", "aarch64")
    assert options["gpu_chip"].targets == ("nvptx",)
    assert options["specialize"].type == "list"


def test_options_are_honoured(monkeypatch, tmp_path):
    import subprocess

    commands = []
    run = subprocess.run

    def spy(cmd, *args, **kwargs):
        commands.append(cmd)
        return run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    model = Gated().eval()
    x = torch.randn(3, 16)
    plain = dyn.compile(model, [x], outline=False, vectorize=False, plan_memory=False,
                        vector_size=4)
    special = dyn.compile(model, [x], specialize=["forward:0.0=1,3"])
    flags = [c for c in commands if "--list-options=json" not in c]
    assert flags[0][-4:] == ["--outline=false", "--vectorize=false", "--plan-memory=false",
                             "--vector-size=4"]
    assert flags[1][-1] == "--specialize=forward:0.0=1,3"
    for compiled in (plain, special):
        for sign in (1.0, -1.0):
            for batch in (1, 3, 5):
                inp = sign * torch.rand(batch, 16)
                torch.testing.assert_close(compiled(inp), model(inp), rtol=1e-5, atol=1e-5)


def test_bad_options_fail_before_compiling():
    model, x = Gated().eval(), torch.randn(2, 16)
    with pytest.raises(TypeError, match=r"unknown compile option 'plan_memroy' \(did you mean 'plan_memory'\?\)"):
        dyn.compile(model, [x], plan_memroy=False)
    with pytest.raises(TypeError, match="plan_memory must be a bool, not int"):
        dyn.compile(model, [x], plan_memory=0)
    with pytest.raises(TypeError, match="vector_size must be an int, not float"):
        dyn.compile(model, [x], vector_size=2.5)
    with pytest.raises(ValueError, match="'gpu_chip' does not apply to target 'x86_64'"):
        dyn.compile(model, [x], gpu_chip="sm_80")
    with pytest.raises(ValueError, match="'vectorize' does not apply to target 'nvptx'"):
        dyn.compile(model, [x], target="cuda", vectorize=False)
    # What only dyn-compile can check comes back with its message.
    with pytest.raises(RuntimeError, match="vector-size must be between 1 and 64"):
        dyn.compile(model, [x], vector_size=1000)
