"""Every zoo model compiles through dyn.compile and is consistent with eager
PyTorch (DyCL's metric) on 100 seeded random inputs that take every path."""

from __future__ import annotations

import pytest

from dyn.zoo.consistency import check_model, gate_coverage

EXPECTED_PATHS = {
    "early_exit": {f"exit{k}" for k in range(7)},
    "lstm": {"T=1", "T=3", "T=8", "T=20"},
    "seq2seq": {"eos", "max-steps"},
    "moe": {f"expert{k}" for k in range(4)},
    "transformer": {"S=1", "S=7", "S=64", "S=128"},
    "token_dropping": {"none", "some", "all"},
}


@pytest.mark.parametrize("name", ["skipnet", "blockdrop", "early_exit", "lstm", "seq2seq",
                                  "moe", "transformer", "token_dropping"])
def test_consistency(name):
    assert_consistent(name, check_model(name, count=100))


def assert_consistent(name, report):
    """0 inconsistent inputs, errors within 1e-4, every path (every gate
    both ways) taken."""
    print(f"{name}: {report.inconsistent}/{report.runs} inconsistent, "
          f"max relative error {report.max_error:.2e}, paths {dict(report.paths)}")
    assert report.inconsistent == 0
    assert report.max_error <= 1e-4
    if name in ("skipnet", "blockdrop"):
        # Every gate both ran and was skipped.
        for gate, (runs, skips) in enumerate(gate_coverage(report.paths)):
            assert runs > 0 and skips > 0, f"gate {gate}: runs {runs}, skips {skips}"
    else:
        assert set(report.paths) == EXPECTED_PATHS[name], report.paths
