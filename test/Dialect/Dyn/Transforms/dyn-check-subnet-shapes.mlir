// RUN: dyn-opt %s --split-input-file --dyn-check-subnet-shapes | FileCheck %s

// The subnet's matmul contracts dim 1 of its first argument with dim 0 of
// its second ("mm" is the splat dense<109>): the call compares them (and that no earlier check failed),
// reports a mismatch through the runtime and yields a stand-in instead.
// CHECK-LABEL: func.func @f
//  CHECK-SAME: (%[[A:.+]]: tensor<1x?xf32>, %[[W:.+]]: tensor<?x2xf32>)
//       CHECK:   %[[P:.+]] = call @dyn_rt_error_pending() : () -> i32
//       CHECK:   %[[NOERR:.+]] = arith.cmpi eq, %[[P]], %{{.+}} : i32
//   CHECK-DAG:   %[[K:.+]] = tensor.dim %[[A]], %c1
//   CHECK-DAG:   %[[R:.+]] = tensor.dim %[[W]], %c0
//       CHECK:   %[[EQ:.+]] = arith.cmpi eq, %[[R]], %[[K]] : index
//       CHECK:   %[[OK:.+]] = arith.andi %[[NOERR]], %[[EQ]] : i1
//       CHECK:   scf.if %[[OK]] -> (tensor<1x2xf32>) {
//       CHECK:     func.call @mm(%[[A]], %[[W]])
//       CHECK:   } else {
//       CHECK:     scf.if
//       CHECK:       %[[NAME:.+]] = memref.get_global @__dyn_name_mm : memref<2xi8>
//       CHECK:       func.call @dyn_rt_subnet_shape_error
//       CHECK:     arith.constant dense<0.000000e+00> : tensor<1x2xf32>
//   CHECK-DAG: memref.global "private" constant @__dyn_name_mm : memref<2xi8> = dense<109>
//   CHECK-DAG: func.func private @dyn_rt_subnet_shape_error(memref<?xi8>, i64, i64, i64, i64, i64, i64)
func.func @f(%a: tensor<1x?xf32>, %w: tensor<?x2xf32>) -> tensor<1x2xf32> attributes {dyn.dispatcher} {
  %r = func.call @mm(%a, %w) : (tensor<1x?xf32>, tensor<?x2xf32>) -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}
func.func private @mm(%a: tensor<1x?xf32>, %w: tensor<?x2xf32>) -> tensor<1x2xf32> attributes {dyn.subnet} {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%a, %w : tensor<1x?xf32>, tensor<?x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Subnets that need no equalities: the dispatcher is left alone.
// CHECK-LABEL: func.func @g
//   CHECK-NOT:   dyn_rt_error_pending
//       CHECK:   call @ex(%{{.+}})
func.func @g(%a: tensor<?xf32>) -> tensor<?xf32> attributes {dyn.dispatcher} {
  %r = func.call @ex(%a) : (tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func private @ex(%a: tensor<?xf32>) -> tensor<?xf32> attributes {dyn.subnet} {
  %y = math.exp %a : tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

// A subnet without results (it only checks, as dyn.batch_cond's row
// counts do): the guard has no results and each block one terminator.
// CHECK-LABEL: func.func @checks_only
//       CHECK:   scf.if %{{.+}} {
//  CHECK-NEXT:     func.call @rows(%{{.+}}, %{{.+}})
//  CHECK-NEXT:   } else {
//       CHECK:     func.call @dyn_rt_subnet_shape_error
//   CHECK-NOT:   scf.yield
//       CHECK:   return
func.func @checks_only(%a: tensor<1x?xf32>, %w: tensor<?x2xf32>) attributes {dyn.dispatcher} {
  func.call @rows(%a, %w) : (tensor<1x?xf32>, tensor<?x2xf32>) -> ()
  return
}
func.func private @rows(%a: tensor<1x?xf32>, %w: tensor<?x2xf32>) attributes {dyn.subnet} {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%a, %w : tensor<1x?xf32>, tensor<?x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return
}
