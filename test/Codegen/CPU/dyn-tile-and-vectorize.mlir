// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=16}))" --split-input-file | FileCheck %s
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=8 matmul-tile-m=4 matmul-tile-k=8 conv-tile-w=4}))" --split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{peel-partial-tiles=false}))" --split-input-file | FileCheck %s --check-prefix=NOPEEL
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=8 matmul-tile-m=6 matmul-tile-n=16 parallel-tasks=8}))" --split-input-file | FileCheck %s --check-prefix=PAR
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=8 vector-registers=16}))" --split-input-file | FileCheck %s --check-prefix=REGS
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=16 fuse-epilogues=false}))" --split-input-file | FileCheck %s --check-prefix=NOFUSE

// A dynamic-batch matmul: M tiled by 8, N by the vector size, K by 16.
// The M loop is peeled: whole tiles are static and take no masks; the last,
// partial tile runs its rows one at a time, static too. Without peeling
// every tile is masked.
// CHECK-LABEL: func.func @matmul(
// CHECK-NOT: linalg.matmul
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: vector.mask
// CHECK: %[[WHOLE:.+]] = affine.apply
// CHECK: %[[MAIN:.+]] = scf.for %{{.+}} = %c0 to %[[WHOLE]] step %c8
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.contract
// CHECK-SAME: vector<8x16xf32>, vector<16x16xf32> into vector<8x16xf32>
// CHECK: scf.for %{{.+}} = %[[WHOLE]] to %{{.+}} step %c8 iter_args(%{{.+}} = %[[MAIN]])
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1
// CHECK: vector.contract
// CHECK-SAME: vector<1x16xf32>, vector<16x16xf32> into vector<1x16xf32>
// CHECK-NOT: vector.mask
// CHECK: return
// NOPEEL-LABEL: func.func @matmul(
// NOPEEL: scf.for
// NOPEEL: vector.mask %{{.+}} { vector.contract
// NOPEEL-NOT: vector.contract
// NOPEEL: return
// AVX2-LABEL: func.func @matmul(
// AVX2: vector.contract
// AVX2-SAME: vector<4x8xf32>, vector<8x8xf32> into vector<4x8xf32>
func.func @matmul(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>,
                  %c: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>)
                     outs(%c : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// -----

// Elementwise: rows one at a time, 16 lanes along the row; a 10-wide static
// dim fits one vector and is not tiled.
// CHECK-LABEL: func.func @elementwise(
// CHECK: scf.for
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x10xf32>, vector<1x10xf32>
// CHECK: math.exp {{.*}} : vector<1x10xf32>
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<?x10xf32>, %o: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x10xf32>) outs(%o : tensor<?x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<?x10xf32>
  return %r : tensor<?x10xf32>
}

// -----

