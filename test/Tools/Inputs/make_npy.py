"""make_npy.py OUT.npy DTYPE SHAPE [VALUE]: writes a .npy test input.

SHAPE is comma-separated ("2,16"; "" for a scalar); values are VALUE
(default 1), or an arange when VALUE is 'arange'.
"""
import sys

import numpy as np

out, dtype, shape = sys.argv[1], sys.argv[2], sys.argv[3]
dims = tuple(int(d) for d in shape.split(",") if d)
value = sys.argv[4] if len(sys.argv) > 4 else "1"
if value == "arange":
    array = np.arange(int(np.prod(dims)), dtype=dtype).reshape(dims)
else:
    array = np.full(dims, float(value)).astype(dtype)
np.save(out, array)
