// A gated block as another producer writes it: scf over tensors.
func.func @net(%x: tensor<?x8xf32>, %t: tensor<i1>) -> tensor<?x8xf32> {
  %p = tensor.extract %t[] : tensor<i1>
  %r = scf.if %p -> (tensor<?x8xf32>) {
    %y = math.tanh %x : tensor<?x8xf32>
    scf.yield %y : tensor<?x8xf32>
  } else {
    scf.yield %x : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}
