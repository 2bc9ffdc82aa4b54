//===- DynDialect.cpp - dyn dialect ---------------------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynDialect.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"

using namespace mlir;
using namespace mlir::dyn;

#include "dyn/Dialect/Dyn/IR/DynOpsDialect.cpp.inc"

void DynDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dyn/Dialect/Dyn/IR/DynOps.cpp.inc"
      >();
}
