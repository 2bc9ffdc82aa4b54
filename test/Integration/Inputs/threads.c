/* Calls one dyn-compiled network from 8 threads at once, 1,000 calls each,
   with inputs that take both branches and fail the shape check, and
   compares every result with the one computed alone first. Not a test by
   itself: see threads.mlir. */
#include "net.h"

#include "dense_tensor.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { kThreads = 8, kCalls = 1000, kCases = 4 };

static float inputs[kCases][3 * 4];
static const int64_t rows[kCases] = {1, 3, 2, 2};
static float expected[kCases][3 * 4];
static int expectedTaken[kCases];


/* Case 3 has 3 columns: a shape error, whose message must name it. */
static int call(int c, float *y, int *taken, char *error, size_t size) {
  dyn_tensor in = make(inputs[c], rows[c], c == 3 ? 3 : 4), out[2];
  int32_t status = dyn_gate(&in, 1, out, 2);
  if (status != DYN_OK) {
    snprintf(error, size, "%s", dyn_last_error());
    return status;
  }
  memcpy(y, out[0].data, sizeof(float) * (size_t)(rows[c] * 4));
  *taken = *(unsigned char *)out[1].data;
  dyn_tensor_release(&out[0]);
  dyn_tensor_release(&out[1]);
  return 0;
}

static void *worker(void *arg) {
  long id = (long)arg, mismatches = 0;
  for (int i = 0; i < kCalls; ++i) {
    int c = (int)((id + i) % kCases), taken = -1;
    float y[3 * 4];
    char error[256] = "";
    int status = call(c, y, &taken, error, sizeof(error));
    if (c == 3)
      mismatches += status != DYN_ERROR_SHAPE ||
                    strstr(error, "dim 1 is 3") == NULL;
    else
      mismatches += status != 0 || taken != expectedTaken[c] ||
                    memcmp(y, expected[c], sizeof(float) * rows[c] * 4) != 0;
  }
  return (void *)mismatches;
}

int main(void) {
  for (int c = 0; c < kCases; ++c)
    for (int i = 0; i < 12; ++i)
      inputs[c][i] = (float)(i % 4) - (c % 2 ? -1.0f : 2.0f) + 0.25f * c;
  char error[256];
  for (int c = 0; c < 3; ++c)
    if (call(c, expected[c], &expectedTaken[c], error, sizeof(error)) != 0) {
      printf("reference call failed: %s\n", error);
      return 1;
    }
  pthread_t threads[kThreads];
  for (long t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, worker, (void *)t);
  long mismatches = 0;
  for (int t = 0; t < kThreads; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    mismatches += (long)result;
  }
  printf("threads: %d x %d calls, %ld mismatches, live bytes %lld\n", kThreads,
         kCalls, mismatches, (long long)dyn_memory_live_bytes());
  return mismatches != 0;
}
