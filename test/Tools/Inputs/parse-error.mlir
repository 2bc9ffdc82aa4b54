// Not a test: input of dyn-compile.mlir.
func.func @f(%p: i1) {
  dyn.cond %p : i1 {
  }
  return
}
