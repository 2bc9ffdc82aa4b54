"""Drives test/Integration/subnet-checks.mlir: valid and invalid trip counts,
compared with numpy; errors print their status and message."""

import sys

import numpy as np

import dyn

module = dyn.load(sys.argv[1])
x = np.array([[1.0, 2.0]], np.float32)
w = np.arange(8, dtype=np.float32).reshape(4, 2)


def run(label: str, steps: int, entry: str = "grow") -> None:
    try:
        (y,) = getattr(module, entry)(x, w, np.int64(steps))
    except dyn.DynError as error:
        print(f"{label}: error {error.status}: {error}")
        return
    grown = x
    for _ in range(steps):
        grown = np.concatenate([grown, grown], axis=1)
    ok = np.allclose(y, grown @ w)
    values = " ".join(str(int(v)) for v in y.ravel())
    print(f"{label}: {values} {'ok' if ok else 'MISMATCH'}")


run("steps=1", 1)
run("steps=0", 0)
run("steps=2", 2)
run("steps=1 again", 1)
run("fixed steps=1", 1, "grow_fixed")
run("fixed steps=0", 0, "grow_fixed")
run("fixed steps=3", 3, "grow_fixed")
