/*===- DynThreadPool.c - the thread pool of parallel loops ----------------===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* dyn-outline-parallel-loops turns each outermost scf.forall of a subnet     *|
|* into a call of dyn_rt_parallel_for with the loop's body outlined. Why our  *|
|* own pool rather than upstream's lowerings: scf.parallel -> OpenMP needs    *|
|* libomp at run time, a second OpenMP runtime in processes that already      *|
|* carry PyTorch's (libgomp or libiomp5: two pools, oversubscribed cores);    *|
|* async-parallel-for needs libmlir_async_runtime (LLVM's Support library     *|
|* inside every artifact) and allocates a coroutine per task. A loop here    *|
|* runs for microseconds: the pool needs one release store to start it and   *|
|* one counter to join it, with workers that spin for a while after each     *|
|* loop before they sleep, and plain pthreads.                                *|
|*                                                                            *|
|* The iteration range is split statically into contiguous chunks, one per  *|
|* thread (the calling thread runs the first): the outlined bodies are tiles *|
|* of equal cost. Calls from several threads at once are safe: a loop that   *|
|* finds the pool busy runs on its own thread.                               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

/* clock_gettime and pthreads under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "RuntimeInternal.h"
#include "dyn/Runtime/dyn_runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define DYN_SPIN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define DYN_SPIN_PAUSE() __asm__ __volatile__("yield")
#else
#define DYN_SPIN_PAUSE() ((void)0)
#endif

/* How long an idle worker polls for the next loop before it sleeps: a
   network's parallel loops follow each other within microseconds, and a
   wake-up from sleep costs tens of them. */
enum { kSpinNanoseconds = 200000 };

typedef struct {
  pthread_t thread;
  int index;     /* 1.. : chunk `index` of each loop */
  uint64_t seen; /* the generation it last ran (set before it starts) */
  DynFailures failures;
} Worker;

static pthread_mutex_t poolMutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poolWake = PTHREAD_COND_INITIALIZER;
/* Held by the thread running a loop on the pool (or resizing it). */
static atomic_flag poolBusy = ATOMIC_FLAG_INIT;

/* The loop in flight, published by a release increment of `generation`. */
static dyn_rt_parallel_body jobBody;
static void *jobContext;
static int64_t jobCount;
static int jobParts;
static _Atomic uint64_t generation;
static _Atomic int pending; /* workers yet to finish the current loop */
static _Atomic int sleeping;
static _Atomic int stopping;

static Worker *workers;
static int numWorkers;
/* 0: not read from DYN_NUM_THREADS yet. */
static _Atomic int32_t requestedThreads;

static int64_t nowNanoseconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static int32_t threadsFromEnvironment(void) {
  const char *value = getenv("DYN_NUM_THREADS");
  if (!value || !*value)
    return 1;
  char *end = NULL;
  long parsed = strtol(value, &end, 10);
  if (*end || parsed < 1 || parsed > DYN_MAX_THREADS)
    return 1;
  return (int32_t)parsed;
}

int32_t dyn_get_num_threads(void) {
  int32_t threads = atomic_load(&requestedThreads);
  if (threads)
    return threads;
  int32_t expected = 0;
  threads = threadsFromEnvironment();
  if (!atomic_compare_exchange_strong(&requestedThreads, &expected, threads))
    threads = expected;
  return threads;
}

static void runChunk(int part, int parts) {
  int64_t begin = jobCount * part / parts;
  int64_t end = jobCount * (part + 1) / parts;
  if (begin < end)
    jobBody(jobContext, begin, end);
}

static void *workerMain(void *argument) {
  Worker *self = argument;
  uint64_t seen = self->seen;
  for (;;) {
    uint64_t current;
    int64_t spinUntil = nowNanoseconds() + kSpinNanoseconds;
    unsigned spins = 0;
    while ((current = atomic_load_explicit(&generation,
                                           memory_order_acquire)) == seen) {
      DYN_SPIN_PAUSE();
      if ((++spins & 1023) == 0 && nowNanoseconds() > spinUntil) {
        pthread_mutex_lock(&poolMutex);
        atomic_fetch_add(&sleeping, 1);
        while ((current = atomic_load(&generation)) == seen)
          pthread_cond_wait(&poolWake, &poolMutex);
        atomic_fetch_sub(&sleeping, 1);
        pthread_mutex_unlock(&poolMutex);
        break;
      }
    }
    seen = current;
    if (atomic_load(&stopping)) {
      atomic_fetch_sub_explicit(&pending, 1, memory_order_release);
      return NULL;
    }
    if (self->index < jobParts) {
      runChunk(self->index, jobParts);
      dynTakeFailures(&self->failures);
    }
    atomic_fetch_sub_explicit(&pending, 1, memory_order_release);
  }
}

