/*===- dyn-run-min.c - a dependency-free runner for dyn artifacts ---------===*\
|*                                                                            *|
|* Part of the dyn project, under the Apache License v2.0 with LLVM           *|
|* Exceptions. See LICENSE for license information.                           *|
|* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|*   dyn-run-min LIB.so ENTRY OUTDIR [IN.npy]...                              *|
|*                                                                            *|
|* Runs one entry point of a dyn-compiled shared library on .npy inputs and  *|
|* writes OUTDIR/out<i>.npy. Plain C (libc + libdl), so it cross-compiles to *|
|* targets where dyn-run, which links LLVM, does not run (AArch64 under      *|
|* qemu). Errors print a message and exit 1.                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "dyn/Runtime/dyn_runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*EntryFn)(const dyn_tensor *, int64_t, dyn_tensor *, int64_t);

static void die(const char *format, const char *arg) {
  fprintf(stderr, "dyn-run-min: error: ");
  fprintf(stderr, format, arg);
  fputc('\n', stderr);
  exit(1);
}

static const struct {
  const char *descr;
  int32_t dtype;
} kDescrs[] = {
/* The .npy type codes of dyn_runtime.h's table ("" where numpy has none). */
#define DYN_DTYPE_DESCR(ENUM, CODE, NAME, BYTES, NPY) {NPY, ENUM},
    DYN_DTYPES(DYN_DTYPE_DESCR)
#undef DYN_DTYPE_DESCR
};

/* Reads a C-order little-endian .npy file into `t` (data malloc'ed). */
static void readNpy(const char *path, dyn_tensor *t) {
  FILE *f = fopen(path, "rb");
  if (!f)
    die("cannot read '%s'", path);
  unsigned char magic[10];
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0)
    die("'%s' is not a .npy file", path);
  size_t headerLength = magic[8] | (magic[9] << 8);
  if (magic[6] >= 2) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2)
      die("'%s' has a truncated header", path);
    headerLength |= (size_t)more[0] << 16 | (size_t)more[1] << 24;
  }
  char *header = calloc(headerLength + 1, 1);
  if (!header || fread(header, 1, headerLength, f) != headerLength)
    die("'%s' has a truncated header", path);
  memset(t, 0, sizeof(*t));
  const char *descr = strstr(header, "'descr'");
  const char *shape = strstr(header, "'shape'");
  if (!descr || !shape || strstr(header, "'fortran_order': True"))
    die("'%s' has an unsupported header", path);
  descr = strchr(descr + 7, '\'');
  int found = 0;
  for (size_t i = 0; descr && i < sizeof(kDescrs) / sizeof(kDescrs[0]); ++i)
    if (*kDescrs[i].descr && strncmp(descr + 2, kDescrs[i].descr, 2) == 0 &&
        descr[1] != '>') {
      t->dtype = kDescrs[i].dtype;
      found = 1;
    }
  if (!found)
    die("'%s' has an unsupported element type", path);
  const char *p = strchr(shape, '(') + 1;
  int64_t elements = 1;
  while (*p && *p != ')') {
    char *end;
    long long extent = strtoll(p, &end, 10);
    if (end == p) {
      ++p;
      continue;
    }
    if (t->rank == DYN_MAX_RANK)
      die("'%s' has too many dims", path);
    t->sizes[t->rank++] = extent;
    elements *= extent;
    p = end;
  }
  int64_t stride = 1;
  for (int64_t d = t->rank - 1; d >= 0; --d) {
    t->strides[d] = stride;
    stride *= t->sizes[d];
  }
  size_t bytes = (size_t)elements * dyn_dtype_size(t->dtype);
  t->data = malloc(bytes ? bytes : 1);
  if (!t->data || fread(t->data, 1, bytes, f) != bytes)
    die("'%s' holds fewer bytes than its shape needs", path);
  free(header);
  fclose(f);
}