// A row reduction over a dynamic row length: 16-lane reductions over the
// whole tiles, then the rest of the row one element at a time; no masks.
// NOPEEL keeps one masked loop.
// CHECK-LABEL: func.func @reduce_rows(
// CHECK-NOT: vector.mask
// CHECK: scf.for
// CHECK: scf.for {{.+}} step %c16
// CHECK: vector.multi_reduction <add>, %{{.+}} : vector<1x16xf32> to vector<1xf32>
// CHECK: scf.for
// CHECK: vector.multi_reduction <add>, %{{.+}} : vector<1x1xf32> to vector<1xf32>
// CHECK-NOT: vector.mask
// CHECK: return
// NOPEEL-LABEL: func.func @reduce_rows(
// NOPEEL: vector.mask %{{.+}} { vector.multi_reduction <add>
func.func @reduce_rows(%x: tensor<4x?xf32>, %o: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.reduce ins(%x : tensor<4x?xf32>) outs(%o : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<4xf32>
}

// -----

// A 1-D gather through tensor.extract becomes a masked vector.gather.
// CHECK-LABEL: func.func @gather(
// CHECK: vector.gather
#id = affine_map<(d0) -> (d0)>
func.func @gather(%table: tensor<?xf32>, %idx: tensor<?xindex>, %o: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%idx : tensor<?xindex>) outs(%o : tensor<?xf32>) {
  ^bb0(%i: index, %out: f32):
    %v = tensor.extract %table[%i] : tensor<?xf32>
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// What the vectorizer cannot do (an n-D gather) stays a scalar linalg op,
// untiled.
// CHECK-LABEL: func.func @gather_2d(
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-NOT: vector.
#id1 = affine_map<(d0) -> (d0)>
func.func @gather_2d(%table: tensor<?x?xf32>, %idx: tensor<?xindex>, %o: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%idx : tensor<?xindex>) outs(%o : tensor<?xf32>) {
  ^bb0(%i: index, %out: f32):
    %v = tensor.extract %table[%i, %i] : tensor<?x?xf32>
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A 2-D convolution with a dynamic batch: tiles of unit oh/kh become 1-D
// convolutions, which vectorize (no 2-D conv is left).
// CHECK-LABEL: func.func @conv(
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.conv_1d_nwc_wcf
// CHECK: vector.contract
func.func @conv(%x: tensor<?x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %o: tensor<?x8x8x32xf32>) -> tensor<?x8x8x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%o : tensor<?x8x8x32xf32>) -> tensor<?x8x8x32xf32>
  return %r : tensor<?x8x8x32xf32>
}

// -----

// A convolution tile steps over the kernel one tap (kh, kw) at a time, with
// as many input channels per step as leave its filter vectors beside the
// accumulators in registers: 16 channels with 32 registers (8 accumulators
// + 16 filter vectors), 4 with AVX2's 16 (8 + 4, one broadcast, one spare).
// Whole kernel columns kept 3 x 16 filter vectors live and spilled.
// CHECK-LABEL: func.func @conv_registers(
// CHECK: scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK: scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK-NOT: scf.for
// CHECK: vector.contract {{.+}} : vector<1x8x16xf32>, vector<16x16xf32> into vector<1x8x16xf32>
// REGS-LABEL: func.func @conv_registers(
// REGS: scf.for %{{.+}} = %c0 to %c16 step %c8
// REGS: scf.for %{{.+}} = %c0 to %c3 step %c1
// REGS: scf.for %{{.+}} = %c0 to %c3 step %c1
// REGS: scf.for %{{.+}} = %c0 to %c16 step %c4
// REGS: vector.contract {{.+}} : vector<1x8x4xf32>, vector<4x8xf32> into vector<1x8x8xf32>
func.func @conv_registers(%x: tensor<1x10x10x16xf32>, %w: tensor<3x3x16x16xf32>, %o: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%o : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %r : tensor<1x8x8x16xf32>
}

// -----

// Epilogue fusion: the convolution anchors a group; the bias broadcast
// that fills its accumulator and the residual add + ReLU that read its
// result run in each output tile (8 columns x 16 channels), in registers,
// in the peeled 5-column tile too. Nothing is left for a loop of its own
// after the convolution's.
// CHECK-LABEL: func.func @conv_epilogue(
// CHECK-DAG: vector.transfer_read %[[BIAS:.+]][%c0], {{.+}} : tensor<16xf32>, vector<1x1x8x16xf32>
// CHECK-DAG: vector.transfer_read %[[BIAS]][%c0], {{.+}} : tensor<16xf32>, vector<1x1x5x16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c4 step %c1
// CHECK: vector.contract {{.+}} into vector<1x8x16xf32>
// CHECK: arith.addf {{.+}} : vector<1x1x8x16xf32>
// CHECK: arith.maximumf {{.+}} : vector<1x1x8x16xf32>
// CHECK: vector.contract {{.+}} into vector<1x5x16xf32>
// CHECK: arith.addf {{.+}} : vector<1x1x5x16xf32>
// CHECK: arith.maximumf {{.+}} : vector<1x1x5x16xf32>
// CHECK-NOT: scf.for
// CHECK: return
// Without fusion: the broadcast, the convolution and the epilogue are three
// loop nests, each tile of the result written to memory and read back.
// NOFUSE-LABEL: func.func @conv_epilogue(
// NOFUSE: scf.for
// NOFUSE: vector<1x1x1x16xf32>
// NOFUSE: vector.contract {{.+}} into vector<1x8x16xf32>
// NOFUSE: vector.contract {{.+}} into vector<1x5x16xf32>
// NOFUSE: scf.for
// NOFUSE: arith.addf {{.+}} : vector<1x1x1x16xf32>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>
func.func @conv_epilogue(%x: tensor<1x6x15x16xf32>, %w: tensor<3x3x16x16xf32>, %bias: tensor<16xf32>, %res: tensor<1x4x13x16xf32>) -> tensor<1x4x13x16xf32> {
  %e = tensor.empty() : tensor<1x4x13x16xf32>
  %b = linalg.generic {indexing_maps = [#ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%e : tensor<1x4x13x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x13x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x6x15x16xf32>, tensor<3x3x16x16xf32>) outs(%b : tensor<1x4x13x16xf32>) -> tensor<1x4x13x16xf32>
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %res : tensor<1x4x13x16xf32>, tensor<1x4x13x16xf32>) outs(%e : tensor<1x4x13x16xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %sum = arith.addf %a, %s : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<1x4x13x16xf32>
  return %r : tensor<1x4x13x16xf32>
}

// -----

// A convolution's zero border: the pad becomes a fill of the padded tensor
// and a copy of the source into its interior, both tiled and vectorized
// (no tensor.pad is left for bufferization, which made it a scalar fill
// and an element-by-element strided copy).
// CHECK-LABEL: func.func @pad(
// CHECK-NOT: tensor.pad
// CHECK: scf.for
// CHECK: vector.transfer_write %{{.+}} : vector<1x1x1x16xf32>, tensor<1x1x1x16xf32>
// CHECK: %[[INTERIOR:.+]] = tensor.extract_slice %{{.+}}[0, 1, 1, 0] [1, 6, 6, 16] [1, 1, 1, 1]
// CHECK: scf.for %{{.+}} iter_args(%{{.+}} = %[[INTERIOR]])
// CHECK: vector.transfer_read %{{.+}} : tensor<1x1x1x16xf32>, vector<1x1x1x16xf32>
// CHECK: tensor.insert_slice %{{.+}}[0, 1, 1, 0] [1, 6, 6, 16] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
func.func @pad(%x: tensor<1x6x6x16xf32>) -> tensor<1x8x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x6x6x16xf32> to tensor<1x8x8x16xf32>
  return %p : tensor<1x8x8x16xf32>
}

// -----

// A row maximum over a run-time length (a softmax's): the loop over whole
// tiles carries a vector of 16 partial maxima, combined lane by lane with
// each tile, and reduces it across lanes once, after the loop; the peeled
// rest then goes on from that scalar one element at a time.
// CHECK-LABEL: func.func @row_max(
// CHECK: %[[NEG_INF:.+]] = arith.constant dense<0xFF800000> : vector<1x16xf32>
// CHECK: %[[PARTIALS:[0-9]+]]:{{[0-9]+}} = scf.for {{.+}} step %c16 iter_args({{.*}}%[[P:[a-z0-9_]+]] = %[[NEG_INF]]) -> ({{.*}}vector<1x16xf32>)
// CHECK-NOT: vector.multi_reduction
// CHECK: arith.maximumf %{{.+}}, %[[P]] : vector<1x16xf32>
// CHECK: vector.multi_reduction <maximumf>, %[[PARTIALS]]#{{[0-9]+}}, %{{.+}} [1] : vector<1x16xf32> to vector<1xf32>
func.func @row_max(%x: tensor<4x?xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x?xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// 13 output columns in tiles of 8: the last, partial tile (5 columns) is
// peeled into its own iteration, so it is static and vectorizes too (no
// scalar remainder, no 2-D or 1-D convolution left).
// CHECK-LABEL: func.func @conv_partial_tile(
// CHECK-NOT: linalg.conv
// CHECK: vector.contract {{.+}} into vector<1x8x16xf32>
// CHECK-NOT: linalg.conv
// CHECK: vector.contract {{.+}} into vector<1x5x16xf32>
// CHECK-NOT: linalg.conv
// CHECK: return
// AVX2-LABEL: func.func @conv_partial_tile(
// AVX2-NOT: linalg.conv
// AVX2: vector.contract {{.+}} into vector<1x4x8xf32>
// AVX2-NOT: linalg.conv
// AVX2: vector.contract {{.+}} into vector<1x1x8xf32>
// AVX2-NOT: linalg.conv
// AVX2: return
func.func @conv_partial_tile(%x: tensor<1x3x15x8xf32>, %w: tensor<3x3x8x16xf32>, %o: tensor<1x1x13x16xf32>) -> tensor<1x1x13x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x15x8xf32>, tensor<3x3x8x16xf32>) outs(%o : tensor<1x1x13x16xf32>) -> tensor<1x1x13x16xf32>
  return %r : tensor<1x1x13x16xf32>
}

// -----

// Masks in memory: the comparison that writes a tensor of i1 and the `or`
// reduction that reads it stay scalar (vector<Nxi1> loads and stores are
// bit-packed, a mask written element by element is not); a comparison whose
// mask stays inside the op (feeding a select) is vectorized.
// CHECK-LABEL: func.func @masks_in_memory(
// CHECK: %[[MASK:.+]] = linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: linalg.reduce ins(%[[MASK]] : tensor<3x4xi1>)
// CHECK: arith.ori
// CHECK: vector.transfer_read
// CHECK: arith.cmpf ogt, %{{.+}}, %{{.+}} : vector<
// CHECK: arith.select
// AVX2-LABEL: func.func @masks_in_memory(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @masks_in_memory(%x: tensor<3x4xf32>) -> (tensor<3xi1>, tensor<3x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %false = arith.constant false
  %e = tensor.empty() : tensor<3x4xi1>
  %mask = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x4xf32>) outs(%e : tensor<3x4xi1>) {
  ^bb0(%a: f32, %o: i1):
    %c = arith.cmpf ogt, %a, %zero : f32
    linalg.yield %c : i1
  } -> tensor<3x4xi1>
  %init = tensor.empty() : tensor<3xi1>
  %f = linalg.fill ins(%false : i1) outs(%init : tensor<3xi1>) -> tensor<3xi1>
  %any = linalg.reduce ins(%mask : tensor<3x4xi1>) outs(%f : tensor<3xi1>) dimensions = [1]
    (%in: i1, %acc: i1) {
      %o = arith.ori %in, %acc : i1
      linalg.yield %o : i1
    }
  %e2 = tensor.empty() : tensor<3x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x4xf32>) outs(%e2 : tensor<3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf ogt, %a, %zero : f32
    %s = arith.select %c, %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<3x4xf32>
  return %any, %relu : tensor<3xi1>, tensor<3x4xf32>
}

