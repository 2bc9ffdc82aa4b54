//===- DynBase.td - dyn dialect definition -----------------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_IR_DYNBASE_TD
#define DYN_DIALECT_DYN_IR_DYNBASE_TD

include "mlir/IR/OpBase.td"

def Dyn_Dialect : Dialect {
  let name = "dyn";
  let cppNamespace = "::mlir::dyn";
  let summary = "Data-dependent control flow for dynamic neural networks";
  let description = [{
    The `dyn` dialect carries the control flow of dynamic neural networks
    (gated blocks, early exits, expert routing, decode loops) around ordinary
    tensor compute written in `tosa`, `linalg`, `tensor`, `arith` and `math`.

    Its three region operations are value-based and structured:

    * `dyn.cond` runs one of two regions depending on a boolean predicate,
    * `dyn.switch` runs one of N regions depending on an integer index,
    * `dyn.while` runs a `before` region, and while its predicate holds, an
      `after` region, carrying values (possibly of changing shape) around.

    Predicates and indices may be scalars (`i1`, `index`, `i32`, `i64`) or
    0-d tensors produced by tensor compute: it is the compiler's job to move
    the single scalar from the compute side to the host-side dispatcher.
    Regions capture values from above and may nest freely; values yielded
    out of a region need only be *cast-compatible* with the op's results
    (a branch may yield `tensor<1x64xf32>` for a result `tensor<?x64xf32>`).

    The dyn compiler outlines each control-flow-free region into a static
    sub-function and turns these ops into a host dispatcher written in `scf`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];

  // The attributes dyn's passes hand to each other, declared here so that
  // every use goes through one name and the verifier checks their type and
  // placement (DynAttrs.cpp; docs/dialect.md lists them with their
  // producers and consumers). Argument attributes (`dyn.symbolic_dims`,
  // `dyn.required_extents`) are declared in extraClassDeclaration below.
  let discardableAttrs = (ins
    // On functions.
    "::mlir::UnitAttr":$subnet,
    "::mlir::UnitAttr":$dispatcher,
    "::mlir::UnitAttr":$shape_function,
    "::mlir::UnitAttr":$upper_bounds,
    "::mlir::ArrayAttr":$specialize,
    "::mlir::StringAttr":$emulated_kernel,
    // On the module.
    "::mlir::StringAttr":$target_cpu,
    "::mlir::StringAttr":$target_features
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Argument attribute of entry points and subnets: one symbol per dim
    /// of a shaped argument, dims that must be equal sharing one (-1:
    /// static, or unconstrained).
    static constexpr ::llvm::StringLiteral getSymbolicDimsAttrName() {
      return "dyn.symbolic_dims";
    }
    /// Argument attribute: the extent a dynamic dim must have at run time
    /// (-1: any).
    static constexpr ::llvm::StringLiteral getRequiredExtentsAttrName() {
      return "dyn.required_extents";
    }
  }];
}

class Dyn_Op<string mnemonic, list<Trait> traits = []> :
    Op<Dyn_Dialect, mnemonic, traits>;

#endif // DYN_DIALECT_DYN_IR_DYNBASE_TD
