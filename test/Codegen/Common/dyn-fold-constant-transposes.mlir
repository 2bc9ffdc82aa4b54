// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-fold-constant-transposes))" --split-input-file | FileCheck %s

// A convolution filter OHWI -> HWCF (tosa-to-linalg-named's transpose):
// element (o, h, w, i) = 100 o + 10 h + i lands at (h, w, i, o).
// CHECK-LABEL: func.func @filter(
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense<{{\[}}{{\[}}{{\[}}[0.000000e+00, 1.000000e+02], [1.000000e+00, 1.010000e+02]]], {{\[}}{{\[}}[1.000000e+01, 1.100000e+02], [1.100000e+01, 1.110000e+02]]]]> : tensor<2x1x2x2xf32>
func.func @filter() -> tensor<2x1x2x2xf32> {
  %w = arith.constant dense<[[[[0.0, 1.0]], [[10.0, 11.0]]], [[[100.0, 101.0]], [[110.0, 111.0]]]]> : tensor<2x2x1x2xf32>
  %e = tensor.empty() : tensor<2x1x2x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x2x1x2xf32>) outs(%e : tensor<2x1x2x2xf32>) permutation = [1, 2, 3, 0]
  return %t : tensor<2x1x2x2xf32>
}

// -----

// Any element type of whole bytes (bytes are moved); a splat is reshaped.
// CHECK-LABEL: func.func @types(
// CHECK-NOT: linalg.transpose
// CHECK-DAG: arith.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi16>
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf64>
// CHECK-DAG: arith.constant dense<7> : tensor<3x2xi8>
func.func @types() -> (tensor<3x2xi16>, tensor<2x2xf64>, tensor<3x2xi8>) {
  %a = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi16>
  %ea = tensor.empty() : tensor<3x2xi16>
  %ta = linalg.transpose ins(%a : tensor<2x3xi16>) outs(%ea : tensor<3x2xi16>) permutation = [1, 0]
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf64>
  %eb = tensor.empty() : tensor<2x2xf64>
  %tb = linalg.transpose ins(%b : tensor<2x2xf64>) outs(%eb : tensor<2x2xf64>) permutation = [1, 0]
  %c = arith.constant dense<7> : tensor<2x3xi8>
  %ec = tensor.empty() : tensor<3x2xi8>
  %tc = linalg.transpose ins(%c : tensor<2x3xi8>) outs(%ec : tensor<3x2xi8>) permutation = [1, 0]
  return %ta, %tb, %tc : tensor<3x2xi16>, tensor<2x2xf64>, tensor<3x2xi8>
}

// -----

// Left alone: a transpose of an argument, and of a (bit-packed) i1 constant.
// CHECK-LABEL: func.func @not_folded(
// CHECK: linalg.transpose ins(%arg0
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3xi1>)
func.func @not_folded(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xi1>) {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %m = arith.constant dense<[[true, false, true], [false, false, true]]> : tensor<2x3xi1>
  %em = tensor.empty() : tensor<3x2xi1>
  %tm = linalg.transpose ins(%m : tensor<2x3xi1>) outs(%em : tensor<3x2xi1>) permutation = [1, 0]
  return %t, %tm : tensor<3x2xf32>, tensor<3x2xi1>
}
