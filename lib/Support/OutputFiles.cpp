//===- OutputFiles.cpp - write a set of files all or none -----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Support/OutputFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::dyn;

static llvm::Error makeError(std::error_code ec, const llvm::Twine &message) {
  return llvm::createStringError(ec, message + ": " + ec.message());
}

OutputFiles::~OutputFiles() {
  for (const Entry &entry : entries)
    if (!entry.temporary.empty() && entry.temporary != "-")
      llvm::sys::fs::remove(entry.temporary);
}

llvm::Expected<std::string> OutputFiles::add(llvm::StringRef path) {
  // stdout, and destinations that are not regular files (/dev/null, a
  // FIFO), are written directly: renaming onto them would replace them.
  llvm::sys::fs::file_status status;
  if (path == "-" ||
      (!llvm::sys::fs::status(path, status) && llvm::sys::fs::exists(status) &&
       !llvm::sys::fs::is_regular_file(status))) {
    entries.push_back({path.str(), "-"});
    return path.str();
  }
  // The temporary file is made in the destination's directory so that the
  // rename stays within one file system.
  llvm::SmallString<256> model(path);
  model += ".tmp-%%%%%%";
  int fd;
  llvm::SmallString<256> temporary;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(model, fd, temporary))
    return makeError(ec, "cannot create '" + path + "'");
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  entries.push_back({path.str(), std::string(temporary)});
  return std::string(temporary);
}

llvm::Error OutputFiles::addText(llvm::StringRef path, llvm::StringRef text) {
  llvm::Expected<std::string> temporary = add(path);
  if (!temporary)
    return temporary.takeError();
  // Errors name the destination, not the temporary file.
  return writeFile(*temporary, llvm::ArrayRef<llvm::StringRef>(text), path);
}

llvm::Error OutputFiles::commit() {
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry &entry = entries[i];
    if (entry.temporary == "-")
      continue;
    if (std::error_code ec =
            llvm::sys::fs::rename(entry.temporary, entry.path)) {
      for (size_t j = 0; j < i; ++j)
        if (entries[j].temporary.empty())
          llvm::sys::fs::remove(entries[j].path);
      return makeError(ec, "cannot write '" + entry.path + "'");
    }
    entry.temporary.clear(); // committed: nothing to remove
  }
  return llvm::Error::success();
}

llvm::Error mlir::dyn::writeFile(llvm::StringRef path,
                                 llvm::ArrayRef<llvm::StringRef> pieces,
                                 llvm::StringRef name) {
  if (name.empty())
    name = path;
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(ec, "cannot open '" + name + "'");
  for (llvm::StringRef piece : pieces)
    os << piece;
  os.flush();
  if (std::error_code writeError = os.error()) {
    os.clear_error();
    return makeError(writeError, "cannot write '" + name + "'");
  }
  if (path == "-")
    return llvm::Error::success();
  os.close();
  if (std::error_code closeError = os.error()) {
    os.clear_error();
    return makeError(closeError, "cannot write '" + name + "'");
  }
  return llvm::Error::success();
}
