/*===- dyn_runtime.h - the C ABI of dyn-compiled artifacts ----------------===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Every public function `F` of a compiled network is exported as            *|
|*                                                                            *|
|*   int32_t dyn_F(const dyn_tensor *inputs, int64_t num_inputs,              *|
|*                 dyn_tensor *outputs, int64_t num_outputs);                 *|
|*                                                                            *|
|* Inputs are read, never written or freed: `data` must point to the first    *|
|* element of a dense row-major array whose shape is `sizes[0..rank)`         *|
|* (`strides` must be the row-major strides, in elements). Scalars are rank-0 *|
|* tensors. On success (0) each output owns a fresh buffer that the caller    *|
|* releases with dyn_tensor_release(). On failure the return value is a       *|
|* dyn_status code, no output is written, and dyn_last_error() describes the  *|
|* problem (e.g. "forward: input 0: dim 1 is 32, expected 64").               *|
|*                                                                            *|
|* The string dyn_module_signature lists the entry points, one per line:      *|
|*   forward(f32[?,64], i64[]) -> (f32[?,10])                                 *|
|* with `?` for dynamic extents.                                              *|
\*===----------------------------------------------------------------------===*/

#ifndef DYN_RUNTIME_DYN_RUNTIME_H
#define DYN_RUNTIME_DYN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Highest tensor rank the ABI carries. */
#define DYN_MAX_RANK 8

/** The element types, one X(ENUM, CODE, NAME, BYTES, NPY) per type: the
    dyn_dtype value (part of the ABI), the short name (also the MLIR element
    type, as in dyn_module_signature), the element size, and the .npy type
    code without its byte order ("" where numpy has none). The one table
    the runtime, the runners, the compiler (dyn-emit-c-abi) and, checked
    by a test, the Python package use. i1 takes one byte, 0 or 1 (numpy's
    bool). */
#define DYN_DTYPES(X)                                                          \
  X(DYN_F32, 0, "f32", 4, "f4")                                                \
  X(DYN_F64, 1, "f64", 8, "f8")                                                \
  X(DYN_F16, 2, "f16", 2, "f2")                                                \
  X(DYN_BF16, 3, "bf16", 2, "")                                                \
  X(DYN_I1, 4, "i1", 1, "b1")                                                  \
  X(DYN_I8, 5, "i8", 1, "i1")                                                  \
  X(DYN_I16, 6, "i16", 2, "i2")                                                \
  X(DYN_I32, 7, "i32", 4, "i4")                                                \
  X(DYN_I64, 8, "i64", 8, "i8")

/** Element types. */
typedef enum dyn_dtype {
#define DYN_DTYPE_ENUMERATOR(ENUM, CODE, NAME, BYTES, NPY) ENUM = CODE,
  DYN_DTYPES(DYN_DTYPE_ENUMERATOR)
#undef DYN_DTYPE_ENUMERATOR
} dyn_dtype;

/** Return codes of entry points. */
typedef enum dyn_status {
  DYN_OK = 0,
  DYN_ERROR_ARITY = 1,  /* wrong number of inputs or outputs */
  DYN_ERROR_DTYPE = 2,  /* an input has the wrong element type */
  DYN_ERROR_RANK = 3,   /* an input has the wrong rank */
  DYN_ERROR_SHAPE = 4,  /* a wrong extent: an input, or at a subnet call */
  DYN_ERROR_LAYOUT = 5, /* an input is not dense row-major, or data is NULL */
  DYN_ERROR_ALLOC = 6,  /* out of memory */
  DYN_ERROR_DEVICE = 7, /* a CUDA call failed (nvptx artifacts) */
  DYN_ERROR_ASSERT = 8, /* a run-time check of the program failed (cf.assert;
                           a data-dependent raise/assert in PyTorch) */
} dyn_status;

/** A tensor crossing the ABI (160 bytes, layout fixed). */
typedef struct dyn_tensor {
  void *data;      /* first element */
  void *allocated; /* outputs: the block dyn_tensor_release frees; inputs:
                      unused */
  int64_t rank;
  int64_t sizes[DYN_MAX_RANK];
  int64_t strides[DYN_MAX_RANK]; /* in elements */
  int32_t dtype;                 /* a dyn_dtype */
  int32_t reserved;              /* zero */
} dyn_tensor;

/** The message of the last failed call on this thread ("" if none). */
const char *dyn_last_error(void);

/** Frees the buffer of an output tensor and clears it. NULL is a no-op.
    Use it rather than free(): buffers carry a header for the accounting of
    dyn_memory_peak_bytes(). */
void dyn_tensor_release(dyn_tensor *tensor);

/** Bytes of buffers allocated by compiled code (this artifact's runtime)
    that are live now, including outputs not yet released. */
