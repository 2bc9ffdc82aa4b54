//===- Passes.td - dyn target-independent codegen passes ---*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_COMMON_PASSES_TD
#define DYN_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynFoldConstantTransposes : Pass<"dyn-fold-constant-transposes", "::mlir::func::FuncOp"> {
  let summary = "Fold transposes of constants (convolution filters) by moving bytes";
  let description = [{
    `tosa-to-linalg-named` puts every convolution filter into the layout the
    codegen wants with a `linalg.transpose` of the constant weights. Upstream
    folds those in `linalg-fuse-elementwise-ops`, one `APFloat` per element:
    about 3 s of ResNet-50's compile, for 25 M weights. This pass folds each
    `linalg.transpose` of a non-splat `arith.constant` with byte-sized
    elements by permuting the raw storage (a splat is reshaped), whatever
    the element type; other transposes are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of transposes of constants folded">
  ];
}

def DynFoldDynamicBroadcasts : Pass<"dyn-fold-dynamic-broadcasts", "::mlir::func::FuncOp"> {
  let summary = "Remove runtime broadcast checks between dims that are symbolically equal";
  let description = [{
    `tosa-to-linalg` cannot know whether two `?` dims of an elementwise op's
    operands are equal, so for each operand dim it emits a runtime check
    (`scf.if %dim == 1`) with a broadcasting copy in the then-branch. Every
    residual connection, bias add over a dynamic batch and softmax
    normalisation in a dynamic-shape network gets one: the checks block
    elementwise fusion and make upstream's value-bounds analysis (used by
    bufferization) exponential over chains of them.

    This pass reasons about dims symbolically: it traces every dim to a
    canonical extent (through destination-style ops to their inits, empty
    tensors to their size operands, casts, and `max(d, d) = d`), without
    rewriting the IR, and folds each check whose broadcast target is the
    operand's own extent: broadcasting a dim of extent 1 to extent 1 is the
    identity, so the operand is used directly. Each folded check exposes
    the operand to the next op, so the greedy driver iterates.

    Genuine broadcasts (a dim that is symbolically distinct, e.g. a `[1, S]`
    mask against `[B, S]` scores with an unknown relation) keep their check.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of runtime broadcast checks removed">
  ];
}

def DynSplitDynamicReshapes : Pass<"dyn-split-dynamic-reshapes", "::mlir::func::FuncOp"> {
  let summary = "Turn expand_shapes that split a dim into several dynamic dims into tensor.reshape";
  let description = [{
    A `tensor.expand_shape` whose reassociation group holds more than one
    dynamic result dim (`tensor<?x64xf32>` into `tensor<?x?x4x16xf32>`, the
    `[B*S, D] -> [B, S, H, hd]` split of attention heads) is legal, but its
    bufferized form crashes upstream's `expand-strided-metadata` (MLIR
    22.1.8, `memref.expand_shape` with several dynamic sizes in one group).
    This pass rewrites exactly those ops into `tensor.reshape` with the
    result shape built by `tensor.from_elements`, which bufferizes to
    `memref.reshape` and lowers directly to LLVM. All other reshapes are
    left alone.

    ```mlir
    %e = tensor.expand_shape %x [[0, 1], [2, 3]] output_shape [%b, %s, 4, 16]
        : tensor<?x64xf32> into tensor<?x?x4x16xf32>
    // becomes
    %shape = tensor.from_elements %b, %s, %c4, %c16 : tensor<4xindex>
    %e = tensor.reshape %x(%shape)
        : (tensor<?x64xf32>, tensor<4xindex>) -> tensor<?x?x4x16xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten", "Number of expand_shapes rewritten">
  ];
}

def DynPlanMemory : Pass<"dyn-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Pack each function's static buffers into one arena by liveness over its control flow";
  let description = [{
    Static memory planning (Nimble's, for the shapes that are static: every
    subnet and dispatcher of a shape-specialised version, and the fixed-size
    buffers of generic ones). Runs after bufferization, before deallocation,
    on subnets and dispatchers alike.

    Every `memref.alloc` of a static shape, or of a dynamic shape whose
    extents have constant upper bounds (upstream's value-bounds analysis: a
    clamp `min(n, 16)`, an extent a specialised version fixes), is a
    candidate, at any depth of
    `scf.if` / `scf.index_switch` / `scf.for` / `scf.while` nesting (not under
    parallel loops or unknown region ops). Its live range, in program order,
    runs from the alloc to the last use of any alias: views and region
    control flow (upstream's `BufferViewFlowAnalysis`), and the results of
    calls it is passed to when the callee may return one of its arguments
    (the callee's own analysis; callees are analysed before anything is
    rewritten). A use inside a loop that the alloc is outside of keeps the
    buffer alive until the loop ends. A buffer is left to the allocator when
    it escapes: returned, deallocated explicitly, passed to an external
    function (which could keep it), or carried from one iteration of a loop
    around its alloc to the next (its next instance would overwrite it).

    Buffers are placed first-fit, largest first, at 64-byte aligned offsets
    of one arena per function and memory space (device buffers of the nvptx
    pipeline get a device arena) so that buffers whose ranges overlap never
    share bytes; each alloc becomes a `memref.view` of the arena, so an
    allocation inside a loop body no longer allocates per iteration (a
    bounded buffer gets a slot of its bound and a view of its actual
    extents). The arena is one allocation, freed after its last view dies by
    the deallocation pipeline. Unbounded dynamic buffers are left to the
    allocator.

    ```mlir
    %a = memref.alloc() : memref<8x64xf32>      // dies before %c is made
    %b = memref.alloc() : memref<8x256xf32>
    %c = memref.alloc() : memref<8x64xf32>
    // becomes
    %arena = memref.alloc() {alignment = 64 : i64} : memref<10240xi8>
    %b = memref.view %arena[%c0][] : memref<10240xi8> to memref<8x256xf32>
    %a = memref.view %arena[%c8192][] : memref<10240xi8> to memref<8x64xf32>
    %c = memref.view %arena[%c8192][] : memref<10240xi8> to memref<8x64xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect"
  ];
  let statistics = [
    Statistic<"numPlanned", "num-planned", "Number of allocations placed in an arena">,
    Statistic<"numBytesPlanned", "bytes-planned", "Bytes of planned buffers before packing">,
    Statistic<"numArenaBytes", "arena-bytes", "Bytes of the arenas after packing">
  ];
}

