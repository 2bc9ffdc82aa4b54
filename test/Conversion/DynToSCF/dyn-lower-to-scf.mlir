// RUN: dyn-opt %s --dyn-lower-to-scf --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @cond
// CHECK-SAME: (%[[P:.+]]: tensor<i1>, %[[A:.+]]: tensor<1x64xf32>, %[[B:.+]]: tensor<?x64xf32>)
// CHECK: %[[S:.+]] = tensor.extract %[[P]][] : tensor<i1>
// CHECK: %[[R:.+]] = scf.if %[[S]] -> (tensor<?x64xf32>) {
// CHECK-NEXT: %[[C:.+]] = tensor.cast %[[A]] : tensor<1x64xf32> to tensor<?x64xf32>
// CHECK-NEXT: scf.yield %[[C]] : tensor<?x64xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[B]] : tensor<?x64xf32>
// CHECK-NEXT: }
// CHECK: return %[[R]]
// CHECK-NOT: dyn.
func.func @cond(%p: tensor<i1>, %a: tensor<1x64xf32>, %b: tensor<?x64xf32>)
    -> tensor<?x64xf32> {
  %r = dyn.cond %p : tensor<i1> -> tensor<?x64xf32> {
    dyn.yield %a : tensor<1x64xf32>
  } else {
    dyn.yield %b : tensor<?x64xf32>
  }
  return %r : tensor<?x64xf32>
}

// -----

// A scalar predicate is used as is.
// CHECK-LABEL: func.func @cond_scalar
// CHECK-SAME: (%[[P:.+]]: i1
// CHECK-NOT: tensor.extract
// CHECK: scf.if %[[P]] {
func.func @cond_scalar(%p: i1, %m: memref<f32>, %x: f32) {
  dyn.cond %p : i1 {
    memref.store %x, %m[] : memref<f32>
  } else {
  }
  return
}

// -----

