// Verifies in MLIR 22, but the reassociation names dim 4294967296:
// dyn-split-dynamic-reshapes read the shapes out of bounds (SIGSEGV).
func.func @one_dynamic_per_group(%x: tensor<?x64xf32>, %b: index) -> tensor<?x4x16xf32> {
  %e = tensor.expand_shape %x [[4294967296], [1, 2]] output_shape [%b, 4, 16]
      : tensor<?x64xf32> into tensor<?x4x16xf32>
  return %e : tensor<?x4x16xf32>
}