// -----

// A grouped convolution (ResNeXt's): one loop runs over the groups and each
// tile is a vectorized 1-D convolution (no 2-D convolution is left: one
// body for all 4 groups); the filter, an argument here, is transposed to
// (g, kh, kw, c, f) at run time, vectorized too.
// CHECK-LABEL: func.func @grouped(
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}} : tensor<1x1x1x1x8xf32> into tensor<4x3x3x8x8xf32>
// CHECK-NOT: linalg.conv
// CHECK: scf.for %{{.+}} = %{{.+}} to %c4
// CHECK: vector.contract
// CHECK-SAME: vector<1x8x8xf32>, vector<8x8xf32> into vector<1x8x8xf32>
// CHECK-NOT: linalg.conv
// CHECK: return
// AVX2-LABEL: func.func @grouped(
func.func @grouped(%x: tensor<?x10x10x4x8xf32>, %w: tensor<4x8x3x3x8xf32>, %o: tensor<?x8x8x4x8xf32>) -> tensor<?x8x8x4x8xf32> {
  %r = linalg.conv_2d_nhwgc_gfhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x10x10x4x8xf32>, tensor<4x8x3x3x8xf32>) outs(%o : tensor<?x8x8x4x8xf32>) -> tensor<?x8x8x4x8xf32>
  return %r : tensor<?x8x8x4x8xf32>
}

