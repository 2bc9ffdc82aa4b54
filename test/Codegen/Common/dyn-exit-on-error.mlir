// RUN: dyn-opt %s --dyn-exit-on-error --split-input-file | FileCheck %s

// A private function that allocates checks the buffer and returns zeros at
// once when it is null; its callers check after calling it; the public
// C ABI entry point is left alone (dyn_rt_finish_outputs reports).
// CHECK-LABEL: llvm.func private @subnet
//  CHECK-SAME:   (%[[N:.+]]: i64) -> !llvm.ptr
//       CHECK:   %[[P:.+]] = llvm.call @_mlir_memref_to_llvm_alloc(%[[N]])
//       CHECK:   %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
//       CHECK:   %[[FAILED:.+]] = llvm.icmp "eq" %[[P]], %[[NULL]] : !llvm.ptr
//       CHECK:   llvm.cond_br %[[FAILED]], ^[[ALLOC_FAILED:bb[0-9]+]](%[[N]] : i64), ^[[NEXT:bb[0-9]+]]
//       CHECK: ^[[NEXT]]:
//       CHECK:   llvm.store
//       CHECK:   llvm.return %[[P]]
//       CHECK: ^[[BAIL:bb[0-9]+]]:
//       CHECK:   %[[ZERO:.+]] = llvm.mlir.zero : !llvm.ptr
//       CHECK:   llvm.return %[[ZERO]]
//       CHECK: ^[[ALLOC_FAILED]](%[[BYTES:.+]]: i64):
//       CHECK:   llvm.call @dyn_rt_alloc_failed(%[[BYTES]])
//       CHECK:   llvm.br ^[[BAIL]]
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func private @subnet(%n: i64) -> !llvm.ptr {
  %p = llvm.call @_mlir_memref_to_llvm_alloc(%n) : (i64) -> !llvm.ptr
  %f = llvm.mlir.constant(1.0 : f32) : f32
  llvm.store %f, %p : f32, !llvm.ptr
  llvm.return %p : !llvm.ptr
}

// CHECK-LABEL: llvm.func private @dispatcher
//       CHECK:   llvm.call @subnet
//       CHECK:   %[[PENDING:.+]] = llvm.call @dyn_rt_exit_pending() : () -> i32
//       CHECK:   %[[C0:.+]] = llvm.mlir.constant(0 : i32) : i32
//       CHECK:   %[[STOP:.+]] = llvm.icmp "ne" %[[PENDING]], %[[C0]] : i32
//       CHECK:   llvm.cond_br %[[STOP]], ^{{.+}}, ^{{.+}}
//       CHECK:   llvm.call @subnet
//       CHECK:   llvm.call @dyn_rt_exit_pending
llvm.func private @dispatcher(%n: i64) {
  %a = llvm.call @subnet(%n) : (i64) -> !llvm.ptr
  %b = llvm.call @subnet(%n) : (i64) -> !llvm.ptr
  llvm.return
}

// Neither allocates nor calls what does: unchanged.
// CHECK-LABEL: llvm.func private @pure
//  CHECK-NEXT:   llvm.add
//  CHECK-NEXT:   llvm.return
llvm.func private @pure(%n: i64) -> i64 {
  %m = llvm.add %n, %n : i64
  llvm.return %m : i64
}

// CHECK-LABEL: llvm.func @dyn_forward
//   CHECK-NOT:   dyn_rt_exit_pending
//       CHECK:   llvm.return
llvm.func @dyn_forward(%n: i64) -> i32 {
  llvm.call @dispatcher(%n) : (i64) -> ()
  %ok = llvm.mlir.constant(0 : i32) : i32
  llvm.return %ok : i32
}

// -----

// A failed assertion leaves the function at once.
// CHECK-LABEL: llvm.func private @checked
//       CHECK:   llvm.cond_br %{{.+}}, ^{{bb[0-9]+}}, ^[[FAIL:bb[0-9]+]]
//       CHECK: ^[[FAIL]]:
//       CHECK:   llvm.call @dyn_rt_assert_failed
//  CHECK-NEXT:   llvm.br ^[[BAIL:bb[0-9]+]]
//       CHECK: ^[[BAIL]]:
//  CHECK-NEXT:   llvm.return
//   CHECK-NOT:   llvm.call @dyn_rt_alloc_failed
llvm.func @dyn_rt_assert_failed(!llvm.ptr, !llvm.ptr, i64, i64, i64)
llvm.func private @checked(%ok: i1, %m: !llvm.ptr) {
  llvm.cond_br %ok, ^ok, ^fail
^fail:
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c5 = llvm.mlir.constant(5 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.call @dyn_rt_assert_failed(%m, %m, %c0, %c5, %c1) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
  llvm.br ^ok
^ok:
  llvm.return
}