// CHECK-LABEL: func.func @switch_tensor_index
// CHECK-SAME: (%[[I:.+]]: tensor<i32>, %[[X:.+]]: tensor<?xf32>)
// CHECK: %[[E:.+]] = tensor.extract %[[I]][] : tensor<i32>
// CHECK: %[[IDX:.+]] = arith.index_cast %[[E]] : i32 to index
// CHECK: %[[R:.+]] = scf.index_switch %[[IDX]] -> tensor<?xf32>
// CHECK-NEXT: case 3 {
// CHECK-NEXT: math.exp
// CHECK: default {
// CHECK-NEXT: scf.yield %[[X]]
// CHECK: return %[[R]]
func.func @switch_tensor_index(%i: tensor<i32>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = dyn.switch %i : tensor<i32> -> tensor<?xf32>
  case 3 {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  }
  default {
    dyn.yield %x : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @switch_index
// CHECK-NOT: arith.index_cast
// CHECK: scf.index_switch %{{.+}}
func.func @switch_index(%i: index, %x: f32) -> f32 {
  %r = dyn.switch %i : index -> f32
  case 0 {
    %n = arith.negf %x : f32
    dyn.yield %n : f32
  }
  default {
    dyn.yield %x : f32
  }
  return %r : f32
}

// -----

// Loop-carried values change shape; the init is cast to the carried type,
// after-region arguments take the forwarded types.
// CHECK-LABEL: func.func @while_growing
// CHECK-SAME: (%[[X:.+]]: tensor<1x4xf32>, %[[P:.+]]: tensor<i1>)
// CHECK: %[[INIT:.+]] = tensor.cast %[[X]] : tensor<1x4xf32> to tensor<?x4xf32>
// CHECK: %[[W:.+]] = scf.while (%[[A:.+]] = %[[INIT]]) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
// CHECK: %[[S:.+]] = tensor.extract %[[P]][] : tensor<i1>
// CHECK: scf.condition(%[[S]]) %[[A]] : tensor<?x4xf32>
// CHECK: } do {
// CHECK: ^bb0(%[[B:.+]]: tensor<?x4xf32>):
// CHECK: %[[CAT:.+]] = tensor.concat dim(0) %[[B]], %[[X]]
// CHECK: scf.yield %[[CAT]] : tensor<?x4xf32>
// CHECK: return %[[W]]
func.func @while_growing(%x: tensor<1x4xf32>, %p: tensor<i1>) -> tensor<?x4xf32> {
  %r = dyn.while (%a = %x : tensor<1x4xf32>) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
    dyn.condition(%p : tensor<i1>) %a : tensor<?x4xf32>
  } do {
  ^bb0(%b: tensor<?x4xf32>):
    %c = tensor.concat dim(0) %b, %x : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
    dyn.yield %c : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

// max_iterations becomes a counter that is part of the predicate.
// CHECK-LABEL: func.func @while_bounded
// CHECK: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK: %[[W:.+]]:2 = scf.while (%[[A:.+]] = %{{.+}}, %[[N:.+]] = %[[ZERO]]) : (f32, index) -> (f32, index) {
// CHECK: %[[MAX:.+]] = arith.constant 8 : index
// CHECK: %[[BELOW:.+]] = arith.cmpi ult, %[[N]], %[[MAX]] : index
// CHECK: %[[GO:.+]] = arith.andi %{{.+}}, %[[BELOW]] : i1
// CHECK: scf.condition(%[[GO]]) %[[A]], %[[N]] : f32, index
// CHECK: ^bb0(%{{.+}}: f32, %[[M:.+]]: index):
// CHECK: %[[ONE:.+]] = arith.constant 1 : index
// CHECK: %[[NEXT:.+]] = arith.addi %[[M]], %[[ONE]] : index
// CHECK: scf.yield %{{.+}}, %[[NEXT]] : f32, index
// CHECK: return %[[W]]#0
func.func @while_bounded(%x: f32, %p: i1) -> f32 {
  %r = dyn.while (%a = %x) : (f32) -> f32 {
    dyn.condition(%p : i1) %a : f32
  } do {
  ^bb0(%b: f32):
    %n = arith.negf %b : f32
    dyn.yield %n : f32
  } attributes {max_iterations = 8 : i64}
  return %r : f32
}

// -----

// An after-region argument whose type is more static than the forwarded
// value keeps its users' type through a cast.
// CHECK-LABEL: func.func @while_after_static
// CHECK: } do {
// CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<?xf32>):
// CHECK-NEXT: %[[C:.+]] = tensor.cast %[[B]] : tensor<?xf32> to tensor<3xf32>
// CHECK-NEXT: math.exp %[[C]] : tensor<3xf32>
func.func @while_after_static(%x: tensor<?xf32>, %p: i1) -> tensor<?xf32> {
  %r = dyn.while (%a = %x) : (tensor<?xf32>) -> tensor<?xf32> {
    dyn.condition(%p : i1) %a : tensor<?xf32>
  } do {
  ^bb0(%b: tensor<3xf32>):
    %e = math.exp %b : tensor<3xf32>
    dyn.yield %e : tensor<3xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Nesting: a cond inside a while inside a switch, all lowered.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: dyn.
// CHECK: scf.index_switch
// CHECK: scf.while
// CHECK: scf.if
// CHECK-NOT: dyn.
func.func @nested(%idx: tensor<i64>, %x: tensor<?x?xf32>, %p: tensor<i1>)
    -> tensor<?x?xf32> {
  %r = dyn.switch %idx : tensor<i64> -> tensor<?x?xf32>
  case 1 {
    %w = dyn.while (%a = %x) : (tensor<?x?xf32>) -> tensor<?x?xf32> {
      dyn.condition(%p : tensor<i1>) %a : tensor<?x?xf32>
    } do {
    ^bb0(%b: tensor<?x?xf32>):
      %c = dyn.cond %p : tensor<i1> -> tensor<?x?xf32> {
        %t = math.tanh %b : tensor<?x?xf32>
        dyn.yield %t : tensor<?x?xf32>
      } else {
        dyn.yield %b : tensor<?x?xf32>
      }
      dyn.yield %c : tensor<?x?xf32>
    }
    dyn.yield %w : tensor<?x?xf32>
  }
  default {
    dyn.yield %x : tensor<?x?xf32>
  }
  return %r : tensor<?x?xf32>
}
