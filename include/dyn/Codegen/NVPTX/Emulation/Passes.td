//===- Passes.td - dyn GPU emulation (testing) passes ------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_NVPTX_EMULATION_PASSES_TD
#define DYN_CODEGEN_NVPTX_EMULATION_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynEmulateGPUKernels : Pass<"dyn-emulate-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Testing: also compile every kernel for the host, for an emulating driver";
  let description = [{
    For testing nvptx artifacts on machines without a GPU. Each kernel
    `@K` of a `gpu.module` is cloned into a host function
    `@dyn_emu_kernel_K` (tagged `dyn.emulated_kernel`), with `gpu.thread_id`,
    `gpu.block_id`, `gpu.block_dim`, `gpu.grid_dim` and `gpu.barrier`
    replaced by calls to `dyn_emu_*` functions and each workgroup buffer by
    a global (blocks are emulated one at a time). The device module is left
    as it is; `dyn-emulated-kernel-entries` later gives each clone an entry
    with cuLaunchKernel's argument convention, which a stand-in libcuda
    (`test/Integration/Inputs/emulated_cuda.c`) finds and runs, each thread
    a fiber. The host code and the kernels' code down to the gpu dialect are
    then executed exactly as built; NVVM code generation and the driver are
    what it does not cover.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def DynEmulatedKernelEntries : Pass<"dyn-emulated-kernel-entries", "::mlir::ModuleOp"> {
  let summary = "Testing: cuLaunchKernel-style entries for emulated kernels";
  let description = [{
    After lowering to the LLVM dialect: for each function tagged
    `dyn.emulated_kernel = "K"`, an exported
    `llvm.func @dyn_emu_launch_K(!llvm.ptr)` that loads every argument
    through the array of argument pointers a kernel launch passes and calls
    it.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // DYN_CODEGEN_NVPTX_EMULATION_PASSES_TD
