//===- DynOps.td - dyn dialect operations ------------------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The operations of the dyn dialect. Operand order, region order and
// terminators are a contract (docs/DESIGN.md, "The dialect contract"): tools
// and tests outside this repository write these ops in MLIR's generic form.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_IR_DYNOPS_TD
#define DYN_DIALECT_DYN_IR_DYNOPS_TD

include "dyn/Dialect/Dyn/IR/DynBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Dyn_Predicate : AnyTypeOf<[I1, 0DTensorOf<[I1]>],
    "i1 or 0-d tensor of i1 (tensor<i1>)">;

def Dyn_SwitchIndex : AnyTypeOf<[Index, I32, I64, 0DTensorOf<[I32, I64]>],
    "index, i32, i64, or a 0-d tensor of i32/i64">;

//===----------------------------------------------------------------------===//
// dyn.cond
//===----------------------------------------------------------------------===//

def Dyn_CondOp : Dyn_Op<"cond", [
    RecursiveMemoryEffects, RecursivelySpeculatable, NoRegionArguments,
    SingleBlockImplicitTerminator<"::mlir::dyn::YieldOp">,
    DeclareOpInterfaceMethods<RegionBranchOpInterface, [
      "getEntrySuccessorRegions", "getRegionInvocationBounds",
      "areTypesCompatible"]>]> {
  let summary = "data-dependent two-way conditional";
  let description = [{
    `dyn.cond` evaluates `predicate` and runs exactly one of its two regions:
    `thenRegion` when the predicate is true, `elseRegion` otherwise. Each
    region is a single block without arguments, terminated by `dyn.yield`;
    the values yielded by the region that ran become the op's results.

    The predicate is an `i1` or a 0-d `tensor<i1>` (the usual result of a
    reduction followed by a comparison in tensor compute). Yielded values
    must be *cast-compatible* with the results: same element type and rank,
    and equal extents wherever both are static. This lets branches produce
    tensors whose shapes differ, e.g. a skipped downsampling block:

    ```mlir
    %y = dyn.cond %gate : tensor<i1> -> tensor<?x64xf32> {
      %r = tosa.add %x, %h : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
      dyn.yield %r : tensor<?x64xf32>
    } else {
      dyn.yield %x : tensor<?x64xf32>
    }
    ```

    Generic form (region order: then, else):

    ```mlir
    %y = "dyn.cond"(%gate) ({
      ...
      "dyn.yield"(%r) : (tensor<?x64xf32>) -> ()
    }, {
      "dyn.yield"(%x) : (tensor<?x64xf32>) -> ()
    }) : (tensor<i1>) -> tensor<?x64xf32>
    ```

    Canonicalization inlines the taken region of a constant predicate, swaps
    the regions of a negated predicate, drops unused results and forwards
    results that both regions yield from above.
  }];

  let arguments = (ins Dyn_Predicate:$predicate);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$thenRegion, SizedRegion<1>:$elseRegion);

  // `$predicate : type (-> types)? region else region attr-dict`, parsed by
  // hand: the declarative parser keeps its regions in locals that it frees
  // on an error while values parsed before them may still use what they
  // defined (found by fuzzing: a use-after-free on malformed input).
  let hasCustomAssemblyFormat = 1;

  let extraClassDeclaration = [{
    /// The single block of each region.
    ::mlir::Block &getThenBlock() { return getThenRegion().front(); }
    ::mlir::Block &getElseBlock() { return getElseRegion().front(); }
    YieldOp getThenYield();
    YieldOp getElseYield();
  }];

  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// dyn.switch
//===----------------------------------------------------------------------===//

