// dyn-opt registers dyn's dialect and passes next to every upstream one.
// RUN: dyn-opt --help | FileCheck %s --check-prefix=HELP
// RUN: dyn-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// RUN: not dyn-opt %s --no-such-pass 2>&1 | FileCheck %s --check-prefix=BADFLAG

// HELP: dyn optimizer driver
// HELP-DAG: --dyn-build-dispatcher
// HELP-DAG: --dyn-cpu-pipeline
// HELP-DAG: --dyn-emit-c-abi
// HELP-DAG: --dyn-lower-to-scf
// HELP-DAG: --dyn-lower-vectors
// HELP-DAG: --dyn-outline-regions
// HELP-DAG: --dyn-tile-and-vectorize
// HELP-DAG: --one-shot-bufferize
// DIALECTS: Available Dialects:
// DIALECTS-SAME: dyn
// DIALECTS-SAME: tosa
// BADFLAG: Unknown command line argument '--no-such-pass'
