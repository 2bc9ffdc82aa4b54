//===- SpecializeShapes.cpp - shape-specialised entry versions ------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Multi-versioning at the entry point (BladeDISC and TVM Relax do the same
// per graph): the whole entry, control flow included, is cloned with static
// argument extents, so refinement makes every subnet of the clone static at
// once, across subnet boundaries, and the dispatcher picks a version with
// one comparison per specialised dim.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "dyn-specialize-shapes"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNSPECIALIZESHAPES
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// The argument dims that share a symbol with `arg`.`dim` (itself included).
SmallVector<std::pair<unsigned, int64_t>>
getTiedDims(func::FuncOp func, unsigned arg, int64_t dim) {
  SmallVector<std::pair<unsigned, int64_t>> tied = {{arg, dim}};
  DenseI64ArrayAttr symbols = dyn::getSymbolicDims(func, arg);
  if (!symbols || dim >= symbols.size() || symbols[dim] < 0)
    return tied;
  int64_t symbol = symbols[dim];
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    DenseI64ArrayAttr other = dyn::getSymbolicDims(func, i);
    if (!other)
      continue;
    for (auto [d, s] : llvm::enumerate(other.asArrayRef()))
      if (s == symbol && !(i == arg && (int64_t)d == dim))
        tied.push_back({i, (int64_t)d});
  }
  return tied;
}

class Specializer {
public:
  Specializer(ModuleOp module, int64_t maxVersions)
      : module(module), symbols(module), maxVersions(maxVersions) {}

  /// Emits the versions of `entry` for `choices`; returns how many.
  FailureOr<int64_t> run(func::FuncOp entry,
                         ArrayRef<dyn::DimSpecialization> choices);

private:
  /// A version: the static extent of each specialised argument dim (tied
  /// dims included), and the suffix naming it (chosen dims only).
  struct Version {
    SmallVector<std::tuple<unsigned, int64_t, int64_t>> dims;
    std::string suffix;
  };

  func::FuncOp cloneWithStaticArgs(func::FuncOp generic, const Version &version,
                                   StringRef name);
  void buildGuards(func::FuncOp entry, func::FuncOp generic,
                   ArrayRef<std::pair<Version, func::FuncOp>> versions);

  ModuleOp module;
  SymbolTable symbols;
  int64_t maxVersions;
};

FailureOr<int64_t> Specializer::run(func::FuncOp entry,
                                    ArrayRef<dyn::DimSpecialization> choices) {
  // Validate, then expand the cross product (tied dims follow their symbol).
  SmallVector<Version> versions = {{}};
  for (const dyn::DimSpecialization &choice : choices) {
    if (choice.arg >= entry.getNumArguments())
      return entry.emitError() << "cannot specialise argument " << choice.arg
                               << ": '" << entry.getSymName() << "' has "
                               << entry.getNumArguments() << " arguments";
    auto type =
        dyn_cast<RankedTensorType>(entry.getArgumentTypes()[choice.arg]);
    if (!type || choice.dim < 0 || choice.dim >= type.getRank() ||
        !type.isDynamicDim(choice.dim))
      return entry.emitError()
             << "cannot specialise dim " << choice.dim << " of argument "
             << choice.arg << " (" << entry.getArgumentTypes()[choice.arg]
             << "): not a dynamic dim of a ranked tensor";
    SmallVector<Version> next;
    for (const Version &version : versions)
      for (int64_t extent : choice.extents) {
        Version extended = version;
        for (auto [arg, dim] : getTiedDims(entry, choice.arg, choice.dim))
          extended.dims.push_back({arg, dim, extent});
        extended.suffix +=
            llvm::formatv("_a{0}d{1}_{2}", choice.arg, choice.dim, extent);
        next.push_back(std::move(extended));
      }
    versions = std::move(next);
  }
  if ((int64_t)versions.size() > maxVersions)
    return entry.emitError()
           << "specialising '" << entry.getSymName() << "' asks for "
           << versions.size() << " versions; at most " << maxVersions
           << " (max-versions) are allowed";

  // The original becomes @F__generic; @F a dispatcher with F's signature.
  std::string name = entry.getSymName().str();
  OpBuilder builder(entry);
  auto dispatcher =
      cast<func::FuncOp>(builder.insert(entry->cloneWithoutRegions()));
  dyn::clearSpecializeAttr(dispatcher);
  dyn::clearSpecializeAttr(entry);
  if (failed(symbols.rename(entry, name + "__generic")))
    return entry.emitError() << "cannot rename '" << name << "'";
  entry.setPrivate();
  symbols.insert(dispatcher);

  SmallVector<std::pair<Version, func::FuncOp>> clones;
  for (const Version &version : versions)
    clones.push_back(
        {version,
         cloneWithStaticArgs(entry, version, name + "_" + version.suffix)});
  buildGuards(dispatcher, entry, clones);
  return clones.size();
}

