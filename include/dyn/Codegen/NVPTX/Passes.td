//===- Passes.td - dyn CUDA (nvptx) codegen passes ---------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_NVPTX_PASSES_TD
#define DYN_CODEGEN_NVPTX_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynBufferizeForDevice : Pass<"dyn-bufferize-for-device", "::mlir::ModuleOp"> {
  let summary = "One-shot bufferization with tensors in GPU global memory";
  let description = [{
    Upstream's one-shot module bufferization (function boundaries, identity
    layouts, allocations returned from loops), with
    `#gpu.address_space<global>` as the memory space of every buffer except
    index-typed ones (shape operands host-side reshapes read). Entry inputs
    are marked non-writable first, so a result equal to an input is an
    unmodified pass-through. The memory space is how the later nvptx passes
    tell device buffers from host ones.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def DynDeviceBoundary : Pass<"dyn-device-boundary", "::mlir::ModuleOp"> {
  let summary = "Host wrappers that move entry inputs to the device and outputs back, once";
  let description = [{
    Each public function with device-memory arguments or results, `@F`,
    becomes the private `@F__device`; a new public `@F` with host-memory
    types allocates a device copy of each input (`memref.alloc` in
    `#gpu.address_space<global>` + `memref.copy`, later a `gpu.memcpy`),
    calls it, and copies each output into a fresh host buffer. Outputs that
    are an input returned unchanged, or a constant, are returned from host
    memory without crossing (DyCL's pass-through and constant outputs).
    Runs right after bufferization, so deallocation covers the copies.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DynMapToGPU : Pass<"dyn-map-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Turn every linalg op on buffers (and memref.copy) into a gpu.launch";
  let description = [{
    One kernel per op, in three shapes. `linalg.matmul` /
    `linalg.batch_matmul` on f32 with the default maps: 16x16 output tiles
    per block (grid ceil(N/16) x ceil(M/16) x batch), the K loop staged
    through two 16x16 workgroup (shared-memory) tiles with barriers, the
    result accumulated into the init. A reduction over one loop dim with one
    f32 output whose body yields `combine(x, acc)` (`addf`, `mulf`,
    `maximumf`, `maxnumf`, `minimumf`, `minnumf`; `x` independent of `acc`):
    one block per output element, 256 threads folding strided shares, then a
    shared-memory tree. Any other op (elementwise, broadcasts, transposes,
    fills, copies, multi-output reductions such as argmax, convolutions):
    one thread per point of the flattened parallel iteration space (256 a
    block), reduction dims walked serially by that thread. Extents are read
    on the host and passed in; grids are computed from them, so dynamic
    shapes need nothing special. A `memref.copy` between two device buffers
    becomes a `linalg.copy` first; host<->device copies are left to
    `dyn-place-on-device`.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let statistics = [
    Statistic<"numMatmulKernels", "num-matmul-kernels", "Matmuls mapped to shared-memory tiles">,
    Statistic<"numReductionKernels", "num-reduction-kernels", "Reductions mapped to block trees">,
    Statistic<"numPointwiseKernels", "num-pointwise-kernels", "Ops mapped one thread per point">
  ];
}

def DynPlaceOnDevice : Pass<"dyn-place-on-device", "::mlir::ModuleOp"> {
  let summary = "Device buffers via gpu.alloc, transfers via gpu.memcpy, constants read in kernels";
  let description = [{
    Runs after deallocation and `dyn-map-to-gpu`, on host code (everything
    outside `gpu.launch`): `memref.alloc`/`memref.dealloc` of device memory
    become `gpu.alloc`/`gpu.dealloc`; a `memref.copy` between host and device
    memory becomes `gpu.memcpy`; a host `memref.load` from device memory (a
    predicate, a loop bound or a switch index a subnet computed) becomes a
    one-element `gpu.memcpy` into a host stack slot and a load from there,
    and a host store the reverse: the only data that crosses between the
    entry's inputs and outputs. `memref.get_global` chains a kernel reads
    are cloned into the `gpu.launch` (kernel outlining then copies the
    constants into the device module). Any other host op that would read or
    write device memory is an error. Finally the device memory space is
    erased from host types: device pointers are plain pointers to the host.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
  let statistics = [
    Statistic<"numDeviceAllocs", "num-device-allocs", "Allocations placed in device memory">,
    Statistic<"numTransfers", "num-transfers", "Host<->device copies of whole buffers">,
    Statistic<"numScalarReads", "num-scalar-reads", "Device scalars read back by the host">
  ];
}

def DynMergeGpuModules : Pass<"dyn-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel, so a network
    would carry dozens of device binaries, each loaded at start-up. This
    moves every kernel into one module (`module-name`, default
    `dyn_kernels`), renaming kernel `@M::@K` to `@dyn_kernels::@M` (module
    names are unique) and keeping one device copy of each constant, then
    updates the launches: one binary per artifact, one module load.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string", "\"dyn_kernels\"",
           "Name of the merged gpu.module">
  ];
}

def DynElideGpuWaits : Pass<"dyn-elide-gpu-waits", "::mlir::func::FuncOp"> {
  let summary = "Keep only the host waits that guard data copied back from the device";
  let description = [{
    After `gpu-async-region`, every chain of GPU work ends in a blocking
    `gpu.wait`. dyn's CUDA shim runs all of a thread's work on one in-order
    stream (allocation and freeing stream-ordered too), so the host needs to
    wait only before it reads data a `gpu.memcpy` brought back into host
    memory; every other blocking wait is removed. A dispatcher then
    synchronises once per decision (the predicate copy) and once for the
    outputs.
  }];
  let statistics = [
    Statistic<"numElided", "num-elided", "Blocking waits removed">
  ];
}

#endif // DYN_CODEGEN_NVPTX_PASSES_TD
