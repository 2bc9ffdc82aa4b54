"""Every zoo model through the PyTorch 2 path (torch.export after the
automatic capture of its Python control flow), unmodified: consistent with
eager PyTorch on the same 100 seeded inputs as the TorchScript path's test,
taking every path.

Needs PyTorch 2 (skipped under Debian's 1.13); run with the torch 2 venv:
`VENV/bin/python -m pytest python/tests/test_zoo_export.py`."""

from __future__ import annotations

import pytest
import torch

if not hasattr(torch, "cond") or not hasattr(torch, "export"):
    pytest.skip("needs PyTorch 2 (torch.export, torch.cond)", allow_module_level=True)

import dyn  # noqa: E402
from dyn.frontend.values import UnsupportedError  # noqa: E402
from dyn.zoo.consistency import check_model  # noqa: E402
from dyn.zoo.models import MODELS  # noqa: E402
from test_zoo import assert_consistent  # noqa: E402


@pytest.mark.parametrize("name", ["skipnet", "blockdrop", "early_exit", "lstm", "moe",
                                  "transformer"])
def test_consistency_export(name):
    assert_consistent(name, check_model(name, count=100, frontend="export"))


def test_seq2seq_names_the_loop_it_cannot_capture():
    """The greedy decoder's `for _ in range(50)` grows its output and breaks
    on a tensor: torch.while_loop cannot carry a growing tensor, and
    unrolling 50 iterations into nested conds is beyond torch.export's
    reach. The error names the line of the `break`'s `if`."""
    entry = MODELS["seq2seq"]
    with pytest.raises(UnsupportedError, match=r"models.py:\d+: a loop that exits early"):
        dyn.compile(entry.build(), entry.example(), frontend="export")
