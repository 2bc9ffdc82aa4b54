//===- Passes.td - dyn code generation passes --------------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TRANSFORMS_PASSES_TD
#define DYN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynTileAndVectorize : Pass<"dyn-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to vector-sized tiles and vectorize them (masked for dynamic dims)";
  let description = [{
    For every linalg op on tensors, picks tile sizes for the host's vector
    unit, tiles the op with `scf.for` loops (TilingInterface), and vectorizes
    each tile with `linalg::vectorize`, using masks where a tile can be
    partial (dynamic dims, sizes that are not multiples of the tile). Tile
    sizes:

    * contractions (`linalg.matmul`, `linalg.batch_matmul`, matmul-like
      generics): `matmul-tile-m` x `vector-size` x `matmul-tile-k` over the
      (M, N, K) dims, batch dims tiled by 1;
    * 2-D convolutions (`linalg.conv_2d_nhwc_hwcf`): batch, output row and
      kernel row by 1, output columns by `matmul-tile-m`, output and input
      channels by `vector-size`, kernel columns whole; the unit-window tiles
      are then rewritten as 1-D convolutions (upstream's decomposition
      patterns), which the vectorizer handles (dynamic batch included,
      where upstream's im2col rewrite needs static shapes);
    * every other op: the innermost loop by `vector-size`, the other loops by
      1, and dims whose static extent is at most the tile are left whole.

    Ops the vectorizer cannot handle are left tiled (or untiled when not even
    tiling applies) and later lowered to scalar loops. The pass runs on
    tensors, before bufferization.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"vectorSize", "vector-size", "int64_t", /*default=*/"16",
           "Vector length (elements) along the innermost dim: 16 for 32-bit "
           "elements with AVX-512, 8 with AVX2, 4 with NEON">,
    Option<"matmulTileM", "matmul-tile-m", "int64_t", /*default=*/"8",
           "Rows of a contraction tile (M)">,
    Option<"matmulTileK", "matmul-tile-k", "int64_t", /*default=*/"16",
           "Reduction depth of a contraction tile (K)">
  ];
  let statistics = [
    Statistic<"numVectorized", "num-vectorized", "Number of linalg tiles vectorized">,
    Statistic<"numScalar", "num-scalar", "Number of linalg ops left to scalar loops">
  ];
}

def DynLowerVectors : Pass<"dyn-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Lower high-level vector ops (contract, multi_reduction, masks, n-D transfers) for LLVM";
  let description = [{
    Applies upstream's vector lowering patterns so that what remains maps
    onto LLVM vector instructions: `vector.contract` becomes outer products
    (FMAs), `vector.multi_reduction` inner reductions, masked n-D transfers
    1-D masked loads/stores, and transposes and broadcasts shuffles. Runs
    after bufferization and before `convert-vector-to-llvm`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
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

def DynBufferizeForDevice : Pass<"dyn-bufferize-for-device", "::mlir::ModuleOp"> {
  let summary = "One-shot bufferization with tensors in GPU global memory";
  let description = [{
    Upstream's one-shot module bufferization (function boundaries, identity
    layouts, allocations returned from loops), with
    `#gpu.address_space<global>` as the memory space of every buffer except
    index-typed ones (shape operands host-side reshapes read). Entry inputs
    are marked non-writable first, so a result equal to an input is an
    unmodified pass-through. The memory space is how the later nvptx passes
    tell device buffers from host ones.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def DynDeviceBoundary : Pass<"dyn-device-boundary", "::mlir::ModuleOp"> {
  let summary = "Host wrappers that move entry inputs to the device and outputs back, once";
  let description = [{
    Each public function with device-memory arguments or results, `@F`,
    becomes the private `@F__device`; a new public `@F` with host-memory
    types allocates a device copy of each input (`memref.alloc` in
    `#gpu.address_space<global>` + `memref.copy`, later a `gpu.memcpy`),
    calls it, and copies each output into a fresh host buffer. Outputs that
    are an input returned unchanged, or a constant, are returned from host
    memory without crossing (DyCL's pass-through and constant outputs).
    Runs right after bufferization, so deallocation covers the copies.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DynMapToGPU : Pass<"dyn-map-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Turn every linalg op on buffers (and memref.copy) into a gpu.launch";
  let description = [{
    One kernel per op, in three shapes. `linalg.matmul` /
    `linalg.batch_matmul` on f32 with the default maps: 16x16 output tiles
    per block (grid ceil(N/16) x ceil(M/16) x batch), the K loop staged
    through two 16x16 workgroup (shared-memory) tiles with barriers, the
    result accumulated into the init. A reduction over one loop dim with one
    f32 output whose body yields `combine(x, acc)` (`addf`, `mulf`,
    `maximumf`, `maxnumf`, `minimumf`, `minnumf`; `x` independent of `acc`):
    one block per output element, 256 threads folding strided shares, then a
    shared-memory tree. Any other op (elementwise, broadcasts, transposes,
    fills, copies, multi-output reductions such as argmax, convolutions):
    one thread per point of the flattened parallel iteration space (256 a
    block), reduction dims walked serially by that thread. Extents are read
    on the host and passed in; grids are computed from them, so dynamic
    shapes need nothing special. A `memref.copy` between two device buffers
    becomes a `linalg.copy` first; host<->device copies are left to
    `dyn-place-on-device`.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let statistics = [
    Statistic<"numMatmulKernels", "num-matmul-kernels", "Matmuls mapped to shared-memory tiles">,
    Statistic<"numReductionKernels", "num-reduction-kernels", "Reductions mapped to block trees">,
    Statistic<"numPointwiseKernels", "num-pointwise-kernels", "Ops mapped one thread per point">
  ];
}

def DynPlaceOnDevice : Pass<"dyn-place-on-device", "::mlir::ModuleOp"> {
  let summary = "Device buffers via gpu.alloc, transfers via gpu.memcpy, constants read in kernels";
  let description = [{
    Runs after deallocation and `dyn-map-to-gpu`, on host code (everything
    outside `gpu.launch`): `memref.alloc`/`memref.dealloc` of device memory
    become `gpu.alloc`/`gpu.dealloc`; a `memref.copy` between host and device
    memory becomes `gpu.memcpy`; a host `memref.load` from device memory (a
    predicate, a loop bound or a switch index a subnet computed) becomes a
    one-element `gpu.memcpy` into a host stack slot and a load from there,
    and a host store the reverse: the only data that crosses between the
    entry's inputs and outputs. `memref.get_global` chains a kernel reads
    are cloned into the `gpu.launch` (kernel outlining then copies the
    constants into the device module). Any other host op that would read or
    write device memory is an error. Finally the device memory space is
    erased from host types: device pointers are plain pointers to the host.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
  let statistics = [
    Statistic<"numDeviceAllocs", "num-device-allocs", "Allocations placed in device memory">,
    Statistic<"numTransfers", "num-transfers", "Host<->device copies of whole buffers">,
    Statistic<"numScalarReads", "num-scalar-reads", "Device scalars read back by the host">
  ];
}

def DynMergeGpuModules : Pass<"dyn-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel, so a network
    would carry dozens of device binaries, each loaded at start-up. This
    moves every kernel into one module (`module-name`, default
    `dyn_kernels`), renaming kernel `@M::@K` to `@dyn_kernels::@M` (module
    names are unique) and keeping one device copy of each constant, then
    updates the launches: one binary per artifact, one module load.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string", "\"dyn_kernels\"",
           "Name of the merged gpu.module">
  ];
}

def DynEmulateGPUKernels : Pass<"dyn-emulate-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Testing: also compile every kernel for the host, for an emulating driver";
  let description = [{
    For testing nvptx artifacts on machines without a GPU. Each kernel
    `@K` of a `gpu.module` is cloned into a host function
    `@dyn_emu_kernel_K` (tagged `dyn.emulated_kernel`), with `gpu.thread_id`,
    `gpu.block_id`, `gpu.block_dim`, `gpu.grid_dim` and `gpu.barrier`
    replaced by calls to `dyn_emu_*` functions and each workgroup buffer by
    a global (blocks are emulated one at a time). The device module is left
    as it is; `dyn-emulated-kernel-entries` later gives each clone an entry
    with cuLaunchKernel's argument convention, which a stand-in libcuda
    (`test/Integration/Inputs/emulated_cuda.c`) finds and runs, each thread
    a fiber. The host code and the kernels' code down to the gpu dialect are
    then executed exactly as built; NVVM code generation and the driver are
    what it does not cover.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def DynEmulatedKernelEntries : Pass<"dyn-emulated-kernel-entries", "::mlir::ModuleOp"> {
  let summary = "Testing: cuLaunchKernel-style entries for emulated kernels";
  let description = [{
    After lowering to the LLVM dialect: for each function tagged
    `dyn.emulated_kernel = "K"`, an exported
    `llvm.func @dyn_emu_launch_K(!llvm.ptr)` that loads every argument
    through the array of argument pointers a kernel launch passes and calls
    it.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DynElideGpuWaits : Pass<"dyn-elide-gpu-waits", "::mlir::func::FuncOp"> {
  let summary = "Keep only the host waits that guard data copied back from the device";
  let description = [{
    After `gpu-async-region`, every chain of GPU work ends in a blocking
    `gpu.wait`. dyn's CUDA shim runs all of a thread's work on one in-order
    stream (allocation and freeing stream-ordered too), so the host needs to
    wait only before it reads data a `gpu.memcpy` brought back into host
    memory; every other blocking wait is removed. A dispatcher then
    synchronises once per decision (the predicate copy) and once for the
    outputs.
  }];
  let statistics = [
    Statistic<"numElided", "num-elided", "Blocking waits removed">
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

#endif // DYN_TRANSFORMS_PASSES_TD
