// RUN: dyn-opt %s --dyn-outline-regions --split-input-file | FileCheck %s
// RUN: dyn-opt %s --dyn-outline-regions=dedupe=false --split-input-file | FileCheck %s --check-prefix=NODEDUPE
// RUN: dyn-opt %s --dyn-outline-regions --split-input-file --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Straight-line code before a cond, and each branch, become subnets; the
// predicate is the only value the dispatcher reads; a branch that only
// yields a capture outlines to nothing.
// CHECK-LABEL: func.func @gated(
// CHECK-SAME: %[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x16xf32>)
// CHECK-NOT: tosa.
// CHECK: %[[SEG:.+]]:2 = call @gated_seg0(%[[X]]) : (tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<i1>)
// CHECK: %[[R:.+]] = dyn.cond %[[SEG]]#1 : tensor<i1> -> tensor<?x16xf32> {
// CHECK-NEXT: %[[T:.+]] = func.call @gated_cond0_then(%[[SEG]]#0, %[[W]]) : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32>
// CHECK-NEXT: dyn.yield %[[T]]
// CHECK-NEXT: } else {
// CHECK-NEXT: dyn.yield %[[SEG]]#0
// CHECK: return %[[R]]

// Constants are cloned into the subnet, dynamic dims stay dynamic.
// CHECK: func.func private @gated_cond0_then(%{{.+}}: tensor<?x16xf32>, %{{.+}}: tensor<16x16xf32>) -> tensor<?x16xf32> attributes {dyn.subnet} {
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: linalg.matmul
// CHECK: return
// CHECK: func.func private @gated_seg0(%{{.+}}: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<i1>) attributes {dyn.subnet} {
// CHECK: tosa.clamp
// CHECK: tosa.reduce_sum
// CHECK: tosa.greater
// CHECK: tensor.collapse_shape
func.func @gated(%x: tensor<?x16xf32>, %w: tensor<16x16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %h = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  %s1 = tosa.reduce_sum %h {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x16xf32> {
    %n = tensor.dim %h, %c0 : tensor<?x16xf32>
    %e = tensor.empty(%n) : tensor<?x16xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
    %m = linalg.matmul ins(%h, %w : tensor<?x16xf32>, tensor<16x16xf32>) outs(%z : tensor<?x16xf32>) -> tensor<?x16xf32>
    dyn.yield %m : tensor<?x16xf32>
  } else {
    dyn.yield %h : tensor<?x16xf32>
  }
  return %r : tensor<?x16xf32>
}

// -----

// Switch regions are named after their case values; identical regions share
// one subnet unless dedupe is off.
// CHECK-LABEL: func.func @route(
// CHECK: dyn.switch
// CHECK: case 3 {
// CHECK-NEXT: func.call @route_switch0_case3(
// CHECK: case 5 {
// CHECK-NEXT: func.call @route_switch0_case3(
// CHECK: default {
// CHECK-NEXT: func.call @route_switch0_default(
// CHECK-NOT: func.func private @route_switch0_case5
// NODEDUPE-LABEL: func.func @route(
// NODEDUPE: func.call @route_switch0_case3(
// NODEDUPE: func.call @route_switch0_case5(
// NODEDUPE: func.func private @route_switch0_case5
func.func @route(%i: tensor<i64>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = dyn.switch %i : tensor<i64> -> tensor<?xf32>
  case 3 {
    %a = math.exp %x : tensor<?xf32>
    dyn.yield %a : tensor<?xf32>
  }
  case 5 {
    %b = math.exp %x : tensor<?xf32>
    dyn.yield %b : tensor<?xf32>
  }
  default {
    %c = math.tanh %x : tensor<?xf32>
    dyn.yield %c : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Loops: before and after regions become subnets; scalar loop counters stay
// on the host; a region split by a nested cond gets _seg<K> names; nested
// names follow the regions.
// CHECK-LABEL: func.func @loop(
// CHECK: dyn.while
// CHECK: arith.cmpi slt
// CHECK: func.call @loop_while0_before(
// CHECK: dyn.condition
// CHECK: } do {
// CHECK: func.call @loop_while0_after_seg0(
// CHECK: dyn.cond
// CHECK: func.call @loop_while0_after_cond0_then(
// CHECK: } else {
// CHECK: func.call @loop_while0_after_seg1(
// CHECK: arith.addi
// CHECK: dyn.yield
// CHECK-DAG: func.func private @loop_while0_before(
// CHECK-DAG: func.func private @loop_while0_after_seg0(
// CHECK-DAG: func.func private @loop_while0_after_seg1(
// CHECK-DAG: func.func private @loop_while0_after_cond0_then(
func.func @loop(%x: tensor<?x4xf32>, %n: i64, %p: tensor<i1>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : i64
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<?x4xf32>, i64) -> (tensor<?x4xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    %t = math.tanh %a : tensor<?x4xf32>
    dyn.condition(%go : i1) %t, %i : tensor<?x4xf32>, i64
  } do {
  ^bb0(%b: tensor<?x4xf32>, %j: i64):
    %e = math.exp %b : tensor<?x4xf32>
    %c = dyn.cond %p : tensor<i1> -> tensor<?x4xf32> {
      %s = math.sqrt %e : tensor<?x4xf32>
      dyn.yield %s : tensor<?x4xf32>
    } else {
      dyn.yield %e : tensor<?x4xf32>
    }
    %l = math.log %c : tensor<?x4xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %l, %j1 : tensor<?x4xf32>, i64
  }
  return %r#0 : tensor<?x4xf32>
}

// -----

// Dead compute is not outlined; side-effecting compute is, even without
// results.
// CHECK-LABEL: func.func @effects(
// CHECK-NOT: math.exp
// CHECK: call @effects_seg0(
// CHECK-NOT: call
// CHECK: return
// CHECK: func.func private @effects_seg0(
// CHECK: memref.store
func.func @effects(%x: tensor<?xf32>, %m: memref<f32>, %v: f32) {
  %dead = math.exp %x : tensor<?xf32>
  memref.store %v, %m[] : memref<f32>
  return
}

// -----

// Locations survive: cloned ops keep theirs, the call and the subnet take
// the run's first op's.
// LOC-LABEL: func.func @locs(
// LOC: call @locs_seg0(%{{.+}}) : (tensor<?xf32>) -> tensor<?xf32> loc("net.py":3:1)
// LOC: func.func private @locs_seg0(
// LOC: math.exp %{{.+}} : tensor<?xf32> loc("net.py":3:1)
// LOC: math.tanh %{{.+}} : tensor<?xf32> loc("net.py":4:1)
// LOC: } loc("net.py":3:1)
func.func @locs(%x: tensor<?xf32>) -> tensor<?xf32> {
  %a = math.exp %x : tensor<?xf32> loc("net.py":3:1)
  %b = math.tanh %a : tensor<?xf32> loc("net.py":4:1)
  return %b : tensor<?xf32>
}
