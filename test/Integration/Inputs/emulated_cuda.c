/*===- emulated_cuda.c - a libcuda.so.1 that runs dyn's kernels on the CPU -===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Testing only. Stands in for the NVIDIA driver under nvptx artifacts built  *|
|* with `dyn-compile --gpu-emulation`: device memory is host memory, the      *|
|* kernel binary is ignored, and a launch runs the artifact's host-compiled   *|
|* copy of the kernel (dyn_emu_launch_<name>) for every thread of every       *|
|* block. Blocks run one after another; the threads of a block are fibers    *|
|* (ucontext) that switch at each barrier, so shared memory and barriers     *|
|* behave as on a GPU. Implements exactly the driver calls dyn's CUDA shim    *|
|* makes (the versioned names cuda.h maps them to).                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

typedef int CUresult;
enum { OK = 0, ERROR_INVALID_VALUE = 1, ERROR_NOT_FOUND = 500 };

/* ---- Launch emulation --------------------------------------------------- */

typedef void (*Entry)(void **params);

enum { STACK_BYTES = 256 * 1024 };

static struct {
  int64_t block[3], grid[3], blockDim[3];
  int64_t thread[3]; /* of the running fiber */
} now;

typedef struct {
  ucontext_t context;
  int64_t id[3];
  int done;
  char *stack;
} Fiber;

static Fiber *fibers;
static int64_t numFibers, current;
static ucontext_t scheduler;
static Entry running;
static void **runningParams;

int64_t dyn_emu_thread_id(int32_t d) { return now.thread[d]; }
int64_t dyn_emu_block_id(int32_t d) { return now.block[d]; }
int64_t dyn_emu_block_dim(int32_t d) { return now.blockDim[d]; }
int64_t dyn_emu_grid_dim(int32_t d) { return now.grid[d]; }

/* A barrier: back to the scheduler, which resumes every fiber of the block
   in turn once all have arrived. */
void dyn_emu_barrier(void) { swapcontext(&fibers[current].context, &scheduler); }

static void fiberMain(void) {
  running(runningParams);
  fibers[current].done = 1;
}

static void runBlock(void) {
  for (int64_t t = 0; t < numFibers; ++t) {
    Fiber *f = &fibers[t];
    getcontext(&f->context);
    f->context.uc_stack.ss_sp = f->stack;
    f->context.uc_stack.ss_size = STACK_BYTES;
    f->context.uc_link = &scheduler;
    f->done = 0;
    makecontext(&f->context, fiberMain, 0);
  }
  /* Rounds: every unfinished fiber runs to its next barrier (or its end). */
  for (;;) {
    int64_t alive = 0;
    for (current = 0; current < numFibers; ++current) {
      if (fibers[current].done)
        continue;
      memcpy(now.thread, fibers[current].id, sizeof(now.thread));
      swapcontext(&scheduler, &fibers[current].context);
      alive += !fibers[current].done;
    }
    if (!alive)
      return;
  }
}

/* ---- Driver API ---------------------------------------------------------- */

CUresult cuInit(unsigned flags) { return OK; }
CUresult cuDeviceGet(int *device, int ordinal) {
  *device = 0;
  return ordinal == 0 ? OK : ERROR_INVALID_VALUE;
}
CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  static int token;
  *context = &token;
  return OK;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  *value = 1; /* memory pools, and anything else asked */
  return OK;
}
CUresult cuCtxSetCurrent(void *context) { return OK; }
CUresult cuGetErrorName(CUresult error, const char **name) {
  *name = error == ERROR_NOT_FOUND ? "CUDA_ERROR_NOT_FOUND"
                                   : "CUDA_ERROR_INVALID_VALUE";
  return OK;
}
CUresult cuGetErrorString(CUresult error, const char **text) {
  *text = "emulated driver";
  return OK;
}

/* A module is the library its image was embedded in (several artifacts in
   one process have kernels of the same names). */
typedef struct {
  void *library;
} Module;

