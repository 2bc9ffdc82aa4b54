//===- OutputFiles.h - write a set of files all or none ---------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The tools' outputs (an artifact and its header; dyn-run's out<i>.npy) are
// written to temporary files beside their destinations and renamed onto them
// only once every one was written, so a failure (a full disk, a second
// output that cannot be created) leaves no output, old or partial, behind
// under a destination name. Write errors are returned, never reported as
// LLVM's fatal "IO failure on output stream".
//
//===----------------------------------------------------------------------===//

#ifndef DYN_SUPPORT_OUTPUTFILES_H
#define DYN_SUPPORT_OUTPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir {
namespace dyn {

class OutputFiles {
public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles &) = delete;
  OutputFiles &operator=(const OutputFiles &) = delete;
  /// Removes every temporary file not committed.
  ~OutputFiles();

  /// Reserves `path` (created on commit()) and returns the temporary path,
  /// in the same directory, to write its content to. "-" (stdout) and
  /// existing files that are not regular files (/dev/null, a FIFO) are
  /// returned as they are and written directly.
  llvm::Expected<std::string> add(llvm::StringRef path);

  /// Reserves `path` and writes `text` to its temporary file.
  llvm::Error addText(llvm::StringRef path, llvm::StringRef text);

  /// Renames every temporary file onto its destination. On failure the
  /// destinations renamed so far are removed again (there is no atomic
  /// rename of several files; an earlier content of them is not restored).
  llvm::Error commit();

private:
  struct Entry {
    std::string path, temporary;
  };
  std::vector<Entry> entries;
};

/// Writes `bytes` (or `pieces`, one after the other) to `path` (a file, or "-"
/// for stdout), checking every write: an error is returned naming the file
/// (`name`, default `path`), and
/// the stream's error is cleared so that closing it is not fatal.
llvm::Error writeFile(llvm::StringRef path,
                      llvm::ArrayRef<llvm::StringRef> pieces,
                      llvm::StringRef name = "");
inline llvm::Error writeFile(llvm::StringRef path, llvm::StringRef bytes) {
  return writeFile(path, llvm::ArrayRef<llvm::StringRef>(bytes));
}

} // namespace dyn
} // namespace mlir

#endif // DYN_SUPPORT_OUTPUTFILES_H
