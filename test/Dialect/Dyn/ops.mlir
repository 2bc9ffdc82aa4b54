// RUN: dyn-opt %s | FileCheck %s
// Round-trip through the pretty form, then the generic form, and back:
// RUN: dyn-opt %s | dyn-opt | FileCheck %s
// RUN: dyn-opt %s --mlir-print-op-generic | dyn-opt | FileCheck %s

// CHECK-LABEL: func.func @cond_tensor_predicate
// CHECK-SAME: (%[[P:.+]]: tensor<i1>, %[[X:.+]]: tensor<?x64xf32>, %[[Y:.+]]: tensor<1x64xf32>)
func.func @cond_tensor_predicate(%p: tensor<i1>, %x: tensor<?x64xf32>,
                                 %y: tensor<1x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[R:.+]] = dyn.cond %[[P]] : tensor<i1> -> tensor<?x64xf32> {
  // CHECK-NEXT: dyn.yield %[[Y]] : tensor<1x64xf32>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: dyn.yield %[[X]] : tensor<?x64xf32>
  // CHECK-NEXT: }
  %r = dyn.cond %p : tensor<i1> -> tensor<?x64xf32> {
    dyn.yield %y : tensor<1x64xf32>
  } else {
    dyn.yield %x : tensor<?x64xf32>
  }
  // CHECK: return %[[R]]
  return %r : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @cond_scalar_no_results
func.func @cond_scalar_no_results(%p: i1) {
  // The empty yields are implicit in the pretty form.
  // CHECK: dyn.cond %{{.+}} : i1 {
  // CHECK-NEXT: } else {
  // CHECK-NEXT: }
  dyn.cond %p : i1 {
  } else {
  }
  return
}

// CHECK-LABEL: func.func @cond_multiple_results
func.func @cond_multiple_results(%p: i1, %a: f32, %b: tensor<?x?xf32>)
    -> (f32, tensor<?x?xf32>) {
  // CHECK: dyn.cond %{{.+}} : i1 -> f32, tensor<?x?xf32> {
  %r:2 = dyn.cond %p : i1 -> f32, tensor<?x?xf32> {
    %s = arith.addf %a, %a : f32
    dyn.yield %s, %b : f32, tensor<?x?xf32>
  } else {
    dyn.yield %a, %b : f32, tensor<?x?xf32>
  } {tag = "gate"}
  // CHECK: } {tag = "gate"}
  return %r#0, %r#1 : f32, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @switch_all_index_types
func.func @switch_all_index_types(%i: index, %j: i32, %k: i64, %t: tensor<i32>,
                                  %u: tensor<i64>, %x: tensor<?xf32>) {
  // CHECK: dyn.switch %{{.+}} : index
  // CHECK-NEXT: case 1 {
  // CHECK-NEXT: }
  // CHECK-NEXT: default {
  dyn.switch %i : index
  case 1 {
  }
  default {
  }
  // CHECK: dyn.switch %{{.+}} : i32
  dyn.switch %j : i32 default {
  }
  // CHECK: dyn.switch %{{.+}} : i64
  dyn.switch %k : i64 case -1 { } default { }
  // CHECK: dyn.switch %{{.+}} : tensor<i32>
  dyn.switch %t : tensor<i32> case 0 { } case 7 { } default { }
  // CHECK: dyn.switch %{{.+}} : tensor<i64> -> tensor<?xf32>
  // CHECK-NEXT: case 0 {
  // CHECK: case 2 {
  // CHECK: default {
  %r = dyn.switch %u : tensor<i64> -> tensor<?xf32>
  case 0 {
    dyn.yield %x : tensor<?xf32>
  }
  case 2 {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  }
  default {
    dyn.yield %x : tensor<?xf32>
  }
  return
}

// CHECK-LABEL: func.func @while_growing
// CHECK-SAME: (%[[START:.+]]: tensor<1xi64>, %[[N:.+]]: index)
func.func @while_growing(%start: tensor<1xi64>, %n: index)
    -> (tensor<?xi64>, index) {
  %c0 = arith.constant 0 : index
  // The init type is printed because it differs from the loop-carried type.
  // CHECK: %{{.+}}:2 = dyn.while (%[[SEQ:.+]] = %[[START]] : tensor<1xi64>, %[[I:.+]] = %{{.+}}) : (tensor<?xi64>, index) -> (tensor<?xi64>, index) {
  // CHECK: dyn.condition(%{{.+}} : i1) %[[SEQ]], %[[I]] : tensor<?xi64>, index
  // CHECK-NEXT: } do {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<?xi64>, %{{.+}}: index):
  // CHECK: dyn.yield %{{.+}}, %{{.+}} : tensor<?xi64>, index
  // CHECK-NEXT: } attributes {max_iterations = 50 : i64}
  %r:2 = dyn.while (%seq = %start : tensor<1xi64>, %i = %c0)
      : (tensor<?xi64>, index) -> (tensor<?xi64>, index) {
    %go = arith.cmpi ult, %i, %n : index
    dyn.condition(%go : i1) %seq, %i : tensor<?xi64>, index
  } do {
  ^bb0(%s: tensor<?xi64>, %j: index):
    %c1 = arith.constant 1 : index
    %j1 = arith.addi %j, %c1 : index
    %next = tensor.concat dim(0) %s, %start : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
    dyn.yield %next, %j1 : tensor<?xi64>, index
  } attributes {max_iterations = 50 : i64}
  return %r#0, %r#1 : tensor<?xi64>, index
}

// CHECK-LABEL: func.func @while_no_values
func.func @while_no_values(%p: tensor<i1>) {
  // CHECK: dyn.while () : () -> () {
  // CHECK-NEXT: dyn.condition(%{{.+}} : tensor<i1>)
  // CHECK-NEXT: } do {
  // CHECK-NEXT: dyn.yield
  dyn.while () : () -> () {
    dyn.condition(%p : tensor<i1>)
  } do {
    dyn.yield
  }
  return
}

// A cond inside a while inside a switch, all with dynamic shapes.
// CHECK-LABEL: func.func @nested
func.func @nested(%idx: tensor<i64>, %x: tensor<?x?xf32>, %p: tensor<i1>)
    -> tensor<?x?xf32> {
  // CHECK: dyn.switch
  // CHECK: case 1 {
  // CHECK: dyn.while
  // CHECK: dyn.cond
  // CHECK: default {
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

// CHECK-LABEL: func.func @batch_cond
// CHECK-SAME: (%[[M:.+]]: tensor<?xi1>, %[[X:.+]]: tensor<?x64xf32>, %[[S:.+]]: tensor<4x8xf32>)
func.func @batch_cond(%m: tensor<?xi1>, %x: tensor<?x64xf32>,
                      %s: tensor<4x8xf32>) -> (tensor<?x64xf32>, tensor<4x8xf32>) {
  // CHECK: %[[R:.+]]:2 = dyn.batch_cond %[[M]], %[[X]], %[[S]] : (tensor<?xi1>, tensor<?x64xf32>, tensor<4x8xf32>) -> (tensor<?x64xf32>, tensor<4x8xf32>) {
  // CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<?x64xf32>, %[[B:.+]]: tensor<?x8xf32>):
  // CHECK-NEXT: %[[T:.+]] = tosa.tanh %[[A]]
  // CHECK-NEXT: dyn.yield %[[T]], %[[B]] : tensor<?x64xf32>, tensor<?x8xf32>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: ^bb0(%[[C:.+]]: tensor<?x64xf32>, %[[D:.+]]: tensor<?x8xf32>):
  // CHECK-NEXT: dyn.yield %[[C]], %[[D]] : tensor<?x64xf32>, tensor<?x8xf32>
  // CHECK-NEXT: }
  %r:2 = dyn.batch_cond %m, %x, %s : (tensor<?xi1>, tensor<?x64xf32>, tensor<4x8xf32>) -> (tensor<?x64xf32>, tensor<4x8xf32>) {
  ^bb0(%a: tensor<?x64xf32>, %b: tensor<?x8xf32>):
    %t = tosa.tanh %a : (tensor<?x64xf32>) -> tensor<?x64xf32>
    dyn.yield %t, %b : tensor<?x64xf32>, tensor<?x8xf32>
  } else {
  ^bb0(%c: tensor<?x64xf32>, %d: tensor<?x8xf32>):
    dyn.yield %c, %d : tensor<?x64xf32>, tensor<?x8xf32>
  }
  // CHECK: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<?x64xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @batch_switch
// CHECK-SAME: (%[[E:.+]]: tensor<?xi64>, %[[X:.+]]: tensor<?x64xf32>)
func.func @batch_switch(%e: tensor<?xi64>, %x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[R:.+]] = dyn.batch_switch %[[E]], %[[X]] : (tensor<?xi64>, tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK-NEXT: case 0 {
  // CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<?x64xf32>):
  // CHECK-NEXT: tosa.tanh %[[A]]
  // CHECK: case 3 {
  // CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<?x64xf32>):
  // CHECK-NEXT: tosa.exp %[[B]]
  // CHECK: default {
  // CHECK-NEXT: ^bb0(%[[C:.+]]: tensor<?x64xf32>):
  // CHECK-NEXT: dyn.yield %[[C]]
  %r = dyn.batch_switch %e, %x : (tensor<?xi64>, tensor<?x64xf32>) -> tensor<?x64xf32>
  case 0 {
  ^bb0(%a: tensor<?x64xf32>):
    %t = tosa.tanh %a : (tensor<?x64xf32>) -> tensor<?x64xf32>
    dyn.yield %t : tensor<?x64xf32>
  }
  case 3 {
  ^bb0(%b: tensor<?x64xf32>):
    %t = tosa.exp %b : (tensor<?x64xf32>) -> tensor<?x64xf32>
    dyn.yield %t : tensor<?x64xf32>
  }
  default {
  ^bb0(%c: tensor<?x64xf32>):
    dyn.yield %c : tensor<?x64xf32>
  }
  return %r : tensor<?x64xf32>
}
