/*===- FastCall.c - dyn's Python call path in C ------------------*- C -*-===*|
|*                                                                            *|
|* The CPython extension `_dyn_fastcall`: calls one entry point of a loaded   *|
|* dyn artifact on torch tensors without a numpy round trip or a copy.       *|
|*                                                                            *|
|*  - Inputs: a tensor's data pointer, sizes, strides and dtype are read     *|
|*    straight into a dyn_tensor on the C stack (a tensor that is not dense  *|
|*    row-major, or not on the CPU, is first made so, as the numpy path      *|
|*    did); Python numbers take the entry's declared element type.           *|
|*  - Outputs: each output buffer becomes a torch tensor without a copy,     *|
|*    handed over as a DLPack capsule whose deleter calls                    *|
|*    dyn_tensor_release when the tensor dies.                               *|
|*                                                                            *|
|* Why C: in Python, the ctypes structures, per-field writes and the output  *|
|* copies cost 10-30 us per call against 0.1 us for the C call itself. The   *|
|* module does not link torch or numpy: the caller passes in what it needs   *|
|* (the tensor type, a dtype table, torch's from_dlpack). Inputs it does not *|
|* handle (numpy arrays, other objects) raise `Unsupported`, on which the    *|
|* caller takes the general path.                                            *|
|*                                                                            *|
|* DLPack's ABI (dlpack.h, v0.8, "dltensor" capsules) is declared here: it   *|
|* is a fixed C layout and not packaged on Debian.                           *|
\*===----------------------------------------------------------------------===*/

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "dyn/Runtime/dyn_runtime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- DLPack (legacy, unversioned) ---------------------------------------- */

enum { kDLCPU = 1 };
enum { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLBfloat = 4 };

typedef struct {
  int32_t device_type;
  int32_t device_id;
} DLDevice;

typedef struct {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
} DLDataType;

typedef struct {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides;
  uint64_t byte_offset;
} DLTensor;

