/*===- DynCudaRuntime.c - the mgpu* functions over the CUDA driver API ----===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Host code lowered by upstream's gpu-to-llvm calls mgpu* functions; MLIR's  *|
|* own implementation (libmlir_cuda_runtime) is not packaged by Debian, and   *|
|* it aborts on a failed call. This one reports failures through the dyn     *|
|* runtime instead: the entry point returns DYN_ERROR_DEVICE with the failed  *|
|* driver call and CUDA's error name, and later device work of the call is    *|
|* skipped.                                                                   *|
|*                                                                            *|
|* Execution model: every thread has one in-order stream; "stream creation"   *|
|* hands it out and destruction is a no-op, so the streams and events that    *|
|* gpu-async-region introduces cost nothing, and allocation and freeing are   *|
|* stream-ordered (cuMemAllocAsync / cuMemFreeAsync where the device has      *|
|* memory pools), never a device-wide synchronisation. The host waits only    *|
|* where compiled code synchronises the stream: after copying a predicate or  *|
|* an output back.                                                            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "dyn/Runtime/dyn_runtime.h"

#include <cuda.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t initOnce = PTHREAD_ONCE_INIT;
static CUcontext context;   /* the device's primary context */
static char initError[512]; /* why the device is unusable, if so */
static int memoryPools;     /* stream-ordered allocation supported */
static _Thread_local CUstream stream;
static _Thread_local int contextBound;

/* "<call> failed: CUDA_ERROR_X (text)", or the number when the driver
   cannot name it (e.g. the toolkit's stub library). */
static void describe(char *buffer, size_t size, const char *call,
                     CUresult result) {
  const char *name = NULL, *text = NULL;
  if (cuGetErrorName(result, &name) == CUDA_SUCCESS && name &&
      cuGetErrorString(result, &text) == CUDA_SUCCESS && text)
    snprintf(buffer, size, "%s failed: %s (%s)", call, name, text);
  else
    snprintf(buffer, size, "%s failed: CUDA error %d%s", call, (int)result,
             result == 34 ? " (CUDA_ERROR_STUB_LIBRARY: the toolkit's stub "
                            "libcuda was loaded, not a driver)"
                          : "");
}

/* Records a failed driver call; returns whether `result` is success. */
static bool check(CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return true;
  char message[512];
  describe(message, sizeof(message), call, result);
  dyn_rt_device_error(message);
  return false;
}

static void initialize(void) {
  CUresult result = cuInit(0);
  CUdevice device = 0;
  const char *call = "cuInit";
  if (result == CUDA_SUCCESS) {
    const char *ordinal = getenv("DYN_CUDA_DEVICE");
    call = "cuDeviceGet";
    result = cuDeviceGet(&device, ordinal ? atoi(ordinal) : 0);
  }
  if (result == CUDA_SUCCESS) {
    call = "cuDevicePrimaryCtxRetain";
    result = cuDevicePrimaryCtxRetain(&context, device);
  }
  if (result == CUDA_SUCCESS &&
      cuDeviceGetAttribute(&memoryPools,
                           CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                           device) != CUDA_SUCCESS)
    memoryPools = 0;
  if (result != CUDA_SUCCESS) {
    describe(initError, sizeof(initError), call, result);
    context = NULL;
  }
}

/* Binds the primary context to this thread; false (error recorded) if there
   is no usable device. */
static bool ready(void) {
  pthread_once(&initOnce, initialize);
  if (!context) {
    dyn_rt_device_error(initError);
    return false;
  }
  if (!contextBound) {
    if (!check(cuCtxSetCurrent(context), "cuCtxSetCurrent"))
      return false;
    contextBound = 1;
  }
  return true;
}

/* ---- Modules and kernels ------------------------------------------------ */

CUmodule mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  CUmodule module = NULL;
  if (ready())
    check(cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

/* PTX (gpu-module-to-binary format=isa), compiled by the driver. */
CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = NULL;
  if (!ready())
    return NULL;
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {(void *)(intptr_t)optLevel};
  check(cuModuleLoadDataEx(&module, data, 1, options, values),
        "cuModuleLoadDataEx");
  return module;
}