static CUresult loadModule(void **module, const void *image) {
  Dl_info info;
  if (!dladdr(image, &info))
    return ERROR_INVALID_VALUE;
  Module *m = malloc(sizeof(Module));
  m->library = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  if (!m->library) {
    free(m);
    return ERROR_NOT_FOUND;
  }
  *module = m;
  return OK;
}
CUresult cuModuleLoadData(void **module, const void *image) {
  return loadModule(module, image);
}
CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned n,
                            void *options, void **values) {
  return loadModule(module, image);
}
CUresult cuModuleUnload(void *module) {
  dlclose(((Module *)module)->library);
  free(module);
  return OK;
}

/* The kernel's host copy, dyn_emu_launch_<name>, in the module's library. */
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  char symbol[512];
  snprintf(symbol, sizeof(symbol), "dyn_emu_launch_%s", name);
  *function = dlsym(((Module *)module)->library, symbol);
  return *function ? OK : ERROR_NOT_FOUND;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  if (!function || extra)
    return ERROR_INVALID_VALUE;
  running = (Entry)function;
  runningParams = params;
  numFibers = (int64_t)bx * by * bz;
  fibers = calloc(numFibers, sizeof(Fiber));
  for (int64_t t = 0; t < numFibers; ++t) {
    fibers[t].stack = malloc(STACK_BYTES);
    fibers[t].id[0] = t % bx;
    fibers[t].id[1] = (t / bx) % by;
    fibers[t].id[2] = t / ((int64_t)bx * by);
  }
  now.grid[0] = gx, now.grid[1] = gy, now.grid[2] = gz;
  now.blockDim[0] = bx, now.blockDim[1] = by, now.blockDim[2] = bz;
  for (unsigned z = 0; z < gz; ++z)
    for (unsigned y = 0; y < gy; ++y)
      for (unsigned x = 0; x < gx; ++x) {
        now.block[0] = x, now.block[1] = y, now.block[2] = z;
        runBlock();
      }
  for (int64_t t = 0; t < numFibers; ++t)
    free(fibers[t].stack);
  free(fibers);
  return OK;
}

static int theStream;
CUresult cuStreamCreate(void **stream, unsigned flags) {
  *stream = &theStream;
  return OK;
}
CUresult cuStreamSynchronize(void *stream) { return OK; }

/* Device memory is host memory. */
CUresult cuMemAllocAsync(uintptr_t *pointer, size_t bytes, void *stream) {
  *pointer = (uintptr_t)malloc(bytes);
  return *pointer ? OK : ERROR_INVALID_VALUE;
}
CUresult cuMemAlloc_v2(uintptr_t *pointer, size_t bytes) {
  return cuMemAllocAsync(pointer, bytes, NULL);
}
CUresult cuMemAllocManaged(uintptr_t *pointer, size_t bytes, unsigned flags) {
  return cuMemAllocAsync(pointer, bytes, NULL);
}
CUresult cuMemFreeAsync(uintptr_t pointer, void *stream) {
  free((void *)pointer);
  return OK;
}
CUresult cuMemFree_v2(uintptr_t pointer) { return cuMemFreeAsync(pointer, 0); }
CUresult cuMemcpyAsync(uintptr_t dst, uintptr_t src, size_t bytes,
                       void *stream) {
  memmove((void *)dst, (const void *)src, bytes);
  return OK;
}
CUresult cuMemsetD32Async(uintptr_t dst, unsigned value, size_t count,
                          void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((unsigned *)dst)[i] = value;
  return OK;
}
CUresult cuMemsetD16Async(uintptr_t dst, unsigned short value, size_t count,
                          void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((unsigned short *)dst)[i] = value;
  return OK;
}

static int theEvent;
CUresult cuEventCreate(void **event, unsigned flags) {
  *event = &theEvent;
  return OK;
}
CUresult cuEventRecord(void *event, void *stream) { return OK; }
CUresult cuEventSynchronize(void *event) { return OK; }
CUresult cuEventElapsedTime_v2(float *ms, void *start, void *stop) {
  *ms = 0;
  return OK;
}
