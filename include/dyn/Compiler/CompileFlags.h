//===- CompileFlags.h - compile options as command-line flags ---*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The flags of the tools that compile (dyn-compile, dyn-run): one flag per
// entry of the option tables, with the names, defaults and help of the
// pipelines' options, plus the driver's (--target, -O, --timing).
//
//===----------------------------------------------------------------------===//

#ifndef DYN_COMPILER_COMPILEFLAGS_H
#define DYN_COMPILER_COMPILEFLAGS_H

#include "dyn/Compiler/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace mlir {
namespace dyn {

/// Registers the flags when constructed (before the command line is
/// parsed, e.g. as a global of the tool).
class CompileFlags {
public:
  /// `targetHelp` describes --target for this tool.
  CompileFlags(llvm::cl::OptionCategory &category, llvm::StringRef targetHelp);
  ~CompileFlags();

  /// The options the command line asked for.
  CompileOptions getOptions() const;

private:
  struct Flags;
  std::unique_ptr<Flags> flags;
};

/// How printOptionTable writes the table.
enum class OptionTableFormat { JSON, Markdown };

/// Writes every option of the tables: flag, type, default, the targets it
/// applies to and its description; JSON (one object per line, what the
/// Python package reads) or a Markdown table (docs/reference/options.md).
void printOptionTable(llvm::raw_ostream &os, OptionTableFormat format);

} // namespace dyn
} // namespace mlir

#endif // DYN_COMPILER_COMPILEFLAGS_H
