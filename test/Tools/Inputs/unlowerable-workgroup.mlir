// Workgroup memory in a CPU program: the LLVM conversion reports an error
// without failing (the translation then fails on what it left).
func.func @k(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = memref.alloca() : memref<256xf32, #gpu.address_space<workgroup>>
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  memref.store %f, %s[%c0] : memref<256xf32, #gpu.address_space<workgroup>>
  %v = memref.load %s[%c0] : memref<256xf32, #gpu.address_space<workgroup>>
  %y = tensor.insert %v into %x[%c0] : tensor<4xf32>
  return %y : tensor<4xf32>
}