typedef struct DLManagedTensor {
  DLTensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;

/* ---- Entry ----------------------------------------------------------------
 */

typedef int32_t (*EntryFunction)(const dyn_tensor *, int64_t, dyn_tensor *,
                                 int64_t);
typedef const char *(*LastErrorFunction)(void);
typedef void (*ReleaseFunction)(dyn_tensor *);

/* Inputs and outputs live on the C stack up to this many (no allocation,
   and no state shared between threads calling one entry at once). */
enum { kStackTensors = 16 };

typedef struct {
  int32_t code;  /* dyn_dtype, -1 where the signature has no such input */
  char kind;     /* 'f', 'i' or 'b': how a Python number is stored */
  int32_t bytes; /* element size */
} InputType;

typedef struct {
  PyObject_HEAD EntryFunction function;
  LastErrorFunction lastError;
  ReleaseFunction release;
  Py_ssize_t numInputs;
  InputType *inputTypes;
  Py_ssize_t numOutputs;
  PyObject *tensorType;  /* torch.Tensor */
  PyObject *dtypeCodes;  /* dict: torch.dtype -> dyn_dtype code */
  PyObject *outputKinds; /* tuple indexed by code: (dl code, bits, view dtype
                            or None) or None */
  PyObject *fromDlpack;  /* callable: capsule -> tensor */
  PyObject *error;       /* callable: (message, status) -> exception */
  /* TorchScript's checks of forward's arguments, or none: the parameter
     names and kinds ('T' Tensor, 'i' int, 'f' float, 'b' bool, '?'). */
  PyObject *parameterNames; /* tuple of str, or None */
  char *parameterKinds;
} Entry;

static PyObject *Unsupported; /* exception: take the general path */

/* Interned attribute and method names. */
static PyObject *strDataPtr, *strShape, *strStride, *strDtype, *strIsCpu,
    *strContiguous, *strCpu, *strView;

/* ---- Outputs as DLPack capsules ------------------------------------------ */

typedef struct {
  DLManagedTensor managed;
  dyn_tensor tensor;
  ReleaseFunction release;
} Owner;

static void ownerDeleter(DLManagedTensor *self) {
  Owner *owner = (Owner *)self->manager_ctx;
  owner->release(&owner->tensor);
  free(owner);
}

static void capsuleDestructor(PyObject *capsule) {
  /* A consumer renames the capsule "used_dltensor" and owns the tensor;
     one never consumed still owns it. */
  if (!PyCapsule_IsValid(capsule, "dltensor"))
    return;
  DLManagedTensor *managed =
      (DLManagedTensor *)PyCapsule_GetPointer(capsule, "dltensor");
  if (managed && managed->deleter)
    managed->deleter(managed);
}

/* The torch tensor of output `t` (taking ownership of its buffer: on
   failure the buffer is released too). */
static PyObject *wrapOutput(Entry *self, dyn_tensor *t) {
  PyObject *kind = NULL;
  if (t->dtype >= 0 && t->dtype < PyTuple_GET_SIZE(self->outputKinds))
    kind = PyTuple_GET_ITEM(self->outputKinds, t->dtype);
  if (!kind || kind == Py_None) {
    PyErr_Format(PyExc_TypeError, "output of unsupported dtype code %d",
                 (int)t->dtype);
    self->release(t);
    return NULL;
  }
  Owner *owner = (Owner *)malloc(sizeof(Owner));
  if (!owner) {
    self->release(t);
    return PyErr_NoMemory();
  }
  owner->tensor = *t;
  owner->release = self->release;
  memset(t, 0, sizeof(*t)); /* the owner has it now */
  DLTensor *dl = &owner->managed.dl_tensor;
  dl->data = owner->tensor.data;
  dl->device.device_type = kDLCPU;
  dl->device.device_id = 0;
  dl->ndim = (int32_t)owner->tensor.rank;
  dl->dtype.code = (uint8_t)PyLong_AsLong(PyTuple_GET_ITEM(kind, 0));
  dl->dtype.bits = (uint8_t)PyLong_AsLong(PyTuple_GET_ITEM(kind, 1));
  dl->dtype.lanes = 1;
  dl->shape = owner->tensor.sizes;
  dl->strides = owner->tensor.strides;
  dl->byte_offset = 0;
  owner->managed.manager_ctx = owner;
  owner->managed.deleter = ownerDeleter;
  PyObject *capsule =
      PyCapsule_New(&owner->managed, "dltensor", capsuleDestructor);
  if (!capsule) {
    ownerDeleter(&owner->managed);
    return NULL;
  }
  PyObject *tensor = PyObject_CallOneArg(self->fromDlpack, capsule);
  Py_DECREF(capsule); /* frees the buffer unless the tensor took it */
  PyObject *view = PyTuple_GET_ITEM(kind, 2);
  if (tensor && view != Py_None) { /* bool crosses DLPack as uint8 */
    PyObject *viewed = PyObject_CallMethodOneArg(tensor, strView, view);
    Py_DECREF(tensor);
    tensor = viewed;
  }
  return tensor;
}

/* ---- Inputs -----------------------------------------------------------------
 */

static int readInt64s(PyObject *sequence, int64_t *into, Py_ssize_t count) {
  PyObject *fast = PySequence_Fast(sequence, "expected a sequence");
  if (!fast)
    return -1;
  if (PySequence_Fast_GET_SIZE(fast) != count) {
    Py_DECREF(fast);
    PyErr_SetString(PyExc_ValueError, "sizes and strides disagree in rank");
    return -1;
  }
  PyObject **items = PySequence_Fast_ITEMS(fast);
  for (Py_ssize_t i = 0; i < count; ++i) {
    into[i] = PyLong_AsLongLong(items[i]);
    if (into[i] == -1 && PyErr_Occurred()) {
      Py_DECREF(fast);
      return -1;
    }
  }
  Py_DECREF(fast);
  return 0;
}

static int isDenseRowMajor(const dyn_tensor *t) {
  int64_t expected = 1;
  for (int64_t d = t->rank - 1; d >= 0; --d) {
    if (t->sizes[d] != 1 && t->strides[d] != expected)
      return 0;
    expected *= t->sizes[d];
  }
  return 1;
}

/* Fills `t` from tensor `arg` (input `index`). `*keep` receives a new
   reference to whatever object owns the data (a contiguous or CPU copy). */
static int readTensor(Entry *self, PyObject *arg, Py_ssize_t index,
                      dyn_tensor *t, PyObject **keep) {
  PyObject *tensor = arg;
  Py_INCREF(tensor);
  for (int attempt = 0;; ++attempt) {
    PyObject *isCpu = PyObject_GetAttr(tensor, strIsCpu);
    if (!isCpu)
      goto fail;
    int onCpu = PyObject_IsTrue(isCpu);
    Py_DECREF(isCpu);
    if (onCpu < 0)
      goto fail;
    if (!onCpu) { /* the general path copies to the host: so do we */
      PyObject *host = PyObject_CallMethodNoArgs(tensor, strCpu);
      Py_DECREF(tensor);
      if (!host)
        return -1;
      tensor = host;
    }
    PyObject *dtype = PyObject_GetAttr(tensor, strDtype);
    if (!dtype)
      goto fail;
    PyObject *code = PyDict_GetItemWithError(self->dtypeCodes, dtype);
    if (!code) {
      if (!PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "input %zd has unsupported dtype %R",
                     index, dtype);
      Py_DECREF(dtype);
      goto fail;
    }
    Py_DECREF(dtype);
    t->dtype = (int32_t)PyLong_AsLong(code);
    PyObject *shape = PyObject_GetAttr(tensor, strShape);
    if (!shape)
      goto fail;
    Py_ssize_t rank = PyObject_Length(shape);
    if (rank < 0) {
      Py_DECREF(shape);
      goto fail;
    }
    if (rank > DYN_MAX_RANK) {
      Py_DECREF(shape);
      PyErr_Format(PyExc_ValueError, "input %zd has rank %zd > %d", index, rank,
                   DYN_MAX_RANK);
      goto fail;
    }
    t->rank = rank;
    int status = readInt64s(shape, t->sizes, rank);
    Py_DECREF(shape);
    if (status < 0)
      goto fail;
    PyObject *strides = PyObject_CallMethodNoArgs(tensor, strStride);
    if (!strides)
      goto fail;
    status = readInt64s(strides, t->strides, rank);
    Py_DECREF(strides);
    if (status < 0)
      goto fail;
    if (!isDenseRowMajor(t)) {
      if (attempt > 0) {
        PyErr_Format(PyExc_ValueError,
                     "input %zd is not dense after .contiguous()", index);
        goto fail;
      }
      PyObject *dense = PyObject_CallMethodNoArgs(tensor, strContiguous);
      Py_DECREF(tensor);
      if (!dense)
        return -1;
      tensor = dense;
      continue;
    }
    PyObject *pointer = PyObject_CallMethodNoArgs(tensor, strDataPtr);
    if (!pointer)
      goto fail;
    t->data = PyLong_AsVoidPtr(pointer);
    Py_DECREF(pointer);
    if (PyErr_Occurred())
      goto fail;
    *keep = tensor;
    return 0;
  }
fail:
  Py_DECREF(tensor);
  return -1;
}

/* Stores Python number `arg` as input `index`'s declared element type in
   `slot` (8 bytes) and points `t` at it. */
static int readNumber(Entry *self, PyObject *arg, Py_ssize_t index,
                      dyn_tensor *t, void *slot) {
  if (index >= self->numInputs || self->inputTypes[index].code < 0) {
    PyErr_SetString(Unsupported, "a number the signature does not type");
    return -1;
  }
  InputType type = self->inputTypes[index];
  t->dtype = type.code;
  t->rank = 0;
  t->data = slot;
  if (type.kind == 'f') {
    double value = PyFloat_AsDouble(arg);
    if (value == -1.0 && PyErr_Occurred())
      return -1;
    if (type.bytes == 8) {
      memcpy(slot, &value, 8);
      return 0;
    }
    if (type.bytes == 4) {
      float narrow = (float)value;
      memcpy(slot, &narrow, 4);
      return 0;
    }
  } else if ((type.kind == 'i' || type.kind == 'b') && !PyFloat_Check(arg)) {
    long long value = PyLong_AsLongLong(arg);
    if (value == -1 && PyErr_Occurred())
      return -1;
    if (type.kind == 'b')
      value = value != 0;
    switch (type.bytes) {
    case 8: {
      int64_t v = value;
      memcpy(slot, &v, 8);
      return 0;
    }
    case 4: {
      int32_t v = (int32_t)value;
      memcpy(slot, &v, 4);
      return 0;
    }
    case 2: {
      int16_t v = (int16_t)value;
      memcpy(slot, &v, 2);
      return 0;
    }
    case 1: {
      int8_t v = (int8_t)value;
      memcpy(slot, &v, 1);
      return 0;
    }
    }
  }
  PyErr_SetString(Unsupported, "a number of a type stored elsewhere");
  return -1;
}

/* ---- The call -------------------------------------------------------------
 */

static const char *kindName(char kind) {
  switch (kind) {
  case 'T':
    return "Tensor";
  case 'i':
    return "int";
  case 'f':
    return "float";
  default:
    return "bool";
  }
}

/* TorchScript's argument checks, with its wording (compiler.py's
   _check_arguments makes the same on the general path). */
static int checkArguments(Entry *self, PyObject *const *args,
                          Py_ssize_t numArgs) {
  if (self->parameterNames == Py_None)
    return 0;
  Py_ssize_t count = PyTuple_GET_SIZE(self->parameterNames);
  if (numArgs != count) {
    PyErr_Format(PyExc_TypeError, "forward() expected %zd argument(s), got %zd",
                 count, numArgs);
    return -1;
  }
  for (Py_ssize_t i = 0; i < count; ++i) {
    PyObject *arg = args[i];
    int isBool = PyBool_Check(arg), ok = 1;
    switch (self->parameterKinds[i]) {
    case 'T':
      ok = PyObject_TypeCheck(arg, (PyTypeObject *)self->tensorType);
      break;
    case 'i':
      ok = PyLong_Check(arg) && !isBool;
      break;
    case 'f':
      ok = (PyLong_Check(arg) || PyFloat_Check(arg)) && !isBool;
      break;
    case 'b':
      ok = isBool;
      break;
    }
    if (ok)
      continue;
    PyObject *typeName = PyType_GetName(Py_TYPE(arg));
    if (typeName)
      PyErr_Format(PyExc_TypeError,
                   "forward() expected a value of type '%s' for argument "
                   "'%U' but instead found type '%U'",
                   kindName(self->parameterKinds[i]),
                   PyTuple_GET_ITEM(self->parameterNames, i), typeName);
    Py_XDECREF(typeName);
    return -1;
  }
  return 0;
}

static PyObject *callFailed(Entry *self, int32_t status) {
  const char *message = self->lastError();
  PyObject *exception = PyObject_CallFunction(
      self->error, "si", message ? message : "", (int)status);
  if (!exception)
    return NULL;
  PyErr_SetObject((PyObject *)Py_TYPE(exception), exception);
  Py_DECREF(exception);
  return NULL;
}

static PyObject *entryCall(Entry *self, PyObject *const *args, size_t nargsf,
                           PyObject *kwnames) {
  Py_ssize_t numArgs = PyVectorcall_NARGS(nargsf);
  if (kwnames && PyTuple_GET_SIZE(kwnames)) {
    PyErr_SetString(PyExc_TypeError, "entry points take no keyword arguments");
    return NULL;
  }
  if (checkArguments(self, args, numArgs) < 0)
    return NULL;
  if (numArgs > kStackTensors || self->numOutputs > kStackTensors) {
    PyErr_SetString(Unsupported, "more tensors than the fast path holds");
    return NULL;
  }
  dyn_tensor inputs[kStackTensors];
  dyn_tensor outputs[kStackTensors];
  PyObject *keep[kStackTensors];
  int64_t slots[kStackTensors];
  Py_ssize_t kept = 0;
  PyObject *result = NULL;
  for (Py_ssize_t i = 0; i < numArgs; ++i) {
    PyObject *arg = args[i];
    dyn_tensor *t = &inputs[i];
    memset(t, 0, sizeof(*t));
    int status;
    if (PyObject_TypeCheck(arg, (PyTypeObject *)self->tensorType)) {
      status = readTensor(self, arg, i, t, &keep[kept]);
      if (status == 0)
        ++kept;
    } else if (PyBool_Check(arg) || PyLong_Check(arg) || PyFloat_Check(arg)) {
      status = readNumber(self, arg, i, t, &slots[i]);
    } else {
      PyErr_Format(Unsupported, "input %zd is a %s", i, Py_TYPE(arg)->tp_name);
      status = -1;
    }
    if (status < 0)
      goto done;
  }
  memset(outputs, 0, sizeof(dyn_tensor) * (size_t)self->numOutputs);
  int32_t status;
  Py_BEGIN_ALLOW_THREADS;
  status = self->function(numArgs ? inputs : NULL, numArgs, outputs,
                          self->numOutputs);
  Py_END_ALLOW_THREADS;
  if (status != 0) {
    callFailed(self, status);
    goto done;
  }
  result = PyTuple_New(self->numOutputs);
  if (!result) {
    for (Py_ssize_t j = 0; j < self->numOutputs; ++j)
      self->release(&outputs[j]);
    goto done;
  }
  for (Py_ssize_t j = 0; j < self->numOutputs; ++j) {
    PyObject *tensor = wrapOutput(self, &outputs[j]);
    if (!tensor) {
      for (Py_ssize_t k = j + 1; k < self->numOutputs; ++k)
        self->release(&outputs[k]);
      Py_CLEAR(result);
      goto done;
    }
    PyTuple_SET_ITEM(result, j, tensor);
  }
done:
  for (Py_ssize_t k = 0; k < kept; ++k)
    Py_DECREF(keep[k]);
  return result;
}

/* `parameters`: a sequence of (name, kind) with kind "Tensor", "int",
   "float", "bool" or another type (not checked). */
static int readParameters(PyObject *parameters, PyObject **names,
                          char **kinds) {
  PyObject *fast = PySequence_Fast(parameters, "parameters: a sequence");
  if (!fast)
    return -1;
  Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
  PyObject *nameTuple = PyTuple_New(count);
  char *kindArray = PyMem_Malloc((size_t)(count ? count : 1));
  if (!nameTuple || !kindArray) {
    Py_XDECREF(nameTuple);
    PyMem_Free(kindArray);
    Py_DECREF(fast);
    PyErr_NoMemory();
    return -1;
  }
  for (Py_ssize_t i = 0; i < count; ++i) {
    PyObject *name;
    const char *kind;
    if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "Us;parameters",
                          &name, &kind)) {
      Py_DECREF(nameTuple);
      PyMem_Free(kindArray);
      Py_DECREF(fast);
      return -1;
    }
    Py_INCREF(name);
    PyTuple_SET_ITEM(nameTuple, i, name);
    kindArray[i] = !strcmp(kind, "Tensor")  ? 'T'
                   : !strcmp(kind, "int")   ? 'i'
                   : !strcmp(kind, "float") ? 'f'
                   : !strcmp(kind, "bool")  ? 'b'
                                            : '?';
  }
  Py_DECREF(fast);
  *names = nameTuple;
  *kinds = kindArray;
  return 0;
}

