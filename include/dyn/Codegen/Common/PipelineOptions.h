//===- PipelineOptions.h - .def options as pipeline options -----*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Turns the option tables (TargetOptions.def, SubnetOptions.def and each
// target's) into the options of a named pipeline and back into the plain
// structs the pipeline builders take. In a pipeline's options:
//
//   #define DYN_OPTION DYN_PIPELINE_OPTION
//   #include "dyn/Codegen/CPU/CPUOptions.def"
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_COMMON_PIPELINEOPTIONS_H
#define DYN_CODEGEN_COMMON_PIPELINEOPTIONS_H

#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Target/TargetInfo.h"

#include "mlir/Pass/PassOptions.h"

/// One pipeline option per table entry, same flag, default and help.
#define DYN_PIPELINE_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)           \
  ::mlir::detail::PassOptions::Option<TYPE> FIELD{                             \
      *this, FLAG, ::llvm::cl::desc(DESCRIPTION), ::llvm::cl::init(DEFAULT)};
/// A list option is one string, its elements separated by ';' (a pipeline
/// option cannot repeat, and its elements may contain commas).
#define DYN_PIPELINE_LIST_OPTION(FIELD, FLAG, DESCRIPTION)                     \
  ::mlir::detail::PassOptions::Option<std::string> FIELD{                      \
      *this, FLAG, ::llvm::cl::desc(DESCRIPTION "; several separated by ';'"), \
      ::llvm::cl::init("")};

namespace mlir {
namespace dyn {

/// The options every named pipeline has: the target's and the subnets'
/// tables. A target's pipeline options derive from it and add its own table
/// (`struct CPUPipelineOptions : CommonPipelineOptions<CPUPipelineOptions>`).
template <typename Derived>
struct CommonPipelineOptions : public PassPipelineOptions<Derived> {
#define DYN_OPTION DYN_PIPELINE_OPTION
#include "dyn/Target/TargetOptions.def"
#define DYN_OPTION DYN_PIPELINE_OPTION
#define DYN_LIST_OPTION DYN_PIPELINE_LIST_OPTION
#include "dyn/Codegen/Common/SubnetOptions.def"

  TargetOptions getTargetOptions() const {
    TargetOptions result;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  result.FIELD = FIELD;
#include "dyn/Target/TargetOptions.def"
    return result;
  }

  SubnetOptions getSubnetOptions() const {
    SubnetOptions result;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  result.FIELD = FIELD;
#define DYN_LIST_OPTION(FIELD, FLAG, DESCRIPTION)                              \
  result.FIELD = splitListOption(FIELD);
#include "dyn/Codegen/Common/SubnetOptions.def"
    return result;
  }
};

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_COMMON_PIPELINEOPTIONS_H