int64_t dyn_memory_live_bytes(void);

/** The most bytes live at once since load or the last reset. */
int64_t dyn_memory_peak_bytes(void);

/** Buffers compiled code allocated on this thread since load or the last
    reset (by this thread). */
int64_t dyn_memory_allocations(void);

/** Restarts peak tracking from the bytes live now and this thread's
    allocation count from 0. */
void dyn_memory_reset_peak(void);

/** Sets how many threads compiled code's parallel loops use in this
    process (1, the default unless DYN_NUM_THREADS says otherwise: run on the
    calling thread only; at most DYN_MAX_THREADS). The calling thread is one
    of them: N threads start N - 1 workers, at the first parallel loop.
    Returns the previous count, or -1 (and changes nothing) for a count
    outside [1, DYN_MAX_THREADS]. Safe to call between calls of compiled
    code, from any thread; it waits for a parallel loop in flight. */
int32_t dyn_set_num_threads(int32_t threads);

/** The thread count parallel loops use now. */
int32_t dyn_get_num_threads(void);

#define DYN_MAX_THREADS 256

/** Size in bytes of one element of `dtype`, 0 for an unknown dtype. */
size_t dyn_dtype_size(int32_t dtype);

/** The short name of `dtype` ("f32", "i64", ...), "?" if unknown. */
const char *dyn_dtype_name(int32_t dtype);

/* ---- Called by compiled code; not for direct use. ----------------------- */

/* `signature` = {num_inputs, num_outputs, then per input and per output:
   dtype, rank, rank extents (-1 = dynamic, -(2 + s) = dynamic with the
   symbol s that other input dims share)}. */
int32_t dyn_rt_check_inputs(const char *entry, const int64_t *signature,
                            const dyn_tensor *inputs, int64_t num_inputs,
                            int64_t num_outputs);
/* Writes the memref descriptor {allocated, aligned, offset, sizes[rank],
   strides[rank]} of `tensor` into `descriptor`. */
void dyn_rt_import(const dyn_tensor *tensor, int64_t rank, void *descriptor);
/* Fills `tensor` from a memref descriptor the compiled code returned. */
void dyn_rt_export(const void *descriptor, int64_t rank, int64_t elem_bytes,
                   int32_t dtype, dyn_tensor *tensor);
/* Fills `tensor` with a fresh rank-0 copy of the scalar at `value`. */
int32_t dyn_rt_export_scalar(const void *value, int64_t elem_bytes,
                             int32_t dtype, dyn_tensor *tensor);
/* Shape checks at subnet boundaries (dyn-check-subnet-shapes): whether a
   check failed in this call, and the report of a failed one. */
int32_t dyn_rt_error_pending(void);
void dyn_rt_subnet_shape_error(const char *nameAllocated, const char *name,
                               int64_t nameOffset, int64_t nameLength,
                               int64_t nameStride, int64_t arg, int64_t dim,
                               int64_t extent, int64_t otherArg,
                               int64_t otherDim, int64_t otherExtent);
/* Failures that stop compiled code at once (dyn-exit-on-error): an
   allocation (the call returns DYN_ERROR_ALLOC), a failed assertion with
   its message as a memref<?xi8> (DYN_ERROR_ASSERT); the first is kept.
   dyn_rt_exit_pending says whether one happened in this call. */
void dyn_rt_alloc_failed(int64_t bytes);
void dyn_rt_assert_failed(const char *messageAllocated, const char *message,
                          int64_t messageOffset, int64_t messageLength,
                          int64_t messageStride);
int32_t dyn_rt_exit_pending(void);
/* A failed device (CUDA) call, reported by the CUDA shim: the call returns
   DYN_ERROR_DEVICE with `message`; the first failure of a call is kept. */
void dyn_rt_device_error(const char *message);
/* Runs body(context, begin, end) over [0, count) in contiguous grains that
   the threads of the pool (dyn_set_num_threads), the calling one included,
   claim as they come; returns when all are done. Failures a grain reports
   (dyn_rt_alloc_failed, dyn_rt_assert_failed) are the calling thread's
   afterwards. Called by the code dyn-outline-parallel-loops makes. */
typedef void (*dyn_rt_parallel_body)(void *context, int64_t begin, int64_t end);
void dyn_rt_parallel_for(dyn_rt_parallel_body body, void *context,
                         int64_t count);
/* Gives every output its own buffer (outputs may share one) and reports an
   allocation failure, a failed subnet shape check or a device error. */
int32_t dyn_rt_finish_outputs(const char *entry, dyn_tensor *outputs,
                              int64_t num_outputs);

#ifdef __cplusplus
}
#endif

#endif /* DYN_RUNTIME_DYN_RUNTIME_H */
