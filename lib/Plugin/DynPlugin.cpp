//===- DynPlugin.cpp - dyn as a plugin for mlir-opt -----------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The two entry points upstream's MlirOptMain looks up in a plugin: one
// library serves both --load-dialect-plugin (the dyn dialect, the dialects
// its passes create, its interface models) and --load-pass-plugin (every
// dyn pass and the named pipelines dyn-cpu-pipeline / dyn-nvptx-pipeline).
//
//===----------------------------------------------------------------------===//

#include "dyn/InitAllDyn.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Dyn", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            dyn::registerAllDynDialects(*registry);
            dyn::registerAllDynExtensions(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DynPasses", LLVM_VERSION_STRING,
          []() { dyn::registerAllDynPasses(); }};
}
