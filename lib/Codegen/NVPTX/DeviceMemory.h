//===- DeviceMemory.h - device buffers of the nvptx passes ------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The nvptx pipeline marks device buffers with `#gpu.address_space<global>`
// (dyn-bufferize-for-device) until dyn-place-on-device erases it; these are
// the helpers its passes share.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_LIB_CODEGEN_NVPTX_DEVICEMEMORY_H
#define DYN_LIB_CODEGEN_NVPTX_DEVICEMEMORY_H

#include "mlir/IR/Types.h"

namespace mlir {
namespace dyn {

/// A memref in GPU global memory.
bool isDeviceMemRef(Type type);

/// `type` without the device memory space (other types unchanged).
Type toHostType(Type type);

} // namespace dyn
} // namespace mlir

#endif // DYN_LIB_CODEGEN_NVPTX_DEVICEMEMORY_H
