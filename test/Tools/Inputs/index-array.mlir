// MLIR 22's parser dies (SIGSEGV) on a dense array of index.
func.func @f(%x: tensor<4xf32> {dyn.symbols = array<index: 0>}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
