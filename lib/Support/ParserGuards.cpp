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
  /// When set, a match is a crash only if this rejects the text after it
  /// (regular expressions cannot say "not followed by a well-formed list").
  bool (*isWellFormed)(llvm::StringRef after) = nullptr;
};

/// `[i, j, ...]` (integers, possibly negative, across lines), or an
/// attribute in its generic or aliased form (`array<...>`, `dense<...>`,
/// `#alias`).
bool isIntegerListOrAttribute(llvm::StringRef after) {
  after = after.ltrim();
  if (after.starts_with("array<") || after.starts_with("dense<") ||
      after.starts_with("#"))
    return true;
  if (!after.consume_front("["))
    return false;
  size_t end = after.find_first_not_of("0123456789-, \t\r\n");
  return end != llvm::StringRef::npos && after[end] == ']';
}

const KnownCrash kKnownCrashes[] = {
    // Parser::parseDenseArrayAttr asks an `index` element type for its
    // bit width (FloatType::getWidth on a non-float): SIGSEGV.
    {"array<[[:space:]]*index[[:space:]]*[:>]",
     "dense arrays of 'index' are not supported (MLIR 22's parser crashes "
     "on them); use i64"},
    // linalg.transpose / broadcast / reduce: the custom parser stores the
    // null attribute a malformed `permutation = [...]` / `dimensions =
    // [...]` list leaves (NamedAttrList::set on null): SIGSEGV.
    {"(permutation|dimensions)[[:space:]]*=",
     "malformed dimension list: expected '[' integers separated by ',' "
     "']' (MLIR 22's linalg parser crashes on anything else)",
     isIntegerListOrAttribute},
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
      rest = rest.drop_front(match.data() + match.size() - rest.data());
      if (crash.isWellFormed && crash.isWellFormed(rest))
        continue;
      // Comments do not reach the parser.
      llvm::StringRef line = text.take_front(match.data() - text.data());
      line = line.drop_front(line.rfind('\n') + 1);
      if (line.contains("//"))
        continue;
      sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(match.data()),
                             llvm::SourceMgr::DK_Error, crash.message);
      found = true;
    }
  }
  return found;
}
