/* Host of block-cache.mlir: calls @shift on 128 and 512 rows of 256 floats
   and reports whether the runtime handed the released output block back.
   Not a test by itself. */
#include "net.h"

#include "dense_tensor.h"

#include <stdio.h>
#include <stdlib.h>

static float *input;

static int shift(int64_t rows, dyn_tensor *out, int *ok) {
  for (int64_t i = 0; i < rows * 256; ++i)
    input[i] = (float)(i % 97);
  dyn_tensor in = make(input, rows, 256);
  if (dyn_shift(&in, 1, out, 1) != DYN_OK) {
    printf("block cache: call failed: %s\n", dyn_last_error());
    return 1;
  }
  const float *y = out->data;
  for (int64_t i = 0; i < rows * 256; ++i)
    *ok &= y[i] == (float)(i % 97) + 1.0f;
  return 0;
}

int main(void) {
  input = malloc(sizeof(float) * 512 * 256);
  if (!input)
    return 1;
  dyn_tensor first, again, larger;
  int ok = 1;
  if (shift(128, &first, &ok))
    return 1;
  void *block = first.allocated;
  dyn_tensor_release(&first);
  /* A block freed to malloc would be what the host's own allocation of
     that size gets; a kept one is not. */
  void *host = malloc(sizeof(float) * 128 * 256 + 16);
  if (shift(128, &again, &ok))
    return 1;
  free(host);
  printf("block cache: same block again: %s\n",
         again.allocated == block ? "yes" : "no");
  dyn_tensor_release(&again);
  if (shift(512, &larger, &ok))
    return 1;
  printf("block cache: 4x larger request reuses it: %s\n",
         larger.allocated == block ? "yes" : "no");
  dyn_tensor_release(&larger);
  printf("block cache: values %s, live bytes %lld\n", ok ? "ok" : "WRONG",
         (long long)dyn_memory_live_bytes());
  free(input);
  return 0;
}
