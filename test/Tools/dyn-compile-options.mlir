// Every compile option changes what it should (the options are the tables of
// docs/reference/options.md; dyn-compile, dyn-run, the named pipelines and
// dyn.compile take them under the same names and defaults). Outputs are the
// LLVM-dialect module (--emit=mlir) of Inputs/options.mlir, whose entries
// give each option something to change.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 -o %t/default.mlir

// Target: the triple, CPU and features are recorded and used (the vector
// length follows the CPU when vector-size is 0).
// RUN: FileCheck %s --check-prefix=DEFAULT < %t/default.mlir
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64 --triple=x86_64-pc-linux-gnu -o - | FileCheck %s --check-prefix=GENERIC
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64 --features=+avx2 -o - | FileCheck %s --check-prefix=FEATURES
// DEFAULT: module attributes {dyn.target_cpu = "x86-64-v3", dyn.target_features = "", llvm.target_triple = "x86_64-unknown-linux-gnu"}
// DEFAULT: vector<8xf32>
// DEFAULT: vector<16xf32>
// GENERIC: module attributes {dyn.target_cpu = "x86-64", dyn.target_features = "", llvm.target_triple = "x86_64-pc-linux-gnu"}
// GENERIC-NOT: vector<16xf32>
// GENERIC: vector<4xf32>
// FEATURES: dyn.target_features = "+avx2"
// FEATURES: vector<8xf32>

// Subnets, shapes and memory.
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --outline=false -o %t/no-outline.mlir
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --no-outline -o %t/no-outline-short.mlir
// RUN: FileCheck %s --check-prefix=SUBNETS < %t/default.mlir
// RUN: FileCheck %s --check-prefix=OUTLINE < %t/no-outline.mlir
// RUN: diff %t/no-outline.mlir %t/no-outline-short.mlir
// SUBNETS-DAG: llvm.func internal @forward_cond0_then(
// SUBNETS-DAG: llvm.call @dyn_rt_subnet_shape_error(
// SUBNETS-DAG: llvm.func internal @forward_cond0_then__shape(
// OUTLINE-NOT: _cond0_then
// OUTLINE-NOT: _seg0
// OUTLINE: llvm.func @dyn_forward(
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --check-subnet-shapes=false -o - | FileCheck %s --check-prefix=NOCHECK
// NOCHECK-NOT: dyn_rt_subnet_shape_error(
// NOCHECK: llvm.func @dyn_grow(
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --destinations=false -o - | FileCheck %s --check-prefix=NODEST
// NODEST-NOT: __shape(
// NODEST: llvm.func @dyn_forward(
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --specialize=forward:0.0=1,8 -o - | FileCheck %s --check-prefix=SPECIAL
// SPECIAL-DAG: llvm.func internal @forward__generic(
// SPECIAL-DAG: llvm.func internal @forward__a0d0_1(
// SPECIAL-DAG: llvm.func internal @forward__a0d0_8(
// Planning packs the static temporaries of @fixed into an arena: fewer
// allocations than without it. Elision forwards @decay's read-only loop
// state without a copy per iteration.
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --plan-memory=false -o %t/no-plan.mlir
// RUN: %python %S/Inputs/fewer.py memref_to_llvm_alloc %t/default.mlir %t/no-plan.mlir | FileCheck %s --check-prefix=FEWER
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --elide-loop-copies -o %t/elide.mlir
// RUN: %python %S/Inputs/fewer.py llvm.intr.memcpy %t/elide.mlir %t/default.mlir | FileCheck %s --check-prefix=FEWER
// The same options hold for the nvptx target, on device buffers.
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --target=nvptx --cuda-path=%cuda_path --gpu-format=isa -o %t/gpu.mlir
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --target=nvptx --cuda-path=%cuda_path --gpu-format=isa --plan-memory=false -o %t/gpu-no-plan.mlir
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --target=nvptx --cuda-path=%cuda_path --gpu-format=isa --elide-loop-copies -o %t/gpu-elide.mlir
// RUN: %python %S/Inputs/fewer.py mgpuMemAlloc %t/gpu.mlir %t/gpu-no-plan.mlir | FileCheck %s --check-prefix=FEWER
// RUN: %python %S/Inputs/fewer.py mgpuMemAlloc %t/gpu-elide.mlir %t/gpu.mlir | FileCheck %s --check-prefix=FEWER
// FEWER: {{^}}fewer:

// CPU code generation.
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --vector-size=4 -o - | FileCheck %s --check-prefix=VEC4
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --vectorize=false -o - | FileCheck %s --check-prefix=SCALAR
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --cpu=x86-64-v3 --matmul-tile-n=8 -o - | FileCheck %s --check-prefix=TILEN
// VEC4-NOT: vector<16xf32>
// VEC4: vector<4xf32>
// SCALAR-NOT: vector<
// (the matmul's register tile is two vectors wide unless told otherwise)
// TILEN-NOT: vector<16xf32>
// TILEN: vector<8xf32>

