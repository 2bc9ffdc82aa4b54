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

from dyn.zoo.consistency import check_model  # noqa: E402
from test_zoo import assert_consistent  # noqa: E402


@pytest.mark.parametrize("name", ["skipnet", "blockdrop", "early_exit", "lstm", "moe",
                                  "transformer", "seq2seq", "token_dropping"])
def test_consistency_export(name):
    assert_consistent(name, check_model(name, count=100, frontend="export"))
