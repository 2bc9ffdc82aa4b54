// RUN: dyn-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @cond_true_scalar
// CHECK-SAME: (%[[X:.+]]: tensor<?xf32>)
// CHECK-NOT: dyn.cond
// CHECK: %[[E:.+]] = math.exp %[[X]]
// CHECK: return %[[E]]
func.func @cond_true_scalar(%x: tensor<?xf32>) -> tensor<?xf32> {
  %t = arith.constant true
  %r = dyn.cond %t : i1 -> tensor<?xf32> {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %x : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// A constant tensor<i1> predicate folds too; the taken branch's static type
// is cast back to the result type.
// CHECK-LABEL: func.func @cond_false_tensor
// CHECK-SAME: (%[[A:.+]]: tensor<?xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK-NOT: dyn.cond
// CHECK-NOT: math.exp
// CHECK: %[[C:.+]] = tensor.cast %[[B]] : tensor<4xf32> to tensor<?xf32>
// CHECK: return %[[C]]
func.func @cond_false_tensor(%a: tensor<?xf32>, %b: tensor<4xf32>) -> tensor<?xf32> {
  %f = arith.constant dense<false> : tensor<i1>
  %r = dyn.cond %f : tensor<i1> -> tensor<?xf32> {
    %e = math.exp %a : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %b : tensor<4xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @cond_negated
// CHECK-SAME: (%[[P:.+]]: i1, %[[X:.+]]: f32)
// CHECK-NOT: arith.xori
// CHECK: dyn.cond %[[P]] : i1 -> f32 {
// CHECK-NEXT: arith.mulf
// CHECK: } else {
// CHECK-NEXT: arith.addf
func.func @cond_negated(%p: i1, %x: f32) -> f32 {
  %t = arith.constant true
  %np = arith.xori %p, %t : i1
  %r = dyn.cond %np : i1 -> f32 {
    %a = arith.addf %x, %x : f32
    dyn.yield %a : f32
  } else {
    %m = arith.mulf %x, %x : f32
    dyn.yield %m : f32
  }
  return %r : f32
}

// -----

// CHECK-LABEL: func.func @cond_unused_results
// CHECK: %[[R:.+]] = dyn.cond %{{.+}} : i1 -> f32 {
// CHECK-NEXT: %[[M:.+]] = arith.mulf
// CHECK-NEXT: dyn.yield %[[M]] : f32
// CHECK-NEXT: } else {
// CHECK-NEXT: dyn.yield %{{.+}} : f32
// CHECK: return %[[R]]
func.func @cond_unused_results(%p: i1, %x: f32, %y: tensor<?xf32>) -> f32 {
  %r:2 = dyn.cond %p : i1 -> tensor<?xf32>, f32 {
    %e = math.exp %y : tensor<?xf32>
    %m = arith.mulf %x, %x : f32
    dyn.yield %e, %m : tensor<?xf32>, f32
  } else {
    dyn.yield %y, %x : tensor<?xf32>, f32
  }
  return %r#1 : f32
}

// -----

// A value both branches pass through from above is used directly; a cond
// with nothing left to compute disappears.
// CHECK-LABEL: func.func @cond_forward_capture
// CHECK-SAME: (%[[P:.+]]: tensor<i1>, %[[X:.+]]: tensor<?x8xf32>)
// CHECK-NOT: dyn.cond
// CHECK: return %[[X]], %[[X]]
func.func @cond_forward_capture(%p: tensor<i1>, %x: tensor<?x8xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %r:2 = dyn.cond %p : tensor<i1> -> tensor<?x8xf32>, tensor<?x8xf32> {
    dyn.yield %x, %x : tensor<?x8xf32>, tensor<?x8xf32>
  } else {
    dyn.yield %x, %x : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @cond_partially_invariant
// CHECK-SAME: (%[[P:.+]]: i1, %[[X:.+]]: f32)
// CHECK: %[[R:.+]] = dyn.cond %[[P]] : i1 -> f32 {
// CHECK: return %[[R]], %[[X]]
func.func @cond_partially_invariant(%p: i1, %x: f32) -> (f32, f32) {
  %r:2 = dyn.cond %p : i1 -> f32, f32 {
    %a = arith.addf %x, %x : f32
    dyn.yield %a, %x : f32, f32
  } else {
    dyn.yield %x, %x : f32, f32
  }
  return %r#0, %r#1 : f32, f32
}

// -----

// Dead conditionals over pure compute are erased.
// CHECK-LABEL: func.func @cond_dead
// CHECK-NOT: dyn.cond
// CHECK: return
func.func @cond_dead(%p: i1, %x: tensor<?xf32>) {
  %r = dyn.cond %p : i1 -> tensor<?xf32> {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %x : tensor<?xf32>
  }
  return
}

// -----

// CHECK-LABEL: func.func @switch_constant_case
// CHECK-NOT: dyn.switch
// CHECK: %[[T:.+]] = math.tanh
// CHECK: return %[[T]]
func.func @switch_constant_case(%x: tensor<?xf32>) -> tensor<?xf32> {
  %i = arith.constant dense<2> : tensor<i64>
  %r = dyn.switch %i : tensor<i64> -> tensor<?xf32>
  case 1 {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  }
  case 2 {
    %t = math.tanh %x : tensor<?xf32>
    dyn.yield %t : tensor<?xf32>
  }
  default {
    dyn.yield %x : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @switch_constant_default
// CHECK-SAME: (%[[X:.+]]: tensor<?xf32>)
// CHECK-NOT: dyn.switch
// CHECK: %[[S:.+]] = math.sqrt %[[X]]
// CHECK: return %[[S]]
func.func @switch_constant_default(%x: tensor<?xf32>) -> tensor<?xf32> {
  %i = arith.constant 9 : i32
  %r = dyn.switch %i : i32 -> tensor<?xf32>
  case 1 {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  }
  default {
    %s = math.sqrt %x : tensor<?xf32>
    dyn.yield %s : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @switch_no_cases
// CHECK-NOT: dyn.switch
// CHECK: math.sqrt
func.func @switch_no_cases(%i: index, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = dyn.switch %i : index -> tensor<?xf32>
  default {
    %s = math.sqrt %x : tensor<?xf32>
    dyn.yield %s : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @switch_unused_and_invariant
// CHECK-SAME: (%[[I:.+]]: index, %[[X:.+]]: f32)
// CHECK: %[[R:.+]] = dyn.switch %[[I]] : index -> f32
// CHECK: return %[[R]], %[[X]]
func.func @switch_unused_and_invariant(%i: index, %x: f32) -> (f32, f32) {
  %r:3 = dyn.switch %i : index -> f32, f32, f32
  case 0 {
    %a = arith.addf %x, %x : f32
    dyn.yield %a, %x, %a : f32, f32, f32
  }
  default {
    dyn.yield %x, %x, %x : f32, f32, f32
  }
  return %r#0, %r#1 : f32, f32
}

// -----

// A loop whose condition is constant false runs `before` once.
// CHECK-LABEL: func.func @while_false
// CHECK-SAME: (%[[X:.+]]: tensor<2xf32>)
// CHECK-NOT: dyn.while
// CHECK: %[[C:.+]] = tensor.cast %[[X]] : tensor<2xf32> to tensor<?xf32>
// CHECK: %[[E:.+]] = math.exp %[[C]]
// CHECK: return %[[E]]
func.func @while_false(%x: tensor<2xf32>) -> tensor<?xf32> {
  %r = dyn.while (%a = %x : tensor<2xf32>) : (tensor<?xf32>) -> tensor<?xf32> {
    %f = arith.constant dense<false> : tensor<i1>
    %e = math.exp %a : tensor<?xf32>
    dyn.condition(%f : tensor<i1>) %e : tensor<?xf32>
  } do {
  ^bb0(%b: tensor<?xf32>):
    dyn.yield %b : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @while_zero_iterations
// CHECK-NOT: dyn.while
// CHECK: %[[N:.+]] = arith.negf
// CHECK: return %[[N]]
func.func @while_zero_iterations(%x: f32, %p: i1) -> f32 {
  %r = dyn.while (%a = %x) : (f32) -> f32 {
    %n = arith.negf %a : f32
    dyn.condition(%p : i1) %n : f32
  } do {
  ^bb0(%b: f32):
    dyn.yield %b : f32
  } attributes {max_iterations = 0 : i64}
  return %r : f32
}

// -----

// A data-dependent loop stays.
// CHECK-LABEL: func.func @while_dynamic
// CHECK: dyn.while
func.func @while_dynamic(%x: f32, %p: i1) -> f32 {
  %r = dyn.while (%a = %x) : (f32) -> f32 {
    dyn.condition(%p : i1) %a : f32
  } do {
  ^bb0(%b: f32):
    %n = arith.negf %b : f32
    dyn.yield %n : f32
  }
  return %r : f32
}
