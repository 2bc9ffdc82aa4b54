// An allocation that fails inside compiled code (a buffer sized by data:
// n floats) is DYN_ERROR_ALLOC with a message, not a SIGSEGV: every
// function that allocates checks (dyn-check-allocations), and nothing is
// written. The same artifact then runs normally again.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %s -o %t/net.so
// RUN: %python -c "import numpy as np; np.save('%t/n10.npy', np.array(10, np.int64)); np.save('%t/huge.npy', np.array(2**50, np.int64))"
// RUN: dyn-run %t/net.so --input %t/n10.npy | FileCheck %s --check-prefix=OK
// OK: out0: f32[] = [10]
// RUN: not dyn-run %t/net.so --input %t/huge.npy --output-dir %t/out 2>&1 | FileCheck %s --check-prefix=OOM
// OOM: dyn-run: error: forward: out of memory (allocating {{[0-9]+}} bytes)
// RUN: not ls %t/out/out0.npy
// Through the Python runtime: the status becomes MemoryError.
// RUN: %python -c "import dyn, numpy as np; f = dyn.load('%t/net.so').forward; print(f(np.array(10, np.int64))[0]); exec('try:\n f(np.array(2**50, np.int64))\nexcept MemoryError as e:\n print(\"MemoryError:\", e)'); print(f(np.array(3, np.int64))[0])" | FileCheck %s --check-prefix=PY
// PY: 10.0
// PY-NEXT: MemoryError: forward: out of memory (allocating {{[0-9]+}} bytes)
// PY-NEXT: 3.0
func.func @forward(%n: tensor<i64>) -> tensor<f32> {
  %k = tensor.extract %n[] : tensor<i64>
  %i = arith.index_cast %k : i64 to index
  %one = arith.constant 1.0 : f32
  %e = tensor.empty(%i) : tensor<?xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%f : tensor<?xf32>) outs(%acc : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  return %s : tensor<f32>
}
