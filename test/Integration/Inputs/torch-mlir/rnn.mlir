// rnn: exported by utils/torch-mlir/export.py with torch 2.15.0 and torch-mlir's FX importer (linalg-on-tensors).
// Regenerate; do not edit.
#map = affine_map<() -> ()>
#map1 = affine_map<(d0, d1) -> (d0)>
#map2 = affine_map<(d0, d1) -> (d0, d1)>
#map3 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @main(%arg0: tensor<?x8xf32>, %arg1: tensor<1x8xf32>) -> tensor<1x4xf32> {
    %c0 = arith.constant 0 : index
    %cst = arith.constant dense_resource<torch_tensor_4_8_torch.float32> : tensor<4x8xf32>
    %cst_0 = arith.constant dense_resource<torch_tensor_4_torch.float32> : tensor<4xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %c1_i64 = arith.constant 1 : i64
    %cst_2 = arith.constant dense_resource<torch_tensor_8_8_torch.float32> : tensor<8x8xf32>
    %cst_3 = arith.constant dense_resource<torch_tensor_8_8_torch.float32_1> : tensor<8x8xf32>
    %cst_4 = arith.constant dense_resource<torch_tensor_8_torch.float32> : tensor<8xf32>
    %cst_5 = arith.constant dense_resource<torch_tensor_8_torch.float32_1> : tensor<8xf32>
    %cst_6 = arith.constant dense<0> : tensor<i64>
    %dim = tensor.dim %arg0, %c0 : tensor<?x8xf32>
    %0 = arith.index_cast %dim : index to i64
    %1 = tensor.empty() : tensor<i1>
    %2 = linalg.generic {indexing_maps = [#map, #map], iterator_types = []} ins(%cst_6 : tensor<i64>) outs(%1 : tensor<i1>) {
    ^bb0(%in: i64, %out: i1):
      %10 = arith.cmpi slt, %in, %0 : i64
      linalg.yield %10 : i1
    } -> tensor<i1>
    %extracted = tensor.extract %2[] : tensor<i1>
    %3:7 = scf.while (%arg2 = %extracted, %arg3 = %cst_6, %arg4 = %arg1, %arg5 = %arg0, %arg6 = %cst_2, %arg7 = %cst_3, %arg8 = %cst_4, %arg9 = %cst_5) : (i1, tensor<i64>, tensor<1x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<i64>, tensor<1x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>) {
      scf.condition(%arg2) %arg3, %arg4, %arg5, %arg6, %arg7, %arg8, %arg9 : tensor<i64>, tensor<1x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>
    } do {
    ^bb0(%arg2: tensor<i64>, %arg3: tensor<1x8xf32>, %arg4: tensor<?x8xf32>, %arg5: tensor<8x8xf32>, %arg6: tensor<8x8xf32>, %arg7: tensor<8xf32>, %arg8: tensor<8xf32>):
      %expanded = tensor.expand_shape %arg2 [] output_shape [1] : tensor<i64> into tensor<1xi64>
      %10 = tensor.empty() : tensor<1x8xf32>
      %11 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "parallel"]} ins(%expanded : tensor<1xi64>) outs(%10 : tensor<1x8xf32>) {
      ^bb0(%in: i64, %out: f32):
        %24 = arith.index_cast %in : i64 to index
        %25 = linalg.index 1 : index
        %extracted_11 = tensor.extract %arg4[%24, %25] : tensor<?x8xf32>
        linalg.yield %extracted_11 : f32
      } -> tensor<1x8xf32>
      %12 = tensor.empty() : tensor<8x8xf32>
      %transposed_7 = linalg.transpose ins(%arg5 : tensor<8x8xf32>) outs(%12 : tensor<8x8xf32>) permutation = [1, 0] 
      %13 = linalg.fill ins(%cst_1 : f32) outs(%10 : tensor<1x8xf32>) -> tensor<1x8xf32>
      %14 = linalg.matmul ins(%11, %transposed_7 : tensor<1x8xf32>, tensor<8x8xf32>) outs(%13 : tensor<1x8xf32>) -> tensor<1x8xf32>
      %15 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel"]} ins(%14, %arg7 : tensor<1x8xf32>, tensor<8xf32>) outs(%10 : tensor<1x8xf32>) {
      ^bb0(%in: f32, %in_11: f32, %out: f32):
        %24 = arith.addf %in, %in_11 : f32
        linalg.yield %24 : f32
      } -> tensor<1x8xf32>
      %transposed_8 = linalg.transpose ins(%arg6 : tensor<8x8xf32>) outs(%12 : tensor<8x8xf32>) permutation = [1, 0] 
      %16 = linalg.matmul ins(%arg3, %transposed_8 : tensor<1x8xf32>, tensor<8x8xf32>) outs(%13 : tensor<1x8xf32>) -> tensor<1x8xf32>
      %17 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel"]} ins(%15, %16 : tensor<1x8xf32>, tensor<1x8xf32>) outs(%10 : tensor<1x8xf32>) {
      ^bb0(%in: f32, %in_11: f32, %out: f32):
        %24 = arith.addf %in, %in_11 : f32
        linalg.yield %24 : f32
      } -> tensor<1x8xf32>
      %18 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel"]} ins(%17, %arg8 : tensor<1x8xf32>, tensor<8xf32>) outs(%10 : tensor<1x8xf32>) {
      ^bb0(%in: f32, %in_11: f32, %out: f32):
        %24 = arith.addf %in, %in_11 : f32
        linalg.yield %24 : f32
      } -> tensor<1x8xf32>
      %19 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]} ins(%18 : tensor<1x8xf32>) outs(%10 : tensor<1x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %24 = math.tanh %in : f32
        linalg.yield %24 : f32
      } -> tensor<1x8xf32>
      %20 = tensor.empty() : tensor<i64>
      %21 = linalg.generic {indexing_maps = [#map, #map], iterator_types = []} ins(%arg2 : tensor<i64>) outs(%20 : tensor<i64>) {
      ^bb0(%in: i64, %out: i64):
        %24 = arith.addi %in, %c1_i64 : i64
        linalg.yield %24 : i64
      } -> tensor<i64>
      %dim_9 = tensor.dim %arg4, %c0 : tensor<?x8xf32>
      %22 = arith.index_cast %dim_9 : index to i64
      %23 = linalg.generic {indexing_maps = [#map, #map], iterator_types = []} ins(%21 : tensor<i64>) outs(%1 : tensor<i1>) {
      ^bb0(%in: i64, %out: i1):
        %24 = arith.cmpi slt, %in, %22 : i64
        linalg.yield %24 : i1
      } -> tensor<i1>
      %extracted_10 = tensor.extract %23[] : tensor<i1>
      scf.yield %extracted_10, %21, %19, %arg4, %arg5, %arg6, %arg7, %arg8 : i1, tensor<i64>, tensor<1x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>
    }
    %4 = tensor.empty() : tensor<8x4xf32>
    %transposed = linalg.transpose ins(%cst : tensor<4x8xf32>) outs(%4 : tensor<8x4xf32>) permutation = [1, 0] 
    %5 = tensor.empty() : tensor<1x4xf32>
    %6 = linalg.fill ins(%cst_1 : f32) outs(%5 : tensor<1x4xf32>) -> tensor<1x4xf32>
    %7 = linalg.matmul ins(%3#1, %transposed : tensor<1x8xf32>, tensor<8x4xf32>) outs(%6 : tensor<1x4xf32>) -> tensor<1x4xf32>
    %8 = linalg.generic {indexing_maps = [#map3, #map2], iterator_types = ["parallel", "parallel"]} ins(%cst_0 : tensor<4xf32>) outs(%5 : tensor<1x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x4xf32>
    %9 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel"]} ins(%7, %8 : tensor<1x4xf32>, tensor<1x4xf32>) outs(%5 : tensor<1x4xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %10 = arith.addf %in, %in_7 : f32
      linalg.yield %10 : f32
    } -> tensor<1x4xf32>
    return %9 : tensor<1x4xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_4_8_torch.float32: "0x04000000D617E03DE8F4A3BD6E250B3EC002EA3DE9095D3E0AD0733EF535F5BD4CDCB03EFB6A27BDDE0247BC4DDCAABE920369BE168153BE2CDA1ABE01B3803E609DECBDB84587BE5A4B0B3ED9D3E73D337D6A3E4D583BBEA7FD9C3DE7CC03BE8EAEA2BDF44190BECA0025BE18C1DDBD0DD21A3E0248843DE7DBB23D24ADB43E2A6DB03E",
      torch_tensor_4_torch.float32: "0x040000006CED763E1F75383C8B747ABEE6778D3E",
      torch_tensor_8_8_torch.float32: "0x04000000928B3A3EC6CB1FBEE75E8CBD01EE293E146BAABEEF1E593E06F694BD592F383E6F51493D6D5131BDACD4C83D4FE18E3C0A3A043E3B160DBE942AD3BC9E5F02BDB9E6513DB61FB9BAB73D9E3E6253E13D51D306BE49A85ABEBFBB72BD79291CBE8E07E8BD10AE8A3C40D2573E03C8443EA3F4B0BE686F603EF347CA3DF6B4AB3E99F76E3EFCEEA4BE5D1DACBE759F2EBE88F49E3EB93771BD18F01A3E563E28BE939EB13E912D19BE3AC0873E3A30893B71BA3EBEDF173A3E6B2D40BE5DF4D43D2215D1BD7FC41EBDA307AEBE099D2CBE5A74443EBA01B0BDE14DB43E5E1A913E9E9D87BC9AA771BEC5775C3EF8B8E03D69076ABE07296B3E59CB5B3E8E8BA03E",
      torch_tensor_8_8_torch.float32_1: "0x04000000BBF14ABEFA5F6EBD7C6DE0BB8A83533DFE6089BE937480BE60F3443E51CAA9BDA5D8303E501EA53C3EBFED3D67379F3D16A3033E6977333EE9A4A7BE913B363ECB8E7EBEA99488BE2323B03CA4C676BD4EA2543E64AB51BE44ECA0BE7FBD833E29BC56BD9AA14B3E9AC7E83DEFBD87BE4577913DC0EBAD3DF76772BEFEC62BBE8AE4F63DD7B2813D57001ABE9130DBBDE0CAA53E3FF885BD471D4C3E8FC31C3E3D066ABEB6F199BE27C2AD3E653C973C8E29783E330D963D36E1E83DC536873E2BA5AB3EF33D70BEB00F353D4616873E0223833E90E9603ED20183BE505A82BE62F35ABEE6ED353D666AB43EE5B064BE6AEC403E556248BE7D32AABE29E599BD",
      torch_tensor_8_torch.float32: "0x040000009D98503EC60DA83E0ED760BE06229D3DC3319C3EFEE76F3E7FA1613E63A3803E",
      torch_tensor_8_torch.float32_1: "0x04000000D2FE643ECC06BB3DBF9177BE350398BEC1E425BEB5A128BD94E95DBE0374043E"
    }
  }
#-}
