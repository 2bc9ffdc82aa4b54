// A C program includes the generated header, links the shared library and
// calls the network on both branches, then with a wrong shape and arity.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %s -o %t/libnet.so --header %t/net.h
// RUN: %cc -std=c11 -Wall -Werror -I%t %S/Inputs/driver.c -L%t -lnet -Wl,-rpath,%t -o %t/driver
// RUN: %t/driver | FileCheck %s

// CHECK: signature: gate(f32[?,4]) -> (f32[?,4], i1[])
// CHECK: batch 1: taken=0 shape=[1,4] y[0]=-2
// CHECK: batch 3: taken=1 shape=[3,4] y[0]=2
// CHECK: bad shape: status=4 (gate: input 0 has shape [2,3], expected [?,4] (dim 1 is 3)) out0=(nil)
// CHECK: bad arity: status=1 (gate: called with 1 input(s) and 1 output(s), expected 1 and 2)

// y = sum(x) > 0 ? 2 * x : x; also returns the predicate.
func.func @gate(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, i1) {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %y = dyn.cond %p : tensor<i1> -> tensor<?x4xf32> {
    %d = tosa.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    dyn.yield %d : tensor<?x4xf32>
  } else {
    dyn.yield %x : tensor<?x4xf32>
  }
  %taken = tensor.extract %p[] : tensor<i1>
  return %y, %taken : tensor<?x4xf32>, i1
}
