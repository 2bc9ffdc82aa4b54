// dyn-run: runs, writes outputs, times, and rejects bad inputs with a
// message and exit code 1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %s -o %t/net.so
// RUN: %python %S/Inputs/make_npy.py %t/x.npy float32 2,4 arange
// RUN: %python %S/Inputs/make_npy.py %t/s.npy float32 "" 3
// RUN: %python %S/Inputs/make_npy.py %t/n.npy int64 "" 2
// RUN: dyn-run %t/net.so --input %t/x.npy --input %t/s.npy --output-dir %t/out | FileCheck %s --check-prefix=OUT
// RUN: %python -c "import numpy as np; r = np.load('%t/out/out0.npy'); assert r.dtype == np.float32 and r.shape == (2, 4); assert (r == np.arange(8).reshape(2, 4) * 3).all(), r"
// RUN: dyn-run %s --input %t/x.npy --input %t/s.npy --quiet --repeat 20 --warmup 3 | FileCheck %s --check-prefix=TIME
// RUN: dyn-run %t/net.so --entry count --input %t/n.npy | FileCheck %s --check-prefix=ENTRY
// Peak bytes of buffers the compiled code allocated (outputs included): a
// loop whose carried tensor grows holds more at its peak the longer it runs.
// RUN: dyn-compile %S/../Integration/while.mlir -o %t/while.so
// RUN: %python %S/Inputs/make_npy.py %t/row.npy float32 1,4
// RUN: %python %S/Inputs/make_npy.py %t/n0.npy int64 "" 0
// RUN: %python %S/Inputs/make_npy.py %t/n9.npy int64 "" 9
// RUN: dyn-run %t/while.so --entry grow --input %t/row.npy --input %t/n0.npy --report-memory --quiet | FileCheck %s --check-prefix=MEM0
// RUN: dyn-run %t/while.so --entry grow --input %t/row.npy --input %t/n9.npy --report-memory --quiet --repeat 3 | FileCheck %s --check-prefix=MEM9
// RUN: %python -c "import numpy as np; np.save('%t/h.npy', np.array([1.5, -2.0, 0.25], np.float16)); np.save('%t/b.npy', np.array(True)); np.save('%t/i.npy', np.array([3, -4], np.int32))"
// RUN: dyn-run %t/net.so --entry dtypes --input %t/h.npy --input %t/b.npy --input %t/i.npy --output-dir %t/dt | FileCheck %s --check-prefix=DTYPES
// RUN: %python -c "import numpy as np; h = np.load('%t/dt/out0.npy'); b = np.load('%t/dt/out1.npy'); i = np.load('%t/dt/out2.npy'); assert h.dtype == np.float16 and list(h) == [3.0, -4.0, 0.5], h; assert b.dtype == np.bool_ and b.shape == () and not b, b; assert i.dtype == np.int32 and list(i) == [6, -8], i"

// Wrong inputs:
// RUN: %python %S/Inputs/make_npy.py %t/x3.npy float32 2,3
// RUN: %python %S/Inputs/make_npy.py %t/xi.npy int32 2,4
// RUN: %python %S/Inputs/make_npy.py %t/x1.npy float32 8
// RUN: echo garbage > %t/garbage.npy
// RUN: not dyn-run %t/net.so --input %t/x3.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dyn-run %t/net.so --input %t/xi.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not dyn-run %t/net.so --input %t/x1.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not dyn-run %t/net.so --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=ARITY
// RUN: not dyn-run %t/net.so --input %t/missing.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dyn-run %t/net.so --input %t/garbage.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=GARBAGE
// RUN: not dyn-run %t/net.so --entry nope 2>&1 | FileCheck %s --check-prefix=NOENTRY
// RUN: not dyn-run %t/nothing.so 2>&1 | FileCheck %s --check-prefix=NOFILE

// OUT: out0: f32[2,4] = [0, 3, 6, 9, 12, 15, 18, 21]
// TIME: scale: 20 runs after 3 warm-up: median {{[0-9.]+}} us, p90 {{[0-9.]+}} us
// ENTRY: out0: i64[] = [3]
// MEM0: peak memory: 88 bytes allocated by compiled code
// MEM9: peak memory: 512 bytes allocated by compiled code
// DTYPES: out0: f16[3] = [3, -4, 0.5]
// DTYPES: out1: i1[] = [false]
// DTYPES: out2: i32[2] = [6, -8]
// SHAPE: dyn-run: error: scale: input 0 has shape [2,3], expected [?,4] (dim 1 is 3)
// DTYPE: dyn-run: error: scale: input 0 has element type i32, expected f32
// RANK: dyn-run: error: scale: input 0 has rank 1, expected 2 (shape [?,4])
// ARITY: dyn-run: error: scale takes 2 input(s), 1 given (scale(f32[?,4], f32[]) -> (f32[?,4]))
// MISSING: dyn-run: error: {{.*}}missing.npy: cannot read
// GARBAGE: dyn-run: error: {{.*}}garbage.npy: not a .npy file (bad magic)
// NOENTRY: dyn-run: error: no entry point 'nope' in '{{.*}}net.so' (available: scale, dtypes, count)
// NOFILE: dyn-run: error: cannot find '{{.*}}nothing.so'

func.func @scale(%x: tensor<?x4xf32>, %s: f32) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %f = linalg.fill ins(%s : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %r = arith.mulf %x, %f : tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// f16, i1 and i32 cross the ABI too.
func.func @dtypes(%h: tensor<?xf16>, %b: i1, %i: tensor<2xi32>) -> (tensor<?xf16>, i1, tensor<2xi32>) {
  %h2 = arith.addf %h, %h : tensor<?xf16>
  %t = arith.constant true
  %nb = arith.xori %b, %t : i1
  %i2 = arith.addi %i, %i : tensor<2xi32>
  return %h2, %nb, %i2 : tensor<?xf16>, i1, tensor<2xi32>
}

func.func @count(%n: i64) -> i64 {
  %c1 = arith.constant 1 : i64
  %r = arith.addi %n, %c1 : i64
  return %r : i64
}
