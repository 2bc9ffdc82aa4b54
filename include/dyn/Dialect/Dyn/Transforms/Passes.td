//===- Passes.td - dyn dialect transformations -------------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_TRANSFORMS_PASSES_TD
#define DYN_DIALECT_DYN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynCheckInput : Pass<"dyn-check-input", "::mlir::ModuleOp"> {
  let summary = "Reject input that verifies but that dyn's passes cannot compile safely";
  let description = [{
    The first pass of every dyn pipeline. Upstream verifiers accept some IR
    whose meaning is undefined at run time and which analyses read out of
    bounds; this pass reports each with a located error instead:

    * `tensor.dim` / `memref.dim` with a constant index outside the rank;
    * a linalg op whose operands give one loop dimension different static
      extents (`linalg.matmul` with K = 15 on one side and 16 on the other);
    * a `tensor.expand_shape` / `collapse_shape` whose reassociation does not
      cover the dims in order (an index past the rank verifies upstream);
    * an op of a dialect the pipelines do not compile (`ml_program`,
      `sparse_tensor`, `gpu`, `llvm`, ...): the accepted input dialects are
      builtin, func, dyn, arith, math, tensor, linalg, tosa, scf, cf, index,
      affine, complex, memref, ub, vector and bufferization.

    `dyn-compile` and `dyn-run` also run `checkBeforeVerify` before the
    verifier itself, for ops whose upstream verifier crashes on
    out-of-range attributes (`tensor.concat` with a negative `dim`).

    ```mlir
    %d = tensor.dim %x, %c-1 : tensor<?x4xf32>
    // error: 'tensor.dim' op index -1 is out of range for a rank-2 tensor
    ```
  }];
}

