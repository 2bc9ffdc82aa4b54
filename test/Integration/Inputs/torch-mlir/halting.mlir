// halting: exported by utils/torch-mlir/export.py with torch 2.15.0 and torch-mlir's FX importer (linalg-on-tensors).
// Regenerate; do not edit.
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> ()>
#map2 = affine_map<() -> ()>
module {
  func.func @main(%arg0: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<i64>) {
    %cst = arith.constant 5.000000e-01 : f32
    %cst_0 = arith.constant 1.000000e+00 : f64
    %cst_1 = arith.constant 0.000000e+00 : f32
    %c0 = arith.constant 0 : index
    %c1_i64 = arith.constant 1 : i64
    %cst_2 = arith.constant dense<0> : tensor<i64>
    %dim = tensor.dim %arg0, %c0 : tensor<?x8xf32>
    %0 = tensor.empty(%dim) : tensor<?x8xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg0 : tensor<?x8xf32>, tensor<?x8xf32>) outs(%0 : tensor<?x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %8 = arith.mulf %in, %in_3 : f32
      linalg.yield %8 : f32
    } -> tensor<?x8xf32>
    %2 = tensor.empty() : tensor<f32>
    %3 = linalg.fill ins(%cst_1 : f32) outs(%2 : tensor<f32>) -> tensor<f32>
    %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["reduction", "reduction"]} ins(%1 : tensor<?x8xf32>) outs(%3 : tensor<f32>) {
    ^bb0(%in: f32, %out: f32):
      %8 = arith.addf %in, %out : f32
      linalg.yield %8 : f32
    } -> tensor<f32>
    %5 = tensor.empty() : tensor<i1>
    %6 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = []} ins(%4 : tensor<f32>) outs(%5 : tensor<i1>) {
    ^bb0(%in: f32, %out: i1):
      %8 = arith.extf %in : f32 to f64
      %9 = arith.cmpf ogt, %8, %cst_0 : f64
      linalg.yield %9 : i1
    } -> tensor<i1>
    %extracted = tensor.extract %6[] : tensor<i1>
    %7:2 = scf.while (%arg1 = %extracted, %arg2 = %cst_2, %arg3 = %arg0) : (i1, tensor<i64>, tensor<?x8xf32>) -> (tensor<i64>, tensor<?x8xf32>) {
      scf.condition(%arg1) %arg2, %arg3 : tensor<i64>, tensor<?x8xf32>
    } do {
    ^bb0(%arg1: tensor<i64>, %arg2: tensor<?x8xf32>):
      %8 = tensor.empty() : tensor<i64>
      %9 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = []} ins(%arg1 : tensor<i64>) outs(%8 : tensor<i64>) {
      ^bb0(%in: i64, %out: i64):
        %15 = arith.addi %in, %c1_i64 : i64
        linalg.yield %15 : i64
      } -> tensor<i64>
      %dim_3 = tensor.dim %arg2, %c0 : tensor<?x8xf32>
      %10 = tensor.empty(%dim_3) : tensor<?x8xf32>
      %11 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg2 : tensor<?x8xf32>) outs(%10 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %15 = arith.mulf %in, %cst : f32
        linalg.yield %15 : f32
      } -> tensor<?x8xf32>
      %12 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%11, %11 : tensor<?x8xf32>, tensor<?x8xf32>) outs(%10 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %in_5: f32, %out: f32):
        %15 = arith.mulf %in, %in_5 : f32
        linalg.yield %15 : f32
      } -> tensor<?x8xf32>
      %13 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["reduction", "reduction"]} ins(%12 : tensor<?x8xf32>) outs(%3 : tensor<f32>) {
      ^bb0(%in: f32, %out: f32):
        %15 = arith.addf %in, %out : f32
        linalg.yield %15 : f32
      } -> tensor<f32>
      %14 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = []} ins(%13 : tensor<f32>) outs(%5 : tensor<i1>) {
      ^bb0(%in: f32, %out: i1):
        %15 = arith.extf %in : f32 to f64
        %16 = arith.cmpf ogt, %15, %cst_0 : f64
        linalg.yield %16 : i1
      } -> tensor<i1>
      %extracted_4 = tensor.extract %14[] : tensor<i1>
      scf.yield %extracted_4, %9, %11 : i1, tensor<i64>, tensor<?x8xf32>
    }
    return %7#1, %7#0 : tensor<?x8xf32>, tensor<i64>
  }
}