/* Hands the loop in jobBody.. (or the stop in `stopping`) to every worker;
   with the pool held. The increment and the load of `sleeping` are
   sequentially consistent, as are a sleeping worker's increment of
   `sleeping` and its load of `generation`: either the worker sees the new
   generation or this thread sees it asleep and wakes it. */
static void publish(void) {
  atomic_store_explicit(&pending, numWorkers, memory_order_relaxed);
  atomic_fetch_add(&generation, 1);
  if (atomic_load(&sleeping)) {
    pthread_mutex_lock(&poolMutex);
    pthread_cond_broadcast(&poolWake);
    pthread_mutex_unlock(&poolMutex);
  }
}

static void waitForWorkers(void) {
  while (atomic_load_explicit(&pending, memory_order_acquire) > 0)
    DYN_SPIN_PAUSE();
}

/* Stops and joins every worker; with the pool held. */
static void stopWorkers(void) {
  if (!numWorkers)
    return;
  atomic_store(&stopping, 1);
  publish();
  waitForWorkers();
  for (int i = 0; i < numWorkers; ++i)
    pthread_join(workers[i].thread, NULL);
  atomic_store(&stopping, 0);
  free(workers);
  workers = NULL;
  numWorkers = 0;
}

/* Makes the pool `threads - 1` workers large; with the pool held. A worker
   that cannot be created leaves the pool smaller (loops still complete). */
static void resizePool(int threads) {
  if (numWorkers == threads - 1)
    return;
  stopWorkers();
  if (threads <= 1)
    return;
  workers = calloc((size_t)(threads - 1), sizeof(Worker));
  if (!workers)
    return;
  for (int i = 0; i < threads - 1; ++i) {
    workers[i].index = i + 1;
    workers[i].seen = atomic_load(&generation);
    if (pthread_create(&workers[i].thread, NULL, workerMain, &workers[i]))
      break;
    ++numWorkers;
  }
}

static void acquirePool(void) {
  while (atomic_flag_test_and_set_explicit(&poolBusy, memory_order_acquire))
    DYN_SPIN_PAUSE();
}

static void releasePool(void) {
  atomic_flag_clear_explicit(&poolBusy, memory_order_release);
}

/* Joins the workers before the artifact is unloaded (dlclose) or the
   process exits: their code would vanish under them. */
__attribute__((destructor)) static void shutdownPool(void) {
  acquirePool();
  stopWorkers();
  releasePool();
}

int32_t dyn_set_num_threads(int32_t threads) {
  if (threads < 1 || threads > DYN_MAX_THREADS)
    return -1;
  acquirePool();
  int32_t previous = dyn_get_num_threads();
  atomic_store(&requestedThreads, threads);
  if (threads - 1 < numWorkers)
    resizePool(threads);
  releasePool();
  return previous;
}

void dyn_rt_parallel_for(dyn_rt_parallel_body body, void *context,
                         int64_t count) {
  if (count <= 0)
    return;
  int threads = dyn_get_num_threads();
  if (threads <= 1 || count == 1 ||
      atomic_flag_test_and_set_explicit(&poolBusy, memory_order_acquire)) {
    body(context, 0, count);
    return;
  }
  resizePool(threads);
  int parts = numWorkers + 1;
  if (parts > count)
    parts = (int)count;
  if (parts <= 1) {
    releasePool();
    body(context, 0, count);
    return;
  }
  jobBody = body;
  jobContext = context;
  jobCount = count;
  jobParts = parts;
  publish();
  runChunk(0, parts);
  waitForWorkers();
  for (int i = 0; i < numWorkers; ++i) {
    dynAdoptFailures(&workers[i].failures);
    memset(&workers[i].failures, 0, sizeof(DynFailures));
  }
  releasePool();
}
