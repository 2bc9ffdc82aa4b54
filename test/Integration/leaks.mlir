// No buffer leaks across calls, branches and loop iterations: valgrind runs
// the compiled network (many iterations of a loop whose carried tensor grows,
// both branches of a cond inside it) through dyn-run.
// REQUIRES: valgrind
// RUN: rm -rf %t && mkdir -p %t
// valgrind 3.19 does not decode AVX-512: compile for AVX2.
// RUN: dyn-compile %S/nested.mlir --cpu=x86-64-v3 -o %t/nested.so
// RUN: dyn-compile %S/while.mlir --cpu=x86-64-v3 -o %t/while.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.arange(12, dtype=np.float32).reshape(3, 4)); np.save('%t/k.npy', np.array(1)); np.save('%t/n.npy', np.array(9)); np.save('%t/row.npy', np.ones((1, 4), np.float32))"
// RUN: valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 -q dyn-run %t/nested.so --input %t/x.npy --input %t/k.npy --input %t/n.npy --repeat 3 --quiet
// RUN: valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 -q dyn-run %t/while.so --entry grow --input %t/row.npy --input %t/n.npy --repeat 3 --quiet
