// A result whose size depends on data: the first k rows of exp(x), k read
// from a tensor and clamped to [0, rows]. The dispatcher allocates a
// destination of the upper bound (rows) before the call and takes the slice
// the subnet filled; the shapes checked here differ on every path.
// RUN: dyn-opt %s --dyn-cpu-pipeline --mlir-print-ir-after=dyn-subnet-destinations -o /dev/null 2>&1 | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @forward
//       IR:   %[[B:.+]] = call @forward_seg0__shape
//       IR:   %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x8xf32>
//       IR:   %[[R:.+]]:2 = {{(func\.)?}}call @forward_seg0({{.+}}, %[[E]])
//       IR:   tensor.extract_slice %[[R]]#0[0, 0] [%[[R]]#1, 8] [1, 1]
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// RUN: dyn-compile %s --specialize=forward:0.0=5 -o %t.spec.so
// RUN: %python %S/check.py bounded %t.so %t.plain.so %t.spec.so | FileCheck %s
// CHECK: bounded: path none: {{[0-9]+}} runs ok
// CHECK: bounded: path some: {{[0-9]+}} runs ok
// CHECK: bounded: path all: {{[0-9]+}} runs ok
// CHECK: bounded: all paths taken
func.func @forward(%x: tensor<?x8xf32>, %k: tensor<i64>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %k[] : tensor<i64>
  %i = arith.index_cast %v : i64 to index
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %lo = arith.maxsi %i, %c0 : index
  %n = arith.minsi %lo, %rows : index
  %s = tensor.extract_slice %x[0, 0] [%n, 8] [1, 1] : tensor<?x8xf32> to tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
