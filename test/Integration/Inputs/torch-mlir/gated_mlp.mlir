// gated_mlp: exported by utils/torch-mlir/export.py with torch 2.15.0 and torch-mlir's FX importer (linalg-on-tensors).
// Regenerate; do not edit.
#map = affine_map<(d0, d1) -> (d1)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1) -> ()>
#map3 = affine_map<() -> ()>
module {
  func.func @main(%arg0: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %cst = arith.constant dense_resource<torch_tensor_4_8_torch.float32_1> : tensor<4x8xf32>
    %cst_0 = arith.constant dense_resource<torch_tensor_4_torch.float32_1> : tensor<4xf32>
    %cst_1 = arith.constant dense_resource<torch_tensor_16_8_torch.float32_1> : tensor<16x8xf32>
    %cst_2 = arith.constant dense_resource<torch_tensor_16_torch.float32_1> : tensor<16xf32>
    %cst_3 = arith.constant dense_resource<torch_tensor_8_16_torch.float32_1> : tensor<8x16xf32>
    %cst_4 = arith.constant dense_resource<torch_tensor_8_torch.float32_1> : tensor<8xf32>
    %c0_i64 = arith.constant 0 : i64
    %c0 = arith.constant 0 : index
    %cst_5 = arith.constant 0.000000e+00 : f32
    %cst_6 = arith.constant 1.000000e+00 : f32
    %cst_7 = arith.constant 5.000000e-01 : f64
    %cst_8 = arith.constant dense<0.0838480368> : tensor<1xf32>
    %cst_9 = arith.constant dense_resource<torch_tensor_1_8_torch.float32_1> : tensor<1x8xf32>
    %dim = tensor.dim %arg0, %c0 : tensor<?x8xf32>
    %0 = arith.index_cast %dim : index to i64
    %1 = tensor.empty() : tensor<8x1xf32>
    %transposed = linalg.transpose ins(%cst_9 : tensor<1x8xf32>) outs(%1 : tensor<8x1xf32>) permutation = [1, 0] 
    %2 = tensor.empty(%dim) : tensor<?x1xf32>
    %3 = linalg.fill ins(%cst_5 : f32) outs(%2 : tensor<?x1xf32>) -> tensor<?x1xf32>
    %4 = linalg.matmul ins(%arg0, %transposed : tensor<?x8xf32>, tensor<8x1xf32>) outs(%3 : tensor<?x1xf32>) -> tensor<?x1xf32>
    %5 = arith.cmpi sge, %0, %c0_i64 : i64
    cf.assert %5, "negative values not allowed in new dimensions"
    %6 = tensor.empty(%dim) : tensor<?x1xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%cst_8 : tensor<1xf32>) outs(%6 : tensor<?x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x1xf32>
    %8 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%4, %7 : tensor<?x1xf32>, tensor<?x1xf32>) outs(%2 : tensor<?x1xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %26 = arith.addf %in, %in_12 : f32
      linalg.yield %26 : f32
    } -> tensor<?x1xf32>
    %9 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%8 : tensor<?x1xf32>) outs(%2 : tensor<?x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %26 = arith.negf %in : f32
      %27 = math.exp %26 : f32
      %28 = arith.addf %27, %cst_6 : f32
      %29 = arith.divf %cst_6, %28 : f32
      linalg.yield %29 : f32
    } -> tensor<?x1xf32>
    %10 = tensor.empty() : tensor<f32>
    %11 = linalg.fill ins(%cst_5 : f32) outs(%10 : tensor<f32>) -> tensor<f32>
    %12 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["reduction", "reduction"]} ins(%9 : tensor<?x1xf32>) outs(%11 : tensor<f32>) {
    ^bb0(%in: f32, %out: f32):
      %26 = arith.addf %in, %out : f32
      linalg.yield %26 : f32
    } -> tensor<f32>
    %13 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = []} ins(%12 : tensor<f32>) outs(%10 : tensor<f32>) {
    ^bb0(%in: f32, %out: f32):
      %26 = arith.sitofp %0 : i64 to f32
      %27 = arith.divf %in, %26 : f32
      linalg.yield %27 : f32
    } -> tensor<f32>
    %14 = tensor.empty() : tensor<i1>
    %15 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = []} ins(%13 : tensor<f32>) outs(%14 : tensor<i1>) {
    ^bb0(%in: f32, %out: i1):
      %26 = arith.extf %in : f32 to f64
      %27 = arith.cmpf ogt, %26, %cst_7 : f64
      linalg.yield %27 : i1
    } -> tensor<i1>
    %extracted = tensor.extract %15[] : tensor<i1>
    %16 = scf.if %extracted -> (tensor<?x8xf32>) {
      %dim_12 = tensor.dim %arg0, %c0 : tensor<?x8xf32>
      %26 = arith.index_cast %dim_12 : index to i64
      %27 = tensor.empty() : tensor<8x16xf32>
      %transposed_13 = linalg.transpose ins(%cst_1 : tensor<16x8xf32>) outs(%27 : tensor<8x16xf32>) permutation = [1, 0] 
      %28 = tensor.empty(%dim_12) : tensor<?x16xf32>
      %29 = linalg.fill ins(%cst_5 : f32) outs(%28 : tensor<?x16xf32>) -> tensor<?x16xf32>
      %30 = linalg.matmul ins(%arg0, %transposed_13 : tensor<?x8xf32>, tensor<8x16xf32>) outs(%29 : tensor<?x16xf32>) -> tensor<?x16xf32>
      %31 = arith.cmpi sge, %26, %c0_i64 : i64
      cf.assert %31, "negative values not allowed in new dimensions"
      %32 = tensor.empty(%dim_12) : tensor<?x16xf32>
      %33 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%cst_2 : tensor<16xf32>) outs(%32 : tensor<?x16xf32>) {
      ^bb0(%in: f32, %out: f32):
        linalg.yield %in : f32
      } -> tensor<?x16xf32>
      %34 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%30, %33 : tensor<?x16xf32>, tensor<?x16xf32>) outs(%28 : tensor<?x16xf32>) {
      ^bb0(%in: f32, %in_15: f32, %out: f32):
        %45 = arith.addf %in, %in_15 : f32
        linalg.yield %45 : f32
      } -> tensor<?x16xf32>
      %35 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%34 : tensor<?x16xf32>) outs(%28 : tensor<?x16xf32>) {
      ^bb0(%in: f32, %out: f32):
        %45 = arith.cmpf ugt, %in, %cst_5 : f32
        %46 = arith.select %45, %in, %cst_5 : f32
        linalg.yield %46 : f32
      } -> tensor<?x16xf32>
      %36 = tensor.empty() : tensor<16x8xf32>
      %transposed_14 = linalg.transpose ins(%cst_3 : tensor<8x16xf32>) outs(%36 : tensor<16x8xf32>) permutation = [1, 0] 
      %37 = tensor.empty(%dim_12) : tensor<?x8xf32>
      %38 = linalg.fill ins(%cst_5 : f32) outs(%37 : tensor<?x8xf32>) -> tensor<?x8xf32>
      %39 = linalg.matmul ins(%35, %transposed_14 : tensor<?x16xf32>, tensor<16x8xf32>) outs(%38 : tensor<?x8xf32>) -> tensor<?x8xf32>
      cf.assert %31, "negative values not allowed in new dimensions"
      %40 = tensor.empty(%dim_12) : tensor<?x8xf32>
      %41 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%cst_4 : tensor<8xf32>) outs(%40 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        linalg.yield %in : f32
      } -> tensor<?x8xf32>
      %42 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%39, %41 : tensor<?x8xf32>, tensor<?x8xf32>) outs(%37 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %in_15: f32, %out: f32):
        %45 = arith.addf %in, %in_15 : f32
        linalg.yield %45 : f32
      } -> tensor<?x8xf32>
      %43 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%42 : tensor<?x8xf32>) outs(%37 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %45 = arith.cmpf ugt, %in, %cst_5 : f32
        %46 = arith.select %45, %in, %cst_5 : f32
        linalg.yield %46 : f32
      } -> tensor<?x8xf32>
      %44 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg0, %43 : tensor<?x8xf32>, tensor<?x8xf32>) outs(%37 : tensor<?x8xf32>) {
      ^bb0(%in: f32, %in_15: f32, %out: f32):
        %45 = arith.addf %in, %in_15 : f32
        linalg.yield %45 : f32
      } -> tensor<?x8xf32>
      scf.yield %44 : tensor<?x8xf32>
    } else {
      scf.yield %arg0 : tensor<?x8xf32>
    }
    %dim_10 = tensor.dim %16, %c0 : tensor<?x8xf32>
    %17 = arith.index_cast %dim_10 : index to i64
    %18 = tensor.empty() : tensor<8x4xf32>
    %transposed_11 = linalg.transpose ins(%cst : tensor<4x8xf32>) outs(%18 : tensor<8x4xf32>) permutation = [1, 0] 
    %19 = tensor.empty(%dim_10) : tensor<?x4xf32>
    %20 = linalg.fill ins(%cst_5 : f32) outs(%19 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %21 = linalg.matmul ins(%16, %transposed_11 : tensor<?x8xf32>, tensor<8x4xf32>) outs(%20 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %22 = arith.cmpi sge, %17, %c0_i64 : i64
    cf.assert %22, "negative values not allowed in new dimensions"
    %23 = tensor.empty(%dim_10) : tensor<?x4xf32>
    %24 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%cst_0 : tensor<4xf32>) outs(%23 : tensor<?x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x4xf32>
    %25 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%21, %24 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%19 : tensor<?x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %26 = arith.addf %in, %in_12 : f32
      linalg.yield %26 : f32
    } -> tensor<?x4xf32>
    return %25 : tensor<?x4xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_4_8_torch.float32_1: "0x040000005FFC673E3EC315BE25FA943E7188FABD070BBD3DBEAA803E1596403EFE7312BEEC33253E4583D03D636693BED786803E91FEA83E4A731ABBA34FB03E059C0CBD9B9540BC5F8416BD1AA9A13DD888233EEC3A8EBEE6BEF4BDF68383BEDBC98BBDA2A1CB3D585764BE9FFC773D755BADBE0AD70F3EB9F75A3E0356EEBD1B3A4C3E",
      torch_tensor_4_torch.float32_1: "0x04000000E78356BD13AF76BE26B8A7BE73BFA2BE",
      torch_tensor_16_8_torch.float32_1: "0x040000003EBFAB3E221F03BE857C4EBEA0529A3E906799BC067F893D1206563E79C83E3E264D4FBE82030CBEBD0FA7BE31367F3CE0CB01BE1F809B3D52BF863C59539A3E2A73F93C0C6F353EDF7BE43D079BA03E9A8016BEB525973EF5D5813E2A7F10BEC1EB5D3E0B5AA73E7AB44CBED0360DBEF2AB773E95F5913E8302BF3D465ADE3D3C13863E56A49E3E19F964BE68EB14BE9F69983E5C8B433E36DF29BECEAEF5BD88ABAF3EDCC062BEC5E4683E1B15523E2E9BADBE7AB3B4BE535FF03DE2A1313E7874A03EE77D323D049D753EAEA580BE401B583E7C62AEBE28D86B3EB3001D3D04A25F3EA4020F3E0B767ABE319E703B462C373D582F503D137E9EBE75DE36BE578A2ABE7EC944BE82239A3E0DCB4C3E3D13153EBD10D9BD48DF92BEC1159A3D0A41A73E3620213E572592BE6D6300BDD3466B3CBAC3653E49F1183EE74F7FBE48B6AABE94FFD63D85BD303E51A54F3EA738793E9404A03E9A1F17BECB12B0BE2B4C313E429CAE3E1FDA83BE8D4036BE75FD9A3E03628D3E79810ABD14A54EBE50BE843D274CB1BE66000FBEEA673BBDD692ACBD252D153E2425F53B4B9F8EBEBD0F0EBD5189063D0B36623E4A14A33CD67BFCBDBB000D3EDDD2263E2E6F893D246842BE8EDEC33DEF064F3DAC3A4B3E24D7C5BDFA1CBCBCB5E93C3E9F6340BD8DEF3C3E7FAE68BD93FC9E3EB00A32BB75BD98BD1012FB3D3DA392BC0FE8903E",
      torch_tensor_16_torch.float32_1: "0x0400000078314BBD0466733E2F3CBBBDF76EFE3CF2D2EA3DBCE4A9BE4B5D8B3DEEDF443ED5EC0E3EC7040E3C409615BD42E1E33DE535DB3D26682EBEBF4F0D3EE2049BBE",
      torch_tensor_8_16_torch.float32_1: "0x040000000000213CD809B0BD603AD6BD129F4FBEEA3B493EE0A7BC3C70D88C3C08221ABD6854D4BD62EB45BE400F433D8AB547BE301BDBBD68B0003E8033563EA4A4A3BD1C307CBEC25C7A3E5C950A3E54BF383E40C43ABD400053BD1043C83CF89C7A3D00BFD33BBADD04BE3CAB643E041DEF3DD007B9BC54135ABE242AFCBDD892B2BD60CB2ABD40B38D3DC81F2BBDCC2AB13DEC4726BEC81060BDA468E73DAC6B7B3E144458BEF0E8D43C5232073ED0EFDCBC50926E3DC4D41F3ED25E7EBECC96173EF2DB64BE483B3E3D68F41A3E90BDE8BD80E5133B1AC375BE00487CBC4A43103E8030FF3D64D4883DB00DA8BC64C8D1BD0A18503E2437973D282DB63D604EF93D38B890BD303E9CBCBA8F713E4824653E86147EBEFC775ABEB42193BD406B813D3AF605BE58B0FD3DC8AD65BE7090F7BC9803253EC0B182BD341183BD601E5E3D981B443ED8B4653D00FDCA3B00B6CABBB4F158BE04C6CABD9EFA7E3E4C562BBECC96F13D08CBB1BD1C4AAD3D6C4CE33DE60B353E4EDA1EBE98ED01BD9E812EBE20B0503D605AF2BD3070CA3CE89C52BE002167BD1CDA55BE189C58BE68D0B03DC03D273CE858BCBDBC90E1BDF2C05E3E008FD93CE4488E3D464F7F3EA268773E708A59BD1E61013E809827BB02FE44BE46CC253EF01201BD70A8CDBCE090733DD8964B3EA0A513BD605AEDBCD454DA3D10E8353D5C20F33D9EF27A3E5C6C98BD",
      torch_tensor_8_torch.float32_1: "0x040000002ABE3B3E14275BBE702B183D9420A53D4CC66CBE6E6A7CBE44EE8EBD389903BD",
      torch_tensor_1_8_torch.float32_1: "0x040000005DBB2C3D5E262B3D8EE893BEE9FA51BE246AB2BEE3E9A6BE6872B23E1C90953E"
    }
  }
#-}
