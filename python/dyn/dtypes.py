"""The element types of dyn's C ABI, once for the Python side.

Each row mirrors one entry of `DYN_DTYPES` in include/dyn/Runtime/dyn_runtime.h
(the code and short name, which is also the MLIR element type) and adds how
numpy and PyTorch spell it. `python/tests/test_dtypes.py` checks this table
against the header, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class DType:
    """One element type of the ABI."""

    name: str                  # short name = MLIR element type ("f32")
    code: int                  # dyn_dtype value
    itemsize: int              # bytes per element
    numpy: Optional[str]       # numpy dtype name, None where numpy has none
    torch: str                 # attribute of the torch module ("float32")
    scalar_type: Optional[int]  # c10::ScalarType, how TorchScript writes dtypes

    @property
    def np_dtype(self) -> Optional[np.dtype]:
        return np.dtype(self.numpy) if self.numpy else None


DTYPES: tuple[DType, ...] = (
    DType("f32", 0, 4, "float32", "float32", 6),
    DType("f64", 1, 8, "float64", "float64", 7),
    DType("f16", 2, 2, "float16", "float16", 5),
    DType("bf16", 3, 2, None, "bfloat16", 15),
    DType("i1", 4, 1, "bool", "bool", 11),
    DType("i8", 5, 1, "int8", "int8", 1),
    DType("i16", 6, 2, "int16", "int16", 2),
    DType("i32", 7, 4, "int32", "int32", 3),
    DType("i64", 8, 8, "int64", "int64", 4),
)

BY_NAME: dict[str, DType] = {d.name: d for d in DTYPES}
BY_CODE: dict[int, DType] = {d.code: d for d in DTYPES}
BY_NUMPY: dict[np.dtype, DType] = {d.np_dtype: d for d in DTYPES if d.numpy}
BY_SCALAR_TYPE: dict[int, DType] = {d.scalar_type: d for d in DTYPES
                                    if d.scalar_type is not None}

# PyTorch's uint8 has no ABI type of its own; it crosses as i8 (the frontend
# imports uint8 constants as such).
TORCH_ALIASES: dict[str, str] = {"uint8": "i8"}


def from_torch(dtype) -> Optional[DType]:
    """The ABI type of a torch.dtype, or None."""
    name = str(dtype).removeprefix("torch.")
    if name in TORCH_ALIASES:
        return BY_NAME[TORCH_ALIASES[name]]
    return next((d for d in DTYPES if d.torch == name), None)


def to_torch(name: str):
    """The torch.dtype of an ABI type name."""
    import torch

    return getattr(torch, BY_NAME[name].torch)
