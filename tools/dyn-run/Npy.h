//===- Npy.h - read and write NumPy .npy files ------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The .npy format (versions 1-3, C order, little-endian) for the element
// types of dyn's C ABI. Written here because no packaged C++ library reads it
// and the format is a short header plus raw data.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TOOLS_DYN_RUN_NPY_H
#define DYN_TOOLS_DYN_RUN_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dyn {

/// A dense C-order array.
struct NpyArray {
  int32_t dtype = 0; // dyn_dtype
  std::vector<int64_t> shape;
  std::vector<char> data;
  int64_t numElements() const;
};

/// Reads `path`; errors name the file and what is wrong with it.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Writes `array` to `path` (format version 1.0); errors name the file
/// `name` (default: `path`).
llvm::Error writeNpy(llvm::StringRef path, int32_t dtype,
                     const std::vector<int64_t> &shape, const char *data,
                     size_t bytes, llvm::StringRef name = "");

} // namespace dyn

#endif // DYN_TOOLS_DYN_RUN_NPY_H