// -----

// A constant filter (weights) is transposed at compile time: element
// (g, f, kh, kw, c) = 4 g + 2 f + kw + 1 lands at (g, kh, kw, c, f); stride
// and dilation along W carry over to the 1-D convolutions.
// CHECK-LABEL: func.func @grouped_constant(
// CHECK: arith.constant dense<{{\[}}{{\[}}{{\[}}{{\[}}[1.000000e+00, 3.000000e+00]], {{\[}}[2.000000e+00, 4.000000e+00]]]], {{\[}}{{\[}}{{\[}}[5.000000e+00, 7.000000e+00]], {{\[}}[6.000000e+00, 8.000000e+00]]]]]> : tensor<2x1x2x1x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK-NOT: linalg.conv
// CHECK: vector.contract
// CHECK-NOT: linalg.conv
// CHECK: return
// AVX2-LABEL: func.func @grouped_constant(
func.func @grouped_constant(%x: tensor<1x5x7x2x1xf32>, %o: tensor<1x5x2x2x2xf32>) -> tensor<1x5x2x2x2xf32> {
  %w = arith.constant dense<[[[[[1.0], [2.0]]], [[[3.0], [4.0]]]], [[[[5.0], [6.0]]], [[[7.0], [8.0]]]]]> : tensor<2x2x1x2x1xf32>
  %r = linalg.conv_2d_nhwgc_gfhwc {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[1, 3]> : tensor<2xi64>}
      ins(%x, %w : tensor<1x5x7x2x1xf32>, tensor<2x2x1x2x1xf32>) outs(%o : tensor<1x5x2x2x2xf32>) -> tensor<1x5x2x2x2xf32>
  return %r : tensor<1x5x2x2x2xf32>
}

