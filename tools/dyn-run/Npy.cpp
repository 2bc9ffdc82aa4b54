//===- Npy.cpp - read and write NumPy .npy files --------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "dyn/Runtime/dyn_runtime.h"
#include "dyn/Support/OutputFiles.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace dyn;
using llvm::StringRef;

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d; // readNpy checked that the product fits
  return n;
}

namespace {
struct DescrEntry {
  const char *descr;
  int32_t dtype;
};
// The .npy type codes of dyn_runtime.h's table ("" where numpy has none).
// Byte-order characters: '<' little, '|' not applicable, '=' native (all
// supported hosts are little-endian).
const DescrEntry kDescrs[] = {
#define DYN_DTYPE_DESCR(ENUM, CODE, NAME, BYTES, NPY) {NPY, ENUM},
    DYN_DTYPES(DYN_DTYPE_DESCR)
#undef DYN_DTYPE_DESCR
};

llvm::Error fail(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + message).str());
}

/// Returns the value text of `key` in a Python dict literal header.
std::optional<StringRef> findValue(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}
} // namespace

llvm::Expected<NpyArray> dyn::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fail(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(path, "truncated header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          (headerLength << 8) | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return fail(path, "unsupported .npy version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return fail(path, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);

  NpyArray array;
  auto descr = findValue(header, "descr");
  if (!descr || descr->size() < 4)
    return fail(path, "header has no 'descr'");
  StringRef typeText = descr->drop_front().take_until(
      [](char c) { return c == '\'' || c == '"'; });
  char order = typeText.empty() ? '?' : typeText.front();
  if (order == '>')
    return fail(path, "big-endian data ('" + typeText + "') is not supported");
  StringRef code = typeText.drop_front();
  bool found = false;
  for (const DescrEntry &entry : kDescrs)
    if (code == entry.descr) {
      array.dtype = entry.dtype;
      found = true;
    }
  if (!found)
    return fail(path, "unsupported element type '" + typeText +
                          "' (supported: f4 f8 f2 b1 i1 i2 i4 i8)");

  auto fortran = findValue(header, "fortran_order");
  if (fortran && fortran->starts_with("True"))
    return fail(path, "Fortran-order arrays are not supported "
                      "(save with np.ascontiguousarray)");

  auto shapeText = findValue(header, "shape");
  if (!shapeText || !shapeText->starts_with("("))
    return fail(path, "header has no 'shape'");
  StringRef dims =
      shapeText->drop_front().take_until([](char c) { return c == ')'; });
  llvm::SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t extent;
    if (part.getAsInteger(10, extent) || extent < 0)
      return fail(path, "bad shape entry '" + part + "'");
    array.shape.push_back(extent);
  }

  // The byte count is computed with overflow checks: a header may claim any
  // shape.
  int64_t dataBytes = static_cast<int64_t>(dyn_dtype_size(array.dtype));
  for (int64_t extent : array.shape)
    if (llvm::MulOverflow(dataBytes, extent, dataBytes))
      return fail(path, "shape " + shapeText->take_until([](char c) {
        return c == ')';
      }) + ") is too large");
  StringRef payload = bytes.drop_front(headerStart + headerLength);
  if (static_cast<int64_t>(payload.size()) < dataBytes)
    return fail(path, "holds " + llvm::Twine(payload.size()) +
                          " data bytes, the shape needs " +
                          llvm::Twine(dataBytes));
  array.data.assign(payload.begin(), payload.begin() + dataBytes);
  return array;
}

llvm::Error dyn::writeNpy(StringRef path, int32_t dtype,
                          const std::vector<int64_t> &shape, const char *data,
                          size_t bytes, StringRef name) {
  const char *descr = nullptr;
  for (const DescrEntry &entry : kDescrs)
    if (entry.dtype == dtype && *entry.descr)
      descr = entry.descr;
  if (!descr)
    return fail(path, "cannot write element type " +
                          llvm::Twine(dyn_dtype_name(dtype)));
  std::string header = "{'descr': '";
  header += (dtype == DYN_I1 || dtype == DYN_I8) ? "|" : "<";
  header += descr;
  header += "', 'fortran_order': False, 'shape': (";
  for (int64_t extent : shape)
    header += std::to_string(extent) + ",";
  if (shape.size() > 1)
    header.pop_back();
  header += "), }";
  // Pad with spaces so that the data starts at a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::string prefix = "\x93NUMPY";
  prefix += {char(1), char(0), char(header.size() & 0xff),
             char((header.size() >> 8) & 0xff)};
  return mlir::dyn::writeFile(path, {prefix, header, StringRef(data, bytes)});
}
