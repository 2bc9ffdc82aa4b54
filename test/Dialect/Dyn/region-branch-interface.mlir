// Upstream analyses see through dyn ops via RegionBranchOpInterface and the
// memory-effect traits.
// RUN: dyn-opt %s --sccp --split-input-file | FileCheck %s --check-prefix=SCCP
// RUN: dyn-opt %s --cse --split-input-file | FileCheck %s --check-prefix=CSE

// SCCP propagates a constant that every region yields...
// SCCP-LABEL: func.func @both_branches_constant
// SCCP: %[[C:.+]] = arith.constant 4.000000e+00 : f32
// SCCP: return %[[C]]
func.func @both_branches_constant(%p: tensor<i1>) -> f32 {
  %r = dyn.cond %p : tensor<i1> -> f32 {
    %a = arith.constant 4.0 : f32
    dyn.yield %a : f32
  } else {
    %b = arith.constant 4.0 : f32
    dyn.yield %b : f32
  }
  return %r : f32
}

// -----

// ...and knows which region a constant predicate enters.
// SCCP-LABEL: func.func @known_predicate
// SCCP: %[[C:.+]] = arith.constant 2.000000e+00 : f32
// SCCP: return %[[C]]
func.func @known_predicate() -> f32 {
  %t = arith.constant dense<true> : tensor<i1>
  %r = dyn.cond %t : tensor<i1> -> f32 {
    %a = arith.constant 2.0 : f32
    dyn.yield %a : f32
  } else {
    %b = arith.constant 3.0 : f32
    dyn.yield %b : f32
  }
  return %r : f32
}

// -----

// Loop-carried constants flow through before/after and the results.
// SCCP-LABEL: func.func @loop_invariant_carried
// SCCP: %[[C:.+]] = arith.constant 7 : i32
// SCCP-NOT: dyn.while
// SCCP: return %[[C]]
func.func @loop_invariant_carried(%p: tensor<i1>) -> i32 {
  %c7 = arith.constant 7 : i32
  %r = dyn.while (%a = %c7) : (i32) -> i32 {
    dyn.condition(%p : tensor<i1>) %a : i32
  } do {
  ^bb0(%b: i32):
    dyn.yield %b : i32
  }
  return %r : i32
}

// -----

// Pure regions make identical conditionals common subexpressions.
// CSE-LABEL: func.func @cse_conds
// CSE: %[[R:.+]] = dyn.cond
// CSE-NOT: dyn.cond
// CSE: return %[[R]], %[[R]]
func.func @cse_conds(%p: i1, %x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %r1 = dyn.cond %p : i1 -> tensor<?xf32> {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %x : tensor<?xf32>
  }
  %r2 = dyn.cond %p : i1 -> tensor<?xf32> {
    %e = math.exp %x : tensor<?xf32>
    dyn.yield %e : tensor<?xf32>
  } else {
    dyn.yield %x : tensor<?xf32>
  }
  return %r1, %r2 : tensor<?xf32>, tensor<?xf32>
}