static int entryInit(Entry *self, PyObject *args, PyObject *kwargs) {
  /* Writable arrays: the CPython API takes char *[] (-Wwrite-strings). */
  static char k0[] = "function";
  static char k1[] = "last_error";
  static char k2[] = "release";
  static char k3[] = "input_types";
  static char k4[] = "num_outputs";
  static char k5[] = "tensor_type";
  static char k6[] = "dtype_codes";
  static char k7[] = "output_kinds";
  static char k8[] = "from_dlpack";
  static char k9[] = "error";
  static char k10[] = "parameters";
  static char *keywords[] = {k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, NULL};
  unsigned long long function, lastError, release;
  PyObject *inputTypes, *tensorType, *dtypeCodes, *outputKinds, *fromDlpack,
      *error, *parameters = Py_None;
  Py_ssize_t numOutputs;
  if (!PyArg_ParseTupleAndKeywords(
          args, kwargs, "KKKOnO!O!O!OO|O", keywords, &function, &lastError,
          &release, &inputTypes, &numOutputs, &PyType_Type, &tensorType,
          &PyDict_Type, &dtypeCodes, &PyTuple_Type, &outputKinds, &fromDlpack,
          &error, &parameters))
    return -1;
  if (!function || !lastError || !release) {
    PyErr_SetString(PyExc_ValueError, "null function address");
    return -1;
  }
  if (numOutputs < 0) {
    PyErr_SetString(PyExc_ValueError, "negative number of outputs");
    return -1;
  }
  PyObject *fast = PySequence_Fast(inputTypes, "input_types: a sequence");
  if (!fast)
    return -1;
  Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
  InputType *types = PyMem_Calloc((size_t)(count ? count : 1), sizeof(*types));
  if (!types) {
    Py_DECREF(fast);
    PyErr_NoMemory();
    return -1;
  }
  for (Py_ssize_t i = 0; i < count; ++i) {
    int code, bytes;
    const char *kind;
    if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "isi;input_types",
                          &code, &kind, &bytes)) {
      PyMem_Free(types);
      Py_DECREF(fast);
      return -1;
    }
    types[i] = (InputType){code, kind[0], bytes};
  }
  Py_DECREF(fast);
  PyObject *names = Py_None;
  char *kinds = NULL;
  if (parameters != Py_None && readParameters(parameters, &names, &kinds) < 0) {
    PyMem_Free(types);
    return -1;
  }
  if (names == Py_None)
    Py_INCREF(names);
  Py_XSETREF(self->parameterNames, names);
  PyMem_Free(self->parameterKinds);
  self->parameterKinds = kinds;
  PyMem_Free(self->inputTypes);
  self->inputTypes = types;
  self->numInputs = count;
  self->function = (EntryFunction)(uintptr_t)function;
  self->lastError = (LastErrorFunction)(uintptr_t)lastError;
  self->release = (ReleaseFunction)(uintptr_t)release;
  self->numOutputs = numOutputs;
  Py_INCREF(tensorType);
  Py_XSETREF(self->tensorType, tensorType);
  Py_INCREF(dtypeCodes);
  Py_XSETREF(self->dtypeCodes, dtypeCodes);
  Py_INCREF(outputKinds);
  Py_XSETREF(self->outputKinds, outputKinds);
  Py_INCREF(fromDlpack);
  Py_XSETREF(self->fromDlpack, fromDlpack);
  Py_INCREF(error);
  Py_XSETREF(self->error, error);
  return 0;
}