def Dyn_SwitchOp : Dyn_Op<"switch", [
    RecursiveMemoryEffects, RecursivelySpeculatable, NoRegionArguments,
    SingleBlockImplicitTerminator<"::mlir::dyn::YieldOp">,
    DeclareOpInterfaceMethods<RegionBranchOpInterface, [
      "getEntrySuccessorRegions", "getRegionInvocationBounds",
      "areTypesCompatible"]>]> {
  let summary = "data-dependent multi-way branch on an integer index";
  let description = [{
    `dyn.switch` runs the region of the case whose value equals `index`, or
    `defaultRegion` when no case matches. It models expert routing and
    policy networks that select one of several blocks.

    `index` is an `index`, `i32` or `i64` scalar, or a 0-d tensor of `i32` /
    `i64` (an `argmax` result). `cases` holds distinct case values, one per
    case region. Regions are ordered `defaultRegion` first, then one region
    per entry of `cases`; each is a single block without arguments ended by
    `dyn.yield` with values cast-compatible with the results.

    ```mlir
    %y = dyn.switch %expert : tensor<i64> -> tensor<?x64xf32>
    case 0 {
      ...
      dyn.yield %e0 : tensor<?x64xf32>
    }
    case 1 {
      ...
      dyn.yield %e1 : tensor<?x64xf32>
    }
    default {
      dyn.yield %x : tensor<?x64xf32>
    }
    ```

    Generic form (region order: default, then the cases in `cases` order):

    ```mlir
    %y = "dyn.switch"(%expert) <{cases = array<i64: 0, 1>}> ({
      "dyn.yield"(%x) : (tensor<?x64xf32>) -> ()
    }, { ... }, { ... }) : (tensor<i64>) -> tensor<?x64xf32>
    ```
  }];

  let arguments = (ins Dyn_SwitchIndex:$index, DenseI64ArrayAttr:$cases);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$defaultRegion,
                        VariadicRegion<SizedRegion<1>>:$caseRegions);

  // `$index : type attr-dict (-> types)? (case N region)* default region`,
  // parsed by hand for the reason given at dyn.cond.
  let hasCustomAssemblyFormat = 1;

  let extraClassDeclaration = [{
    /// Number of case regions (excluding the default region).
    unsigned getNumCases() { return getCases().size(); }
    ::mlir::Block &getDefaultBlock() { return getDefaultRegion().front(); }
    ::mlir::Block &getCaseBlock(unsigned idx) {
      return getCaseRegions()[idx].front();
    }
    /// The region that runs for the given index value.
    ::mlir::Region &getRegionForValue(int64_t value);
  }];

  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// dyn.while
//===----------------------------------------------------------------------===//

def Dyn_WhileOp : Dyn_Op<"while", [
    RecursiveMemoryEffects,
    DeclareOpInterfaceMethods<RegionBranchOpInterface, [
      "getEntrySuccessorOperands", "areTypesCompatible"]>]> {
  let summary = "data-dependent loop with loop-carried values";
  let description = [{
    `dyn.while` models loops whose trip count depends on data: a decoder that
    runs until it emits EOS, an RNN over a sequence of dynamic length, a
    network that refines until confident.

    Operands are the initial loop-carried values. The `before` region takes
    the loop-carried values as block arguments and ends with
    `dyn.condition(%pred) %forwarded...`. When `%pred` is true, the
    forwarded values become the block arguments of the `after` region,
    which ends with `dyn.yield` of the next loop-carried values; when it is
    false, the loop ends and the forwarded values become the op's results.

    Loop-carried tensors may change extent from one iteration to the next
    (`tensor<?x64xf32>` growing by one row per decoded token). Initial values
    and yielded values need only be cast-compatible with the `before` block
    arguments, forwarded values with the results and `after` arguments.

    The optional `max_iterations` attribute bounds the number of times the
    `after` region runs: once it has run that many times, the next `before`
    run ends the loop whatever its predicate (its forwarded values are the
    results). Frontends set it from bounded Python loops; the compiler uses
    it for memory planning.

    ```mlir
    %tokens, %n = dyn.while (%seq = %start : tensor<1xi64>, %i = %c0)
        : (tensor<?xi64>, index) -> (tensor<?xi64>, index) {
      %go = ... : tensor<i1>
      dyn.condition(%go : tensor<i1>) %seq, %i : tensor<?xi64>, index
    } do {
    ^bb0(%s: tensor<?xi64>, %j: index):
      ...
      dyn.yield %next, %j1 : tensor<?xi64>, index
    } attributes {max_iterations = 50 : i64}
    ```

    In the pretty form, `(%arg = %init : type)` names the `before` block
    argument; the `: type` of the initial value is printed only when it
    differs from the loop-carried type in the functional type that follows.
  }];

  let arguments = (ins Variadic<AnyType>:$inits,
                       OptionalAttr<I64Attr>:$max_iterations);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$before, SizedRegion<1>:$after);

  let extraClassDeclaration = [{
    ::mlir::Block &getBeforeBody() { return getBefore().front(); }
    ::mlir::Block &getAfterBody() { return getAfter().front(); }
    ConditionOp getConditionOp();
    YieldOp getYieldOp();
    ::mlir::Block::BlockArgListType getBeforeArguments() {
      return getBeforeBody().getArguments();
    }
    ::mlir::Block::BlockArgListType getAfterArguments() {
      return getAfterBody().getArguments();
    }
  }];

  let hasCustomAssemblyFormat = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// dyn.batch_cond