// CUDA code generation (PTX needs only the toolkit's libdevice).
// RUN: dyn-compile %S/Inputs/options.mlir --emit=mlir --target=nvptx --cuda-path=%cuda_path --gpu-format=isa --gpu-chip=sm_80 --gpu-features=+ptx70 --gpu-emulation --gpu-binary=%t/kernels.ptx -o - | FileCheck %s --check-prefix=GPU
// RUN: FileCheck %s --check-prefix=PTX < %t/kernels.ptx
// GPU: gpu.binary @dyn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">
// GPU-SAME: assembly = "
// GPU: llvm.func @dyn_emu_launch_
// PTX: .version 7.0
// PTX: .target sm_80

// Each error names the option.
// RUN: not dyn-compile %S/Inputs/options.mlir --target=nvptx --vectorize=false 2>&1 | FileCheck %s --check-prefix=CPU-ON-GPU
// RUN: not dyn-compile %S/Inputs/options.mlir --target=nvptx --no-vectorize 2>&1 | FileCheck %s --check-prefix=CPU-ON-GPU
// RUN: not dyn-compile %S/Inputs/options.mlir --gpu-chip=sm_80 2>&1 | FileCheck %s --check-prefix=GPU-ON-CPU
// RUN: not dyn-compile %S/Inputs/options.mlir --vector-size=100 2>&1 | FileCheck %s --check-prefix=VECSIZE
// RUN: not dyn-compile %S/Inputs/options.mlir --cpu=x86-64-v3 --matmul-tile-n=12 2>&1 | FileCheck %s --check-prefix=TILESIZE
// RUN: not dyn-compile %S/Inputs/options.mlir --matmul-tile-m=-1 2>&1 | FileCheck %s --check-prefix=TILEM
// RUN: not dyn-compile %S/Inputs/options.mlir --vector-registers=4 2>&1 | FileCheck %s --check-prefix=REGISTERS
// RUN: not dyn-compile %S/Inputs/options.mlir --matmul-cache-tile-k=-8 2>&1 | FileCheck %s --check-prefix=CACHETILE
// RUN: not dyn-compile %S/Inputs/options.mlir --specialize=forward:zero=4 2>&1 | FileCheck %s --check-prefix=SPECSYNTAX
// RUN: not dyn-compile %S/Inputs/options.mlir --features=+nosuchfeature 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not dyn-compile %S/Inputs/options.mlir --target=aarch64 --triple=x86_64-unknown-linux-gnu 2>&1 | FileCheck %s --check-prefix=TRIPLE
// RUN: not dyn-compile %S/Inputs/options.mlir --target=nvptx --gpu-chip=gfx90a 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not dyn-compile %S/Inputs/options.mlir --target=nvptx --cuda-path=%t/nowhere 2>&1 | FileCheck %s --check-prefix=TOOLKIT
// RUN: not dyn-compile %S/Inputs/options.mlir -O4 2>&1 | FileCheck %s --check-prefix=OPT
// CPU-ON-GPU: error: option 'vectorize' does not apply to the nvptx target
// GPU-ON-CPU: error: option 'gpu-chip' does not apply to the x86_64 target
// VECSIZE: error: vector-size must be between 1 and 64 lanes (0: from the target), not 100
// TILESIZE: error: matmul-tile-n must be a multiple of vector-size (8) up to 256 (0: two vectors), not 12
// TILEM: error: matmul-tile-m must be between 1 and 64 rows (0: from the target), not -1
// REGISTERS: error: vector-registers must be between 8 and 64 (0: from the target), not 4
// CACHETILE: error: matmul-cache-tile-n and matmul-cache-tile-k must not be negative (0: no blocking)
// SPECSYNTAX: error: malformed specialisation 'zero=4': ARG and DIM must be integers
// FEATURE: error: '+nosuchfeature' is not a recognized feature for 'x86_64-unknown-linux-gnu'
// TRIPLE: error: triple 'x86_64-unknown-linux-gnu' is not for the aarch64 target
// CHIP: error: unknown GPU chip 'gfx90a' (expected sm_<NN>, e.g. sm_90)
// TOOLKIT: error: no CUDA toolkit at '{{.*}}nowhere'
// OPT: error: optimization level 4 is out of range (0-3)

// The table itself, as dyn.compile reads it.
// RUN: dyn-compile --list-options | FileCheck %s --check-prefix=LIST
// LIST: {"flag": "triple", "type": "string", "default": "", "targets": "all",
// LIST: {"flag": "specialize", "type": "list", "default": "", "targets": "all",
// LIST: {"flag": "plan-memory", "type": "bool", "default": "true", "targets": "all",
// LIST: {"flag": "vector-size", "type": "int", "default": "0", "targets": "x86_64,aarch64",
// LIST: {"flag": "gpu-chip", "type": "string", "default": "sm_90", "targets": "nvptx",
