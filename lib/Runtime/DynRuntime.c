/*===- DynRuntime.c - runtime support for dyn-compiled artifacts ----------===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Linked into every artifact: input checks at the ABI, descriptor            *|
|* conversion, error messages, and memrefCopy (the symbol MLIR's lowering of  *|
|* strided memref.copy calls, otherwise found in libmlir_c_runner_utils,      *|
|* which artifacts must not depend on).                                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

/* pthreads under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "dyn/Runtime/dyn_runtime.h"
#include "RuntimeInternal.h"

#include <pthread.h>
#include <stdint.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char lastError[1024];
/* Set when compiled code could not allocate (dyn_rt_alloc_failed, or a
   scalar output); the message is in allocError. */
static _Thread_local int pendingAllocFailure;
static _Thread_local char allocError[128];
/* Set by a failed assertion (dyn-lower-assertions); its message. */
static _Thread_local int pendingAssertFailure;
static _Thread_local char assertError[sizeof(lastError) - 64];
/* Set by a failed shape check at a subnet boundary (the message is in
   lastError); the dispatcher skips every later subnet call and
   dyn_rt_finish_outputs turns it into the call's status. */
static _Thread_local int pendingShapeError;
/* Set by the CUDA shim when a driver call fails; the first failure's
   message (it may precede the call, e.g. a module load at start-up). */
static _Thread_local int pendingDeviceError;
static _Thread_local char deviceError[512];

static int32_t fail(int32_t status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
  return status;
}

const char *dyn_last_error(void) { return lastError; }

/* ---- Allocation accounting ------------------------------------------------
   Compiled code allocates every buffer through these two functions
   (finalize-memref-to-llvm{use-generic-functions}); a 16-byte header keeps
   the size so that live and peak bytes can be reported, and the capacity
   of the block under it. */

typedef struct {
  size_t size;     /* bytes asked for (live accounting) */
  size_t capacity; /* bytes of the block; keeps the payload 16-byte aligned */
} AllocationHeader;

static _Atomic int64_t liveBytes;
static _Atomic int64_t peakBytes;
/* Per thread: a counter, not an atomic, keeps the hot path cheap. */
static _Thread_local int64_t allocations;

/* Large blocks freed by compiled code are kept for the next allocation of
   about their size: glibc serves them with mmap or gives the top of its
   heap back to the system on free, so a network whose buffers have dynamic
   shapes (not planned into an arena) faulted in fresh zeroed pages on every
   call: 60% of the zoo transformer's time at sequence length 128 in
   dyn-run (1150 us, 460 us with the blocks kept). Bounded in blocks and
   bytes; a block is reused for a request of at least half its capacity. */
enum { kCachedMinBytes = 64 << 10, kCacheSlots = 32 };
static const size_t kCacheMaxBytes = (size_t)64 << 20;
static pthread_mutex_t cacheMutex = PTHREAD_MUTEX_INITIALIZER;
static AllocationHeader *cachedBlocks[kCacheSlots];
static int numCachedBlocks;
static size_t cachedBytes;

static AllocationHeader *takeCachedBlock(size_t size) {
  AllocationHeader *found = NULL;
  pthread_mutex_lock(&cacheMutex);
  int best = -1;
  for (int i = 0; i < numCachedBlocks; ++i) {
    size_t capacity = cachedBlocks[i]->capacity;
    if (capacity >= size && capacity / 2 <= size &&
        (best < 0 || capacity < cachedBlocks[best]->capacity))
      best = i;
  }
  if (best >= 0) {
    found = cachedBlocks[best];
    cachedBlocks[best] = cachedBlocks[--numCachedBlocks];
    cachedBytes -= found->capacity;
  }
  pthread_mutex_unlock(&cacheMutex);
  return found;
}

/* Keeps `header`'s block if the cache has room; returns whether it did. */
static int cacheBlock(AllocationHeader *header) {
  int kept = 0;
  pthread_mutex_lock(&cacheMutex);
  if (numCachedBlocks < kCacheSlots &&
      cachedBytes + header->capacity <= kCacheMaxBytes) {
    cachedBlocks[numCachedBlocks++] = header;
    cachedBytes += header->capacity;
    kept = 1;
  }
  pthread_mutex_unlock(&cacheMutex);
  return kept;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (size > SIZE_MAX - sizeof(AllocationHeader))
    return NULL;
  AllocationHeader *header =
      size >= kCachedMinBytes ? takeCachedBlock(size) : NULL;
  if (!header) {
    header = malloc(sizeof(AllocationHeader) + size);
    if (!header)
      return NULL;
    header->capacity = size;
  }
  header->size = size;
  ++allocations;
  int64_t live = atomic_fetch_add(&liveBytes, (int64_t)size) + (int64_t)size;
  int64_t peak = atomic_load(&peakBytes);
  while (live > peak && !atomic_compare_exchange_weak(&peakBytes, &peak, live))
    ;
  return header + 1;
}

