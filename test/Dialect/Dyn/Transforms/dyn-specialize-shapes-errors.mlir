// RUN: not dyn-opt %s --dyn-specialize-shapes="specializations=f:0.0=4" 2>&1 | FileCheck %s --check-prefix=STATIC
// RUN: not dyn-opt %s --dyn-specialize-shapes="specializations=nosuch:0.0=4" 2>&1 | FileCheck %s --check-prefix=NOENTRY
// RUN: not dyn-opt %s --dyn-specialize-shapes="specializations=g:zero=4" 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not dyn-opt %s --dyn-specialize-shapes="specializations=g:3.0=4" 2>&1 | FileCheck %s --check-prefix=NOARG
// RUN: not dyn-opt %s --dyn-specialize-shapes="specializations=g:0.0=1,2,3,4,5;g:0.1=1,2,3,4" 2>&1 | FileCheck %s --check-prefix=TOOMANY

// STATIC: [[@LINE+2]]:1: error: cannot specialise dim 0 of argument 0 ('tensor<4x?xf32>'): not a dynamic dim of a ranked tensor
// NOENTRY: error: specialisation 'nosuch:0.0=4' names no entry point 'nosuch'
func.func @f(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  return %x : tensor<4x?xf32>
}

// SYNTAX: [[@LINE+3]]:1: error: malformed specialisation 'zero=4': ARG and DIM must be integers (expected ARG.DIM=V,V,..., e.g. 0.1=64,128)
// NOARG: [[@LINE+2]]:1: error: cannot specialise argument 3: 'g' has 1 arguments
// TOOMANY: [[@LINE+1]]:1: error: specialising 'g' asks for 20 versions; at most 16 (max-versions) are allowed
func.func @g(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}
