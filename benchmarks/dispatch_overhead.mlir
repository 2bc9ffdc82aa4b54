// Host dispatch overhead: how much a decision and a subnet call cost.
//
// @loop runs n iterations; each calls one subnet that adds 1 to a 1-element
// tensor (so each iteration = one host predicate + one subnet call + one
// 4-byte result buffer allocated and freed). @branch takes a host predicate
// and runs the same tiny subnet in either branch; @straight runs it without
// any decision. See dispatch_overhead.py.

func.func @loop(%x: tensor<1xf32>, %n: i64) -> tensor<1xf32> {
  %c0 = arith.constant 0 : i64
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<1xf32>, i64) -> (tensor<1xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %i : tensor<1xf32>, i64
  } do {
  ^bb0(%b: tensor<1xf32>, %j: i64):
    %s = arith.addf %b, %one : tensor<1xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %s, %j1 : tensor<1xf32>, i64
  }
  return %r#0 : tensor<1xf32>
}

// Like @loop, but each iteration also decides (on the parity of i) which
// of two equally cheap subnets runs.
func.func @loop_branch(%x: tensor<1xf32>, %n: i64) -> tensor<1xf32> {
  %c0 = arith.constant 0 : i64
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %two = arith.constant dense<2.0> : tensor<1xf32>
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<1xf32>, i64) -> (tensor<1xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %i : tensor<1xf32>, i64
  } do {
  ^bb0(%b: tensor<1xf32>, %j: i64):
    %c1 = arith.constant 1 : i64
    %bit = arith.andi %j, %c1 : i64
    %odd = arith.cmpi ne, %bit, %c0 : i64
    %s = dyn.cond %odd : i1 -> tensor<1xf32> {
      %t = arith.addf %b, %one : tensor<1xf32>
      dyn.yield %t : tensor<1xf32>
    } else {
      %t = arith.addf %b, %two : tensor<1xf32>
      dyn.yield %t : tensor<1xf32>
    }
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %s, %j1 : tensor<1xf32>, i64
  }
  return %r#0 : tensor<1xf32>
}

func.func @branch(%x: tensor<1xf32>, %p: i1) -> tensor<1xf32> {
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %two = arith.constant dense<2.0> : tensor<1xf32>
  %r = dyn.cond %p : i1 -> tensor<1xf32> {
    %s = arith.addf %x, %one : tensor<1xf32>
    dyn.yield %s : tensor<1xf32>
  } else {
    %s = arith.addf %x, %two : tensor<1xf32>
    dyn.yield %s : tensor<1xf32>
  }
  return %r : tensor<1xf32>
}

func.func @straight(%x: tensor<1xf32>) -> tensor<1xf32> {
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %s = arith.addf %x, %one : tensor<1xf32>
  return %s : tensor<1xf32>
}