static void entryDealloc(Entry *self) {
  PyMem_Free(self->inputTypes);
  PyMem_Free(self->parameterKinds);
  Py_XDECREF(self->parameterNames);
  Py_XDECREF(self->tensorType);
  Py_XDECREF(self->dtypeCodes);
  Py_XDECREF(self->outputKinds);
  Py_XDECREF(self->fromDlpack);
  Py_XDECREF(self->error);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *entryCallTuple(Entry *self, PyObject *args, PyObject *kwargs) {
  if (kwargs && PyDict_GET_SIZE(kwargs)) {
    PyErr_SetString(PyExc_TypeError, "entry points take no keyword arguments");
    return NULL;
  }
  return entryCall(self, &PyTuple_GET_ITEM(args, 0),
                   (size_t)PyTuple_GET_SIZE(args), NULL);
}

typedef struct {
  Entry base;
  vectorcallfunc vectorcall;
} EntryWithVectorcall;

static PyObject *entryNew(PyTypeObject *type, PyObject *args,
                          PyObject *kwargs) {
  (void)args;
  (void)kwargs;
  EntryWithVectorcall *self = (EntryWithVectorcall *)type->tp_alloc(type, 0);
  if (self)
    self->vectorcall = (vectorcallfunc)entryCall;
  return (PyObject *)self;
}

static PyTypeObject EntryType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_dyn_fastcall.Entry",
    .tp_basicsize = sizeof(EntryWithVectorcall),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Entry(function, last_error, release, input_types, num_outputs, "
              "tensor_type, dtype_codes, output_kinds, from_dlpack, error, "
              "parameters=None)\n\n"
              "One entry point of a loaded dyn artifact, called on torch "
              "tensors and numbers; returns a tuple of tensors that own the "
              "output buffers. Raises Unsupported for inputs it does not "
              "handle.",
    .tp_new = entryNew,
    .tp_init = (initproc)entryInit,
    .tp_dealloc = (destructor)entryDealloc,
    .tp_call = (ternaryfunc)entryCallTuple,
    .tp_vectorcall_offset = offsetof(EntryWithVectorcall, vectorcall),
};

static struct PyModuleDef moduleDef = {
    PyModuleDef_HEAD_INIT,
    "_dyn_fastcall",
    "dyn's Python call path in C: entry points called on torch tensors "
    "without copies.",
    -1,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};

PyMODINIT_FUNC PyInit__dyn_fastcall(void) {
  if (PyType_Ready(&EntryType) < 0)
    return NULL;
  PyObject *module = PyModule_Create(&moduleDef);
  if (!module)
    return NULL;
  strDataPtr = PyUnicode_InternFromString("data_ptr");
  strShape = PyUnicode_InternFromString("shape");
  strStride = PyUnicode_InternFromString("stride");
  strDtype = PyUnicode_InternFromString("dtype");
  strIsCpu = PyUnicode_InternFromString("is_cpu");
  strContiguous = PyUnicode_InternFromString("contiguous");
  strCpu = PyUnicode_InternFromString("cpu");
  strView = PyUnicode_InternFromString("view");
  Unsupported = PyErr_NewExceptionWithDoc(
      "_dyn_fastcall.Unsupported",
      "Inputs the fast path does not handle; take the general one.", NULL,
      NULL);
  Py_INCREF(&EntryType);
  if (!strDataPtr || !strShape || !strStride || !strDtype || !strIsCpu ||
      !strContiguous || !strCpu || !strView || !Unsupported ||
      PyModule_AddObject(module, "Entry", (PyObject *)&EntryType) < 0 ||
      PyModule_AddObject(module, "Unsupported", Unsupported) < 0) {
    Py_DECREF(module);
    return NULL;
  }
  Py_INCREF(Unsupported);
  return module;
}
