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
|* inside every artifact) and allocates a coroutine per task. A loop here     *|
|* runs for microseconds: the pool needs one release store to start it and    *|
|* one counter to join it, with workers that spin for a while after each      *|
|* loop before they sleep, and plain pthreads.                                *|
|*                                                                            *|
|* Threads claim grains of the iteration range with a compare-and-swap        *|
|* (the thread that starts the loop claims too) and the starter waits only    *|
|* for grains already claimed: with other pools in the process (PyTorch's,    *|
|* ONNX Runtime's) on the same cores, a worker is often not scheduled in      *|
|* time, and waiting for it to take a fixed half made a two-thread skipnet    *|
|* 4x slower than one thread. Calls from several threads at once are safe:    *|
|* a loop that finds the pool busy runs on its own thread.                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

/* clock_gettime and pthreads under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "RuntimeInternal.h"
#include "dyn/Runtime/dyn_runtime.h"

#include <pthread.h>
#include <sched.h>
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
   wake-up from sleep costs tens of them. Spinning threads yield the core
   every few hundred polls, to other pools' threads (PyTorch's, ONNX
   Runtime's) in the same process. */
enum { kSpinNanoseconds = 200000, kPollsPerYield = 256 };

typedef struct {
  pthread_t thread;
  uint64_t seen; /* the last job sequence it took (set before it starts) */
  /* Failures of the iterations it ran, for the thread that waits for them;
     written before `finished` counts those iterations. */
  DynFailures failures;
} Worker;

static pthread_mutex_t poolMutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poolWake = PTHREAD_COND_INITIALIZER;
/* Held by the thread running a loop on the pool (or resizing it). */
static atomic_flag poolBusy = ATOMIC_FLAG_INIT;

/* The loop in flight. Its fields are published as a sequence lock: odd
   `sequence` while the thread holding the pool writes them, even (2 x the
   job's generation) once they are complete. Iterations are claimed one
   grain at a time with a compare-and-swap on `claim`, (generation << 32) |
   next iteration, so that a worker that read an earlier job claims
   nothing; the thread that started the loop claims too, and waits only for
   iterations already claimed (`finished`), never for a worker that was not
   scheduled in time to take any. */
static _Atomic(dyn_rt_parallel_body) jobBody;
static _Atomic(void *) jobContext;
static _Atomic int64_t jobCount;
static _Atomic int64_t jobGrain;
static _Atomic uint64_t sequence;
static _Atomic uint64_t claim;
static _Atomic int64_t finished;
static _Atomic int sleeping;
static _Atomic int stopping;
static uint64_t generation; /* with the pool held */

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

/* Runs iterations of job `gen` while it has unclaimed ones; a worker's
   failures go to its slot (`self`), the starting thread's stay its own. */
static void runClaims(uint64_t gen, dyn_rt_parallel_body body, void *context,
                      int64_t count, int64_t grain, Worker *self) {
  for (;;) {
    uint64_t current = atomic_load_explicit(&claim, memory_order_acquire);
    if (current >> 32 != (gen & 0xffffffffu))
      return;
    int64_t begin = (int64_t)(current & 0xffffffffu);
    if (begin >= count)
      return;
    int64_t end = begin + grain < count ? begin + grain : count;
    if (!atomic_compare_exchange_weak_explicit(
            &claim, &current,
            (current & ~(uint64_t)0xffffffffu) | (uint64_t)end,
            memory_order_acq_rel, memory_order_relaxed))
      continue;
    body(context, begin, end);
    if (self)
      dyn_rt_take_failures(&self->failures);
    atomic_fetch_add_explicit(&finished, end - begin, memory_order_release);
  }
}

/* Waits for the next even sequence after `seen`: polls, then sleeps. */
static uint64_t waitForJob(uint64_t seen) {
  int64_t spinUntil = nowNanoseconds() + kSpinNanoseconds;
  for (unsigned polls = 1;; ++polls) {
    uint64_t current = atomic_load_explicit(&sequence, memory_order_acquire);
    if (current != seen && !(current & 1))
      return current;
    DYN_SPIN_PAUSE();
    if (polls % kPollsPerYield)
      continue;
    if (nowNanoseconds() < spinUntil) {
      sched_yield();
      continue;
    }
    /* Sleeps; the increment of `sleeping` and the load of `sequence` are
       sequentially consistent, as are publish's store of `sequence` and
       its load of `sleeping`: either this thread sees the job or the
       publisher sees it asleep and wakes it. */
    pthread_mutex_lock(&poolMutex);
    atomic_fetch_add(&sleeping, 1);
    while ((current = atomic_load(&sequence)) == seen || (current & 1))
      pthread_cond_wait(&poolWake, &poolMutex);
    atomic_fetch_sub(&sleeping, 1);
    pthread_mutex_unlock(&poolMutex);
    return current;
  }
}

static void *workerMain(void *argument) {
  Worker *self = argument;
  uint64_t seen = self->seen;
  for (;;) {
    uint64_t taken = waitForJob(seen);
    dyn_rt_parallel_body body =
        atomic_load_explicit(&jobBody, memory_order_relaxed);
    void *context = atomic_load_explicit(&jobContext, memory_order_relaxed);
    int64_t count = atomic_load_explicit(&jobCount, memory_order_relaxed);
    int64_t grain = atomic_load_explicit(&jobGrain, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&sequence, memory_order_relaxed) != taken)
      continue; /* rewritten meanwhile: its fields may mix two jobs */
    seen = taken;
    if (atomic_load(&stopping))
      return NULL;
    runClaims(taken / 2, body, context, count, grain, self);
  }
}

