// RUN: dyn-opt %s --dyn-emulate-gpu-kernels --split-input-file --verify-diagnostics | FileCheck %s

// A kernel's host copy: thread/block queries and barriers call the
// emulator, shared memory is a global (blocks are emulated one at a time),
// device constants resolve to host globals; the device module stays.
// CHECK: gpu.module @kernels
// CHECK:   gpu.func @k(
// CHECK-LABEL: func.func private @dyn_emu_kernel_k
//  CHECK-SAME: (%[[OUT:.+]]: memref<?xf32>) attributes {dyn.emulated_kernel = "k"}
//   CHECK-DAG:   %[[SHARED:.+]] = memref.get_global @dyn_emu_kernel_k_shared0 : memref<256xf32>
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : i32
//       CHECK:   %[[TX:.+]] = call @dyn_emu_thread_id(%[[C0]]) : (i32) -> index
//       CHECK:   call @dyn_emu_block_id(%{{.+}}) : (i32) -> index
//       CHECK:   call @dyn_emu_block_dim(%{{.+}}) : (i32) -> index
//       CHECK:   memref.store %{{.+}}, %[[SHARED]][%[[TX]]]
//       CHECK:   call @dyn_emu_barrier() : () -> ()
//       CHECK:   memref.get_global @w : memref<2xf32>
//       CHECK:   return
//   CHECK-DAG: func.func private @dyn_emu_thread_id(i32) -> index
//   CHECK-DAG: func.func private @dyn_emu_barrier()
//   CHECK-DAG: memref.global "private" @dyn_emu_kernel_k_shared0 : memref<256xf32>
//   CHECK-DAG: memref.global "private" constant @w : memref<2xf32>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    memref.global "private" constant @w : memref<2xf32> = dense<[1.0, 2.0]>
    gpu.func @k(%out: memref<?xf32>) workgroup(%s : memref<256xf32, #gpu.address_space<workgroup>>) kernel {
      %tx = gpu.thread_id x
      %bx = gpu.block_id x
      %bd = gpu.block_dim x
      %i0 = arith.muli %bx, %bd : index
      %i = arith.addi %i0, %tx : index
      %f = arith.constant 1.0 : f32
      memref.store %f, %s[%tx] : memref<256xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %w = memref.get_global @w : memref<2xf32>
      %c0 = arith.constant 0 : index
      %v = memref.load %w[%c0] : memref<2xf32>
      memref.store %v, %out[%i] : memref<?xf32>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%out: memref<?xf32>) kernel {
      %c0 = arith.constant 0 : index
      %f = arith.constant 1.0 : f32
      // expected-error @below {{dyn-emulate-gpu-kernels: cannot emulate gpu.subgroup_id}}
      %id = gpu.subgroup_id : index
      memref.store %f, %out[%id] : memref<?xf32>
      gpu.return
    }
  }
}
