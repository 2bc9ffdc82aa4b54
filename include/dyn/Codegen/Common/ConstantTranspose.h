//===- ConstantTranspose.h - transpose dense constants by bytes -*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_COMMON_CONSTANTTRANSPOSE_H
#define DYN_CODEGEN_COMMON_CONSTANTTRANSPOSE_H

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir {
namespace dyn {

/// `attr` transposed: result dim i is `attr`'s dim `permutation[i]` (as in
/// linalg.transpose). Elements are moved as raw bytes, so any element type
/// of a whole number of bytes works; a null attribute when `attr` is not a
/// ranked, statically shaped tensor of such elements.
DenseElementsAttr transposeConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> permutation);

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_COMMON_CONSTANTTRANSPOSE_H