void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  AllocationHeader *header = (AllocationHeader *)pointer - 1;
  atomic_fetch_sub(&liveBytes, (int64_t)header->size);
  if (header->capacity >= kCachedMinBytes && cacheBlock(header))
    return;
  free(header);
}

int64_t dyn_memory_live_bytes(void) { return atomic_load(&liveBytes); }
int64_t dyn_memory_peak_bytes(void) { return atomic_load(&peakBytes); }
int64_t dyn_memory_allocations(void) { return allocations; }
void dyn_memory_reset_peak(void) {
  atomic_store(&peakBytes, atomic_load(&liveBytes));
  allocations = 0;
}

void dyn_tensor_release(dyn_tensor *tensor) {
  if (!tensor)
    return;
  _mlir_memref_to_llvm_free(tensor->allocated);
  tensor->allocated = NULL;
  tensor->data = NULL;
}

size_t dyn_dtype_size(int32_t dtype) {
  switch (dtype) {
#define DYN_DTYPE_SIZE(ENUM, CODE, NAME, BYTES, NPY)                           \
  case ENUM:                                                                   \
    return BYTES;
    DYN_DTYPES(DYN_DTYPE_SIZE)
#undef DYN_DTYPE_SIZE
  default:
    return 0;
  }
}

const char *dyn_dtype_name(int32_t dtype) {
  switch (dtype) {
#define DYN_DTYPE_NAME(ENUM, CODE, NAME, BYTES, NPY)                           \
  case ENUM:                                                                   \
    return NAME;
    DYN_DTYPES(DYN_DTYPE_NAME)
#undef DYN_DTYPE_NAME
  default:
    return "?";
  }
}

/* Formats `rank` extents as "[2,?,64]" into `buffer`. */
static const char *formatShape(char *buffer, size_t size, const int64_t *dims,
                               int64_t rank) {
  size_t used = (size_t)snprintf(buffer, size, "[");
  for (int64_t d = 0; d < rank && used < size; ++d) {
    if (dims[d] <= -2) /* symbolic: -(2 + s) */
      used += (size_t)snprintf(buffer + used, size - used, "%ss%lld",
                               d ? "," : "", (long long)(-2 - dims[d]));
    else if (dims[d] < 0)
      used += (size_t)snprintf(buffer + used, size - used, "%s?", d ? "," : "");
    else
      used += (size_t)snprintf(buffer + used, size - used, "%s%lld",
                               d ? "," : "", (long long)dims[d]);
  }
  if (used < size)
    snprintf(buffer + used, size - used, "]");
  return buffer;
}

