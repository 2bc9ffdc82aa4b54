// dyn-run-min, the dependency-free runner, on the host.
// RUN: rm -rf %t && mkdir -p %t/out
// RUN: dyn-compile %s -o %t/net.so
// RUN: %python %S/Inputs/make_npy.py %t/x.npy float32 2,3 arange
// RUN: dyn-run-min %t/net.so twice %t/out %t/x.npy
// RUN: %python -c "import numpy as np; r = np.load('%t/out/out0.npy'); assert r.shape == (2, 3) and (r == 2 * np.arange(6).reshape(2, 3)).all(), r"
// RUN: not dyn-run-min %t/net.so twice %t/out %t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dyn-run-min %t/net.so nope %t/out 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: %python %S/Inputs/make_npy.py %t/bad.npy float32 2,4
// RUN: not dyn-run-min %t/net.so twice %t/out %t/bad.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// MISSING: dyn-run-min: error: cannot read '{{.*}}missing.npy'
// ENTRY: dyn-run-min: error: no entry point 'nope'
// SHAPE: dyn-run-min: error: twice: input 0 has shape [2,4], expected [?,3] (dim 1 is 4)

func.func @twice(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %r = arith.addf %x, %x : tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
