/* A dense row-major f32 dyn_tensor over `data`, for the C hosts of the
   integration tests (driver.c, threads.c). Include after the artifact's
   header. */
#ifndef DYN_TEST_DENSE_TENSOR_H
#define DYN_TEST_DENSE_TENSOR_H

#include <string.h>

static dyn_tensor make(float *data, int64_t rows, int64_t cols) {
  dyn_tensor t;
  memset(&t, 0, sizeof(t));
  t.data = data;
  t.rank = 2;
  t.sizes[0] = rows;
  t.sizes[1] = cols;
  t.strides[0] = cols;
  t.strides[1] = 1;
  t.dtype = DYN_F32;
  return t;
}

#endif /* DYN_TEST_DENSE_TENSOR_H */