int32_t dyn_rt_check_inputs(const char *entry, const int64_t *signature,
                            const dyn_tensor *inputs, int64_t numInputs,
                            int64_t numOutputs) {
  int64_t expectedInputs = signature[0], expectedOutputs = signature[1];
  if (numInputs != expectedInputs || numOutputs != expectedOutputs)
    return fail(DYN_ERROR_ARITY,
                "%s: called with %lld input(s) and %lld output(s), expected "
                "%lld and %lld",
                entry, (long long)numInputs, (long long)numOutputs,
                (long long)expectedInputs, (long long)expectedOutputs);
  if (numInputs && !inputs)
    return fail(DYN_ERROR_LAYOUT, "%s: inputs is NULL", entry);

  const int64_t *cursor = signature + 2;
  char want[256], got[256];
  /* Symbolic dims: the first input dim bound to a symbol fixes its extent;
     later dims with the same symbol must match it. */
  enum { kMaxSymbols = 64 };
  struct {
    int64_t extent, input, dim;
  } bound[kMaxSymbols];
  for (int s = 0; s < kMaxSymbols; ++s)
    bound[s].extent = -1;
  for (int64_t i = 0; i < numInputs; ++i) {
    const dyn_tensor *t = &inputs[i];
    int64_t dtype = cursor[0], rank = cursor[1];
    const int64_t *dims = cursor + 2;
    cursor += 2 + rank;
    if (t->dtype != dtype)
      return fail(DYN_ERROR_DTYPE,
                  "%s: input %lld has element type %s, "
                  "expected %s",
                  entry, (long long)i, dyn_dtype_name(t->dtype),
                  dyn_dtype_name((int32_t)dtype));
    if (t->rank != rank)
      return fail(DYN_ERROR_RANK,
                  "%s: input %lld has rank %lld, expected "
                  "%lld (shape %s)",
                  entry, (long long)i, (long long)t->rank, (long long)rank,
                  formatShape(want, sizeof(want), dims, rank));
    for (int64_t d = 0; d < rank; ++d) {
      if (t->sizes[d] < 0 || (dims[d] >= 0 && t->sizes[d] != dims[d]))
        return fail(DYN_ERROR_SHAPE,
                    "%s: input %lld has shape %s, expected "
                    "%s (dim %lld is %lld)",
                    entry, (long long)i,
                    formatShape(got, sizeof(got), t->sizes, rank),
                    formatShape(want, sizeof(want), dims, rank), (long long)d,
                    (long long)t->sizes[d]);
      int64_t symbol = -2 - dims[d];
      if (symbol < 0 || symbol >= kMaxSymbols)
        continue;
      if (bound[symbol].extent < 0) {
        bound[symbol].extent = t->sizes[d];
        bound[symbol].input = i;
        bound[symbol].dim = d;
      } else if (bound[symbol].extent != t->sizes[d]) {
        return fail(
            DYN_ERROR_SHAPE,
            "%s: input %lld has shape %s, expected %s (dim %lld is "
            "%lld, but s%lld is %lld from input %lld dim %lld)",
            entry, (long long)i, formatShape(got, sizeof(got), t->sizes, rank),
            formatShape(want, sizeof(want), dims, rank), (long long)d,
            (long long)t->sizes[d], (long long)symbol,
            (long long)bound[symbol].extent, (long long)bound[symbol].input,
            (long long)bound[symbol].dim);
      }
    }
    /* Element and byte counts with overflow checks: the sizes come from
       the caller. */
    int64_t elements = 1, bytes;
    for (int64_t d = 0; d < rank; ++d)
      if (__builtin_mul_overflow(elements, t->sizes[d], &elements))
        return fail(
            DYN_ERROR_SHAPE, "%s: input %lld has shape %s: too many elements",
            entry, (long long)i, formatShape(got, sizeof(got), t->sizes, rank));
    if (__builtin_mul_overflow(elements, (int64_t)dyn_dtype_size(t->dtype),
                               &bytes))
      return fail(DYN_ERROR_SHAPE,
                  "%s: input %lld has shape %s: too many bytes", entry,
                  (long long)i, formatShape(got, sizeof(got), t->sizes, rank));
    /* Strides matter only where there are elements, and not along size-1
       dims (PyTorch and numpy choose them freely there). */
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0 && elements != 0; --d) {
      if (t->sizes[d] != 1 && t->strides[d] != stride)
        return fail(DYN_ERROR_LAYOUT,
                    "%s: input %lld is not dense "
                    "row-major (dim %lld has stride %lld, expected %lld)",
                    entry, (long long)i, (long long)d, (long long)t->strides[d],
                    (long long)stride);
      stride *= t->sizes[d];
    }
    if (!t->data && elements != 0)
      return fail(DYN_ERROR_LAYOUT, "%s: input %lld has no data", entry,
                  (long long)i);
  }
  lastError[0] = '\0';
  return DYN_OK;
}

void dyn_rt_import(const dyn_tensor *tensor, int64_t rank, void *descriptor) {
  /* {allocated, aligned, offset, sizes[rank], strides[rank]}; dense
     row-major strides are recomputed so size-1 dims need no care. */
  void **pointers = (void **)descriptor;
  int64_t *words = (int64_t *)descriptor;
  pointers[0] = tensor->data;
  pointers[1] = tensor->data;
  words[2] = 0;
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    words[3 + d] = tensor->sizes[d];
    words[3 + rank + d] = stride;
    stride *= tensor->sizes[d];
  }
}

void dyn_rt_export(const void *descriptor, int64_t rank, int64_t elemBytes,
                   int32_t dtype, dyn_tensor *tensor) {
  void *const *pointers = (void *const *)descriptor;
  const int64_t *words = (const int64_t *)descriptor;
  memset(tensor, 0, sizeof(*tensor));
  tensor->allocated = pointers[0];
  tensor->data = (char *)pointers[1] + words[2] * elemBytes;
  tensor->rank = rank;
  tensor->dtype = dtype;
  for (int64_t d = 0; d < rank; ++d) {
    tensor->sizes[d] = words[3 + d];
    tensor->strides[d] = words[3 + rank + d];
  }
}

