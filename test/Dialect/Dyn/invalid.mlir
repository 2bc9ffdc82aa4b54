// One case per verifier (and custom parser) error of the dyn dialect.
// RUN: dyn-opt %s --split-input-file --verify-diagnostics

func.func @cond_predicate_i32(%p: i32) {
  // expected-error @+1 {{operand #0 must be i1 or 0-d tensor of i1 (tensor<i1>), but got 'i32'}}
  "dyn.cond"(%p) ({
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (i32) -> ()
  return
}

// -----

func.func @cond_predicate_ranked(%p: tensor<1xi1>) {
  // expected-error @+1 {{operand #0 must be i1 or 0-d tensor of i1 (tensor<i1>), but got 'tensor<1xi1>'}}
  "dyn.cond"(%p) ({
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (tensor<1xi1>) -> ()
  return
}

// -----

func.func @cond_one_region(%p: i1) {
  // expected-error @+1 {{'dyn.cond' op expected 2 regions}}
  "dyn.cond"(%p) ({
    "dyn.yield"() : () -> ()
  }) : (i1) -> ()
  return
}

// -----

func.func @cond_two_blocks(%p: i1) {
  // expected-error @+1 {{'dyn.cond' op expects region #0 to have 0 or 1 blocks}}
  "dyn.cond"(%p) ({
    cf.br ^bb1
  ^bb1:
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (i1) -> ()
  return
}

// -----

func.func @cond_region_arguments(%p: i1) {
  // expected-error @+1 {{region #0 should have no arguments}}
  "dyn.cond"(%p) ({
  ^bb0(%a: f32):
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (i1) -> ()
  return
}

// -----

func.func @cond_wrong_terminator(%p: i1) {
  // expected-error @+1 {{'dyn.cond' op expects the then region to end with 'dyn.yield'}}
  "dyn.cond"(%p) ({
    "func.return"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (i1) -> ()
  return
}

// -----

func.func @cond_yield_count(%p: i1, %x: f32) -> f32 {
  // expected-error @+1 {{'dyn.cond' op then region yield provides 0 value(s) but result expects 1}}
  %r = "dyn.cond"(%p) ({
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"(%x) : (f32) -> ()
  }) : (i1) -> f32
  return %r : f32
}

// -----

func.func @cond_yield_static_mismatch(%p: i1, %a: tensor<1x64xf32>,
                                      %b: tensor<2x64xf32>) {
  // expected-error @+1 {{'dyn.cond' op else region yield value #0 of type 'tensor<2x64xf32>' is not cast-compatible with result type 'tensor<1x64xf32>'}}
  %r = "dyn.cond"(%p) ({
    "dyn.yield"(%a) : (tensor<1x64xf32>) -> ()
  }, {
    "dyn.yield"(%b) : (tensor<2x64xf32>) -> ()
  }) : (i1) -> tensor<1x64xf32>
  return
}

// -----

func.func @cond_yield_element_type(%p: i1, %a: tensor<?xf32>, %b: tensor<?xi32>) {
  // expected-error @+1 {{else region yield value #0 of type 'tensor<?xi32>' is not cast-compatible with result type 'tensor<?xf32>'}}
  %r = dyn.cond %p : i1 -> tensor<?xf32> {
    dyn.yield %a : tensor<?xf32>
  } else {
    dyn.yield %b : tensor<?xi32>
  }
  return
}

// -----

func.func @cond_yield_rank(%p: i1, %a: tensor<?xf32>, %b: tensor<?x?xf32>) {
  // expected-error @+1 {{then region yield value #0 of type 'tensor<?x?xf32>' is not cast-compatible with result type 'tensor<?xf32>'}}
  %r = dyn.cond %p : i1 -> tensor<?xf32> {
    dyn.yield %b : tensor<?x?xf32>
  } else {
    dyn.yield %a : tensor<?xf32>
  }
  return
}

// -----

func.func @cond_yield_scalar_type(%p: i1, %a: f32, %b: f16) {
  // expected-error @+1 {{then region yield value #0 of type 'f16' is not cast-compatible with result type 'f32'}}
  %r = dyn.cond %p : i1 -> f32 {
    dyn.yield %b : f16
  } else {
    dyn.yield %a : f32
  }
  return
}

// -----

func.func @switch_index_f32(%i: f32) {
  // expected-error @+1 {{operand #0 must be index, i32, i64, or a 0-d tensor of i32/i64, but got 'f32'}}
  "dyn.switch"(%i) <{cases = array<i64>}> ({
    "dyn.yield"() : () -> ()
  }) : (f32) -> ()
  return
}

// -----

func.func @switch_index_ranked_tensor(%i: tensor<1xi64>) {
  // expected-error @+1 {{operand #0 must be index, i32, i64, or a 0-d tensor of i32/i64, but got 'tensor<1xi64>'}}
  "dyn.switch"(%i) <{cases = array<i64>}> ({
    "dyn.yield"() : () -> ()
  }) : (tensor<1xi64>) -> ()
  return
}

// -----

func.func @switch_duplicate_cases(%i: index) {
  // expected-error @+1 {{'dyn.switch' op has duplicate case value 2}}
  dyn.switch %i : index
  case 2 { }
  case 3 { }
  case 2 { }
  default { }
  return
}

// -----

func.func @switch_case_region_count(%i: index) {
  // expected-error @+1 {{'dyn.switch' op has 2 case value(s) but 1 case region(s)}}
  "dyn.switch"(%i) <{cases = array<i64: 0, 1>}> ({
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (index) -> ()
  return
}

// -----

func.func @switch_missing_cases_attr(%i: index) {
  // expected-error @+1 {{requires attribute 'cases'}}
  "dyn.switch"(%i) ({
    "dyn.yield"() : () -> ()
  }) : (index) -> ()
  return
}

// -----

func.func @switch_case_yield(%i: index, %a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'dyn.switch' op case 7 region yield value #0 of type 'tensor<5xf32>' is not cast-compatible with result type 'tensor<4xf32>'}}
  %r = dyn.switch %i : index -> tensor<4xf32>
  case 7 {
    dyn.yield %b : tensor<5xf32>
  }
  default {
    dyn.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @switch_default_yield_count(%i: index, %a: f32) {
  // expected-error @+1 {{'dyn.switch' op default region yield provides 2 value(s) but result expects 1}}
  %r = dyn.switch %i : index -> f32
  default {
    dyn.yield %a, %a : f32, f32
  }
  return
}

// -----

func.func @while_init_count(%a: f32) {
  // expected-error @+1 {{'dyn.while' op initial value list provides 1 value(s) but before region argument expects 2}}
  "dyn.while"(%a) ({
  ^bb0(%x: f32, %y: f32):
    %t = arith.constant true
    "dyn.condition"(%t) : (i1) -> ()
  }, {
    "dyn.yield"(%a, %a) : (f32, f32) -> ()
  }) : (f32) -> ()
  return
}

// -----

func.func @while_init_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{'dyn.while' op initial value list value #0 of type 'tensor<3xf32>' is not cast-compatible with before region argument type 'tensor<4xf32>'}}
  "dyn.while"(%a) ({
  ^bb0(%x: tensor<4xf32>):
    %t = arith.constant true
    "dyn.condition"(%t) : (i1) -> ()
  }, {
    %c = arith.constant dense<0.0> : tensor<4xf32>
    "dyn.yield"(%c) : (tensor<4xf32>) -> ()
  }) : (tensor<3xf32>) -> ()
  return
}

// -----

func.func @while_before_terminator(%a: f32) {
  // expected-error @+1 {{'dyn.while' op expects the before region to end with 'dyn.condition'}}
  "dyn.while"(%a) ({
  ^bb0(%x: f32):
    "dyn.yield"(%x) : (f32) -> ()
  }, {
  ^bb0(%x: f32):
    "dyn.yield"(%x) : (f32) -> ()
  }) : (f32) -> ()
  return
}

// -----

func.func @while_condition_count(%a: f32) -> f32 {
  // expected-error @+1 {{'dyn.while' op dyn.condition provides 0 value(s) but result expects 1}}
  %r = "dyn.while"(%a) ({
  ^bb0(%x: f32):
    %t = arith.constant true
    "dyn.condition"(%t) : (i1) -> ()
  }, {
    "dyn.yield"(%a) : (f32) -> ()
  }) : (f32) -> f32
  return %r : f32
}

// -----

func.func @while_after_arguments(%a: f32) -> f32 {
  // expected-error @+1 {{'dyn.while' op dyn.condition value #0 of type 'f32' is not cast-compatible with after region argument type 'i32'}}
  %r = "dyn.while"(%a) ({
  ^bb0(%x: f32):
    %t = arith.constant true
    "dyn.condition"(%t, %x) : (i1, f32) -> ()
  }, {
  ^bb0(%y: i32):
    "dyn.yield"(%a) : (f32) -> ()
  }) : (f32) -> f32
  return %r : f32
}

// -----

func.func @while_after_terminator(%a: f32) {
  // expected-error @+1 {{'dyn.while' op expects the after region to end with 'dyn.yield'}}
  "dyn.while"(%a) ({
  ^bb0(%x: f32):
    %t = arith.constant true
    "dyn.condition"(%t) : (i1) -> ()
  }, {
    "func.return"() : () -> ()
  }) : (f32) -> ()
  return
}

// -----

func.func @while_yield_type(%a: tensor<?xf32>, %b: tensor<?xf16>) {
  // expected-error @+1 {{'dyn.while' op after region yield value #0 of type 'tensor<?xf16>' is not cast-compatible with before region argument type 'tensor<?xf32>'}}
  dyn.while (%x = %a) : (tensor<?xf32>) -> () {
    %t = arith.constant true
    dyn.condition(%t : i1)
  } do {
    dyn.yield %b : tensor<?xf16>
  }
  return
}

// -----

func.func @while_yield_count(%a: f32) {
  // expected-error @+1 {{'dyn.while' op after region yield provides 0 value(s) but before region argument expects 1}}
  dyn.while (%x = %a) : (f32) -> () {
    %t = arith.constant true
    dyn.condition(%t : i1)
  } do {
    dyn.yield
  }
  return
}

// -----

func.func @while_negative_max_iterations(%p: i1) {
  // expected-error @+1 {{'dyn.while' op max_iterations must be non-negative, got -1}}
  dyn.while () : () -> () {
    dyn.condition(%p : i1)
  } do {
    dyn.yield
  } attributes {max_iterations = -1 : i64}
  return
}

// -----

func.func @while_condition_predicate(%p: i32) {
  dyn.while () : () -> () {
    // expected-error @+1 {{operand #0 must be i1 or 0-d tensor of i1 (tensor<i1>), but got 'i32'}}
    "dyn.condition"(%p) : (i32) -> ()
  } do {
    dyn.yield
  }
  return
}

// -----

func.func @yield_outside(%a: f32) {
  // expected-error @+1 {{'dyn.yield' op expects parent op to be one of 'dyn.cond, dyn.switch, dyn.while, dyn.batch_cond, dyn.batch_switch'}}
  "dyn.yield"(%a) : (f32) -> ()
}

// -----

func.func @condition_outside(%p: i1) {
  // expected-error @+1 {{'dyn.condition' op expects parent op 'dyn.while'}}
  "dyn.condition"(%p) : (i1) -> ()
}

// -----

func.func @while_pretty_type_count(%a: f32) {
  // expected-error @+1 {{expected 1 loop-carried type(s) in the functional type, got 2}}
  dyn.while (%x = %a) : (f32, f32) -> () {
  } do {
  }
  return
}

// -----

func.func @cond_missing_else(%p: i1) {
  dyn.cond %p : i1 {
  }
  // expected-error @+1 {{expected 'else'}}
  return
}

// -----

func.func @batch_cond_mask_2d(%m: tensor<2x2xi1>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{operand #0 must be 1D tensor of 1-bit signless integer values, but got 'tensor<2x2xi1>'}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<2x2xi1>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_cond_no_inputs(%m: tensor<?xi1>) {
  // expected-error @+1 {{expects at least one batched input}}
  "dyn.batch_cond"(%m) ({
    "dyn.yield"() : () -> ()
  }, {
    "dyn.yield"() : () -> ()
  }) : (tensor<?xi1>) -> ()
  return
}

// -----

func.func @batch_cond_rows(%m: tensor<3xi1>, %x: tensor<4x4xf32>) {
  // expected-error @+1 {{input #0 has 4 row(s) but the mask covers 3 sample(s)}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<3xi1>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_cond_scalar_input(%m: tensor<?xi1>, %x: tensor<f32>) {
  // expected-error @+1 {{input #0 must be batched along dim 0, but 'tensor<f32>' has rank 0}}
  "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<f32>):
    "dyn.yield"() : () -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    "dyn.yield"() : () -> ()
  }) : (tensor<?xi1>, tensor<f32>) -> ()
  return
}

// -----

func.func @batch_cond_arg_count(%m: tensor<?xi1>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{expects the else region to take 1 sub-batch argument(s), one per input, but it takes 0}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
    "dyn.yield"(%x) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xi1>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_cond_arg_type(%m: tensor<?xi1>, %x: tensor<2x4xf32>) {
  // expected-error @+1 {{then region argument #0 must be 'tensor<?x4xf32>' (input #0 with a dynamic dim 0), not 'tensor<2x4xf32>'}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<2x4xf32>):
    "dyn.yield"(%a) : (tensor<2x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xi1>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @batch_cond_yield(%m: tensor<?xi1>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{else region yield value #0 of type 'tensor<?x5xf32>' is not cast-compatible with sub-batch result type 'tensor<?x4xf32>'}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    %c0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %n = "tensor.dim"(%a, %c0) : (tensor<?x4xf32>, index) -> index
    %e = "tensor.empty"(%n) : (index) -> tensor<?x5xf32>
    "dyn.yield"(%e) : (tensor<?x5xf32>) -> ()
  }) : (tensor<?xi1>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_cond_result_rows(%m: tensor<3xi1>, %x: tensor<3x4xf32>) {
  // expected-error @+1 {{result #0 has 2 row(s) but the mask covers 3 sample(s)}}
  %r = "dyn.batch_cond"(%m, %x) ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<3xi1>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @batch_switch_selector_f32(%e: tensor<?xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{operand #0 must be 1D tensor of 32-bit signless integer or 64-bit signless integer or index values, but got 'tensor<?xf32>'}}
  %r = "dyn.batch_switch"(%e, %x) <{cases = array<i64>}> ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_switch_duplicate(%e: tensor<?xi32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{has duplicate case value 1}}
  %r = "dyn.batch_switch"(%e, %x) <{cases = array<i64: 1, 1>}> ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xi32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_switch_case_count(%e: tensor<?xi32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{has 2 case value(s) but 1 case region(s)}}
  %r = "dyn.batch_switch"(%e, %x) <{cases = array<i64: 1, 2>}> ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xi32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batch_switch_case_arg(%e: tensor<?xindex>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{case 7 region argument #0 must be 'tensor<?x4xf32>' (input #0 with a dynamic dim 0), not 'tensor<?x5xf32>'}}
  %r = "dyn.batch_switch"(%e, %x) <{cases = array<i64: 7>}> ({
  ^bb0(%a: tensor<?x4xf32>):
    "dyn.yield"(%a) : (tensor<?x4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<?x5xf32>):
    "dyn.yield"(%x) : (tensor<?x4xf32>) -> ()
  }) : (tensor<?xindex>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}
