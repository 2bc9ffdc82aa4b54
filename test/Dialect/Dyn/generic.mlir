// The dialect contract (DESIGN.md) in MLIR's generic form, as other tools and
// the acceptance tests write it: it must parse, verify and round-trip.
// RUN: dyn-opt %s --verify-diagnostics | FileCheck %s
// RUN: dyn-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: dyn-opt %s --mlir-print-op-generic | dyn-opt | FileCheck %s

// CHECK-LABEL: func.func @gated_block
// GENERIC-LABEL: "func.func"() <{{.*}}sym_name = "gated_block"
func.func @gated_block(%x: tensor<?x64xf32>, %w: tensor<1x64x64xf32>,
                       %g: tensor<i1>) -> tensor<?x64xf32> {
  // CHECK: dyn.cond %{{.+}} : tensor<i1> -> tensor<?x64xf32> {
  // CHECK: tosa.clamp
  // CHECK: } else {
  // GENERIC: "dyn.cond"(%{{.+}}) ({
  // GENERIC: "dyn.yield"(%{{.+}}) : (tensor<?x64xf32>) -> ()
  // GENERIC-NEXT: }, {
  // GENERIC: }) : (tensor<i1>) -> tensor<?x64xf32>
  %r = "dyn.cond"(%g) ({
    %y = "tosa.clamp"(%x) <{max_val = 3.4e+38 : f32, min_val = 0.0 : f32}>
        : (tensor<?x64xf32>) -> tensor<?x64xf32>
    "dyn.yield"(%y) : (tensor<?x64xf32>) -> ()
  }, {
    "dyn.yield"(%x) : (tensor<?x64xf32>) -> ()
  }) : (tensor<i1>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// A branch may yield a static type for a dynamic result.
// CHECK-LABEL: func.func @cast_compatible_yield
func.func @cast_compatible_yield(%p: i1, %a: tensor<1x64xf32>,
                                 %b: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // CHECK: dyn.yield %{{.+}} : tensor<1x64xf32>
  %r = "dyn.cond"(%p) ({
    "dyn.yield"(%a) : (tensor<1x64xf32>) -> ()
  }, {
    "dyn.yield"(%b) : (tensor<?x64xf32>) -> ()
  }) : (i1) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @router
func.func @router(%e: tensor<i64>, %x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // Region order: default first, then the cases in `cases` order.
  // CHECK: dyn.switch %{{.+}} : tensor<i64> -> tensor<?x64xf32>
  // CHECK-NEXT: case 0 {
  // CHECK-NEXT: math.exp
  // CHECK: case 1 {
  // CHECK-NEXT: math.tanh
  // CHECK: default {
  // CHECK-NEXT: dyn.yield %{{.+}} : tensor<?x64xf32>
  // GENERIC: "dyn.switch"(%{{.+}}) <{cases = array<i64: 0, 1>}> ({
  %r = "dyn.switch"(%e) <{cases = array<i64: 0, 1>}> ({
    "dyn.yield"(%x) : (tensor<?x64xf32>) -> ()
  }, {
    %a = "math.exp"(%x) : (tensor<?x64xf32>) -> tensor<?x64xf32>
    "dyn.yield"(%a) : (tensor<?x64xf32>) -> ()
  }, {
    %b = "math.tanh"(%x) : (tensor<?x64xf32>) -> tensor<?x64xf32>
    "dyn.yield"(%b) : (tensor<?x64xf32>) -> ()
  }) : (tensor<i64>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// The inherent attribute may also be written in the attribute dictionary.
// CHECK-LABEL: func.func @router_attr_dict
func.func @router_attr_dict(%e: index, %x: f32) -> f32 {
  // CHECK: dyn.switch %{{.+}} : index -> f32
  // CHECK-NEXT: case 5 {
  %r = "dyn.switch"(%e) ({
    "dyn.yield"(%x) : (f32) -> ()
  }, {
    "dyn.yield"(%x) : (f32) -> ()
  }) {cases = array<i64: 5>} : (index) -> f32
  return %r : f32
}

// CHECK-LABEL: func.func @decode_loop
func.func @decode_loop(%tok: tensor<1x1xi64>, %eos: i64)
    -> (tensor<?x1xi64>, i32) {
  %c0 = arith.constant 0 : i32
  // CHECK: dyn.while (%{{.+}} = %{{.+}} : tensor<1x1xi64>, %{{.+}} = %{{.+}}) : (tensor<?x1xi64>, i32) -> (tensor<?x1xi64>, i32) {
  // CHECK: dyn.condition(%{{.+}} : tensor<i1>)
  // CHECK: } do {
  // CHECK: } attributes {max_iterations = 50 : i64}
  // GENERIC: "dyn.while"(%{{.+}}, %{{.+}}) <{max_iterations = 50 : i64}> ({
  // GENERIC: "dyn.condition"
  %r:2 = "dyn.while"(%tok, %c0) ({
  ^bb0(%seq: tensor<?x1xi64>, %n: i32):
    %c0i = arith.constant 0 : index
    %c1i = arith.constant 1 : index
    %len = "tensor.dim"(%seq, %c0i) : (tensor<?x1xi64>, index) -> index
    %lasti = arith.subi %len, %c1i : index
    %last = "tensor.extract"(%seq, %lasti, %c0i) : (tensor<?x1xi64>, index, index) -> i64
    %cmp = arith.cmpi ne, %last, %eos : i64
    %ne = "tensor.from_elements"(%cmp) : (i1) -> tensor<i1>
    "dyn.condition"(%ne, %seq, %n) : (tensor<i1>, tensor<?x1xi64>, i32) -> ()
  }, {
  ^bb0(%seq: tensor<?x1xi64>, %n: i32):
    %c1 = arith.constant 1 : i32
    %n1 = arith.addi %n, %c1 : i32
    %grown = "tensor.concat"(%seq, %tok) <{dim = 0 : i64}>
        : (tensor<?x1xi64>, tensor<1x1xi64>) -> tensor<?x1xi64>
    "dyn.yield"(%grown, %n1) : (tensor<?x1xi64>, i32) -> ()
  }) {max_iterations = 50 : i64} : (tensor<1x1xi64>, i32) -> (tensor<?x1xi64>, i32)
  return %r#0, %r#1 : tensor<?x1xi64>, i32
}
