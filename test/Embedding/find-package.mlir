// A project outside this tree finds the installed dyn package, links the
// dialect and pass libraries into its own tool, and parses a dyn program.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cmake -G %cmake_generator -S %S/consumer -B %t/build %cmake_consumer_flags \
// RUN:   -DDyn_DIR=%dyn_install/lib/cmake/dyn > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %t/build/dyn-consumer %s | FileCheck %s --check-prefix=PARSE
// RUN: %t/build/dyn-consumer %s --lower | FileCheck %s --check-prefix=LOWER
// Its own pipeline of dyn's and upstream's passes, on scf input:
// RUN: %t/build/dyn-consumer %S/Inputs/scf-net.mlir --dispatch | FileCheck %s --check-prefix=DISPATCH

// PARSE: dyn ops: cond=1 switch=1 while=1
// PARSE-LABEL: func.func @net
// PARSE: dyn.cond
// LOWER-LABEL: func.func @net
// LOWER-NOT: dyn.
// LOWER: scf.if
// LOWER: scf.index_switch
// LOWER: scf.while
// DISPATCH: dyn ops: cond=0 switch=0 while=0
// DISPATCH-LABEL: func.func @net
// DISPATCH-SAME: attributes {dyn.dispatcher}
// DISPATCH: scf.if
// DISPATCH:   func.call @[[SUBNET:net_cond0_then]]
// DISPATCH: func.func private @[[SUBNET]]
// DISPATCH-SAME: attributes {dyn.subnet}
// DISPATCH:   math.tanh
func.func @net(%p: tensor<i1>, %i: tensor<i64>, %x: tensor<?x8xf32>)
    -> tensor<?x8xf32> {
  %a = "dyn.cond"(%p) ({
    %e = math.exp %x : tensor<?x8xf32>
    "dyn.yield"(%e) : (tensor<?x8xf32>) -> ()
  }, {
    "dyn.yield"(%x) : (tensor<?x8xf32>) -> ()
  }) : (tensor<i1>) -> tensor<?x8xf32>
  %b = "dyn.switch"(%i) <{cases = array<i64: 0>}> ({
    "dyn.yield"(%a) : (tensor<?x8xf32>) -> ()
  }, {
    %t = math.tanh %a : tensor<?x8xf32>
    "dyn.yield"(%t) : (tensor<?x8xf32>) -> ()
  }) : (tensor<i64>) -> tensor<?x8xf32>
  %c = "dyn.while"(%b) ({
  ^bb0(%v: tensor<?x8xf32>):
    "dyn.condition"(%p, %v) : (tensor<i1>, tensor<?x8xf32>) -> ()
  }, {
  ^bb0(%v: tensor<?x8xf32>):
    %n = math.tanh %v : tensor<?x8xf32>
    "dyn.yield"(%n) : (tensor<?x8xf32>) -> ()
  }) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %c : tensor<?x8xf32>
}
