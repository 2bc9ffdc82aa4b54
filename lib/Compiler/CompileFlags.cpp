//===- CompileFlags.cpp - compile options as command-line flags -----------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Compiler/CompileFlags.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <type_traits>

using namespace mlir;
using namespace mlir::dyn;
namespace cl = llvm::cl;

/// One flag per table entry, same name, default and help.
#define DYN_FLAG(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                      \
  cl::opt<TYPE> FIELD{FLAG, cl::desc(DESCRIPTION), cl::init(DEFAULT),          \
                      cl::cat(category)};
/// A list option repeats.
#define DYN_LIST_FLAG(FIELD, FLAG, DESCRIPTION)                                \
  cl::list<std::string> FIELD{FLAG, cl::desc(DESCRIPTION " (repeatable)"),     \
                              cl::cat(category)};

struct CompileFlags::Flags {
  explicit Flags(cl::OptionCategory &category, StringRef targetHelp)
      : category(category), target("target", cl::desc(targetHelp),
                                   cl::init("x86_64"), cl::cat(category)) {}

  cl::OptionCategory &category;
  cl::opt<std::string> target;
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level (0-3)"),
                             cl::init(3), cl::Prefix, cl::cat(category)};
  cl::opt<bool> timing{"timing", cl::desc("Print per-stage timings"),
                       cl::cat(category)};
  cl::opt<unsigned> codegenThreads{
      "codegen-threads",
      cl::desc("Threads that optimize and compile a shared library's LLVM "
               "module, in partitions (0: one per core, at most 4; 1: one "
               "module, as --emit=obj and --emit=llvm always do)"),
      cl::init(0), cl::cat(category)};

#define DYN_OPTION DYN_FLAG
#include "dyn/Target/TargetOptions.def"
#define DYN_OPTION DYN_FLAG
#define DYN_LIST_OPTION DYN_LIST_FLAG
#include "dyn/Codegen/Common/SubnetOptions.def"
#define DYN_OPTION DYN_FLAG
#include "dyn/Codegen/CPU/CPUOptions.def"
#define DYN_OPTION DYN_FLAG
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"

  // Short forms kept from before the tables.
  cl::opt<bool> noOutline{"no-outline", cl::desc("Same as --outline=false"),
                          cl::cat(category)};
  cl::opt<bool> noVectorize{
      "no-vectorize", cl::desc("Same as --vectorize=false"), cl::cat(category)};
  cl::opt<bool> noPlanMemory{"no-plan-memory",
                             cl::desc("Same as --plan-memory=false"),
                             cl::cat(category)};
};
#undef DYN_FLAG
#undef DYN_LIST_FLAG

CompileFlags::CompileFlags(cl::OptionCategory &category, StringRef targetHelp)
    : flags(std::make_unique<Flags>(category, targetHelp)) {}

CompileFlags::~CompileFlags() = default;

CompileOptions CompileFlags::getOptions() const {
  CompileOptions options;
  options.target = flags->target;
  options.optLevel = flags->optLevel;
  options.timing = flags->timing;
  options.codegenThreads = flags->codegenThreads;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  options.targetOptions.FIELD = flags->FIELD;
#include "dyn/Target/TargetOptions.def"
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  options.subnetOptions.FIELD = flags->FIELD;
#define DYN_LIST_OPTION(FIELD, FLAG, DESCRIPTION)                              \
  for (const std::string &item : flags->FIELD)                                 \
    for (std::string &part : splitListOption(item))                            \
      options.subnetOptions.FIELD.push_back(std::move(part));
#include "dyn/Codegen/Common/SubnetOptions.def"
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  options.cpuOptions.FIELD = flags->FIELD;
#include "dyn/Codegen/CPU/CPUOptions.def"
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  options.nvptxOptions.FIELD = flags->FIELD;
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"
  if (flags->noOutline)
    options.subnetOptions.outline = false;
  if (flags->noVectorize)
    options.cpuOptions.vectorize = false;
  if (flags->noPlanMemory)
    options.subnetOptions.planMemory = false;
  return options;
}

//===----------------------------------------------------------------------===//
// The option table
//===----------------------------------------------------------------------===//

