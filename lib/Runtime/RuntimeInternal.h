/*===- RuntimeInternal.h - shared between the runtime's files ---*- C -*-===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef DYN_RUNTIME_RUNTIMEINTERNAL_H
#define DYN_RUNTIME_RUNTIMEINTERNAL_H

/* The failures compiled code reports on one thread (dyn_rt_alloc_failed,
   dyn_rt_assert_failed), carried from a worker of the thread pool to the
   thread that started the parallel loop. */
typedef struct {
  int allocFailed;
  char allocError[128];
  int assertFailed;
  char assertError[960];
} DynFailures;

/* Moves this thread's pending failures into `into` (where it has none of
   that kind yet) and clears them here. */
void dyn_rt_take_failures(DynFailures *into);
/* Makes `from`'s failures this thread's (where it has none of that kind). */
void dyn_rt_adopt_failures(const DynFailures *from);

#endif /* DYN_RUNTIME_RUNTIMEINTERNAL_H */
