// RUN: dyn-opt %s -split-input-file -dyn-raise-control-flow | FileCheck %s
// The inverse of dyn-lower-to-scf: lowering then raising gives dyn back.
// RUN: dyn-opt %s -split-input-file -dyn-lower-to-scf -dyn-raise-control-flow \
// RUN:   | FileCheck %s --check-prefix=ROUND

// A predicate read out of a 0-d tensor is used as that tensor.
// CHECK-LABEL: func.func @if_tensor_predicate
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>, %[[T:.*]]: tensor<i1>)
// CHECK-NOT: tensor.extract
// CHECK: %[[R:.*]] = dyn.cond %[[T]] : tensor<i1> -> tensor<?x8xf32> {
// CHECK:   %[[Y:.*]] = tosa.tanh %[[X]]
// CHECK:   dyn.yield %[[Y]] : tensor<?x8xf32>
// CHECK: } else {
// CHECK:   dyn.yield %[[X]] : tensor<?x8xf32>
// CHECK: }
// CHECK: return %[[R]]
// ROUND-LABEL: func.func @if_tensor_predicate
// ROUND: dyn.cond %{{.*}} : tensor<i1> -> tensor<?x8xf32>
// ROUND-NOT: scf.
func.func @if_tensor_predicate(%x: tensor<?x8xf32>, %t: tensor<i1>) -> tensor<?x8xf32> {
  %p = tensor.extract %t[] : tensor<i1>
  %r = scf.if %p -> (tensor<?x8xf32>) {
    %y = tosa.tanh %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
    scf.yield %y : tensor<?x8xf32>
  } else {
    scf.yield %x : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// -----

// A scalar predicate (as torch-mlir computes one) stays i1; branches may
// yield values of other shapes than the result's.
// CHECK-LABEL: func.func @if_scalar_predicate
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<?xf32>
// CHECK: %[[P:.*]] = arith.cmpf ogt, %[[S]]
// CHECK: dyn.cond %[[P]] : i1 -> tensor<?xf32> {
// CHECK:   dyn.yield %{{.*}} : tensor<?xf32>
// CHECK: } else {
// CHECK:   %[[C:.*]] = tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
// CHECK:   dyn.yield %[[C]] : tensor<?xf32>
func.func @if_scalar_predicate(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %s = tensor.extract %x[%c0] : tensor<?xf32>
  %p = arith.cmpf ogt, %s, %zero : f32
  %r = scf.if %p -> (tensor<?xf32>) {
    %y = math.exp %x : tensor<?xf32>
    scf.yield %y : tensor<?xf32>
  } else {
    %ones = arith.constant dense<1.0> : tensor<4xf32>
    %c = tensor.cast %ones : tensor<4xf32> to tensor<?xf32>
    scf.yield %c : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// An scf.if without else gets an else region that yields nothing.
// CHECK-LABEL: func.func @if_without_else
// CHECK: dyn.cond %{{.*}} : i1 {
// CHECK:   cf.assert
// CHECK: } else {
// CHECK-NEXT: }
func.func @if_without_else(%x: tensor<?xf32>, %p: i1) {
  scf.if %p {
    %c0 = arith.constant 0 : index
    %n = tensor.dim %x, %c0 : tensor<?xf32>
    %ok = arith.cmpi sgt, %n, %c0 : index
    cf.assert %ok, "empty input"
  }
  return
}

// -----

// An index read from a 0-d integer tensor is switched on as that tensor.
// CHECK-LABEL: func.func @index_switch
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[K:.*]]: tensor<i64>)
// CHECK-NOT: arith.index_cast
// CHECK: dyn.switch %[[K]] : tensor<i64> -> tensor<?x4xf32>
// CHECK: case 0 {
// CHECK:   math.exp
// CHECK: }
// CHECK: case 2 {
// CHECK:   math.tanh
// CHECK: }
// CHECK: default {
// CHECK:   dyn.yield %[[X]]
// ROUND-LABEL: func.func @index_switch
// ROUND: dyn.switch %{{.*}} : tensor<i64> -> tensor<?x4xf32>
func.func @index_switch(%x: tensor<?x4xf32>, %k: tensor<i64>) -> tensor<?x4xf32> {
  %e = tensor.extract %k[] : tensor<i64>
  %i = arith.index_cast %e : i64 to index
  %r = scf.index_switch %i -> tensor<?x4xf32>
  case 0 {
    %y = math.exp %x : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  case 2 {
    %y = math.tanh %x : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  default {
    scf.yield %x : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

// A decode-style loop whose carried tensor grows.
// CHECK-LABEL: func.func @while_growing
// CHECK: %[[W:.*]]:2 = dyn.while (%[[S:.*]] = %{{.*}}, %[[N:.*]] = %{{.*}}) : (tensor<?xi64>, index) -> (tensor<?xi64>, index) {
// CHECK:   %[[GO:.*]] = arith.cmpi slt
// CHECK:   dyn.condition(%[[GO]] : i1) %[[S]], %[[N]] : tensor<?xi64>, index
// CHECK: } do {
// CHECK: ^bb0(%[[S2:.*]]: tensor<?xi64>, %[[N2:.*]]: index):
// CHECK:   tensor.concat
// CHECK:   dyn.yield %{{.*}}, %{{.*}} : tensor<?xi64>, index
// CHECK: }
// CHECK: return %[[W]]#0
// ROUND-LABEL: func.func @while_growing
// ROUND: dyn.while
// ROUND-NOT: scf.while
func.func @while_growing(%start: tensor<?xi64>, %limit: index) -> tensor<?xi64> {
  %c0 = arith.constant 0 : index
  %r:2 = scf.while (%s = %start, %n = %c0) : (tensor<?xi64>, index) -> (tensor<?xi64>, index) {
    %go = arith.cmpi slt, %n, %limit : index
    scf.condition(%go) %s, %n : tensor<?xi64>, index
  } do {
  ^bb0(%s: tensor<?xi64>, %n: index):
    %one = arith.constant dense<1> : tensor<1xi64>
    %next = tensor.concat dim(0) %s, %one : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
    %c1 = arith.constant 1 : index
    %n1 = arith.addi %n, %c1 : index
    scf.yield %next, %n1 : tensor<?xi64>, index
  }
  return %r#0 : tensor<?xi64>
}

// -----

// scf.for carries its induction variable in front; a constant trip count
// becomes max_iterations.
// CHECK-LABEL: func.func @for_constant_trip_count
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[W:.*]]:2 = dyn.while (%[[I:.*]] = %[[C2]], %[[H:.*]] = %{{.*}}) : (index, tensor<?x8xf32>) -> (index, tensor<?x8xf32>) {
// CHECK:   %[[GO:.*]] = arith.cmpi slt, %[[I]], %[[C10]] : index
// CHECK:   dyn.condition(%[[GO]] : i1) %[[I]], %[[H]] : index, tensor<?x8xf32>
// CHECK: } do {
// CHECK: ^bb0(%[[I2:.*]]: index, %[[H2:.*]]: tensor<?x8xf32>):
// CHECK:   %[[Y:.*]] = tosa.tanh %[[H2]]
// CHECK:   %[[NEXT:.*]] = arith.addi %[[I2]], %[[C3]] : index
// CHECK:   dyn.yield %[[NEXT]], %[[Y]] : index, tensor<?x8xf32>
// CHECK: } attributes {max_iterations = 3 : i64}
// CHECK: return %[[W]]#1
func.func @for_constant_trip_count(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c10 = arith.constant 10 : index
  %r = scf.for %i = %c2 to %c10 step %c3 iter_args(%h = %x) -> (tensor<?x8xf32>) {
    %y = tosa.tanh %h : (tensor<?x8xf32>) -> tensor<?x8xf32>
    scf.yield %y : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// -----

// An unsigned i32 loop whose trip count is data (torch-mlir's form of a
// Python `for t in range(n)`), nesting a gate: both become dyn, inner
// first in the outer's after region. The induction variable is used by the
// body (a time step read out of a sequence).
// CHECK-LABEL: func.func @for_nested_if
// CHECK: dyn.while (%[[I:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) : (i32, tensor<1x8xf32>) -> (i32, tensor<1x8xf32>) {
// CHECK:   arith.cmpi ult, %[[I]], %{{.*}} : i32
// CHECK: } do {
// CHECK: ^bb0(%[[T:.*]]: i32, %{{.*}}: tensor<1x8xf32>):
// CHECK:   arith.index_cast %[[T]] : i32 to index
// CHECK:   tensor.extract_slice
// CHECK:   dyn.cond %{{.*}} : i1 -> tensor<1x8xf32> {
// CHECK:   } else {
// CHECK:   }
// CHECK:   arith.addi %[[T]], %{{.*}} : i32
// CHECK:   dyn.yield
// CHECK-NOT: max_iterations
// CHECK-NOT: scf.
func.func @for_nested_if(%seq: tensor<?x8xf32>, %h0: tensor<1x8xf32>, %n: i32) -> tensor<1x8xf32> {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %f0 = arith.constant 0.0 : f32
  %r = scf.for unsigned %t = %c0 to %n step %c1 iter_args(%h = %h0) -> (tensor<1x8xf32>) : i32 {
    %ti = arith.index_cast %t : i32 to index
    %xt = tensor.extract_slice %seq[%ti, 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<1x8xf32>
    %a = arith.addf %h, %xt : tensor<1x8xf32>
    %c0i = arith.constant 0 : index
    %v = tensor.extract %a[%c0i, %c0i] : tensor<1x8xf32>
    %p = arith.cmpf ogt, %v, %f0 : f32
    %y = scf.if %p -> (tensor<1x8xf32>) {
      %th = math.tanh %a : tensor<1x8xf32>
      scf.yield %th : tensor<1x8xf32>
    } else {
      scf.yield %a : tensor<1x8xf32>
    }
    scf.yield %y : tensor<1x8xf32>
  }
  return %r : tensor<1x8xf32>
}

// -----

// Control flow nested in an existing dyn region is raised too.
// CHECK-LABEL: func.func @inside_dyn_region
// CHECK: dyn.cond %{{.*}} : tensor<i1> -> tensor<4xf32> {
// CHECK:   dyn.cond %{{.*}} : i1 -> tensor<4xf32> {
// CHECK-NOT: scf.if
func.func @inside_dyn_region(%x: tensor<4xf32>, %t: tensor<i1>, %q: i1) -> tensor<4xf32> {
  %r = dyn.cond %t : tensor<i1> -> tensor<4xf32> {
    %y = scf.if %q -> (tensor<4xf32>) {
      %e = math.exp %x : tensor<4xf32>
      scf.yield %e : tensor<4xf32>
    } else {
      scf.yield %x : tensor<4xf32>
    }
    dyn.yield %y : tensor<4xf32>
  } else {
    dyn.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// What stays scf: loops over indices and scalars, control flow over
// buffers, control flow inside another op's region (here a linalg.generic
// body and an scf.forall).
// CHECK-LABEL: func.func @stays_scf
// CHECK-NOT: dyn.
// CHECK: scf.for
// CHECK: scf.if
// CHECK: scf.forall
// CHECK:   scf.for
// CHECK: linalg.generic
// CHECK:   scf.if
// CHECK-NOT: dyn.
#id = affine_map<(d0) -> (d0)>
func.func @stays_scf(%n: index, %p: i1, %buf: memref<?xf32>, %x: tensor<8xf32>) -> (index, tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%a = %c0) -> (index) {
    %b = arith.addi %a, %i : index
    scf.yield %b : index
  }
  scf.if %p {
    %t = bufferization.to_tensor %buf : memref<?xf32> to tensor<?xf32>
    %v = tensor.extract %t[%c0] : tensor<?xf32>
    memref.store %v, %buf[%c1] : memref<?xf32>
  }
  %f = scf.forall (%j) in (2) shared_outs(%o = %x) -> (tensor<8xf32>) {
    %s = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %o) -> (tensor<8xf32>) {
      %e = math.exp %acc : tensor<8xf32>
      scf.yield %e : tensor<8xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[0] [8] [1] : tensor<8xf32> into tensor<8xf32>
    }
  }
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%x : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %z = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %in, %z : f32
    %r = scf.if %pos -> (f32) {
      scf.yield %in : f32
    } else {
      scf.yield %z : f32
    }
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %sum, %f, %g : index, tensor<8xf32>, tensor<8xf32>
}

// -----

// TOSA control flow: a cond_if on a tensor<1xi1> (valid TOSA; read as 0-d
// first) and a while_loop, through upstream's TosaToSCF, then raised.
// CHECK-LABEL: func.func @tosa_cond_if
// CHECK-SAME: (%[[C:.*]]: tensor<1xi1>, %[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[B:.*]] = tensor.extract %[[C]][%{{.*}}] : tensor<1xi1>
// CHECK: %[[T:.*]] = tensor.from_elements %[[B]] : tensor<i1>
// CHECK: dyn.cond %[[T]] : tensor<i1> -> tensor<?x4xf32> {
// CHECK:   tosa.add %[[X]], %[[X]]
// CHECK: } else {
// CHECK:   tosa.negate
// CHECK-NOT: tosa.cond_if
func.func @tosa_cond_if(%c: tensor<1xi1>, %x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = tosa.cond_if %c (%a = %x) : tensor<1xi1> (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%a: tensor<?x4xf32>):
    %y = tosa.add %a, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    tosa.yield %y : tensor<?x4xf32>
  } else {
  ^bb0(%a: tensor<?x4xf32>):
    %z1 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %z2 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %y = tosa.negate %a, %z1, %z2 : (tensor<?x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x4xf32>
    tosa.yield %y : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @tosa_while_loop
// CHECK: dyn.while (%[[A:.*]] = %{{.*}}) : (tensor<i32>) -> tensor<i32> {
// CHECK:   %[[P:.*]] = tosa.greater
// CHECK:   dyn.condition(%[[P]] : tensor<i1>) %[[A]] : tensor<i32>
// CHECK: } do {
// CHECK:   tosa.add
// CHECK:   dyn.yield
// CHECK-NOT: tosa.while_loop
func.func @tosa_while_loop(%x: tensor<i32>) -> tensor<i32> {
  %r = tosa.while_loop (%a = %x) : (tensor<i32>) -> tensor<i32> {
    %t = "tosa.const"() <{values = dense<10> : tensor<i32>}> : () -> tensor<i32>
    %p = tosa.greater %t, %a : (tensor<i32>, tensor<i32>) -> tensor<i1>
    tosa.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<i32>):
    %one = "tosa.const"() <{values = dense<1> : tensor<i32>}> : () -> tensor<i32>
    %n = tosa.add %a, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    tosa.yield %n : tensor<i32>
  }
  return %r : tensor<i32>
}
