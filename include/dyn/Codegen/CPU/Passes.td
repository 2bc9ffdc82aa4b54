//===- Passes.td - dyn CPU code generation passes ----------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_CPU_PASSES_TD
#define DYN_CODEGEN_CPU_PASSES_TD

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
    * 2-D convolutions (`linalg.conv_2d_nhwc_hwcf`): batch, output row,
      kernel row and kernel column by 1, output columns by `conv-tile-w`,
      output channels by `conv-tile-f` and input channels by `conv-tile-c`
      (so that the tile's accumulators and the filter vectors of one step
      stay in `vector-registers`: with whole kernel columns and 16 input
      channels, the 48 filter vectors of a 3x3 step spilled on AVX-512 and
      took 30% of the zoo's SkipNet time in stack traffic); the unit-window tiles
      are then rewritten as 1-D convolutions (upstream's decomposition
      patterns), which the vectorizer handles (dynamic batch included,
      where upstream's im2col rewrite needs static shapes); where the
      output columns do not divide by their tile the last, partial tile is
      peeled into its own iteration, which is static and vectorizes too;
    * grouped convolutions (`linalg.conv_2d_nhwgc_gfhwc`): the filter is
      transposed to (g, kh, kw, c, f) (folded for constants), the
      convolution becomes a linalg.generic tiled like the 2-D ones plus the
      group by 1, and each tile is rank-reduced to a `linalg.conv_1d_nwc_wcf`
      (upstream has no decomposition for grouped convolutions): one loop
      over the groups around one vectorized body;
    * every other op: the innermost loop by `vector-size`, the other loops by
      1, and dims whose static extent is at most the tile are left whole.

    With `peel-partial-tiles` (the default), a tile loop over a dim whose
    extent is dynamic or not a multiple of its tile is peeled
    (`scf::peelForLoopAndSimplifyBounds`): the main loop runs whole tiles,
    which are static and vectorize without masks, and one last iteration
    takes the partial tile, which is tiled again by 1 along the dims whose
    rest is known only at run time, so it needs no masks either. Masked
    transfers on every tile cost spills and `vmaskmov` (slow on AMD) in the
    hot loops of dynamic-shape matmuls and reductions (attention over a
    run-time sequence length), and at batch 1 a tile of 8 rows computed for
    one (an LSTM step's GEMVs).

    With `parallel-tasks` above 1, each op in a function body whose
    iteration space has at least `parallel-min-work` points is first tiled
    with an `scf.forall` along one parallel dim into 2 to `parallel-tasks`
    equal tasks (the N dim of a contraction first, each task packing its own
    columns of B; otherwise the outermost parallel dim), each a multiple of
    the dim's tile so that the tasks' own tiles stay whole and static; an op
    with no such dim stays one task. The tasks are then tiled as above.

    With `fuse-epilogues` (the default), a 2-D convolution is the anchor of
    a fusion group (DNNFusion's mapping types: a many-to-many op anchors, the
    one-to-one ops around it fuse into its tiles): the elementwise op that
    reads its result at the same points (after elementwise fusion, one
    generic for bias, batch norm, residual add and activation; unit-dim
    reshapes between them are folded away by expanding it) is tiled with
    the convolution's output tile, and the convolution and the op that
    fills its accumulator (a broadcast bias) are fused into each tile
    (upstream tile-and-fuse, for the tasks and then for the register
    tiles). The convolution's output then never makes a round trip through
    memory between the accumulators and the epilogue:

    ```mlir
    scf.for %w = ... {                    // output columns, by conv-tile-w
      scf.for %f = ... {                  // output channels, by conv-tile-f
        %acc = linalg.generic ... ins(%bias_tile)      // the bias, broadcast
        %c = linalg.conv_2d_nhwc_hwcf ... outs(%acc)   // kernel taps inside
        %e = linalg.generic ... ins(%c, %residual_tile) // add + ReLU
        tensor.insert_slice %e ...
    ```

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
    Option<"matmulTileN", "matmul-tile-n", "int64_t", /*default=*/"0",
           "Columns of a contraction tile (N); 0: vector-size">,
    Option<"matmulTileK", "matmul-tile-k", "int64_t", /*default=*/"16",
           "Reduction depth of a contraction tile (K)">,
    Option<"convTileW", "conv-tile-w", "int64_t", /*default=*/"8",
           "Output columns of a 2-D convolution tile (the width of the 1-D "
           "convolution each tile becomes)">,
    Option<"convTileF", "conv-tile-f", "int64_t", /*default=*/"0",
           "Filters (output channels) of a 2-D convolution tile; 0: "
           "vector-size. (On AVX2, 8 x 8 ran the zoo's 16-channel 32x32 "
           "stage in 115 us, 4 x 16 in 131 us and 8 x 16 in 249 us: the "
           "accumulators of 8 x 16 take every register)">,
    Option<"convTileC", "conv-tile-c", "int64_t", /*default=*/"0",
           "Input channels of a 2-D convolution tile (the depth of each "
           "step's contraction); 0: the most, up to vector-size, whose "
           "filter vectors fit in the registers the accumulators leave">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32",
           "Vector registers of the target (32 with AVX-512 and NEON, 16 "
           "with AVX2 and SSE): what a convolution tile's accumulators and "
           "filter vectors must fit in">,
    Option<"matmulCacheTileN", "matmul-cache-tile-n", "int64_t",
           /*default=*/"256",
           "Columns of the cache-level block of a large contraction (N): the "
           "block of B, cache-tile-k x cache-tile-n, stays in L2 while every "
           "row of A passes; a dim this does not divide is not blocked "
           "(0: none)">,
    Option<"matmulCacheTileK", "matmul-cache-tile-k", "int64_t",
           /*default=*/"128",
           "Reduction depth of the cache-level block of a large contraction "
           "(K; 0: none)">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Fuse the elementwise op that reads a convolution's result (bias, "
           "batch norm, residual add, activation) and the op that fills its "
           "accumulator into the convolution's tiles">,
    Option<"peelPartialTiles", "peel-partial-tiles", "bool", /*default=*/"true",
           "Peel the last, partial tile of dynamic or non-dividing dims so "
           "that whole tiles vectorize without masks">,
    Option<"parallelTasks", "parallel-tasks", "int64_t", /*default=*/"0",
           "Split each large op of a function body into at most this many "
           "equal tasks of an scf.forall, which dyn-outline-parallel-loops "
           "hands to the runtime's thread pool (0 or 1: none)">,
    Option<"parallelMinWork", "parallel-min-work", "int64_t",
           /*default=*/"131072",
           "Iteration points (the product of an op's loop extents) below "
           "which an op is not split into tasks: starting a parallel loop "
           "costs about a microsecond">
  ];
  let statistics = [
    Statistic<"numVectorized", "num-vectorized", "Number of linalg tiles vectorized">,
    Statistic<"numScalar", "num-scalar", "Number of linalg ops left to scalar loops">,
    Statistic<"numCacheBlocked", "num-cache-blocked", "Number of contractions blocked for the cache">,
    Statistic<"numPackedB", "num-packed-b", "Number of matmul blocks whose B is packed into column strips">,
    Statistic<"numParallel", "num-parallel", "Number of ops split into the tasks of an scf.forall">,
    Statistic<"numFusedEpilogues", "num-fused-epilogues", "Number of elementwise epilogues fused into the tiles of convolutions">,
    Statistic<"numVectorAccumulators", "num-vector-accumulators", "Number of reduction loops that carry a vector of partial results">
  ];
}

def DynOutlineParallelLoops : Pass<"dyn-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Run each outermost scf.forall on the runtime's thread pool";
  let description = [{
    For every outermost `scf.forall` on buffers (one induction variable, no
    results, as `dyn-tile-and-vectorize` makes them and bufferization
    leaves them), outlines the body into a function

    ```mlir
    func.func private @f_task0(%context: !llvm.ptr, %begin: index, %end: index)
    ```

    that runs the iterations `[begin, end)` of the loop, and replaces the
    loop with a call of the runtime's
    `dyn_rt_parallel_for(@f_task0, %context, %trip_count)`, which splits the
    iterations into one contiguous range per thread of its pool
    (`dyn_set_num_threads`; one thread runs the whole range in place).

    The values the body uses from above travel in `%context`, a stack array
    of 64-bit slots: integers, indices and floats by value, memrefs as their
    aligned pointer, offset, sizes and strides, rebuilt into a descriptor in
    the task. Constants and `memref.get_global`s are cloned into the task
    instead. A loop whose body uses anything else (a vector, a memref in
    another memory space) or with several induction variables stays a
    sequential loop (`scf-to-cf` lowers it).

    The runtime's pool rather than upstream's lowerings: OpenMP would bring a
    second OpenMP runtime into processes that carry PyTorch's, and
    `async-parallel-for` needs LLVM's support library in every artifact (see
    lib/Runtime/DynThreadPool.c).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let statistics = [
    Statistic<"numOutlined", "num-outlined", "Number of parallel loops handed to the thread pool">,
    Statistic<"numSequential", "num-sequential", "Number of parallel loops left sequential">
  ];
}

def DynLowerVectors : Pass<"dyn-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Lower high-level vector ops (contract, multi_reduction, masks, n-D transfers) for LLVM";
  let description = [{
    Applies upstream's vector lowering patterns so that what remains maps
    onto LLVM vector instructions: `vector.contract` becomes outer products
    (FMAs), `vector.multi_reduction` inner reductions, masked n-D transfers
    1-D masked loads/stores, and transposes and broadcasts shuffles; math
    functions on vectors of f32 (`exp`, `expm1`, `tanh`, `erf`, `erfc`, `log`,
    `log1p`, `log2`) become upstream's polynomial approximations (LLVM would
    call libm once per lane); and with `tree-reductions` a float
    `vector.reduction` (sum, product, max, min) of a power-of-two vector
    becomes a tree of whole-vector ops over halves, log2(n) steps: LLVM
    lowers an ordered `fadd` reduction and a NaN-propagating maximum to a
    serial chain of n scalar ops (a softmax's max and sum over 16 lanes were
    32 dependent scalar instructions per row tile). Sums and products are
    then reassociated, as in any vectorized BLAS or PyTorch's own kernels.
    Runs after bufferization and before `convert-vector-to-llvm`.
  }];
  let options = [
    Option<"approximateMath", "approximate-math", "bool", /*default=*/"true",
           "Replace math functions on vectors of f32 by polynomial "
           "approximations (false: one libm call per lane)">,
    Option<"treeReductions", "tree-reductions", "bool", /*default=*/"true",
           "Reduce float vectors pairwise over halves (false: LLVM's "
           "ordered, lane-by-lane reductions)">
  ];
  let statistics = [
    Statistic<"numTreeReductions", "num-tree-reductions",
              "Number of vector reductions made trees of whole-vector ops">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // DYN_CODEGEN_CPU_PASSES_TD
