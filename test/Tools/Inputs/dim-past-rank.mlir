// A subnet whose tensor.dim index is past the rank: dyn-subnet-destinations
// read it through value bounds (SIGSEGV, found by fuzzing).
func.func private @keep_rows(%x: tensor<?x8xf32>, %k: tensor<i64>) -> tensor<?x8xf32> attributes {dyn.subnet} {
  %c0 = arith.constant 2147483647 : index
  %v = tensor.extract %k[] : tensor<i64>
  %i = arith.index_cast %v : i64 to index
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %lo = arith.maxsi %i, %c0 : index
  %n = arith.minsi %lo, %rows : index
  %s = tensor.extract_slice %x[0, 0] [%n, 8] [1, 1] : tensor<?x8xf32> to tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
