// Not a test: input of dyn-compile.mlir (a type the C ABI cannot carry).

func.func @bad(%x: complex<f32>) -> complex<f32> {
  return %x : complex<f32>
}