int32_t dyn_rt_export_scalar(const void *value, int64_t elemBytes,
                             int32_t dtype, dyn_tensor *tensor) {
  memset(tensor, 0, sizeof(*tensor));
  void *buffer = _mlir_memref_to_llvm_alloc((size_t)elemBytes);
  if (!buffer) {
    dyn_rt_alloc_failed(elemBytes); /* reported by dyn_rt_finish_outputs */
    return DYN_ERROR_ALLOC;
  }
  memcpy(buffer, value, (size_t)elemBytes);
  tensor->allocated = tensor->data = buffer;
  tensor->dtype = dtype;
  return DYN_OK;
}

static int64_t numElements(const dyn_tensor *t) {
  int64_t n = 1;
  for (int64_t d = 0; d < t->rank; ++d)
    n *= t->sizes[d];
  return n;
}

/* Copies a strided array of `rank` dims (extents `sizes`, strides in
   elements) into another; runs that are contiguous on both sides along the
   innermost dim are copied with one memcpy. */
static void copyStrided(char *dst, const int64_t *dstStrides, const char *src,
                        const int64_t *srcStrides, const int64_t *sizes,
                        int64_t rank, size_t elem) {
  int64_t total = 1;
  for (int64_t d = 0; d < rank; ++d)
    total *= sizes[d];
  if (total == 0)
    return;
  int64_t run = 1, outer = rank;
  if (rank > 0 && srcStrides[rank - 1] == 1 && dstStrides[rank - 1] == 1) {
    run = sizes[rank - 1];
    outer = rank - 1;
  }
  int64_t index[64] = {0};
  if (outer > 64)
    abort(); /* neither the ABI nor MLIR-generated temporaries go that far */
  for (int64_t done = 0; done < total; done += run) {
    int64_t srcOffset = 0, dstOffset = 0;
    for (int64_t d = 0; d < outer; ++d) {
      srcOffset += index[d] * srcStrides[d];
      dstOffset += index[d] * dstStrides[d];
    }
    memcpy(dst + dstOffset * (int64_t)elem, src + srcOffset * (int64_t)elem,
           (size_t)run * elem);
    for (int64_t d = outer - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/* Copies `t` (dense, possibly strided) into a fresh dense buffer. */
static int32_t makeOwnedCopy(dyn_tensor *t) {
  size_t elem = dyn_dtype_size(t->dtype);
  int64_t n = numElements(t);
  char *buffer = _mlir_memref_to_llvm_alloc(n ? (size_t)n * elem : 1);
  if (!buffer)
    return DYN_ERROR_ALLOC;
  int64_t dense[DYN_MAX_RANK];
  int64_t stride = 1;
  for (int64_t d = t->rank - 1; d >= 0; --d) {
    dense[d] = stride;
    stride *= t->sizes[d];
  }
  copyStrided(buffer, dense, (const char *)t->data, t->strides, t->sizes,
              t->rank, elem);
  memcpy(t->strides, dense, sizeof(int64_t) * (size_t)t->rank);
  t->allocated = t->data = buffer;
  return DYN_OK;
}

/* Frees every distinct buffer among `outputs` once and clears them. */
static void releaseAll(dyn_tensor *outputs, int64_t numOutputs) {
  for (int64_t j = 0; j < numOutputs; ++j) {
    void *block = outputs[j].allocated;
    if (!block)
      continue;
    for (int64_t k = j; k < numOutputs; ++k)
      if (outputs[k].allocated == block)
        outputs[k].allocated = outputs[k].data = NULL;
    _mlir_memref_to_llvm_free(block);
  }
}

void dyn_rt_alloc_failed(int64_t bytes) {
  if (pendingAllocFailure)
    return; /* the first failure is the one to report */
  pendingAllocFailure = 1;
  snprintf(allocError, sizeof(allocError),
           "out of memory (allocating %lld bytes)", (long long)bytes);
}

void dyn_rt_assert_failed(const char *messageAllocated, const char *message,
                          int64_t messageOffset, int64_t messageLength,
                          int64_t messageStride) {
  (void)messageAllocated;
  (void)messageStride;
  if (pendingAssertFailure)
    return;
  pendingAssertFailure = 1;
  snprintf(assertError, sizeof(assertError), "%.*s", (int)messageLength,
           message + messageOffset);
}

void dyn_rt_take_failures(DynFailures *into) {
  if (pendingAllocFailure && !into->allocFailed) {
    into->allocFailed = 1;
    snprintf(into->allocError, sizeof(into->allocError), "%s", allocError);
  }
  if (pendingAssertFailure && !into->assertFailed) {
    into->assertFailed = 1;
    snprintf(into->assertError, sizeof(into->assertError), "%s", assertError);
  }
  pendingAllocFailure = pendingAssertFailure = 0;
}

void dyn_rt_adopt_failures(const DynFailures *from) {
  if (from->allocFailed && !pendingAllocFailure) {
    pendingAllocFailure = 1;
    snprintf(allocError, sizeof(allocError), "%s", from->allocError);
  }
  if (from->assertFailed && !pendingAssertFailure) {
    pendingAssertFailure = 1;
    snprintf(assertError, sizeof(assertError), "%s", from->assertError);
  }
}

int32_t dyn_rt_exit_pending(void) {
  return pendingAllocFailure || pendingAssertFailure;
}

int32_t dyn_rt_error_pending(void) {
  return pendingShapeError || pendingAllocFailure || pendingDeviceError ||
         pendingAssertFailure;
}

void dyn_rt_subnet_shape_error(const char *nameAllocated, const char *name,
                               int64_t nameOffset, int64_t nameLength,
                               int64_t nameStride, int64_t arg, int64_t dim,
                               int64_t extent, int64_t otherArg,
                               int64_t otherDim, int64_t otherExtent) {
  (void)nameAllocated;
  (void)nameStride;
  if (pendingShapeError)
    return; /* the first violation is the one to report */
  pendingShapeError = 1;
  if (otherArg < 0) { /* a fixed extent the subnet needs */
    fail(DYN_ERROR_SHAPE,
         "subnet %.*s: argument %lld dim %lld is %lld, but must be %lld",
         (int)nameLength, name + nameOffset, (long long)arg, (long long)dim,
         (long long)extent, (long long)otherExtent);
    return;
  }
  fail(DYN_ERROR_SHAPE,
       "subnet %.*s: argument %lld dim %lld is %lld, but argument %lld dim "
       "%lld is %lld and the two must be equal",
       (int)nameLength, name + nameOffset, (long long)arg, (long long)dim,
       (long long)extent, (long long)otherArg, (long long)otherDim,
       (long long)otherExtent);
}

void dyn_rt_device_error(const char *message) {
  if (pendingDeviceError)
    return;
  pendingDeviceError = 1;
  snprintf(deviceError, sizeof(deviceError), "%s", message);
}

int32_t dyn_rt_finish_outputs(const char *entry, dyn_tensor *outputs,
                              int64_t numOutputs) {
  if (pendingDeviceError) {
    pendingDeviceError = 0;
    releaseAll(outputs, numOutputs);
    return fail(DYN_ERROR_DEVICE, "%s: device error: %s", entry, deviceError);
  }
  if (pendingAssertFailure) {
    pendingAssertFailure = 0;
    pendingShapeError = pendingAllocFailure = 0;
    releaseAll(outputs, numOutputs);
    return fail(DYN_ERROR_ASSERT, "%s: %s", entry, assertError);
  }
  if (pendingShapeError) {
    pendingShapeError = 0;
    releaseAll(outputs, numOutputs);
    char message[sizeof(lastError)];
    memcpy(message, lastError, sizeof(message));
    return fail(DYN_ERROR_SHAPE, "%s: %s", entry, message);
  }
  if (pendingAllocFailure) {
    pendingAllocFailure = 0;
    releaseAll(outputs, numOutputs);
    return fail(DYN_ERROR_ALLOC, "%s: %s", entry, allocError);
  }
  for (int64_t j = 1; j < numOutputs; ++j) {
    for (int64_t k = 0; k < j; ++k) {
      if (!outputs[j].allocated || outputs[j].allocated != outputs[k].allocated)
        continue;
      if (makeOwnedCopy(&outputs[j]) != DYN_OK) {
        outputs[j].allocated = outputs[j].data = NULL;
        releaseAll(outputs, numOutputs);
        return fail(DYN_ERROR_ALLOC, "%s: out of memory copying output %lld",
                    entry, (long long)j);
      }
      break;
    }
  }
  return DYN_OK;
}

/* ---- memrefCopy: MLIR's out-of-line strided copy ------------------------ */

typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

void memrefCopy(int64_t elemSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  int64_t rank = src->rank;
  char *srcBase = ((char **)src->descriptor)[1];
  char *dstBase = ((char **)dst->descriptor)[1];
  const int64_t *srcWords = (const int64_t *)src->descriptor;
  const int64_t *dstWords = (const int64_t *)dst->descriptor;
  srcBase += srcWords[2] * elemSize;
  dstBase += dstWords[2] * elemSize;
  const int64_t *sizes = srcWords + 3;
  copyStrided(dstBase, dstWords + 3 + rank, srcBase, srcWords + 3 + rank, sizes,
              rank, (size_t)elemSize);
}
