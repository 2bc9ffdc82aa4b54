//===- ElideGpuWaits.cpp - host waits only for data coming back -----------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// gpu-async-region ends every chain of GPU work in a blocking wait; dyn's
// CUDA shim runs a thread's work on one in-order stream, so only the waits
// that guard data copied back into host memory are needed.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNELIDEGPUWAITS
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Whether `token` was produced by a copy into host memory, or depends on
/// one through a token-joining wait. (After placement, device buffers are
/// exactly those a gpu.alloc made.)
bool producesHostData(Value token) {
  Operation *def = token.getDefiningOp();
  if (auto copy = dyn_cast_if_present<gpu::MemcpyOp>(def)) {
    Value dst = copy.getDst();
    while (Operation *producer = dst.getDefiningOp()) {
      if (isa<gpu::AllocOp>(producer))
        return false;
      auto view = dyn_cast<ViewLikeOpInterface>(producer);
      if (!view)
        break;
      dst = view.getViewSource();
    }
    return true;
  }
  if (auto wait = dyn_cast_if_present<gpu::WaitOp>(def))
    return llvm::any_of(wait.getAsyncDependencies(), producesHostData);
  return false;
}

struct DynElideGpuWaitsPass
    : public dyn::impl::DynElideGpuWaitsBase<DynElideGpuWaitsPass> {
  void runOnOperation() override {
    SmallVector<gpu::WaitOp> waits;
    getOperation().walk([&](gpu::WaitOp wait) {
      // Blocking waits only (no result): the host stops for the stream.
      if (!wait.getAsyncToken() &&
          llvm::none_of(wait.getAsyncDependencies(), producesHostData))
        waits.push_back(wait);
    });
    for (gpu::WaitOp wait : waits) {
      // The stream stays in order; only the host's wait goes.
      wait.erase();
      ++numElided;
    }
  }
};

} // namespace