// -----

// A large static matmul: blocked for the cache along N (256) and K (128),
// each block of B packed into 16-column strips (expand_shape + a transpose,
// vectorized), the register tiles reading contiguous strips of it, and each
// tile's accumulator carried in registers across the K loop (loaded before
// it, stored after it).
// CHECK-LABEL: func.func @matmul_blocked(
// CHECK-SAME: %[[A:[a-z0-9]+]]: tensor<64x256xf32>, %[[B:[a-z0-9]+]]: tensor<256x512xf32>
// CHECK: scf.for %[[N:.+]] = %c0 to %c512 step %c256
// CHECK: scf.for %[[K:.+]] = %c0 to %c256 step %c128
// CHECK: %[[BLOCK:.+]] = tensor.extract_slice %[[B]][%[[K]], %[[N]]] [128, 256]
// CHECK: %[[STRIPS:.+]] = tensor.expand_shape %[[BLOCK]] {{\[}}[0], [1, 2]] output_shape [128, 16, 16]
// CHECK: %[[PACKED:.+]] = scf.for
// CHECK: vector.transfer_read %{{.+}} : tensor<1x1x16xf32>, vector<1x1x16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c8
// CHECK: scf.for %[[COL:.+]] = %c0 to %c256 step %c16
// CHECK: %[[STRIP:.+]] = affine.apply #{{.+}}(%[[COL]])
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} : tensor<8x16xf32>, vector<8x16xf32>
// CHECK: %[[RESULT:.+]]:{{[0-9]+}} = scf.for %[[KK:.+]] = %c0 to %c128 step %c16 iter_args({{.*}}%[[ACCARG:[a-z0-9_]+]] = %[[ACC]]) -> ({{.*}}vector<8x16xf32>)
// CHECK: tensor.extract_slice %[[PACKED]][%[[STRIP]], %[[KK]], 0] [1, 16, 16] [1, 1, 1] : tensor<16x128x16xf32> to tensor<16x16xf32>
// CHECK: %[[NEXT:.+]] = vector.contract
// CHECK-SAME: %[[ACCARG]] : vector<8x16xf32>, vector<16x16xf32> into vector<8x16xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield {{.*}}%[[NEXT]] : {{.*}}vector<8x16xf32>
// CHECK: vector.transfer_write %[[RESULT]]#{{[0-9]+}}
// NOPEEL-LABEL: func.func @matmul_blocked(
// NOPEEL: tensor.expand_shape
func.func @matmul_blocked(%a: tensor<64x256xf32>, %b: tensor<256x512xf32>,
                          %c: tensor<64x512xf32>) -> tensor<64x512xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x512xf32>)
                     outs(%c : tensor<64x512xf32>) -> tensor<64x512xf32>
  return %r : tensor<64x512xf32>
}

// -----