void mgpuModuleUnload(CUmodule module) {
  if (module)
    cuModuleUnload(module);
}

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function = NULL;
  if (!module) {
    char message[512];
    snprintf(message, sizeof(message),
             "kernel %s: the CUDA module did not load (%s)", name,
             initError[0] ? initError : "see the first device error");
    dyn_rt_device_error(message);
    return NULL;
  }
  check(cuModuleGetFunction(&function, module, name), "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, CUstream s,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!function || dyn_rt_error_pending())
    return;
  /* An empty iteration space launches nothing (CUDA rejects empty grids). */
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  check(cuLaunchKernel(function, (unsigned)gridX, (unsigned)gridY,
                       (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                       (unsigned)blockZ, (unsigned)sharedBytes, s, params,
                       extra),
        "cuLaunchKernel");
}

/* ---- Streams and events: one in-order stream per thread ----------------- */

CUstream mgpuStreamCreate(void) {
  if (!stream && ready())
    check(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(CUstream s) { (void)s; }

void mgpuStreamSynchronize(CUstream s) {
  if (s)
    check(cuStreamSynchronize(s), "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(CUstream s, CUevent event) {
  (void)s; /* one in-order stream: already ordered */
  (void)event;
}

CUevent mgpuEventCreate(void) { return NULL; }
void mgpuEventDestroy(CUevent event) { (void)event; }
void mgpuEventSynchronize(CUevent event) {
  (void)event;
  mgpuStreamSynchronize(stream);
}
void mgpuEventRecord(CUevent event, CUstream s) {
  (void)event;
  (void)s;
}

/* ---- Memory ------------------------------------------------------------- */

void *mgpuMemAlloc(uint64_t bytes, CUstream s, bool isHostShared) {
  CUdeviceptr pointer = 0;
  if (!ready())
    return NULL;
  if (isHostShared) {
    check(cuMemAllocManaged(&pointer, bytes ? bytes : 1, CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged");
  } else if (memoryPools) {
    check(cuMemAllocAsync(&pointer, bytes ? bytes : 1, s), "cuMemAllocAsync");
  } else {
    /* Devices without memory pools: the synchronous allocator. */
    check(cuMemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc");
  }
  return (void *)pointer;
}

void mgpuMemFree(void *pointer, CUstream s) {
  if (!pointer || !ready())
    return;
  if (memoryPools) {
    check(cuMemFreeAsync((CUdeviceptr)pointer, s), "cuMemFreeAsync");
    return;
  }
  /* cuMemFree does not wait for work still using the buffer. */
  if (check(cuStreamSynchronize(s), "cuStreamSynchronize"))
    check(cuMemFree((CUdeviceptr)pointer), "cuMemFree");
}

/* Unified addressing: the driver tells host from device pointers. */
void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream s) {
  if (bytes && ready())
    check(cuMemcpyAsync((CUdeviceptr)dst, (CUdeviceptr)src, bytes, s),
          "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, CUstream s) {
  if (count && ready())
    check(cuMemsetD32Async((CUdeviceptr)dst, value, count, s),
          "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, CUstream s) {
  if (count && ready())
    check(cuMemsetD16Async((CUdeviceptr)dst, value, count, s),
          "cuMemsetD16Async");
}

/* ---- Device timing (dyn-run) -------------------------------------------- */

static _Thread_local CUevent timingStart, timingStop;

/* Records the start of a timed call on this thread's stream. */
void dyn_cuda_timing_begin(void) {
  if (!mgpuStreamCreate())
    return;
  if (!timingStart &&
      (!check(cuEventCreate(&timingStart, CU_EVENT_DEFAULT), "cuEventCreate") ||
       !check(cuEventCreate(&timingStop, CU_EVENT_DEFAULT), "cuEventCreate")))
    return;
  check(cuEventRecord(timingStart, stream), "cuEventRecord");
}

/* Microseconds of stream time since dyn_cuda_timing_begin, -1 if unknown. */
double dyn_cuda_timing_end(void) {
  float milliseconds = 0;
  if (!timingStart ||
      !check(cuEventRecord(timingStop, stream), "cuEventRecord") ||
      !check(cuEventSynchronize(timingStop), "cuEventSynchronize") ||
      !check(cuEventElapsedTime(&milliseconds, timingStart, timingStop),
             "cuEventElapsedTime"))
    return -1;
  return milliseconds * 1000.0;
}
