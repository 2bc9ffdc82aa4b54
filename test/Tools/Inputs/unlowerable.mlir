// Workgroup memory outside a GPU lowering: the LLVM conversion reports an
// error without failing.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%out: memref<?xf32>) workgroup(%s : memref<256xf32, #gpu.address_space<workgroup>>) kernel {
      %tx = gpu.thread_id x
      %f = arith.constant 1.0 : f32
      memref.store %f, %s[%tx] : memref<256xf32, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
