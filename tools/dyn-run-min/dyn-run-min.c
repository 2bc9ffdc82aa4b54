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

/* Reads a C-order little-endian .npy file into `t` (data malloc'ed).
   Returns NULL, or the error message (a static buffer). */
static const char *readNpy(const char *path, dyn_tensor *t) {
  static char message[4200];
  memset(t, 0, sizeof(*t));
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(message, sizeof(message), "cannot read '%s'", path);
    return message;
  }
  char *header = NULL;
  const char *why = NULL;
  unsigned char magic[10];
  size_t headerLength = 0;
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0 ||
      magic[6] < 1 || magic[6] > 3) {
    why = "is not a .npy file";
    goto done;
  }
  headerLength = magic[8] | (magic[9] << 8);
  if (magic[6] >= 2) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) {
      why = "has a truncated header";
      goto done;
    }
    headerLength |= (size_t)more[0] << 16 | (size_t)more[1] << 24;
  }
  header = calloc(headerLength + 1, 1);
  if (!header || fread(header, 1, headerLength, f) != headerLength) {
    why = "has a truncated header";
    goto done;
  }
  const char *descr = strstr(header, "'descr'");
  const char *shape = strstr(header, "'shape'");
  const char *open = shape ? strchr(shape, '(') : NULL;
  if (!descr || !open || strstr(header, "'fortran_order': True")) {
    why = "has an unsupported header";
    goto done;
  }
  descr = strchr(descr + 7, '\'');
  int found = 0;
  for (size_t i = 0; descr && i < sizeof(kDescrs) / sizeof(kDescrs[0]); ++i)
    if (*kDescrs[i].descr && strncmp(descr + 2, kDescrs[i].descr, 2) == 0 &&
        descr[1] != '>') {
      t->dtype = kDescrs[i].dtype;
      found = 1;
    }
  if (!found) {
    why = "has an unsupported element type";
    goto done;
  }
  /* The byte count with overflow checks: a header may claim any shape. */
  int64_t bytes = (int64_t)dyn_dtype_size(t->dtype);
  for (const char *p = open + 1; *p && *p != ')';) {
    char *end;
    long long extent = strtoll(p, &end, 10);
    if (end == p) {
      ++p;
      continue;
    }
    if (t->rank == DYN_MAX_RANK) {
      why = "has too many dims";
      goto done;
    }
    if (extent < 0 || __builtin_mul_overflow(bytes, (int64_t)extent, &bytes)) {
      why = "has a bad or too large shape";
      goto done;
    }
    t->sizes[t->rank++] = extent;
    p = end;
  }
  int64_t stride = 1;
  for (int64_t d = t->rank - 1; d >= 0; --d) {
    t->strides[d] = stride;
    stride *= t->sizes[d];
  }
  t->data = malloc(bytes ? (size_t)bytes : 1);
  if (!t->data) {
    why = "is too large to load";
    goto done;
  }
  if (fread(t->data, 1, (size_t)bytes, f) != (size_t)bytes)
    why = "holds fewer bytes than its shape needs";
done:
  free(header);
  fclose(f);
  if (!why)
    return NULL;
  free(t->data);
  t->data = NULL;
  snprintf(message, sizeof(message), "'%s' %s", path, why);
  return message;
}

/* Writes `t` to `path`; returns 0 on success. */
static int writeNpy(const char *path, const dyn_tensor *t) {
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
    return 1;
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
  int ok = fwrite(magic, 1, 10, f) == 10 &&
           fwrite(header, 1, (size_t)used, f) == (size_t)used;
  /* Outputs are dense row-major (the ABI copies shared buffers apart). */
  if (ok && elements)
    ok = fwrite(t->data, dyn_dtype_size(t->dtype), (size_t)elements, f) ==
         (size_t)elements;
  return fclose(f) != 0 || !ok;
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
  const char *error = inputs && outputs ? NULL : "out of memory";
  int status = 1;
  for (int64_t i = 0; i < numInputs && !error; ++i)
    error = readNpy(argv[4 + i], &inputs[i]);
  if (!error && entry(inputs, numInputs, outputs, numOutputs) != DYN_OK)
    error = lastError();
  /* Every output is written to OUTDIR/out<i>.npy.tmp, then all are renamed:
     either every output is there or none. */
  int64_t written = 0;
  char path[4096], temporary[4200];
  for (; !error && written < numOutputs; ++written) {
    snprintf(path, sizeof(path), "%s/out%lld.npy", argv[3], (long long)written);
    snprintf(temporary, sizeof(temporary), "%s.tmp", path);
    if (writeNpy(temporary, &outputs[written])) {
      remove(temporary);
      error = "cannot write the outputs";
    }
  }
  for (int64_t j = 0; j < written; ++j) {
    snprintf(path, sizeof(path), "%s/out%lld.npy", argv[3], (long long)j);
    snprintf(temporary, sizeof(temporary), "%s.tmp", path);
    if (error)
      remove(temporary);
    else if (rename(temporary, path) != 0)
      error = "cannot write the outputs";
  }
  if (!error)
    status = 0;
  else
    fprintf(stderr, "dyn-run-min: error: %s\n", error);
  for (int64_t j = 0; outputs && j < numOutputs; ++j)
    release(&outputs[j]);
  for (int64_t i = 0; inputs && i < numInputs; ++i)
    free(inputs[i].data);
  free(inputs);
  free(outputs);
  dlclose(library);
  return status;
}
