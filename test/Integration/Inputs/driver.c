/* A C host calling a dyn-compiled network through its generated header.
   Not a test by itself: see c-abi.mlir. */
#include "net.h"

#include "dense_tensor.h"

#include <stdio.h>
#include <string.h>


int main(void) {
  printf("signature: %s", dyn_module_signature);
  for (int64_t batch = 1; batch <= 3; batch += 2) {
    float x[3 * 4];
    for (int i = 0; i < 12; ++i)
      x[i] = (float)(i % 4) - (batch == 1 ? 2.0f : -1.0f);
    dyn_tensor in = make(x, batch, 4), out[2];
    int32_t status = dyn_gate(&in, 1, out, 2);
    if (status != DYN_OK) {
      printf("unexpected error %d: %s\n", status, dyn_last_error());
      return 1;
    }
    printf("batch %lld: taken=%d shape=[%lld,%lld] y[0]=%g\n", (long long)batch,
           *(unsigned char *)out[1].data, (long long)out[0].sizes[0],
           (long long)out[0].sizes[1], ((float *)out[0].data)[0]);
    dyn_tensor_release(&out[0]);
    dyn_tensor_release(&out[1]);
  }
  /* Wrong shape: an error code and a message, no crash, outputs untouched. */
  float bad[6] = {0};
  dyn_tensor in = make(bad, 2, 3), out[2];
  memset(out, 0, sizeof(out));
  int32_t status = dyn_gate(&in, 1, out, 2);
  printf("bad shape: status=%d (%s) out0=%p\n", status, dyn_last_error(),
         out[0].data);
  status = dyn_gate(&in, 1, out, 1);
  printf("bad arity: status=%d (%s)\n", status, dyn_last_error());
  return 0;
}
