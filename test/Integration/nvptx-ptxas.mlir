// NVVM (CUDA) with the toolkit: ptxas accepts the PTX dyn emits, the cubin
// for sm_90 is a CUDA ELF listing the kernels, and the default (fatbin)
// build works. cuobjdump lists them too where the toolkit has it.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/cond.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/cond.o --gpu-binary=%t/cond.ptx
// RUN: %ptxas -arch=sm_90 %t/cond.ptx -o %t/from-ptx.cubin
// RUN: dyn-compile %S/cond.mlir --target=nvptx --gpu-format=bin --emit=obj -o %t/cond.o --gpu-binary=%t/cond.cubin
// RUN: llvm-readelf -h -s %t/cond.cubin | FileCheck %s --check-prefix=CUBIN
// CUBIN: Machine: NVIDIA CUDA architecture
// CUBIN: Flags: {{.*}}sm_90
// CUBIN-DAG: FUNC GLOBAL DEFAULT {{.*}} forward_seg0_kernel
// CUBIN-DAG: FUNC GLOBAL DEFAULT {{.*}} forward_cond0_then_kernel_0
// CUBIN-DAG: FUNC GLOBAL DEFAULT {{.*}} forward_cond0_else_kernel
// CUBIN-DAG: FUNC GLOBAL DEFAULT {{.*}} forward_seg1_kernel
// RUN: %if cuobjdump %{ %cuobjdump -elf %t/cond.cubin | FileCheck %s --check-prefix=CUOBJDUMP %}
// CUOBJDUMP: forward_cond0_then_kernel_0

// sm_80 too, and the default format (fatbin: cubin + PTX).
// RUN: dyn-compile %S/while.mlir --target=nvptx --gpu-chip=sm_80 --gpu-format=bin --emit=obj -o %t/while.o --gpu-binary=%t/while.cubin
// RUN: llvm-readelf -h %t/while.cubin | FileCheck %s --check-prefix=SM80
// SM80: Flags: {{.*}}sm_80
// RUN: dyn-compile %S/nested.mlir --target=nvptx --emit=obj -o %t/nested.o --gpu-binary=%t/nested.fatbin
// RUN: %python -c "import sys; d = open(sys.argv[1], 'rb').read(4); print(d.hex())" %t/nested.fatbin | FileCheck %s --check-prefix=FATBIN
// FATBIN: 50ed55ba
