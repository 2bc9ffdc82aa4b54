// RUN: dyn-opt %s --dyn-infer-symbolic-dims --dyn-specialize-shapes="specializations=encoder:0.1=7,64" | FileCheck %s
// RUN: dyn-opt %s --dyn-specialize-shapes="specializations=encoder:0.0=1;encoder:0.1=7,64" | FileCheck %s --check-prefix=CROSS

// One version per sequence length; the mask's length shares the symbol of
// x's (dyn-infer-symbolic-dims), so it is specialised too. The entry keeps
// its signature and becomes a guard chain ending in the generic version.
// CHECK-LABEL: func.func @encoder
//  CHECK-SAME: (%[[X:.+]]: tensor<?x?x8xf32> {{.*}}, %[[M:.+]]: tensor<?x?xf32> {{.*}}) -> tensor<?x?x8xf32>
//  CHECK-SAME: attributes {dyn.dispatcher}
//   CHECK-DAG:   %[[XS:.+]] = tensor.dim %[[X]], %c1
//   CHECK-DAG:   %[[MS:.+]] = tensor.dim %[[M]], %c1
//       CHECK:   %[[G:.+]] = arith.andi
//       CHECK:   scf.if %[[G]] -> (tensor<?x?x8xf32>) {
//       CHECK:     %[[CX:.+]] = tensor.cast %[[X]] : tensor<?x?x8xf32> to tensor<?x7x8xf32>
//       CHECK:     %[[CM:.+]] = tensor.cast %[[M]] : tensor<?x?xf32> to tensor<?x7xf32>
//       CHECK:     func.call @encoder__a0d1_7(%[[CX]], %[[CM]])
//       CHECK:   } else {
//       CHECK:     scf.if
//       CHECK:       func.call @encoder__a0d1_64(
//       CHECK:     } else {
//       CHECK:       func.call @encoder__generic(%[[X]], %[[M]])
// CHECK-LABEL: func.func private @encoder__a0d1_7
//  CHECK-SAME: (%[[SX:.+]]: tensor<?x7x8xf32> {{.*}}, %[[SM:.+]]: tensor<?x7xf32> {{.*}})
//       CHECK:   tensor.cast %[[SX]] : tensor<?x7x8xf32> to tensor<?x?x8xf32>
//       CHECK:   tensor.cast %[[SM]] : tensor<?x7xf32> to tensor<?x?xf32>
// CHECK-LABEL: func.func private @encoder__a0d1_64
//  CHECK-SAME: tensor<?x64x8xf32>
// CHECK-LABEL: func.func private @encoder__generic
//  CHECK-SAME: (%{{.+}}: tensor<?x?x8xf32> {{.*}}, %{{.+}}: tensor<?x?xf32> {{.*}})
//   CHECK-NOT: dyn.specialize

// Two dims combine as a cross product: {1} x {7, 64} (without symbols, only x is
// specialised).
// CROSS-LABEL: func.func @encoder
//  CROSS-COUNT-2: scf.if
// CROSS-DAG: func.func private @encoder__a0d0_1_a0d1_7(%{{.+}}: tensor<1x7x8xf32>, %{{.+}}: tensor<?x?xf32>)
// CROSS-DAG: func.func private @encoder__a0d0_1_a0d1_64(%{{.+}}: tensor<1x64x8xf32>, %{{.+}}: tensor<?x?xf32>)
func.func @encoder(%x: tensor<?x?x8xf32>, %mask: tensor<?x?xf32>) -> tensor<?x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %m = tensor.expand_shape %mask [[0], [1, 2]] output_shape [%b, %s, 1] : tensor<?x?xf32> into tensor<?x?x1xf32>
  %y = tosa.add %x, %m : (tensor<?x?x8xf32>, tensor<?x?x1xf32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// The attribute form, on the entry itself.
// CHECK-LABEL: func.func @attr
//       CHECK:   func.call @attr__a0d0_4(
// CHECK-LABEL: func.func private @attr__a0d0_4(%{{.+}}: tensor<4xf32>
// CHECK-LABEL: func.func private @attr__generic
func.func @attr(%x: tensor<?xf32>) -> tensor<?xf32> attributes {dyn.specialize = ["0.0=4"]} {
  %y = tosa.exp %x : (tensor<?xf32>) -> tensor<?xf32>
  return %y : tensor<?xf32>
}