// A vector-matrix product written as a generic over (n, k), the reduction
// innermost (as elementwise fusion leaves an embedding lookup feeding a
// matmul): interchanged so that W is read by rows, the n loop outside, the
// k loop inside carrying the accumulator; no reduction across lanes.
// CHECK-LABEL: func.func @vecmat_generic(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<32xf32>, %[[W:[a-z0-9]+]]: tensor<32x256xf32>
// CHECK-NOT: vector.multi_reduction
// CHECK: scf.for %[[N:.+]] = %c0 to %c256 step %c16
// CHECK: %[[INIT:.+]] = vector.transfer_read {{.+}} : tensor<16xf32>, vector<16xf32>
// CHECK: scf.for %[[K:.+]] = %c0 to %c32 step %c1 iter_args({{.*}}%[[ACC:[a-z0-9_]+]] = %[[INIT]]) -> ({{.*}}vector<16xf32>)
// CHECK: tensor.extract_slice %[[W]][%[[K]], %[[N]]] [1, 16] [1, 1]
// CHECK: vector.multi_reduction <add>, %{{.+}}, %[[ACC]] [0] : vector<1x16xf32> to vector<16xf32>
// CHECK-NOT: vector.multi_reduction
// CHECK: return
func.func @vecmat_generic(%x: tensor<32xf32>, %w: tensor<32x256xf32>, %o: tensor<256xf32>) -> tensor<256xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, k) -> (k)>, affine_map<(n, k) -> (k, n)>, affine_map<(n, k) -> (n)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x, %w : tensor<32xf32>, tensor<32x256xf32>) outs(%o : tensor<256xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// Tasks of a parallel loop (parallel-tasks): a contraction splits along N
// (each task packs only its columns of B) into 64-column tasks, multiples
// of the 16-column register tile, at most 8 of them, whatever M is; the
// tasks are then tiled as usual. An op with too little work stays whole.

// PAR-LABEL: func.func @parallel_wide(
//       PAR:   scf.forall (%[[J:.+]]) = (0) to (512) step (64) shared_outs(%[[OUT:.+]] = %{{.+}})
//       PAR:     tensor.extract_slice %{{.+}}[0, %[[J]]] [384, 64]
//       PAR:     vector.contract
//       PAR:     scf.forall.in_parallel
//       PAR:       tensor.parallel_insert_slice %{{.+}} into %[[OUT]][0, %[[J]]] [%{{.+}}, 64]
// PAR-LABEL: func.func @parallel_small(
//   PAR-NOT:   scf.forall
//       PAR:   return
func.func @parallel_wide(%a: tensor<?x384xf32>, %b: tensor<384x512xf32>, %init: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x384xf32>, tensor<384x512xf32>) outs(%init : tensor<?x512xf32>) -> tensor<?x512xf32>
  return %r : tensor<?x512xf32>
}
func.func @parallel_small(%a: tensor<8x64xf32>, %b: tensor<64x64xf32>, %init: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x64xf32>) outs(%init : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A convolution splits along its output rows (the batch is 1): 2 rows a
// task, 7 tasks, each tiled (7 columns, which divide 14) and vectorized.

// PAR-LABEL: func.func @parallel_conv(
//       PAR:   scf.forall (%[[R:.+]]) = (0) to (14) step (2)
//       PAR:     tensor.extract_slice %{{.+}}[0, %[[R]], 0, 0] [1, 2, 14, 16]
//       PAR:     scf.for %{{.+}} step %c7
//       PAR:     vector.contract
//       PAR:     scf.forall.in_parallel
func.func @parallel_conv(%x: tensor<1x16x16x8xf32>, %w: tensor<3x3x8x16xf32>, %init: tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x16x16x8xf32>, tensor<3x3x8x16xf32>)
         outs(%init : tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32>
  return %r : tensor<1x14x14x16xf32>
}

// -----

// A gather of whole rows (dyn-lower-batch-branches' sub-batches): a loop
// of row copies, each a vectorized copy, not a loop nest of scalar loads.
// CHECK-LABEL: func.func @row_gather(
//  CHECK-SAME: %[[SRC:.+]]: tensor<?x8x32xf32>, %[[ROWS:.+]]: tensor<?xi32>
//       CHECK: scf.for %[[P:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] =
//       CHECK:   %[[R:.+]] = tensor.extract %[[ROWS]][%[[P]]]
//       CHECK:   %[[RI:.+]] = arith.index_cast %[[R]] : i32 to index
//       CHECK:   tensor.extract_slice %[[SRC]][%[[RI]], 0, 0] [1, 8, 32] [1, 1, 1]
//       CHECK:   vector.transfer_read
//       CHECK:   vector.transfer_write
//       CHECK:   tensor.insert_slice %{{.+}} into %[[ACC]][%[[P]], 0, 0] [1, 8, 32] [1, 1, 1]
//   CHECK-NOT: linalg.generic
func.func @row_gather(%src: tensor<?x8x32xf32>, %rows: tensor<?xi32>) -> tensor<?x8x32xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %rows, %c0 : tensor<?xi32>
  %e = tensor.empty(%n) : tensor<?x8x32xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%rows : tensor<?xi32>) outs(%e : tensor<?x8x32xf32>) {
  ^bb0(%r: i32, %out: f32):
    %i = arith.index_cast %r : i32 to index
    %j = linalg.index 1 : index
    %k = linalg.index 2 : index
    %v = tensor.extract %src[%i, %j, %k] : tensor<?x8x32xf32>
    linalg.yield %v : f32
  } -> tensor<?x8x32xf32>
  return %g : tensor<?x8x32xf32>
}