//===----------------------------------------------------------------------===//

def Dyn_BatchMask : 1DTensorOf<[I1]>;

def Dyn_BatchCondOp : Dyn_Op<"batch_cond", [
    RecursiveMemoryEffects, SingleBlock]> {
  let summary = "per-sample two-way conditional over the rows of a batch";
  let description = [{
    `dyn.batch_cond` is `dyn.cond` with one predicate per sample: `mask` is
    a `tensor<?xi1>` over the batch, and every input is batched along dim 0
    (its dim 0 equals the mask's length). The samples whose mask bit is set
    form one sub-batch, the others a second; `thenRegion` runs on the first,
    `elseRegion` on the second, each at most once and never on an empty
    sub-batch. Row `i` of each result is row `i` of what the region that
    took sample `i` yielded, in the original order.

    The two regions take the sub-batches as block arguments: argument `j`
    has the type of input `j` with a dynamic dim 0. They end with
    `dyn.yield` of values cast-compatible with the results once the results'
    dim 0 is made dynamic, and must yield exactly one row per row they got
    (checked at run time). Values captured from above are shared by every
    sample (weights, scalars, statistics of the whole batch); a value that
    differs per sample must come in as an input.

    This is what a serving system needs when the samples of one batch
    disagree: the rows that skip a block do no work for it, and the block
    still runs as one batched kernel on the rows that take it. The lowering
    (`dyn-lower-batch-branches`) partitions the batch stably by the mask,
    gathers the rows, runs each region under a `dyn.cond` on the size of its
    sub-batch and gathers the results back in order; a batch that agrees
    (batch 1 always does) runs its region on the inputs as they are.

    ```mlir
    %y = dyn.batch_cond %run, %x
        : (tensor<?xi1>, tensor<?x64xf32>) -> tensor<?x64xf32> {
    ^bb0(%rows: tensor<?x64xf32>):
      %h = tosa.tanh %rows : (tensor<?x64xf32>) -> tensor<?x64xf32>
      dyn.yield %h : tensor<?x64xf32>
    } else {
    ^bb0(%rows: tensor<?x64xf32>):
      dyn.yield %rows : tensor<?x64xf32>
    }
    ```

    Generic form (operands: the mask, then the inputs; regions: then, else):

    ```mlir
    %y = "dyn.batch_cond"(%run, %x) ({
    ^bb0(%rows: tensor<?x64xf32>):
      ...
    }, {
    ^bb0(%rows: tensor<?x64xf32>):
      "dyn.yield"(%rows) : (tensor<?x64xf32>) -> ()
    }) : (tensor<?xi1>, tensor<?x64xf32>) -> tensor<?x64xf32>
    ```
  }];

  let arguments = (ins Dyn_BatchMask:$mask,
                       Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$thenRegion, SizedRegion<1>:$elseRegion);

  // `$mask, $inputs : functional-type region else region attr-dict`, parsed
  // by hand like dyn.cond (regions owned by the result from the start).
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    ::mlir::Block &getThenBlock() { return getThenRegion().front(); }
    ::mlir::Block &getElseBlock() { return getElseRegion().front(); }
  }];
}

//===----------------------------------------------------------------------===//
// dyn.batch_switch
//===----------------------------------------------------------------------===//

def Dyn_BatchSelector : 1DTensorOf<[I32, I64, Index]>;

