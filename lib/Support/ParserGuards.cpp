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
  /// Literal text every match starts with. The scan finds it with a plain
  /// search and runs the regex only there: llvm::Regex over a whole input
  /// (ResNet-50's weights make 376 MB of hex) took over a minute.
  llvm::StringLiteral anchor;
  /// Matches the construct from the anchor on (extended POSIX regex).
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

// Parser::parseDenseArrayAttr asks an `index` element type for its bit
// width (FloatType::getWidth on a non-float): SIGSEGV.
constexpr const char *kIndexArray =
    "dense arrays of 'index' are not supported (MLIR 22's parser crashes "
    "on them); use i64";
// linalg.transpose / broadcast / reduce: the custom parser stores the null
// attribute a malformed `permutation = [...]` / `dimensions = [...]` list
// leaves (NamedAttrList::set on null): SIGSEGV.
constexpr const char *kDimensionList =
    "malformed dimension list: expected '[' integers separated by ',' ']' "
    "(MLIR 22's linalg parser crashes on anything else)";

const KnownCrash kKnownCrashes[] = {
    {"array<", "^array<[[:space:]]*index[[:space:]]*[:>]", kIndexArray},
    {"permutation", "^permutation[[:space:]]*=", kDimensionList,
     isIntegerListOrAttribute},
    {"dimensions", "^dimensions[[:space:]]*=", kDimensionList,
     isIntegerListOrAttribute},
};

/// How much text after an anchor its regex may need (the anchor, blanks
/// and a token).
constexpr size_t kWindow = 256;

// Lexer::lexString reports a string literal that the end of the buffer
// cuts off but leaves the lexer past the buffer's terminating NUL; the
// dialect-resource parser lexes on and reads beyond the buffer (SIGSEGV
// under ASan, garbage tokens otherwise). A newline ends a string with an
// error safely, so only a last line without one is at risk.
constexpr const char *kOpenString =
    "string literal not closed at the end of the input (MLIR 22's lexer "
    "reads past the end of the buffer on it)";

/// The opening quote of a string literal the last, unterminated line of
/// `text` leaves open, if any (comments and escapes considered).
const char *findStringOpenAtEnd(llvm::StringRef text) {
  if (text.empty() || text.back() == '\n')
    return nullptr;
  llvm::StringRef line = text.drop_front(text.rfind('\n') + 1);
  const char *open = nullptr;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (open) {
      if (c == '\\')
        ++i; // the escaped character
      else if (c == '"')
        open = nullptr;
    } else if (c == '"') {
      open = line.data() + i;
    } else if (line.substr(i).starts_with("//")) {
      break;
    }
  }
  return open;
}
} // namespace

bool mlir::dyn::reportKnownParserCrashes(llvm::SourceMgr &sourceMgr,
                                         unsigned bufferId) {
  llvm::StringRef text = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  bool found = false;
  for (const KnownCrash &crash : kKnownCrashes) {
    llvm::Regex regex(crash.pattern);
    llvm::SmallVector<llvm::StringRef> matches;
    for (size_t at = text.find(crash.anchor); at != llvm::StringRef::npos;
         at = text.find(crash.anchor, at + crash.anchor.size())) {
      if (!regex.match(text.substr(at, kWindow), &matches))
        continue;
      llvm::StringRef match = matches.front();
      if (crash.isWellFormed &&
          crash.isWellFormed(text.drop_front(at + match.size())))
        continue;
      // Comments do not reach the parser.
      llvm::StringRef line = text.take_front(at);
      line = line.drop_front(line.rfind('\n') + 1);
      if (line.contains("//"))
        continue;
      sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(text.data() + at),
                             llvm::SourceMgr::DK_Error, crash.message);
      found = true;
    }
  }
  if (const char *open = findStringOpenAtEnd(text)) {
    sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(open),
                           llvm::SourceMgr::DK_Error, kOpenString);
    found = true;
  }
  return found;
}
