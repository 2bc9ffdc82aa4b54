// Outputs always own their buffers: an input passed through, the same value
// returned twice, a constant, and a branch that yields an input all come
// back as separate buffers the caller frees (valgrind: no invalid free, no
// leak, no double free).
// REQUIRES: valgrind
// RUN: rm -rf %t && mkdir -p %t
// valgrind 3.19 does not decode AVX-512: compile for AVX2.
// RUN: dyn-compile %s --cpu=x86-64-v3 -o %t/own.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.arange(3, dtype=np.float32)); np.save('%t/t.npy', np.array(True)); np.save('%t/f.npy', np.array(False))"
// RUN: valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 dyn-run %t/own.so --input %t/x.npy --input %t/t.npy --repeat 3 | FileCheck %s --check-prefix=THEN
// RUN: valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 dyn-run %t/own.so --input %t/x.npy --input %t/f.npy | FileCheck %s --check-prefix=ELSE
// THEN: out0: f32[3] = [0, 1, 2]
// THEN: out1: f32[3] = [0, 1, 2]
// THEN: out2: f32[2] = [1, 2]
// THEN: out3: f32[3] = [0, 1, 2]
// ELSE: out3: f32[3] = [0, 2, 4]

func.func @f(%x: tensor<?xf32>, %p: i1)
    -> (tensor<?xf32>, tensor<?xf32>, tensor<2xf32>, tensor<?xf32>) {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = arith.addf %x, %x : tensor<?xf32>
  %r = dyn.cond %p : i1 -> tensor<?xf32> {
    dyn.yield %x : tensor<?xf32>
  } else {
    dyn.yield %y : tensor<?xf32>
  }
  return %x, %x, %c, %r : tensor<?xf32>, tensor<?xf32>, tensor<2xf32>, tensor<?xf32>
}
