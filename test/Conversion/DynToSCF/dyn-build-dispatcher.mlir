// RUN: dyn-opt %s --dyn-outline-regions --dyn-build-dispatcher --split-input-file | FileCheck %s

// The predicate a subnet computes crosses to the host as one scalar; the
// dispatcher is scf around calls, and pass-through values are not copied.
// CHECK-LABEL: func.func @gated(
// CHECK-SAME: %[[X:.+]]: tensor<?x8xf32>) -> tensor<?x8xf32> attributes {dyn.dispatcher}
// CHECK: %[[S:.+]]:2 = call @gated_seg0(%[[X]])
// CHECK: %[[P:.+]] = tensor.extract %[[S]]#1[] : tensor<i1>
// CHECK: %[[R:.+]] = scf.if %[[P]] -> (tensor<?x8xf32>) {
// CHECK-NEXT: %[[T:.+]] = func.call @gated_cond0_then(%[[S]]#0)
// CHECK-NEXT: scf.yield %[[T]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[S]]#0
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]
// CHECK-NOT: dyn.
// CHECK: func.func private @gated_cond0_then({{.*}} attributes {dyn.subnet}
func.func @gated(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %h = math.tanh %x : tensor<?x8xf32>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %h {axis = 1 : i32} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x8xf32> {
    %e = math.exp %h : tensor<?x8xf32>
    dyn.yield %e : tensor<?x8xf32>
  } else {
    dyn.yield %h : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// -----

// switch on an i32 tensor and a loop with a host counter.
// CHECK-LABEL: func.func @route_and_loop(
// CHECK: %[[I:.+]] = tensor.extract %{{.+}}[] : tensor<i32>
// CHECK: %[[IDX:.+]] = arith.index_cast %[[I]] : i32 to index
// CHECK: scf.index_switch %[[IDX]] -> tensor<?xf32>
// CHECK: case 0 {
// CHECK: func.call @route_and_loop_switch0_case0
// CHECK: scf.while
// CHECK: arith.cmpi slt
// CHECK: func.call @route_and_loop_while0_before
// CHECK: scf.condition
// CHECK: func.call @route_and_loop_while0_after
func.func @route_and_loop(%i: tensor<i32>, %x: tensor<?xf32>, %n: i32) -> tensor<?xf32> {
  %r = dyn.switch %i : tensor<i32> -> tensor<?xf32>
  case 0 {
    %a = math.exp %x : tensor<?xf32>
    dyn.yield %a : tensor<?xf32>
  }
  default {
    dyn.yield %x : tensor<?xf32>
  }
  %c0 = arith.constant 0 : i32
  %w:2 = dyn.while (%a = %r, %k = %c0) : (tensor<?xf32>, i32) -> (tensor<?xf32>, i32) {
    %go = arith.cmpi slt, %k, %n : i32
    %t = math.tanh %a : tensor<?xf32>
    dyn.condition(%go : i1) %t, %k : tensor<?xf32>, i32
  } do {
  ^bb0(%b: tensor<?xf32>, %m: i32):
    %s = math.sin %b : tensor<?xf32>
    %c1 = arith.constant 1 : i32
    %m1 = arith.addi %m, %c1 : i32
    dyn.yield %s, %m1 : tensor<?xf32>, i32
  }
  return %w#0 : tensor<?xf32>
}

