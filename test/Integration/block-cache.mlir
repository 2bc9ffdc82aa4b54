// Large buffers are kept by the runtime for the next allocation of about
// their size (lib/Runtime/DynRuntime.c): an output of 128 KiB released and
// asked for again comes back in the same block (not to an allocation of
// the host in between), a much larger one does not
// take it, results stay right, and nothing is live at the end.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %s -o %t/libnet.so --header %t/net.h
// RUN: %cc -std=c11 -Wall -Werror -I%t %S/Inputs/block_cache.c -L%t -lnet -Wl,-rpath,%t -o %t/block_cache
// RUN: %t/block_cache | FileCheck %s
// CHECK: block cache: same block again: yes
// CHECK: block cache: 4x larger request reuses it: no
// CHECK: block cache: values ok, live bytes 0

func.func @shift(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x256xf32>
  %e = tensor.empty(%n) : tensor<?x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<?x256xf32>) outs(%e : tensor<?x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %one : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}
