//===- ParserGuards.cpp - inputs that crash MLIR 22's parser --------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Support/ParserGuards.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Regex.h"

using namespace mlir::dyn;

namespace {
struct KnownCrash {
  /// Matches the construct (extended POSIX regex, one line).
  const char *pattern;
  const char *message;
};

const KnownCrash kKnownCrashes[] = {
    // Parser::parseDenseArrayAttr asks an `index` element type for its
    // bit width (FloatType::getWidth on a non-float): SIGSEGV.
    {"array<[[:space:]]*index[[:space:]]*[:>]",
     "dense arrays of 'index' are not supported (MLIR 22's parser crashes "
     "on them); use i64"},
};
} // namespace

bool mlir::dyn::reportKnownParserCrashes(llvm::SourceMgr &sourceMgr,
                                         unsigned bufferId) {
  llvm::StringRef text = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  bool found = false;
  for (const KnownCrash &crash : kKnownCrashes) {
    llvm::Regex regex(crash.pattern);
    llvm::StringRef rest = text;
    llvm::SmallVector<llvm::StringRef> matches;
    while (regex.match(rest, &matches)) {
      llvm::StringRef match = matches.front();
      sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(match.data()),
                             llvm::SourceMgr::DK_Error, crash.message);
      found = true;
      rest = rest.drop_front(match.data() + match.size() - rest.data());
    }
  }
  return found;
}