def Dyn_BatchSwitchOp : Dyn_Op<"batch_switch", [
    RecursiveMemoryEffects, SingleBlock]> {
  let summary = "per-sample multi-way branch over the rows of a batch";
  let description = [{
    `dyn.batch_switch` is `dyn.switch` with one index per sample: `selector`
    is a 1-D tensor of `i32`, `i64` or `index` over the batch (the experts
    a router picked, one per token), and every input is batched along dim
    0. The samples whose index equals a case value form that case's
    sub-batch, the rest the default's; each region runs at most once, on
    its sub-batch, never on an empty one, and row `i` of each result is row
    `i` of what sample `i`'s region yielded.

    Regions are ordered like dyn.switch's (`defaultRegion`, then one per
    entry of `cases`, distinct values) and follow `dyn.batch_cond`'s rules:
    each takes the sub-batches of the inputs as block arguments (input
    types with a dynamic dim 0) and yields one row per row it got.

    ```mlir
    %y = dyn.batch_switch %expert, %x
        : (tensor<?xi64>, tensor<?x64xf32>) -> tensor<?x64xf32>
    case 0 {
    ^bb0(%rows: tensor<?x64xf32>):
      ...
      dyn.yield %e0 : tensor<?x64xf32>
    }
    default {
    ^bb0(%rows: tensor<?x64xf32>):
      dyn.yield %rows : tensor<?x64xf32>
    }
    ```

    Generic form (operands: the selector, then the inputs; regions:
    default, then the cases in `cases` order):

    ```mlir
    %y = "dyn.batch_switch"(%expert, %x) <{cases = array<i64: 0>}> ({
    ^bb0(%rows: tensor<?x64xf32>):
      "dyn.yield"(%rows) : (tensor<?x64xf32>) -> ()
    }, { ... }) : (tensor<?xi64>, tensor<?x64xf32>) -> tensor<?x64xf32>
    ```
  }];

  let arguments = (ins Dyn_BatchSelector:$selector,
                       Variadic<AnyRankedTensor>:$inputs,
                       DenseI64ArrayAttr:$cases);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$defaultRegion,
                        VariadicRegion<SizedRegion<1>>:$caseRegions);

  // `$selector, $inputs : functional-type attr-dict (case N region)*
  // default region`, parsed by hand like dyn.switch.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Terminators
//===----------------------------------------------------------------------===//

def Dyn_YieldOp : Dyn_Op<"yield", [
    Pure, ReturnLike, Terminator,
    ParentOneOf<["CondOp", "SwitchOp", "WhileOp", "BatchCondOp",
                "BatchSwitchOp"]>]> {
  let summary = "yields values out of a dyn region";
  let description = [{
    Terminates the regions of `dyn.cond`, `dyn.switch`, `dyn.batch_cond`
    and `dyn.batch_switch` (the values become the op's results) and the `after` region of
    `dyn.while` (the values become the next loop-carried values). A yield without values may be
    omitted in the pretty form of `dyn.cond` and `dyn.switch`.

    ```mlir
    dyn.yield %a, %b : tensor<?x64xf32>, i32
    ```
  }];

  let arguments = (ins Variadic<AnyType>:$operands);
  let builders = [OpBuilder<(ins), [{ /* nothing to do */ }]>];
  let assemblyFormat = [{ attr-dict ($operands^ `:` type($operands))? }];
}

def Dyn_ConditionOp : Dyn_Op<"condition", [
    Pure, Terminator, HasParent<"WhileOp">,
    DeclareOpInterfaceMethods<RegionBranchTerminatorOpInterface,
                              ["getSuccessorRegions"]>]> {
  let summary = "loop continuation condition of dyn.while";
  let description = [{
    Terminates the `before` region of `dyn.while`. When `predicate` (an `i1`
    or `tensor<i1>`) is true, `args` are forwarded to the `after` region;
    otherwise the loop ends and `args` become the results of the loop.

    ```mlir
    dyn.condition(%go : tensor<i1>) %seq, %i : tensor<?xi64>, index
    ```
  }];

  let arguments = (ins Dyn_Predicate:$predicate, Variadic<AnyType>:$args);
  let assemblyFormat = [{
    `(` $predicate `:` type($predicate) `)` attr-dict
    ($args^ `:` type($args))?
  }];
}

#endif // DYN_DIALECT_DYN_IR_DYNOPS_TD
