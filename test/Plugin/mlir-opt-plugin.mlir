// dyn inside an unmodified upstream tool: Debian's mlir-opt-22 loads
// DynPlugin for the dialect and the passes; the named pipeline compiles a
// linalg/scf/tosa program (raised to dyn, outlined, dispatched, lowered) to
// the LLVM dialect, which upstream's mlir-translate and clang turn into a
// library that runs every path against numpy.
// REQUIRES: mlir-opt-plugin

// Without the plugin, upstream does not know dyn:
// RUN: not %upstream_mlir_opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// NOPLUGIN: Dialect `dyn' not found

// The dialect plugin alone: dyn ops parse, verify and print.
// RUN: %upstream_mlir_opt --load-dialect-plugin=%dyn_plugin %s | FileCheck %s --check-prefix=DIALECT
// DIALECT-LABEL: func.func @gate
// DIALECT: dyn.cond %{{.*}} : tensor<i1> -> tensor<?x8xf32>
// The verifier runs (a yield of the wrong arity is an error):
// RUN: sed 's/dyn.yield %x : tensor<?x8xf32>/dyn.yield/' %s \
// RUN:   | not %upstream_mlir_opt --load-dialect-plugin=%dyn_plugin 2>&1 \
// RUN:   | FileCheck %s --check-prefix=VERIFY
// VERIFY: 'dyn.cond' op else region yield provides 0 value(s) but result expects 1

// Passes and pipelines are listed and run (as --pass-pipeline: a pass
// plugin is loaded after the command line's pass flags are known).
// RUN: %upstream_mlir_opt --load-dialect-plugin=%dyn_plugin --load-pass-plugin=%dyn_plugin --help \
// RUN:   | FileCheck %s --check-prefix=HELP
// HELP-DAG: --dyn-raise-control-flow
// HELP-DAG: --dyn-outline-regions
// HELP-DAG: --dyn-cpu-pipeline
// HELP-DAG: --dyn-nvptx-pipeline
// RUN: %upstream_mlir_opt --load-dialect-plugin=%dyn_plugin --load-pass-plugin=%dyn_plugin \
// RUN:   %S/../Integration/raised-scf.mlir \
// RUN:   --pass-pipeline="builtin.module(dyn-raise-control-flow, canonicalize, dyn-outline-regions, dyn-build-dispatcher)" \
// RUN:   | FileCheck %s --check-prefix=OUTLINE
// OUTLINE-LABEL: func.func @gate
// OUTLINE-SAME: dyn.dispatcher
// OUTLINE: scf.if
// OUTLINE: func.call @gate_cond0_then
// OUTLINE: dyn.subnet

// The whole CPU pipeline in mlir-opt, then upstream translation and clang:
// RUN: %upstream_mlir_opt --load-dialect-plugin=%dyn_plugin --load-pass-plugin=%dyn_plugin \
// RUN:   %S/../Integration/raised-scf.mlir --pass-pipeline="builtin.module(dyn-cpu-pipeline)" -o %t.llvm.mlir
// RUN: %upstream_mlir_translate --mlir-to-llvmir %t.llvm.mlir -o %t.ll
// RUN: %cc -O2 -shared -fPIC -Wno-override-module %t.ll %dyn_runtime_lib -lm -Wl,--no-undefined -o %t.so
// RUN: %python %S/../Integration/check.py raised %t.so | FileCheck %s --check-prefix=EXEC
// EXEC: raised: path gate=then: {{[0-9]+}} runs ok
// EXEC: raised: path rnn-some: {{[0-9]+}} runs ok
// EXEC: raised: path tosa=else: {{[0-9]+}} runs ok
// EXEC: raised: all paths taken

func.func @gate(%x: tensor<?x8xf32>, %t: tensor<i1>) -> tensor<?x8xf32> {
  %r = dyn.cond %t : tensor<i1> -> tensor<?x8xf32> {
    %y = math.tanh %x : tensor<?x8xf32>
    dyn.yield %y : tensor<?x8xf32>
  } else {
    dyn.yield %x : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}