namespace {
/// One row of the table.
struct OptionRow {
  StringRef flag, type;
  std::string defaultValue;
  StringRef targets, description;
};

template <typename T> std::string formatDefault(const T &value) {
  if constexpr (std::is_same_v<T, bool>)
    return value ? "true" : "false";
  else if constexpr (std::is_integral_v<T>)
    return std::to_string(value);
  else
    return std::string(value);
}

template <typename T> constexpr StringRef typeName() {
  if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_integral_v<T>)
    return "int";
  else
    return "string";
}

std::string escapeJSON(StringRef text) {
  std::string result;
  for (char c : text) {
    if (c == '"' || c == '\\')
      result += '\\';
    result += c;
  }
  return result;
}
} // namespace

void mlir::dyn::printOptionTable(llvm::raw_ostream &os,
                                 OptionTableFormat format) {
  std::vector<OptionRow> rows;
  auto add = [&](StringRef flag, StringRef type, std::string defaultValue,
                 StringRef targets, StringRef description) {
    rows.push_back({flag, type, std::move(defaultValue), targets, description});
  };
#define DYN_ROW(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                       \
  add(FLAG, typeName<TYPE>(), formatDefault<TYPE>(DEFAULT), targets,           \
      DESCRIPTION);
#define DYN_LIST_ROW(FIELD, FLAG, DESCRIPTION)                                 \
  add(FLAG, "list", "", targets, DESCRIPTION);
  StringRef targets = "all";
#define DYN_OPTION DYN_ROW
#include "dyn/Target/TargetOptions.def"
#define DYN_OPTION DYN_ROW
#define DYN_LIST_OPTION DYN_LIST_ROW
#include "dyn/Codegen/Common/SubnetOptions.def"
  targets = "x86_64,aarch64";
#define DYN_OPTION DYN_ROW
#include "dyn/Codegen/CPU/CPUOptions.def"
  targets = "nvptx";
#define DYN_OPTION DYN_ROW
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"
#undef DYN_ROW
#undef DYN_LIST_ROW

  if (format == OptionTableFormat::JSON) {
    for (const OptionRow &row : rows)
      os << llvm::formatv("{{\"flag\": \"{0}\", \"type\": \"{1}\", "
                          "\"default\": \"{2}\", \"targets\": \"{3}\", "
                          "\"description\": \"{4}\"}\n",
                          row.flag, row.type, escapeJSON(row.defaultValue),
                          row.targets, escapeJSON(row.description));
    return;
  }
  os << "<!-- Generated by `cmake --build build --target dyn-docs` from the "
        "option tables (dyn-compile --list-options=markdown); do not edit. "
        "-->\n\n"
     << "# Compile options\n\n"
     << "One table per concern (`include/dyn/Target/TargetOptions.def`, "
        "`include/dyn/Codegen/Common/SubnetOptions.def`, "
        "`include/dyn/Codegen/CPU/CPUOptions.def`, "
        "`include/dyn/Codegen/NVPTX/NVPTXOptions.def`), exposed under the "
        "same names and defaults as:\n\n"
     << "* options of the named pipelines: `dyn-opt "
        "--dyn-cpu-pipeline=\"vector-size=8 plan-memory=false\"` (list "
        "options take `;`-separated elements there);\n"
     << "* flags of `dyn-compile` and `dyn-run`: `--vector-size=8 "
        "--plan-memory=false` (list options repeat);\n"
     << "* fields of `mlir::dyn::CompileOptions` "
        "(`include/dyn/Compiler/Compiler.h`);\n"
     << "* keyword arguments of `dyn.compile`: `vector_size=8, "
        "plan_memory=False`.\n\n"
     << "An option of another target's table set away from its default is "
        "an error, not ignored.\n\n"
     << "| option | type | default | targets | what it does |\n"
     << "| --- | --- | --- | --- | --- |\n";
  for (const OptionRow &row : rows)
    os << "| `" << row.flag << "` | " << row.type << " | "
       << (row.defaultValue.empty() ? "(empty)" : "`" + row.defaultValue + "`")
       << " | " << row.targets << " | " << row.description << " |\n";
}
