//===- DynDialect.h - dyn dialect -------------------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_IR_DYNDIALECT_H
#define DYN_DIALECT_DYN_IR_DYNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dyn/Dialect/Dyn/IR/DynOpsDialect.h.inc"

#endif // DYN_DIALECT_DYN_IR_DYNDIALECT_H
