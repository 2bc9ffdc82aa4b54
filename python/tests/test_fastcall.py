"""The C call path (_dyn_fastcall): same results as the general numpy path
for every kind of input and output, errors raised the same way, outputs
that own their buffers (freed when the tensor dies, never before), and
calls from several threads at once."""

import ctypes
import gc
import os
import threading
from pathlib import Path
from typing import Tuple

import pytest
import torch

import dyn
from dyn.compiler import CompiledModule, _fast_entry, find_dyn_compile


def _general(compiled: CompiledModule) -> CompiledModule:
    """The same library called through the numpy path."""
    slow = CompiledModule.__new__(CompiledModule)
    slow.__dict__.update(compiled.__dict__)
    slow._fast = None
    return slow


def _live_bytes(compiled: CompiledModule) -> int:
    live = compiled._module._library.dyn_memory_live_bytes
    live.restype = ctypes.c_int64
    return live()


class Mixed(torch.nn.Module):
    """Float, integer and boolean outputs, a Python int result, a number
    argument of each kind and a data-dependent branch."""

    def forward(self, x, ids, flag: bool, scale: float, k: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
        y = x * scale
        if flag:
            y = y + 1.0
        if bool(x.sum() > 0):
            y = torch.relu(y)
        return y, ids * k, y > 0.5, int(ids.sum())


@pytest.fixture(scope="module")
def mixed():
    example = [torch.randn(2, 3), torch.tensor([1, 2, 3]), True, 0.5, 2]
    return dyn.compile(Mixed(), example, dynamic_dims={0: [0], 1: [0]})


def test_the_extension_is_used(mixed):
    if os.environ.get("DYN_FASTCALL") == "0":
        pytest.skip("DYN_FASTCALL=0 turns the fast path off")
    assert mixed.fast_path, "the _dyn_fastcall extension was not found next to dyn-compile"


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_same_results_as_the_general_path(mixed, flag, sign):
    g = torch.Generator().manual_seed(3)
    x = sign * torch.rand(4, 3, generator=g)
    ids = torch.tensor([4, 0, 7, 1, 2])
    args = (x, ids, flag, 1.5, 3)
    got, want, eager = mixed(*args), _general(mixed)(*args), Mixed()(*args)
    for g_, w_, e_ in zip(got, want, eager):
        if isinstance(e_, torch.Tensor):
            assert g_.dtype == w_.dtype == e_.dtype and g_.shape == e_.shape
            assert torch.equal(g_, w_) and torch.allclose(g_, e_)
        else:
            assert type(g_) is type(e_) and g_ == w_ == e_


def test_inputs_that_are_not_dense_or_need_no_grad(mixed):
    base = torch.randn(3, 6, requires_grad=True)
    x = base.t()[::2]  # a strided view of a tensor that requires grad
    ids = torch.arange(10)[::3]
    assert not x.is_contiguous() and not ids.is_contiguous()
    got, want = mixed(x, ids, False, 2.0, 1), Mixed()(x.detach(), ids, False, 2.0, 1)
    assert torch.allclose(got[0], want[0]) and torch.equal(got[1], want[1])
    assert not got[0].requires_grad


def test_empty_batch(mixed):
    y, ids, mask, total = mixed(torch.empty(0, 3), torch.empty(0, dtype=torch.int64),
                                True, 1.0, 2)
    assert y.shape == (0, 3) and ids.shape == (0,) and mask.dtype == torch.bool
    assert total == 0


def test_errors_are_those_of_the_general_path(mixed):
    ids = torch.tensor([1])
    for compiled in (mixed, _general(mixed)):  # TorchScript's argument checks
        with pytest.raises(TypeError, match=r"expected 5 argument\(s\), got 1"):
            compiled(torch.ones(1, 3))
        with pytest.raises(TypeError, match="type 'int' for argument 'k' but instead found "
                                            "type 'bool'"):
            compiled(torch.ones(1, 3), ids, True, 1.0, True)
        with pytest.raises(TypeError, match="type 'Tensor' for argument 'x' but instead "
                                            "found type 'float'"):
            compiled(1.0, ids, True, 1.0, 1)
        with pytest.raises(TypeError, match="type 'float' for argument 'scale'"):
            compiled(torch.ones(1, 3), ids, True, "1", 1)
    with pytest.raises(dyn.DynError, match=r"input 0 has shape \[2,4\], expected \[\?,3\]"):
        mixed(torch.randn(2, 4), ids, True, 1.0, 1)
    with pytest.raises(TypeError, match="element type f64, expected f32"):
        mixed(torch.randn(2, 3, dtype=torch.float64), ids, True, 1.0, 1)
    with pytest.raises(TypeError, match="unsupported dtype"):
        mixed(torch.randn(2, 3, dtype=torch.complex64), ids, True, 1.0, 1)
    with pytest.raises(ValueError, match="rank 9"):
        mixed(torch.randn([1] * 9), ids, True, 1.0, 1)
    # After errors the entry still works.
    assert mixed(torch.ones(1, 3), ids, True, 1.0, 1)[3] == 1


def test_other_inputs_take_the_general_path(mixed):
    # Without TorchScript's argument checks (the export frontend has none),
    # numpy arrays reach the call, which hands them to the numpy path.
    unchecked = CompiledModule.__new__(CompiledModule)
    unchecked.__dict__.update(mixed.__dict__)
    unchecked._parameters = None
    unchecked._fast, unchecked._unsupported = _fast_entry(
        mixed._module, mixed._entry, [Path(find_dyn_compile()).parent.parent / "python"], None)
    x = torch.randn(2, 3)
    got = unchecked(x.numpy(), torch.tensor([1, 2]).numpy(), True, 1.0, 2)
    want = Mixed()(x, torch.tensor([1, 2]), True, 1.0, 2)
    assert torch.allclose(got[0], want[0]) and got[3] == want[3]


def test_outputs_own_their_buffers(mixed):
    if not mixed.fast_path:
        pytest.skip("the general path copies outputs")
    gc.collect()
    before = _live_bytes(mixed)
    y, ids, mask, _ = mixed(torch.ones(64, 3), torch.ones(64, dtype=torch.int64), True, 1.0, 2)
    assert _live_bytes(mixed) >= before + y.numel() * 4 + ids.numel() * 8 + mask.numel()
    second = mixed(torch.full((64, 3), 2.0), torch.ones(64, dtype=torch.int64), True, 1.0, 2)
    # The first call's outputs were not overwritten by the second.
    assert torch.equal(y, torch.full((64, 3), 2.0)) and torch.equal(ids, torch.full((64,), 2))
    assert torch.equal(second[0], torch.full((64, 3), 3.0))
    view = y[1:]  # a view keeps the buffer alive after the tensor goes
    del y, ids, mask, second
    gc.collect()
    assert torch.equal(view, torch.full((63, 3), 2.0))
    del view
    gc.collect()
    assert _live_bytes(mixed) == before


def test_threads_call_one_entry_at_once(mixed):
    errors = []

    def work(seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        for _ in range(200):
            n = int(torch.randint(1, 9, (1,), generator=g))
            x = torch.randn(n, 3, generator=g)
            ids = torch.randint(0, 5, (n,), generator=g)
            got, want = mixed(x, ids, bool(n % 2), 0.5, n), Mixed()(x, ids, bool(n % 2), 0.5, n)
            if not (torch.allclose(got[0], want[0]) and torch.equal(got[1], want[1])
                    and got[3] == want[3]):
                errors.append(seed)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
