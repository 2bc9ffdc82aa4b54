// A small network for test/Tools/dyn-compile-options.mlir, with something for
// every compile option to change: a gated matmul (subnets, vectorization), a
// loop that grows a tensor a later matmul contracts with an input (a subnet
// shape check), a loop that forwards read-only state (loop copies), and a
// static block (temporaries to plan).
func.func @forward(%x: tensor<?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x32xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x32xf32> {
    %b = tensor.dim %x, %c0 : tensor<?x32xf32>
    %e = tensor.empty(%b) : tensor<?x32xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x32xf32>, tensor<32x32xf32>)
                       outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
    dyn.yield %m : tensor<?x32xf32>
  } else {
    dyn.yield %x : tensor<?x32xf32>
  }
  return %r : tensor<?x32xf32>
}

func.func @grow(%x: tensor<1x?xf32>, %w: tensor<?x2xf32>, %n: i64) -> tensor<1x2xf32> {
  %c0 = arith.constant 0 : i64
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<1x?xf32>, i64) -> (tensor<1x?xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %i : tensor<1x?xf32>, i64
  } do {
  ^bb0(%b: tensor<1x?xf32>, %j: i64):
    %g = tensor.concat dim(1) %b, %b : (tensor<1x?xf32>, tensor<1x?xf32>) -> tensor<1x?xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %g, %j1 : tensor<1x?xf32>, i64
  } attributes {max_iterations = 8 : i64}
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%r#0, %w : tensor<1x?xf32>, tensor<?x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

func.func @decay(%x: tensor<?x8xf32>, %k: tensor<?x8xf32>, %n: i64) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : i64
  %r:3 = dyn.while (%a = %x, %s = %k, %i = %c0)
      : (tensor<?x8xf32>, tensor<?x8xf32>, i64) -> (tensor<?x8xf32>, tensor<?x8xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %s, %i : tensor<?x8xf32>, tensor<?x8xf32>, i64
  } do {
  ^bb0(%b: tensor<?x8xf32>, %t: tensor<?x8xf32>, %j: i64):
    %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %d = tosa.mul %b, %t, %shift : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<1xi8>) -> tensor<?x8xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %d, %t, %j1 : tensor<?x8xf32>, tensor<?x8xf32>, i64
  } attributes {max_iterations = 8 : i64}
  return %r#0 : tensor<?x8xf32>
}

func.func @fixed(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %a = tosa.exp %x : (tensor<4x64xf32>) -> tensor<4x64xf32>
  %s = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<4x64xf32>) -> tensor<4x1xf32>
  %m = tosa.reduce_max %a {axis = 1 : i32} : (tensor<4x64xf32>) -> tensor<4x1xf32>
  %d = tosa.sub %s, %m : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %r = tosa.reciprocal %d : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %shift2 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.mul %a, %r, %shift2 : (tensor<4x64xf32>, tensor<4x1xf32>, tensor<1xi8>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
