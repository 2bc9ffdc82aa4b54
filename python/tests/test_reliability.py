"""Bad inputs and exceptions through dyn.compile: where eager PyTorch raises,
the compiled model raises the same exception type with the same message;
wrong arguments are TypeErrors; nothing is left behind."""

from __future__ import annotations

import tempfile

import pytest
import torch
import torch.nn as nn

import dyn
from dyn.frontend.builder import UnsupportedError


class Checked(nn.Module):
    """Data-dependent raise and assert, before and after real compute."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        if x.sum() < 0:
            raise ValueError("negative input")
        assert x.max() < 100, "input too large"
        y = self.fc(x)
        if y.abs().mean() > 1000.0:
            raise RuntimeError("diverged")
        return y


class Scaled(nn.Module):
    def forward(self, x, n: int):
        return x * n


class ReturnsNone(nn.Module):
    def forward(self, x):
        return None


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as error:  # the type and the message are compared
        # (pytest's assertion rewriting appends an explanation to eager
        # asserts in this file: the first line is Python's message)
        return (type(error), str(error).split("\n")[0])


@pytest.fixture(scope="module")
def checked():
    torch.manual_seed(0)
    model = Checked().eval()
    return model, dyn.compile(model, [torch.ones(2, 4)])


@pytest.mark.parametrize("x", [
    torch.ones(2, 4),                      # passes every check
    -torch.ones(3, 4),                     # raise ValueError
    torch.full((1, 4), 200.0),             # assert fails
    torch.full((2, 4), 1e6) * torch.tensor([1.0, -1.0, 1.0, -1.0]),  # sum 0, max too large
    torch.randn(5, 4).abs(),               # passes
])
def test_raise_and_assert_match_eager(checked, x):
    model, compiled = checked
    with torch.no_grad():
        expected = _outcome(model, x)
    got = _outcome(compiled, x)
    if expected[0] == "ok":
        assert got[0] == "ok", got
        torch.testing.assert_close(got[1], expected[1])
    else:
        assert got == expected


def test_raise_after_compute_matches_eager(checked):
    model, compiled = checked
    with torch.no_grad():
        model.fc.weight.fill_(1e5)  # makes the third check fail
        try:
            fresh = dyn.compile(model, [torch.ones(1, 4) * 1e-9])
            x = torch.full((2, 4), 50.0)
            assert _outcome(fresh, x) == _outcome(model, x) == (RuntimeError, "diverged")
        finally:
            torch.manual_seed(0)
            model.fc.reset_parameters()


def test_example_inputs_must_fit_the_weights():
    with pytest.raises(ValueError, match="example inputs do not fit the model: RuntimeError: "
                                         "mat1 and mat2 shapes cannot be multiplied"):
        dyn.compile(nn.Linear(16, 4), [torch.ones(2, 15)])


def test_arguments_are_type_checked():
    compiled = dyn.compile(Scaled(), [torch.ones(2, 4), 3])
    torch.testing.assert_close(compiled(torch.ones(1, 4), 2), torch.full((1, 4), 2.0))
    with pytest.raises(TypeError, match="type 'int' for argument 'n' but instead found type 'float'"):
        compiled(torch.ones(1, 4), 2.5)
    with pytest.raises(TypeError, match="type 'Tensor' for argument 'x' .* 'NoneType'"):
        compiled(None, 2)
    with pytest.raises(TypeError, match="type 'Tensor' for argument 'x' .* 'str'"):
        compiled("2", 2)
    with pytest.raises(TypeError, match="expected 2 argument"):
        compiled(torch.ones(1, 4))


def test_wrong_shapes_and_dtypes_raise():
    compiled = dyn.compile(Scaled(), [torch.ones(2, 4), 3])
    with pytest.raises(ValueError, match="input 0 has shape"):
        compiled(torch.ones(2, 5), 2)
    with pytest.raises(ValueError, match="input 0 has rank 1"):
        compiled(torch.ones(4), 2)
    with pytest.raises(TypeError, match="input 0 has element type f64"):
        compiled(torch.ones(2, 4, dtype=torch.float64), 2)


def test_zero_size_batch_behaves_as_eager():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).eval()
    compiled = dyn.compile(model, [torch.ones(2, 4)])
    empty = torch.ones(0, 4)
    with torch.no_grad():
        expected = model(empty)
    got = compiled(empty)
    assert got.shape == expected.shape == (0, 3)


def test_returning_none_is_a_clear_error():
    with pytest.raises(UnsupportedError, match="forward returns None"):
        dyn.compile(ReturnsNone(), [torch.ones(2, 4)])


def test_no_temporary_directory_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    compiled = dyn.compile(Scaled(), [torch.ones(2, 4), 3])
    torch.testing.assert_close(compiled(torch.ones(1, 4), 3), torch.full((1, 4), 3.0))
    with pytest.raises(ValueError):
        dyn.compile(nn.Linear(16, 4), [torch.ones(2, 15)])
    assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "kept"
    dyn.compile(Scaled(), [torch.ones(2, 4), 3], workdir=str(kept))
    assert sorted(p.name for p in kept.iterdir()) == ["module.h", "module.mlir", "module.so"]
