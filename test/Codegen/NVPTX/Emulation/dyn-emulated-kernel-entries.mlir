// RUN: dyn-opt %s --dyn-emulated-kernel-entries | FileCheck %s

// The entry of an emulated kernel takes a launch's argument array (a
// pointer to each argument) and calls the host copy with the values.
//       CHECK: llvm.func @dyn_emu_launch_k(%[[PARAMS:.+]]: !llvm.ptr)
//       CHECK:   %[[S0:.+]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
//       CHECK:   %[[P0:.+]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
//       CHECK:   %[[A0:.+]] = llvm.load %[[P0]] : !llvm.ptr -> i64
//       CHECK:   %[[S1:.+]] = llvm.getelementptr %[[PARAMS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
//       CHECK:   %[[P1:.+]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
//       CHECK:   %[[A1:.+]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
//       CHECK:   llvm.call @dyn_emu_kernel_k(%[[A0]], %[[A1]]) : (i64, !llvm.ptr) -> ()
//       CHECK:   llvm.return
//   CHECK-NOT: @dyn_emu_launch_plain
llvm.func internal @dyn_emu_kernel_k(%n: i64, %p: !llvm.ptr) attributes {dyn.emulated_kernel = "k"} {
  llvm.return
}
llvm.func internal @plain(%n: i64) {
  llvm.return
}