def DynInferSymbolicDims : Pass<"dyn-infer-symbolic-dims", "::mlir::ModuleOp"> {
  let summary = "Find which dynamic dims of an entry point's arguments must be equal";
  let description = [{
    Gives every dynamic dim of every tensor argument of each public function
    (entry point) a symbol, and merges the symbols of dims that the body
    requires to be equal. The result is the argument attribute
    `dyn.symbolic_dims`, one entry per dim: the symbol (0, 1, ... in order of
    first appearance) or -1 for a static dim. The C ABI (`dyn-emit-c-abi`)
    checks at entry that dims with one symbol have one extent, and names
    both arguments when they do not, so a mask whose length differs from its
    sequence is an error, not an out-of-bounds read.

    Dims are traced back to arguments through `tensor.dim`, `tensor.empty`,
    destination-passing ops (linalg), `tensor.cast`, reshapes (a group with
    one dynamic dim), `tosa.transpose`, tosa reductions and tosa elementwise
    ops (where the other operands' dims are static 1). Equalities come from:

    * linalg ops: operand dims indexed by the same loop must match (a
      matmul's contraction dims, batch dims of a batch_matmul);
    * `tensor.expand_shape`: a group with one dynamic result dim has the
      extent of its source dim (`expand %mask [[0, 1, 2], [3]]
      output_shape [%b, 1, 1, %s]` ties the mask to `%b` and `%s`);
    * `tensor.concat`: all dims but the concatenated one.

    Broadcasting tosa ops impose no equality (either side may be 1). A
    dynamic dim that a linalg op indexes together with a static dim (a
    matmul of `tensor<?x?xf32>` with `tensor<4x8xf32>`) must have that
    extent: `dyn.required_extents` lists it (-1 elsewhere), and the C ABI
    checks it like a static extent.

    ```mlir
    func.func @encoder(%x: tensor<?x?x64xf32> {dyn.symbolic_dims = array<i64: 0, 1, -1>},
                       %mask: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 0, 1>})
    ```
  }];
  let statistics = [
    Statistic<"numEqualities", "num-equalities",
              "Number of argument dims merged into another's symbol">
  ];
}

def DynRefineShapes : Pass<"dyn-refine-shapes", "::mlir::func::FuncOp"> {
  let summary = "Propagate static extents through tensor compute and dyn regions";
  let description = [{
    Makes dims static wherever the producers prove them, so that subnets get
    static signatures and later passes need neither runtime broadcast
    checks nor masks. It iterates to a fixed point:

    * a `tensor.cast` that only forgets extents is folded into tosa
      consumers (when the consumer still verifies), into `dyn.yield` and
      `dyn.condition` operands (which accept cast-compatible types), and,
      through upstream canonicalization, into tensor and linalg consumers
      and `tensor.dim` (which becomes a constant);
    * tosa ops infer their result shapes from their operands (upstream's
      `InferShapedTypeOpInterface`); a more static result replaces the old
      type in place, with a cast back to the old type for the users;
    * a `dyn.cond` / `dyn.switch` result whose every region yields the same
      static extent in a dim becomes static there;
    * `dyn.while` forwarded values (after-region arguments, results) take
      the extents the condition forwards;
    * loop-carried values whose extents never change become static: the
      pass assumes the initial value's extents for the carried values,
      refines a clone of the loop under that assumption, and keeps it only
      if the body yields the same extents (induction); carried values that
      change (a growing sequence) are dropped from the assumption and the
      rest is retried.

    Shape specialisation (`dyn-specialize-shapes`) relies on this pass: a
    clone of an entry with static argument types becomes static throughout.

    ```mlir
    %c = tensor.cast %x : tensor<1x64xf32> to tensor<?x64xf32>
    %y = tosa.exp %c : (tensor<?x64xf32>) -> tensor<?x64xf32>
    // becomes
    %y = tosa.exp %x : (tensor<1x64xf32>) -> tensor<1x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRefined", "num-refined", "Number of op results made more static">
  ];
}

def DynSpecializeShapes : Pass<"dyn-specialize-shapes", "::mlir::ModuleOp"> {
  let summary = "Emit shape-specialised versions of entry points, selected by guards";
  let description = [{
    Code for fully unknown shapes needs masks and loop remainders; code for
    one shape is wrong for the next. This pass keeps both: for an entry
    point `@F` and chosen extents of its argument dims it emits

    * `@F__generic`: the original body, for any shape;
    * `@F__a<arg>d<dim>_<v>...`: one clone per combination of the chosen
      extents, whose arguments have those dims static (and every other
      argument dim with the same symbol, see `dyn-infer-symbolic-dims`);
      `dyn-refine-shapes` then propagates the static extents through it;
    * `@F` itself becomes a host dispatcher (`dyn.dispatcher`): `scf.if`
      guards compare the argument dims with each version's extents and call
      the first that matches, else `@F__generic`.

    Specialisations come from the option (`ENTRY:ARG.DIM=V,V,...`, several
    separated by `;`; dims of one entry combine as a cross product) or from
    the entry's `dyn.specialize` attribute (`["ARG.DIM=V,V"]`). A
    specialisation that names no entry, a bad argument or dim, or a dim that
    is already static is an error.

    ```mlir
    func.func @encoder(%x: tensor<?x?x64xf32>, %mask: tensor<?x?xf32>) -> tensor<?x?x64xf32>
        attributes {dyn.specialize = ["0.1=64,128"]}
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"specializations", "specializations", "std::string", /*default=*/"\"\"",
           "Versions to emit: ENTRY:ARG.DIM=V,V,... separated by ';'">,
    Option<"maxVersions", "max-versions", "int64_t", /*default=*/"16",
           "Most specialised versions per entry (a larger cross product is an error)">
  ];
  let statistics = [
    Statistic<"numVersions", "num-versions", "Number of specialised versions emitted">
  ];
}

def DynRaiseBatchSelects : Pass<"dyn-raise-batch-selects", "::mlir::func::FuncOp"> {
  let summary = "Raise per-sample selects whose sides treat samples independently into dyn.batch_cond";
  let description = [{
    `torch.where(mask[:, None], block(x), x)` (a `tosa.select` whose
    predicate has one element per sample, `[?, 1, ..., 1]`) computes
    `block` on every sample and keeps some rows. When the ops that compute
    a side only for the select treat samples independently, computing them
    on the selected rows gives the same rows, so the select becomes a
    `dyn.batch_cond` holding those ops (then: the true side; else: the
    false side), and `dyn-lower-batch-branches` runs each on its
    sub-batch only.

    Row independence is checked by propagating which dim of each value is
    the batch, from the values the side uses (non-constant tensors with a
    dynamic dim 0) through one rule per op family: TOSA elementwise ops
    (shared operands broadcast along the batch dim), convolutions and
    pooling (batch dim 0), transposes (the batch dim follows the
    permutation), reshapes that keep the elements around the batch dim,
    reductions, argmax and pads away from it, `linalg.matmul` with the
    batch as rows of its left operand, `tensor.empty` sized by a
    `tensor.dim` of the batch, `linalg.fill`. An op without a rule, or a
    rule that fails, leaves the select as it is. Constants and shape
    arithmetic (`tensor.dim` of the batch measures the sub-batch in the
    region) are copied into the regions; the other ops move.

    Only sides with a contraction (convolution or matmul) are raised:
    for a few elementwise ops the gathers cost more than they save. Both
    sides must have the result's type, whose non-batch dims are static.
    A chain of selects whose predicates compare one 1-D integer selector
    with distinct constants (`torch.where(k == 0, e0(x), torch.where(k ==
    1, e1(x), e2(x)))`, top-1 routing) becomes one `dyn.batch_switch` on
    the selector (the last false side is its default); other chains become
    nested `dyn.batch_cond`s, outermost first.

    ```mlir
    %y = tosa.select %m, %block, %x : (tensor<?x1x1x1xi1>, tensor<?x16x8x8xf32>, tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32>
    // becomes
    %mask = tosa.reshape %m, %shape : (tensor<?x1x1x1xi1>, !tosa.shape<1>) -> tensor<?xi1>
    %y = dyn.batch_cond %mask, %x : (tensor<?xi1>, tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32> {
    ^bb0(%rows: tensor<?x16x8x8xf32>):
      <the ops of %block on %rows>
    } else {
    ^bb0(%rows: tensor<?x16x8x8xf32>):
      dyn.yield %rows : tensor<?x16x8x8xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
  let statistics = [
    Statistic<"numRaised", "num-raised", "Number of per-sample selects (or chains of them) raised into dyn.batch_cond / dyn.batch_switch">
  ];
}

def DynLowerBatchBranches : Pass<"dyn-lower-batch-branches", "::mlir::func::FuncOp"> {
  let summary = "Lower per-sample dyn.batch_cond / dyn.batch_switch to a stable partition of the batch, one dyn.cond per sub-batch, and a merge in order";
  let description = [{
    Each `dyn.batch_cond` and `dyn.batch_switch` becomes ordinary tensor
    compute and per-call control flow, which the rest of the pipeline
    outlines and compiles like any other:

    1. from the mask (then: branch 0, else: 1) or the selector (the
       default: branch 0, case k: k + 1), each sample's branch, the number
       of samples per
       branch, and a stable partition of the batch: `pos[i]`, where sample
       `i` goes, and its inverse `perm` (branch 0's samples first, each
       branch's in their original order);
    2. unless the batch agrees (at most one branch has samples: batch 1
       always does), the inputs gathered by `perm` once;
    3. each region once, under a `dyn.cond` on its count, on its slice of
       the rows (all of them when the batch agrees), writing its rows into
       one buffer of the batch per result;
    4. unless the batch agrees, the buffers gathered back by `pos` into
       the original order.

    Each region thus becomes one subnet whatever the mix of samples. The
    index computations count over pairs of samples (O(batch^2) integer
    work: negligible at the batches a server forms, tens to hundreds). The
    results' non-batch dims must be static (each sub-batch writes into a
    buffer of the whole batch allocated before any region runs); a region
    that yields a different number of rows than it got fails at run time,
    as does an input whose dim 0 differs from the mask's.

    ```mlir
    %y = dyn.batch_cond %run, %x : (tensor<?xi1>, tensor<?x64xf32>) -> tensor<?x64xf32> {...} else {...}
    // becomes (sketch)
    %ids, %counts, %offsets, %pos, %perm = linalg.generic ...
    %rows = dyn.cond %agree : i1 -> tensor<?x64xf32> {
      dyn.yield %x : tensor<?x64xf32>
    } else { <%x gathered by %perm> }
    %b0 = dyn.cond %n_then_positive : i1 -> tensor<?x64xf32> {
      <then region on %rows[%o_then : %n_then]>, inserted into the buffer
    } else { dyn.yield %buffer : tensor<?x64xf32> }
    %b1 = dyn.cond %n_else_positive ... (the else region, into %b0)
    %y = dyn.cond %agree : i1 -> tensor<?x64xf32> {
      dyn.yield %b1 : tensor<?x64xf32>
    } else { <%b1 gathered by %pos> }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numLowered", "num-lowered", "Number of dyn.batch_cond / dyn.batch_switch ops lowered">
  ];
}

def DynPropagateTransposes : Pass<"dyn-propagate-transposes", "::mlir::func::FuncOp"> {
  let summary = "Move tosa.transpose ops out of dyn.cond / dyn.switch regions so that layouts hold across them";
  let description = [{
    Frontends wrap every NCHW convolution in NCHW -> NHWC and NHWC -> NCHW
    transposes (`tosa.transpose`). Inside one subnet the pairs cancel
    (`tosa-reduce-transposes`), but a value that crosses a `dyn.cond` or
    `dyn.switch` (a gated residual block's input and output) keeps its
    transposes at both ends of every region, so each block paid two
    transposes of its activations and ran its residual add in NCHW,
    outside its convolution's epilogue.

    The pass rewrites, to a fixpoint:

    * a `dyn.cond` / `dyn.switch` result that every region yields as
      `tosa.transpose(%v, P)` (with the same `P`; the transpose may be
      captured from above) into a result carrying `%v`'s layout, followed
      by one `tosa.transpose(%r, P)`: no transpose is left in the regions;
    * a float TOSA elementwise op whose operands of its rank are all
      `tosa.transpose(_, P)` or splat constants into the op on the
      untransposed operands, followed by one transpose (the residual add
      of a block, its ReLU);
    * a transposed input of a `dyn.batch_cond` / `dyn.batch_switch` (the
      batch staying in dim 0) into the untransposed input, transposed back
      at the start of each region (where it cancels against a
      convolution's), and their results like `dyn.cond`'s;
    * and folds consecutive transposes (upstream's canonicalization).

    Running before outlining, the transposes then meet across the regions
    and cancel: in the zoo's gated ResNets only the stem's and the
    classifier's remain.

    ```mlir
    %r = dyn.cond %p : tensor<i1> -> tensor<1x16x8x8xf32> {
      ...
      %t = tosa.transpose %c {perms = array<i32: 0, 3, 1, 2>} ...
      dyn.yield %t : tensor<1x16x8x8xf32>
    } else {
      dyn.yield %x : tensor<1x16x8x8xf32>  // %x = tosa.transpose %x_nhwc ...
    }
    // becomes
    %r = dyn.cond %p : tensor<i1> -> tensor<1x8x8x16xf32> {
      ...
      dyn.yield %c : tensor<1x8x8x16xf32>
    } else {
      dyn.yield %x_nhwc : tensor<1x8x8x16xf32>
    }
    %t = tosa.transpose %r {perms = array<i32: 0, 3, 1, 2>} ...
    ```
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
  let statistics = [
    Statistic<"numResults", "num-results",
              "Number of dyn.cond / dyn.switch results whose transpose moved after the op">
  ];
}

def DynOutlineRegions : Pass<"dyn-outline-regions", "::mlir::ModuleOp"> {
  let summary = "Outline control-flow-free code into isolated subnet functions";
  let description = [{
    Splits every function (except subnets) into host control flow and
    compute. Each maximal run of compute ops between control-flow ops
    (`dyn.cond`, `dyn.switch`, `dyn.while`, and the structured `scf` ops)
    inside a function body or a control-flow region becomes a private
    `func.func` "subnet" marked with the unit attribute `dyn.subnet`, and is
    replaced by a `func.call`:

    * values used from outside the run become arguments, values used after
      it become results; dynamic dims stay dynamic (`tensor<?x64xf32>`);
    * constants are cloned into each subnet that uses them rather than
      passed in, so weights stay compile-time constants of the subnet;
    * pure scalar arithmetic (loop counters, comparisons of scalars) stays
      in the host code: it is control, not compute;
    * names are deterministic: `@<func>_seg<N>` for straight-line code of
      the function body, `@<func>_cond<N>_then`/`_else`,
      `@<func>_switch<N>_case<V>`/`_default`, `@<func>_while<N>_before`/
      `_after`, prefixes nesting with the regions (`@f_while0_after_cond0_then`),
      and `_seg<K>` appended when a region holds several runs;
    * locations are kept on every cloned op, and the call carries the
      location of the run's first op;
    * structurally identical subnets (same type and body) are deduplicated.

    A region that only yields values from above outlines to nothing, so
    pass-through values are never copied.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let options = [
    Option<"dedupe", "dedupe", "bool", /*default=*/"true",
           "Merge structurally identical subnets">
  ];
  let statistics = [
    Statistic<"numSubnets", "num-subnets", "Number of subnets outlined">,
    Statistic<"numDeduplicated", "num-deduplicated",
              "Number of subnets merged into an identical one">
  ];
}

def DynSubnetDestinations : Pass<"dyn-subnet-destinations", "::mlir::ModuleOp"> {
  let summary = "Shape functions for subnets; the dispatcher allocates their results";
  let description = [{
    Runs after `dyn-build-dispatcher`, on linalg-on-tensors subnets. For
    every subnet `@S` whose tensor results have dynamic dims it builds the
    shape function `@S__shape`: the subnet's arguments in, one `index` per
    dynamic result dim out, computed by reifying the result dims in terms of
    the arguments (upstream's `ReifyRankedShapedTypeOpInterface`) and
    dropping everything else. A shape function that still reads tensor data
    (a result size that depends on values, e.g. a count of non-zeros) is
    data-dependent.

    For a data-dependent result the pass looks for an upper bound of each
    dynamic dim in terms of the arguments (upstream's value-bounds analysis,
    plus dyn's models of `arith.minsi`/`arith.maxsi`: a clamp
    `min(max(k, 0), dim)` is bounded by `dim`). If every dim has one, the
    shape function (`dyn.upper_bounds`) returns the bounds, the call site
    allocates a destination of that size, the subnet computes the result
    into its leading slice and returns, after the destination, the actual
    sizes, and the call site takes the slice: the result is still allocated
    by the host, before the call, and stays where it was computed. Without
    a bound the subnet keeps allocating that result itself.

    Every subnet whose result shapes are computable (static, or by a shape
    function) then takes one destination argument per tensor result that a
    chain of destination-style ops computes from a `tensor.empty`: the
    destination replaces that empty, so the producers write straight into
    it (a result made by a concat or a reshape keeps its own allocation:
    copying it in would cost more). Each call site computes the shapes on
    the host (`func.call @S__shape`), creates the destinations
    (`tensor.empty`) and passes them. After bufferization the dispatcher
    owns those buffers: what device placement and dispatcher-level planning
    build on.

    ```mlir
    %r = func.call @f_seg0(%x) : (tensor<?x64xf32>) -> tensor<?x64xf32>
    // becomes
    %n = func.call @f_seg0__shape(%x) : (tensor<?x64xf32>) -> index
    %e = tensor.empty(%n) : tensor<?x64xf32>
    %r = func.call @f_seg0(%x, %e) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>

    // a data-dependent result (k rows kept, k read from a tensor):
    %b = func.call @g_seg0__shape(%x, %k) : (tensor<?x8xf32>, tensor<i32>) -> index
    %e = tensor.empty(%b) : tensor<?x8xf32>
    %full, %n = func.call @g_seg0(%x, %k, %e) : (...) -> (tensor<?x8xf32>, index)
    %r = tensor.extract_slice %full[0, 0] [%n, 8] [1, 1] : tensor<?x8xf32> to tensor<?x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::func::FuncDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numShapeFunctions", "num-shape-functions", "Number of shape functions built">,
    Statistic<"numDataDependent", "num-data-dependent", "Number of subnets whose result shapes depend on data">,
    Statistic<"numBounded", "num-bounded", "Number of data-dependent subnets given destinations of an upper bound">,
    Statistic<"numDestinations", "num-destinations", "Number of subnet results passed as destinations">
  ];
}

def DynCheckSubnetShapes : Pass<"dyn-check-subnet-shapes", "::mlir::ModuleOp"> {
  let summary = "Check at each subnet call that the dims a subnet needs equal are equal";
  let description = [{
    Runs after `dyn-build-dispatcher`. Shapes that change at run time (a
    sequence a loop grows, a branch that skips a reshaping block) can reach
    a subnet in combinations the entry could not check: a matmul whose
    operands disagree would read out of bounds. For every subnet, the dims
    its body requires to be equal are found as for an entry
    (`dyn-infer-symbolic-dims`), with the static extents it requires of
    dynamic dims; every call site compares them first. A
    violation calls `dyn_rt_subnet_shape_error`, which records the first
    report, e.g.

        forward: subnet forward_seg1: argument 0 dim 1 is 3, but argument 1
        dim 0 is 4 and the two must be equal

    and the call returns `DYN_ERROR_SHAPE` with its outputs released. After a
    violation every later subnet call of the dispatcher is skipped (each
    call also checks `dyn_rt_error_pending()`), with zero-filled static and
    empty dynamic results standing in, so nothing runs on inconsistent
    shapes. Dispatchers whose subnets need no equalities are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numChecks", "num-checks", "Number of dim comparisons at calls">,
    Statistic<"numGuardedCalls", "num-guarded-calls", "Number of subnet calls guarded">
  ];
}

#endif // DYN_DIALECT_DYN_TRANSFORMS_PASSES_TD
