// A use of a value defined in a dyn.cond region that fails to parse: the
// declarative parser freed the region while the use still pointed into it.
    %m = linalg.matmul ins(%x, %w : tensor<?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x32xf32> {
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  } else {
  return %r : tensor<?x32xf32>