static void writeNpy(const char *path, const dyn_tensor *t) {
  const char *descr = "?";
  for (size_t i = 0; i < sizeof(kDescrs) / sizeof(kDescrs[0]); ++i)
    if (kDescrs[i].dtype == t->dtype && *kDescrs[i].descr)
      descr = kDescrs[i].descr;
  char header[256];
  int used =
      snprintf(header, sizeof(header),
               "{'descr': '%c%s', 'fortran_order': False, 'shape': (",
               t->dtype == DYN_I1 || t->dtype == DYN_I8 ? '|' : '<', descr);
  int64_t elements = 1;
  for (int64_t d = 0; d < t->rank; ++d) {
    used += snprintf(header + used, sizeof(header) - used, "%lld,",
                     (long long)t->sizes[d]);
    elements *= t->sizes[d];
  }
  if (t->rank > 1)
    --used;
  used += snprintf(header + used, sizeof(header) - used, "), }");
  while ((10 + used + 1) % 64)
    header[used++] = ' ';
  header[used++] = '\n';
  FILE *f = fopen(path, "wb");
  if (!f)
    die("cannot write '%s'", path);
  unsigned char magic[10] = {0x93,
                             'N',
                             'U',
                             'M',
                             'P',
                             'Y',
                             1,
                             0,
                             (unsigned char)(used & 0xff),
                             (unsigned char)(used >> 8)};
  fwrite(magic, 1, 10, f);
  fwrite(header, 1, (size_t)used, f);
  /* Outputs are dense row-major (the ABI copies shared buffers apart). */
  fwrite(t->data, dyn_dtype_size(t->dtype), (size_t)elements, f);
  fclose(f);
}

/* The number of outputs of `entry`, from dyn_module_signature. */
static int64_t countOutputs(const char *signature, const char *entry) {
  size_t length = strlen(entry);
  for (const char *line = signature; *line;) {
    const char *end = strchr(line, '\n');
    if (!end)
      end = line + strlen(line);
    if (strncmp(line, entry, length) == 0 && line[length] == '(') {
      const char *arrow = strstr(line, "-> (");
      int64_t count = 0;
      int depth = 0;
      for (const char *p = arrow + 4; p < end && *p != ')'; ++p) {
        depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
        if (*p == ']' && depth == 0)
          ++count;
      }
      return count;
    }
    line = *end ? end + 1 : end;
  }
  die("no entry point '%s'", entry);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: dyn-run-min LIB.so ENTRY OUTDIR [IN.npy]...\n");
    return 2;
  }
  /* dlopen searches the library path for names without a slash. */
  char libraryPath[4096];
  snprintf(libraryPath, sizeof(libraryPath), "%s%s",
           strchr(argv[1], '/') ? "" : "./", argv[1]);
  void *library = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    die("%s", dlerror());
  const char *signature = dlsym(library, "dyn_module_signature");
  const char *(*lastError)(void) =
      (const char *(*)(void))dlsym(library, "dyn_last_error");
  /* The artifact's own release: its runtime allocated the buffers. */
  void (*release)(dyn_tensor *) =
      (void (*)(dyn_tensor *))dlsym(library, "dyn_tensor_release");
  if (!signature || !lastError || !release)
    die("'%s' is not a dyn artifact", argv[1]);
  char symbol[256];
  snprintf(symbol, sizeof(symbol), "dyn_%s", argv[2]);
  EntryFn entry = (EntryFn)dlsym(library, symbol);
  if (!entry)
    die("no entry point '%s'", argv[2]);

  int64_t numInputs = argc - 4;
  int64_t numOutputs = countOutputs(signature, argv[2]);
  dyn_tensor *inputs = calloc((size_t)numInputs + 1, sizeof(dyn_tensor));
  dyn_tensor *outputs = calloc((size_t)numOutputs + 1, sizeof(dyn_tensor));
  for (int64_t i = 0; i < numInputs; ++i)
    readNpy(argv[4 + i], &inputs[i]);
  if (entry(inputs, numInputs, outputs, numOutputs) != DYN_OK)
    die("%s", lastError());
  for (int64_t j = 0; j < numOutputs; ++j) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/out%lld.npy", argv[3], (long long)j);
    writeNpy(path, &outputs[j]);
    release(&outputs[j]);
  }
  return 0;
}
