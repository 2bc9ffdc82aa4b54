//===- DeviceMemory.cpp - device buffers of the nvptx passes -------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DeviceMemory.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

static bool isDeviceSpace(Attribute space) {
  auto gpuSpace = dyn_cast_if_present<gpu::AddressSpaceAttr>(space);
  return gpuSpace && gpuSpace.getValue() == gpu::AddressSpace::Global;
}

bool mlir::dyn::isDeviceMemRef(Type type) {
  auto memref = dyn_cast<BaseMemRefType>(type);
  return memref && isDeviceSpace(memref.getMemorySpace());
}

Type mlir::dyn::toHostType(Type type) {
  if (!isDeviceMemRef(type))
    return type;
  if (auto memref = dyn_cast<MemRefType>(type))
    return MemRefType::get(memref.getShape(), memref.getElementType(),
                           memref.getLayout());
  return UnrankedMemRefType::get(
      cast<UnrankedMemRefType>(type).getElementType(), Attribute());
}