/* Hands a job (or the stop in `stopping`) to the workers; with the pool
   held. */
static void publish(dyn_rt_parallel_body body, void *context, int64_t count,
                    int64_t grain) {
  ++generation;
  atomic_store_explicit(&sequence, 2 * generation - 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&jobBody, body, memory_order_relaxed);
  atomic_store_explicit(&jobContext, context, memory_order_relaxed);
  atomic_store_explicit(&jobCount, count, memory_order_relaxed);
  atomic_store_explicit(&jobGrain, grain, memory_order_relaxed);
  atomic_store_explicit(&finished, 0, memory_order_relaxed);
  atomic_store_explicit(&claim, (generation & 0xffffffffu) << 32,
                        memory_order_release);
  atomic_store(&sequence, 2 * generation);
  if (atomic_load(&sleeping)) {
    pthread_mutex_lock(&poolMutex);
    pthread_cond_broadcast(&poolWake);
    pthread_mutex_unlock(&poolMutex);
  }
}

/* Stops and joins every worker; with the pool held. */
static void stopWorkers(void) {
  if (!numWorkers)
    return;
  atomic_store(&stopping, 1);
  publish(NULL, NULL, 0, 1);
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
    workers[i].seen = atomic_load(&sequence);
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
  /* (iterations are claimed by 32-bit index) */
  if (threads <= 1 || count == 1 || count > INT32_MAX ||
      atomic_flag_test_and_set_explicit(&poolBusy, memory_order_acquire)) {
    body(context, 0, count);
    return;
  }
  resizePool(threads);
  if (numWorkers == 0) {
    releasePool();
    body(context, 0, count);
    return;
  }
  /* Grains of about a quarter of a thread's share: the tasks of a loop are
     few and equal, and a thread that starts late finds some left. */
  int64_t grain = count / (4 * (int64_t)(numWorkers + 1));
  if (grain < 1)
    grain = 1;
  publish(body, context, count, grain);
  runClaims(generation, body, context, count, grain, NULL);
  for (unsigned polls = 1;
       atomic_load_explicit(&finished, memory_order_acquire) < count; ++polls) {
    DYN_SPIN_PAUSE();
    if (polls % 64 == 0)
      sched_yield(); /* a claimant preempted on this core runs sooner */
  }
  for (int i = 0; i < numWorkers; ++i) {
    dyn_rt_adopt_failures(&workers[i].failures);
    memset(&workers[i].failures, 0, sizeof(DynFailures));
  }
  releasePool();
}
