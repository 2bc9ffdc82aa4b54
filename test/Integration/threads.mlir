// One artifact called from 8 threads at once (1,000 calls each, both
// branches and a rejected shape): every result equals the one computed
// alone, every error message is the calling thread's own, and no buffer is
// left live. The sanitizer build runs it under ASan + UBSan.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/c-abi.mlir -o %t/libnet.so --header %t/net.h
// RUN: %cc -std=c11 -Wall -Werror -pthread -I%t %S/Inputs/threads.c -L%t -lnet -Wl,-rpath,%t -o %t/threads
// RUN: %t/threads | FileCheck %s
// CHECK: threads: 8 x 1000 calls, 0 mismatches, live bytes 0