def DynPromoteScratchToStack : Pass<"dyn-promote-scratch-to-stack", "::mlir::ModuleOp"> {
  let summary = "Give small block-local heap buffers one stack slot at function entry";
  let description = [{
    Runs after the deallocation pipeline has been lowered
    (`convert-bufferization-to-memref`). Ownership-based deallocation checks
    aliasing at run time through a `dealloc_helper` function, with small
    heap arrays allocated and freed around each check; in a dispatcher loop
    that is several allocations per iteration. A `memref.alloc` of a static
    shape of at most `max-bytes` that is freed in its own block and used
    there only by loads, stores, casts and calls to functions that merely
    access their memref arguments becomes a `memref.alloca` at the start of
    the function (one slot, reused on every iteration: the stack does not
    grow), and its `memref.dealloc` goes.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", "1024",
           "Largest buffer moved to the stack">
  ];
  let statistics = [
    Statistic<"numPromoted", "num-promoted", "Buffers moved to the stack">
  ];
}

def DynElideLoopCopies : Pass<"dyn-elide-loop-copies", "::mlir::func::FuncOp"> {
  let summary = "Drop the per-iteration copies upstream scf.while bufferization adds for read-only loop state";
  let description = [{
    One-Shot Bufferize copies every tensor an `scf.condition` forwards unless
    the after region also yields a buffer equivalent to its argument. A
    decode loop whose sequence grows (the after region yields a fresh,
    longer buffer) thus copies the whole sequence once per step: O(n^2)
    bytes and one allocation per iteration.

    The copy only matters if someone writes the forwarded buffer while
    another name for it is still live. This pass (after bufferization,
    before deallocation) forwards the original buffer instead when the
    buffer is a `before`-region argument that nothing in the loop writes:
    no op after the copy in the `before` region writes it, and every use of
    the corresponding `after` argument (through views and casts) only reads
    it: loads, dims, copies from it, yields, and calls whose callee provably
    never writes that argument (its body is inspected with the memory
    effect interfaces). Deallocation (ownership-based) is computed
    afterwards and sees the aliasing.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numElided", "num-elided", "Number of loop copies removed">
  ];
}

def DynEmitCInterface : Pass<"dyn-emit-c-abi", "::mlir::ModuleOp"> {
  let summary = "Export every public function through dyn's uniform C ABI";
  let description = [{
    Runs on bufferized code (memref signatures with identity layouts). For
    every public function `F` it adds

    ```c
    int32_t dyn_F(const dyn_tensor *inputs, int64_t num_inputs,
                  dyn_tensor *outputs, int64_t num_outputs);
    ```

    (see `include/dyn/Runtime/dyn_runtime.h`), which checks the inputs'
    count, element types, ranks, static extents and layout in the runtime,
    rebuilds memref descriptors, calls `F` (made private), and hands each
    result buffer to the caller. Scalars cross as rank-0 tensors, `index` as
    `i64`, `i1` as one byte. It also emits the constant string
    `dyn_module_signature`, one line per entry point:
    `F(f32[?,64], i64[]) -> (f32[?,10])`.

    An argument or result the ABI cannot carry (non-identity layout, rank
    above 8, unsupported element type) is an error at its function.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

def DynLowerAssertions : Pass<"dyn-lower-assertions", "::mlir::ModuleOp"> {
  let summary = "cf.assert as a run-time check that fails the entry point with its message";
  let description = [{
    Runs on host functions before the lowering to LLVM (upstream's
    `convert-cf-to-llvm` would make a failed `cf.assert` abort the process).
    Each `cf.assert %ok, "message"` becomes

    ```mlir
    %failed = arith.xori %ok, %true : i1
    scf.if %failed {
      %m = memref.get_global @__dyn_assert_0 : memref<7xi8>
      %d = memref.cast %m : memref<7xi8> to memref<?xi8>
      func.call @dyn_rt_assert_failed(%d) : (memref<?xi8>) -> ()
    }
    ```

    and `dyn-exit-on-error` makes the function return at once after the
    call, so that nothing the assertion guards runs. The entry point then
    returns `DYN_ERROR_ASSERT` with `dyn_last_error()` = "ENTRY: message".
    The PyTorch frontend emits `cf.assert` for a data-dependent `raise` or
    `assert` with the message "ExceptionType: text", which the Python
    runtime raises as that exception type. Functions in GPU modules are
    left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let statistics = [
    Statistic<"numAssertions", "num-assertions", "Number of assertions lowered">
  ];
}

def DynExitOnError : Pass<"dyn-exit-on-error", "::mlir::ModuleOp"> {
  let summary = "Return from compiled code at once when an allocation or an assertion fails";
  let description = [{
    On the LLVM dialect, before `dyn-finalize-llvm-module`. Compiled code
    allocates every buffer through `_mlir_memref_to_llvm_alloc` (the dyn
    runtime's allocator), which returns null when memory is exhausted;
    upstream's lowering would then write through the null pointer. Failed
    assertions (`dyn-lower-assertions`) call `dyn_rt_assert_failed`. This
    pass makes each private function that can reach either (directly or
    through the private functions it calls) stop: a null buffer calls
    `dyn_rt_alloc_failed(bytes)` and returns zero values at once, a failed
    assertion returns at once, and each call of such a function returns
    likewise when `dyn_rt_exit_pending()` says one failed below it. The C
    ABI entry point then finds the failure in `dyn_rt_finish_outputs`,
    releases the outputs and returns `DYN_ERROR_ALLOC` (or
    `DYN_ERROR_ASSERT`) with a message such as

        forward: out of memory (allocating 4503599627370496 bytes)

    Buffers allocated before the failure by the functions that returned
    early are not freed (the one error path that may leak). Functions that
    can neither allocate nor fail are left alone.

    ```mlir
    %p = llvm.call @_mlir_memref_to_llvm_alloc(%bytes) : (i64) -> !llvm.ptr
    // becomes
    %p = llvm.call @_mlir_memref_to_llvm_alloc(%bytes) : (i64) -> !llvm.ptr
    %null = llvm.icmp "eq" %p, %zero : !llvm.ptr
    llvm.cond_br %null, ^failed(%bytes : i64), ^next
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numAllocationChecks", "num-allocation-checks",
              "Number of allocations checked for null">,
    Statistic<"numCallChecks", "num-call-checks",
              "Number of calls checked for a failure below them">
  ];
}

def DynFinalizeLLVMModule : Pass<"dyn-finalize-llvm-module", "::mlir::ModuleOp"> {
  let summary = "Record the code generation target on an LLVM-dialect module; internal linkage for private functions";
  let description = [{
    The last pass of every dyn pipeline, on the LLVM dialect. It records
    the target the module was compiled for, for the LLVM back end and for
    anyone reading the module: `llvm.target_triple` (the triple of the
    host code), `dyn.target_cpu` and `dyn.target_features` (see
    `dyn-opt --help` for the dialect's attributes). It also gives every
    private `llvm.func` definition internal linkage: `convert-func-to-llvm`
    keeps them external, which would export subnets and dispatchers from the
    shared library and keep LLVM from inlining or dropping them. Only the C
    ABI entry points (`dyn_*`) and `dyn_module_signature` stay visible.
    Constant globals of dense elements (the weights) become arrays of their
    bytes, with their alignment: LLVM emits a float array one element at a
    time, a byte array as one blob (about 2 s of ResNet-50's compile).

    ```mlir
    module {
      llvm.func private @forward_seg0(...) { ... }
    }
    // with triple=x86_64-unknown-linux-gnu cpu=znver4 becomes
    module attributes {dyn.target_cpu = "znver4", dyn.target_features = "",
                       llvm.target_triple = "x86_64-unknown-linux-gnu"} {
      llvm.func internal @forward_seg0(...) { ... }
    }
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"x86_64-unknown-linux-gnu\"",
           "LLVM target triple of the (host) code">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "Target CPU (LLVM name); empty: the triple's generic CPU">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features (LLVM syntax, e.g. +avx2,+fma)">
  ];
  let statistics = [
    Statistic<"numInternalized", "num-internalized", "Private functions given internal linkage">,
    Statistic<"numFlattened", "num-flattened", "Constant globals rewritten as byte arrays">
  ];
}

#endif // DYN_CODEGEN_COMMON_PASSES_TD