func::FuncOp Specializer::cloneWithStaticArgs(func::FuncOp generic,
                                              const Version &version,
                                              StringRef name) {
  OpBuilder builder(generic);
  auto clone = cast<func::FuncOp>(builder.clone(*generic.getOperation()));
  symbols.insert(clone);
  (void)symbols.rename(clone, name);
  clone.setPrivate();

  // Static argument types; the body keeps seeing the old types through a
  // cast, which dyn-refine-shapes folds away where the consumers allow.
  Block &body = clone.getBody().front();
  builder.setInsertionPointToStart(&body);
  SmallVector<Type> argTypes(clone.getArgumentTypes());
  for (unsigned i = 0; i < argTypes.size(); ++i) {
    auto type = dyn_cast<RankedTensorType>(argTypes[i]);
    if (!type)
      continue;
    SmallVector<int64_t> shape(type.getShape());
    for (auto [arg, dim, extent] : version.dims)
      if (arg == i)
        shape[dim] = extent;
    if (shape == type.getShape())
      continue;
    BlockArgument blockArg = body.getArgument(i);
    auto staticType = type.clone(shape);
    blockArg.setType(staticType);
    auto cast =
        tensor::CastOp::create(builder, blockArg.getLoc(), type, blockArg);
    blockArg.replaceAllUsesExcept(cast, cast);
    argTypes[i] = staticType;
  }
  clone.setFunctionType(
      FunctionType::get(clone.getContext(), argTypes, clone.getResultTypes()));
  return clone;
}

void Specializer::buildGuards(
    func::FuncOp entry, func::FuncOp generic,
    ArrayRef<std::pair<Version, func::FuncOp>> versions) {
  Location loc = entry.getLoc();
  Block *body = entry.addEntryBlock();
  OpBuilder builder = OpBuilder::atBlockBegin(body);
  ValueRange args = body->getArguments();
  TypeRange resultTypes = entry.getResultTypes();

  // The specialised dims, read once.
  DenseMap<std::pair<unsigned, int64_t>, Value> extents;
  for (const auto &[version, callee] : versions)
    for (auto [arg, dim, extent] : version.dims)
      if (!extents.count({arg, dim}))
        extents[{arg, dim}] =
            tensor::DimOp::create(builder, loc, args[arg], dim);

  auto callVersion = [&](OpBuilder &b, func::FuncOp callee) {
    SmallVector<Value> operands;
    for (auto [arg, type] : llvm::zip(args, callee.getArgumentTypes()))
      operands.push_back(arg.getType() == type
                             ? Value(arg)
                             : tensor::CastOp::create(b, loc, type, arg));
    return func::CallOp::create(b, loc, callee, operands).getResults();
  };

  // if (dims match version 0) call it else if (version 1) ... else generic.
  std::function<SmallVector<Value>(OpBuilder &, size_t)> chain =
      [&](OpBuilder &b, size_t index) -> SmallVector<Value> {
    if (index == versions.size())
      return callVersion(b, generic);
    const Version &version = versions[index].first;
    func::FuncOp callee = versions[index].second;
    Value matches;
    for (auto [arg, dim, extent] : version.dims) {
      Value actual = extents.lookup({arg, dim});
      Value wanted = arith::ConstantIndexOp::create(b, loc, extent);
      Value equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          actual, wanted);
      matches = matches ? arith::AndIOp::create(b, loc, matches, equal) : equal;
    }
    auto ifOp = scf::IfOp::create(b, loc, resultTypes, matches,
                                  /*withElseRegion=*/true);
    OpBuilder then = OpBuilder::atBlockBegin(ifOp.thenBlock());
    scf::YieldOp::create(then, loc, callVersion(then, callee));
    OpBuilder otherwise = OpBuilder::atBlockBegin(ifOp.elseBlock());
    scf::YieldOp::create(otherwise, loc, chain(otherwise, index + 1));
    return SmallVector<Value>(ifOp.getResults());
  };
  func::ReturnOp::create(builder, loc, chain(builder, 0));
  dyn::setDispatcher(entry);
}

struct DynSpecializeShapesPass
    : public dyn::impl::DynSpecializeShapesBase<DynSpecializeShapesPass> {
  using DynSpecializeShapesBase::DynSpecializeShapesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Entry -> choices, from the option then from dyn.specialize attributes.
    llvm::MapVector<func::FuncOp, SmallVector<dyn::DimSpecialization>> requests;
    SmallVector<StringRef> specs;
    StringRef(specializations).split(specs, ';', -1, /*KeepEmpty=*/false);
    for (StringRef spec : specs) {
      auto [entryName, choiceText] = spec.trim().split(':');
      auto entry = module.lookupSymbol<func::FuncOp>(entryName);
      if (!entry || !entry.isPublic() || entry.isDeclaration()) {
        module.emitError() << "specialisation '" << spec
                           << "' names no entry point '" << entryName << "'";
        return signalPassFailure();
      }
      auto choice = dyn::parseDimSpecialization(choiceText);
      if (!choice) {
        entry.emitError() << llvm::toString(choice.takeError());
        return signalPassFailure();
      }
      requests[entry].push_back(*choice);
    }
    for (auto func : module.getOps<func::FuncOp>()) {
      ArrayAttr attr = dyn::getSpecializeAttr(func);
      if (!attr)
        continue;
      for (Attribute element : attr) {
        auto text = dyn_cast<StringAttr>(element);
        if (!text) {
          func.emitError() << "dyn.specialize must be an array of strings";
          return signalPassFailure();
        }
        auto choice = dyn::parseDimSpecialization(text);
        if (!choice) {
          func.emitError() << llvm::toString(choice.takeError());
          return signalPassFailure();
        }
        requests[func].push_back(*choice);
      }
    }

    Specializer specializer(module, maxVersions);
    for (auto &[entry, choices] : requests) {
      FailureOr<int64_t> emitted = specializer.run(entry, choices);
      if (failed(emitted))
        return signalPassFailure();
      numVersions += *emitted;
    }
  }
};

} // namespace
