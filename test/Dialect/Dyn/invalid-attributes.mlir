// One case per check of the dyn dialect's attribute verifier: declared names
// only, each with its type and in its place.
// RUN: dyn-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{unknown attribute 'dyn.subnett' (the dyn dialect declares dyn.subnet, dyn.dispatcher}}
func.func private @typo() attributes {dyn.subnett} {
  return
}

// -----

// expected-error @+1 {{'dyn.subnet' must be a unit attribute, got true}}
func.func private @not_unit() attributes {dyn.subnet = true} {
  return
}

// -----

func.func @misplaced(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dyn.dispatcher' belongs on a function, not on 'math.exp'}}
  %y = math.exp %x {dyn.dispatcher} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'dyn.target_cpu' belongs on a builtin.module, not on 'func.func'}}
func.func @cpu_on_function() attributes {dyn.target_cpu = "znver4"} {
  return
}

// -----

// expected-error @+1 {{'dyn.target_features' must be a string, got 1 : i64}}
module attributes {dyn.target_features = 1} {
}

// -----

// expected-error @+1 {{'dyn.upper_bounds' needs 'dyn.shape_function' on the same function}}
func.func private @bounds_alone() attributes {dyn.upper_bounds} {
  return
}

// -----

// expected-error @+1 {{'dyn.specialize' must be an array of strings, got [1]}}
func.func @specialize_ints(%x: tensor<?xf32>) attributes {dyn.specialize = [1]} {
  return
}

// -----

// expected-error @+1 {{'dyn.specialize': malformed specialisation 'zero=4': ARG and DIM must be integers (expected ARG.DIM=V,V,..., e.g. 0.1=64,128)}}
func.func @specialize_syntax(%x: tensor<?xf32>) attributes {dyn.specialize = ["zero=4"]} {
  return
}

// -----

// expected-error @+1 {{'dyn.emulated_kernel' must name a kernel}}
func.func private @unnamed_kernel() attributes {dyn.emulated_kernel = ""} {
  return
}

// -----

// expected-error @+1 {{'dyn.symbolic_dims' is an argument attribute of a function, not an attribute of an operation}}
func.func @symbols_on_op() attributes {dyn.symbolic_dims = array<i64: 0>} {
  return
}

// -----

// expected-error @+1 {{'dyn.symbolic_dims' of argument 0 has 1 entries, but the argument is 'tensor<?x4xf32>'}}
func.func @symbols_rank(%x: tensor<?x4xf32> {dyn.symbolic_dims = array<i64: 0>}) {
  return
}

// -----

// expected-error @+1 {{'dyn.symbolic_dims' of argument 0 must be an array<i64>, got [0, -1]}}
func.func @symbols_type(%x: tensor<?x4xf32> {dyn.symbolic_dims = [0, -1]}) {
  return
}

// -----

// expected-error @+1 {{'dyn.symbolic_dims' of argument 0 holds -3; entries are -1 or non-negative}}
func.func @symbols_range(%x: tensor<?x4xf32> {dyn.symbolic_dims = array<i64: -3, -1>}) {
  return
}

// -----

// expected-error @+1 {{'dyn.symbolic_dims' of argument 0 describes a shaped value, but the argument is 'i64'}}
func.func @symbols_scalar(%n: i64 {dyn.symbolic_dims = array<i64: 0>}) {
  return
}

// -----

// expected-error @+1 {{'dyn.required_extents' of argument 0 requires extent 8 of dim 1, which is statically 4}}
func.func @required_static(%x: tensor<?x4xf32> {dyn.required_extents = array<i64: -1, 8>}) {
  return
}

// -----

// expected-error @+1 {{'dyn.subnet' is not an argument attribute (argument 0)}}
func.func @subnet_on_argument(%x: tensor<4xf32> {dyn.subnet}) {
  return
}

// -----

// expected-error @+1 {{unknown attribute 'dyn.symbols' on argument 0}}
func.func @unknown_argument_attr(%x: tensor<4xf32> {dyn.symbols = array<i64: 0>}) {
  return
}
