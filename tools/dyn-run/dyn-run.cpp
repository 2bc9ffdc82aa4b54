//===- dyn-run.cpp - run and time entry points of a compiled network ------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   dyn-run IN.(mlir|so) [--entry NAME] [--input FILE.npy]...
//           [--output-dir DIR] [--repeat N --warmup W]
//
// A .mlir input is compiled first (as dyn-compile --emit=shared would) into
// a temporary shared library; a .so is loaded as is. Inputs are .npy files
// in argument order; outputs are written as DIR/out0.npy, DIR/out1.npy, ...
// Every problem (missing file, wrong rank/shape/dtype, unknown entry) ends
// with a message and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "dyn/Compiler/CompileFlags.h"
#include "dyn/Compiler/Compiler.h"
#include "dyn/Runtime/dyn_runtime.h"
#include "dyn/Support/OutputFiles.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <dlfcn.h>

namespace cl = llvm::cl;
using llvm::StringRef;

namespace {
cl::OptionCategory category("dyn-run options");
cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                               cl::desc("<network .mlir or compiled .so>"),
                               cl::cat(category));
cl::opt<std::string> entry("entry",
                           cl::desc("Entry point to run (default: the first "
                                    "in the module's signature)"),
                           cl::cat(category));
cl::list<std::string> inputs("input",
                             cl::desc("A .npy input; repeat in argument order"),
                             cl::value_desc("file.npy"), cl::cat(category));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write outputs as DIR/out<i>.npy"),
                               cl::value_desc("dir"), cl::cat(category));
cl::opt<unsigned> repeat("repeat",
                         cl::desc("Time N calls and print latency statistics"),
                         cl::init(0), cl::cat(category));
cl::opt<unsigned> warmup("warmup",
                         cl::desc("Untimed calls before the timed ones"),
                         cl::init(0), cl::cat(category));
/// --threads (registered in main: see there).
unsigned numThreads = 0;
cl::opt<bool> quiet("quiet", cl::desc("Do not print the outputs"),
                    cl::cat(category));
cl::opt<bool> reportMemory(
    "report-memory",
    cl::desc("Print the peak bytes of buffers the compiled code allocated "
             "(live at once, outputs included) over the calls"),
    cl::cat(category));
// The compile options of dyn-compile, for .mlir inputs.
mlir::dyn::CompileFlags
    compileFlags(category,
                 "Target when compiling a .mlir input: x86_64 (default) or "
                 "nvptx (CUDA GPU)");

int fail(const llvm::Twine &message) {
  llvm::errs() << "dyn-run: error: " << message << "\n";
  return 1;
}

/// One parsed line of dyn_module_signature.
struct EntrySignature {
  std::string name;
  std::string text;
  size_t numInputs = 0;
  size_t numOutputs = 0;
};

size_t countTypes(StringRef list) {
  list = list.trim();
  if (list.empty())
    return 0;
  // Types are `f32[2,?]`: count the top-level commas outside brackets.
  size_t count = 1;
  int depth = 0;
  for (char c : list) {
    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
    count += (c == ',' && depth == 0);
  }
  return count;
}

std::vector<EntrySignature> parseSignature(StringRef text) {
  std::vector<EntrySignature> entries;
  llvm::SmallVector<StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    EntrySignature sig;
    sig.text = line.str();
    sig.name = line.take_until([](char c) { return c == '('; }).str();
    StringRef args = line.drop_front(sig.name.size() + 1);
    StringRef ins = args.take_until([](char c) { return c == ')'; });
    StringRef outs = args.drop_front(ins.size());
    outs = outs.drop_until([](char c) { return c == '('; }).drop_front();
    outs = outs.take_until([](char c) { return c == ')'; });
    sig.numInputs = countTypes(ins);
    sig.numOutputs = countTypes(outs);
    entries.push_back(sig);
  }
  return entries;
}

/// Compiles a .mlir file into a temporary shared library.
llvm::Expected<std::string> compileToSharedLibrary(const char *argv0) {
  mlir::DialectRegistry registry;
  mlir::dyn::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::dyn::ErrorDiagnosticObserver errors(&context);
  std::string error;
  auto file = mlir::openInputFile(inputFile, &error);
  if (!file)
    return llvm::createStringError(error);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  auto module = mlir::dyn::parseInputModule(sourceMgr, &context);
  if (!module)
    return llvm::createStringError("cannot parse " + inputFile);

  mlir::dyn::CompileOptions options = compileFlags.getOptions();
  if (options.target != "x86_64" && options.target != "nvptx")
    return llvm::createStringError("dyn-run runs x86_64 or nvptx code on "
                                   "this machine, not '" +
                                   options.target + "'");
  auto compiler = mlir::dyn::Compiler::create(options);
  if (!compiler)
    return compiler.takeError();
  llvm::SmallString<128> shared;
  if (llvm::sys::fs::createTemporaryFile("dyn-run", "so", shared))
    return llvm::createStringError("cannot create temporary files");
  // Kept only when linking succeeds (then run() loads and removes it).
  llvm::FileRemover removeShared(shared);
  if (mlir::failed((*compiler)->compileToSharedLibrary(
          *module, shared, (*compiler)->getLinkOptions(argv0))) ||
      errors.sawError())
    return llvm::createStringError("compiling " + inputFile + " failed");
  removeShared.releaseFile();
  return std::string(shared);
}

std::string summarize(const dyn_tensor &t) {
  std::string text = std::string(dyn_dtype_name(t.dtype)) + "[";
  int64_t n = 1;
  for (int64_t d = 0; d < t.rank; ++d) {
    text += (d ? "," : "") + std::to_string(t.sizes[d]);
    n *= t.sizes[d];
  }
  text += "] = [";
  const int64_t shown = std::min<int64_t>(n, 8);
  for (int64_t i = 0; i < shown; ++i) {
    const char *p = static_cast<const char *>(t.data) +
                    i * static_cast<int64_t>(dyn_dtype_size(t.dtype));
    std::string value;
    switch (t.dtype) {
    case DYN_F32: {
      float v;
      std::memcpy(&v, p, 4);
      value = llvm::formatv("{0}", llvm::format("%g", v)).str();
      break;
    }
    case DYN_F64: {
      double v;
      std::memcpy(&v, p, 8);
      value = llvm::formatv("{0}", llvm::format("%g", v)).str();
      break;
    }
    case DYN_F16:
    case DYN_BF16: {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      llvm::APFloat half(t.dtype == DYN_F16 ? llvm::APFloat::IEEEhalf()
                                            : llvm::APFloat::BFloat(),
                         llvm::APInt(16, bits));
      value =
          llvm::formatv("{0}", llvm::format("%g", half.convertToFloat())).str();
      break;
    }
    case DYN_I1:
      value = *p ? "true" : "false";
      break;
    case DYN_I8:
      value = std::to_string(
          static_cast<int>(*reinterpret_cast<const int8_t *>(p)));
      break;
    case DYN_I16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      value = std::to_string(v);
      break;
    }
    case DYN_I32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      value = std::to_string(v);
      break;
    }
    case DYN_I64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      value = std::to_string(v);
      break;
    }
    default:
      value = "?";
    }
    text += (i ? ", " : "") + value;
  }
  return text + (n > shown ? ", ...]" : "]");
}

std::vector<double> sortedSamples(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples;
}

/// The `p` quantile (nearest rank) of non-empty sorted samples.
double percentile(const std::vector<double> &sorted, double p) {
  size_t index = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

using EntryFn = int32_t (*)(const dyn_tensor *, int64_t, dyn_tensor *, int64_t);

#if defined(__aarch64__)
constexpr unsigned kHostMachine = llvm::ELF::EM_AARCH64;
#else
constexpr unsigned kHostMachine = llvm::ELF::EM_X86_64;
#endif

/// Checks that `path` is a complete ELF shared object for this machine
/// before dlopen maps it: a truncated file maps pages past its end and
/// dlopen dies of SIGBUS touching them instead of returning an error.
/// LLVM's ELF reader checks the header and the program header table; the
/// loaded segments' extents are checked here.
llvm::Error checkSharedObject(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  auto invalid = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + path +
                                       "' is not a loadable shared "
                                       "library: " +
                                       why);
  };
  if (llvm::identify_magic(bytes) != llvm::file_magic::elf_shared_object)
    return invalid("not an ELF shared object");
  auto elf = llvm::object::ELF64LEFile::create(bytes);
  if (!elf)
    return invalid(llvm::toString(elf.takeError()));
  if (elf->getHeader().e_machine != kHostMachine)
    return invalid("built for another machine");
  auto segments = elf->program_headers();
  if (!segments)
    return invalid(llvm::toString(segments.takeError()));
  for (auto [i, segment] : llvm::enumerate(*segments))
    if (segment.p_type == llvm::ELF::PT_LOAD &&
        (segment.p_offset > bytes.size() ||
         segment.p_filesz > bytes.size() - segment.p_offset))
      return invalid("truncated (segment " + llvm::Twine(i) + " ends past " +
                     llvm::Twine(bytes.size()) + " bytes)");
  return llvm::Error::success();
}

int run(const char *argv0) {
  // 1. The artifact.
  std::string library = inputFile;
  bool temporary = false;
  if (!llvm::sys::fs::exists(inputFile))
    return fail("cannot find '" + inputFile + "'");
  if (StringRef(inputFile).ends_with(".mlir")) {
    auto compiled = compileToSharedLibrary(argv0);
    if (!compiled)
      return fail(llvm::toString(compiled.takeError()));
    library = *compiled;
    temporary = true;
  }
  if (llvm::Error error = checkSharedObject(library)) {
    if (temporary)
      llvm::sys::fs::remove(library);
    return fail(llvm::toString(std::move(error)));
  }
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (temporary)
    llvm::sys::fs::remove(library);
  if (!handle)
    return fail(llvm::Twine("cannot load '") + inputFile + "': " + dlerror());

  auto *signatureText =
      static_cast<const char *>(dlsym(handle, "dyn_module_signature"));
  auto lastError =
      reinterpret_cast<const char *(*)()>(dlsym(handle, "dyn_last_error"));
  if (!signatureText || !lastError)
    return fail("'" + inputFile +
                "' is not a dyn artifact (no "
                "dyn_module_signature / dyn_last_error)");
  if (numThreads > 0) {
    auto setThreads = reinterpret_cast<int32_t (*)(int32_t)>(
        dlsym(handle, "dyn_set_num_threads"));
    if (!setThreads)
      return fail("'" + inputFile +
                  "' has no thread pool (dyn_set_num_threads): recompile it "
                  "for --threads");
    if (numThreads > 256 || setThreads(static_cast<int32_t>(numThreads)) < 0)
      return fail("--threads must be between 1 and 256, not " +
                  llvm::Twine(numThreads));
  }
  std::vector<EntrySignature> entries = parseSignature(signatureText);
  if (entries.empty())
    return fail("'" + inputFile + "' has no entry points");

  // 2. The entry point.
  const EntrySignature *selected = &entries.front();
  if (!entry.empty()) {
    auto it = llvm::find_if(
        entries, [](const EntrySignature &e) { return e.name == entry; });
    if (it == entries.end()) {
      std::string names;
      for (const EntrySignature &e : entries)
        names += (names.empty() ? "" : ", ") + e.name;
      return fail("no entry point '" + entry + "' in '" + inputFile +
                  "' (available: " + names + ")");
    }
    selected = &*it;
  }
  auto function = reinterpret_cast<EntryFn>(
      dlsym(handle, ("dyn_" + selected->name).c_str()));
  if (!function)
    return fail("'" + inputFile + "' lists '" + selected->name +
                "' but does not export dyn_" + selected->name);

  // 3. Inputs.
  std::vector<dyn::NpyArray> arrays;
  for (const std::string &path : inputs) {
    auto array = dyn::readNpy(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    if (array->shape.size() > DYN_MAX_RANK)
      return fail(path + ": rank " + llvm::Twine(array->shape.size()) +
                  " exceeds the ABI's maximum of " + llvm::Twine(DYN_MAX_RANK));
    arrays.push_back(std::move(*array));
  }
  if (arrays.size() != selected->numInputs)
    return fail(llvm::Twine(selected->name) + " takes " +
                llvm::Twine(selected->numInputs) + " input(s), " +
                llvm::Twine(arrays.size()) + " given (" + selected->text + ")");
  std::vector<dyn_tensor> in(arrays.size());
  for (auto [tensor, array] : llvm::zip(in, arrays)) {
    std::memset(&tensor, 0, sizeof(tensor));
    tensor.data = array.data.data();
    tensor.rank = array.shape.size();
    tensor.dtype = array.dtype;
    int64_t stride = 1;
    for (int64_t d = tensor.rank - 1; d >= 0; --d) {
      tensor.sizes[d] = array.shape[d];
      tensor.strides[d] = stride;
      stride *= array.shape[d];
    }
  }

  // 4. Calls.
  std::vector<dyn_tensor> out(selected->numOutputs);
  auto call = [&]() -> bool {
    int32_t status = function(in.data(), in.size(), out.data(), out.size());
    if (status != DYN_OK) {
      fail(lastError());
      return false;
    }
    return true;
  };
  // The artifact's own release: its runtime allocated (and accounts for)
  // the buffers.
  auto releaseTensor = reinterpret_cast<void (*)(dyn_tensor *)>(
      dlsym(handle, "dyn_tensor_release"));
  if (!releaseTensor)
    return fail("'" + inputFile + "' does not export dyn_tensor_release");
  auto release = [&]() {
    for (dyn_tensor &t : out)
      releaseTensor(&t);
  };
  auto peakBytes =
      reinterpret_cast<int64_t (*)()>(dlsym(handle, "dyn_memory_peak_bytes"));
  auto resetPeak =
      reinterpret_cast<void (*)()>(dlsym(handle, "dyn_memory_reset_peak"));
  if (reportMemory && (!peakBytes || !resetPeak))
    return fail("'" + inputFile +
                "' has no memory accounting "
                "(dyn_memory_peak_bytes)");
  if (resetPeak)
    resetPeak();
  for (unsigned i = 0; i < warmup; ++i) {
    if (!call())
      return 1;
    release();
  }
  // CUDA artifacts also time the call on the device: events recorded on
  // the call's stream before and after it (transfers included).
  auto deviceBegin =
      reinterpret_cast<void (*)()>(dlsym(handle, "dyn_cuda_timing_begin"));
  auto deviceEnd =
      reinterpret_cast<double (*)()>(dlsym(handle, "dyn_cuda_timing_end"));
  bool deviceTiming = deviceBegin && deviceEnd;
  std::vector<double> micros, deviceMicros;
  for (unsigned i = 0; i < std::max(1u, repeat.getValue()); ++i) {
    if (deviceTiming)
      deviceBegin();
    auto start = std::chrono::steady_clock::now();
    if (!call())
      return 1;
    auto stop = std::chrono::steady_clock::now();
    if (deviceTiming)
      deviceMicros.push_back(deviceEnd());
    micros.push_back(
        std::chrono::duration<double, std::micro>(stop - start).count());
    if (i + 1 < std::max(1u, repeat.getValue()))
      release();
  }

  // 5. Results: every out<i>.npy or none (written beside, then renamed).
  mlir::dyn::OutputFiles files;
  if (!outputDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create '" + outputDir + "': " + ec.message());
  for (auto [j, tensor] : llvm::enumerate(out)) {
    if (!quiet)
      llvm::outs() << "out" << j << ": " << summarize(tensor) << "\n";
    if (outputDir.empty())
      continue;
    llvm::SmallString<256> path(outputDir.getValue());
    llvm::sys::path::append(path, "out" + std::to_string(j) + ".npy");
    std::vector<int64_t> shape(tensor.sizes, tensor.sizes + tensor.rank);
    int64_t n = 1;
    for (int64_t extent : shape)
      n *= extent;
    llvm::Expected<std::string> temporary = files.add(path);
    if (!temporary)
      return fail(llvm::toString(temporary.takeError()));
    if (llvm::Error error =
            dyn::writeNpy(*temporary, tensor.dtype, shape,
                          static_cast<const char *>(tensor.data),
                          n * dyn_dtype_size(tensor.dtype), path))
      return fail(llvm::toString(std::move(error)));
  }
  if (llvm::Error error = files.commit())
    return fail(llvm::toString(std::move(error)));
  release();

  if (reportMemory) {
    llvm::outs() << "peak memory: " << peakBytes()
                 << " bytes allocated by compiled code";
    // Older artifacts have no allocation counter.
    auto allocations = reinterpret_cast<int64_t (*)()>(
        dlsym(handle, "dyn_memory_allocations"));
    unsigned calls = warmup + std::max(1u, repeat.getValue());
    if (allocations)
      llvm::outs() << llvm::formatv(", {0:F1} allocations per call",
                                    double(allocations()) / calls);
    llvm::outs() << "\n";
  }
  if (repeat > 0 && deviceTiming) {
    std::vector<double> sorted = sortedSamples(deviceMicros);
    if (!sorted.empty() && sorted.front() >= 0)
      llvm::outs() << llvm::formatv(
          "{0}: device (CUDA events on the call's stream, transfers "
          "included): median {1:F2} us, p90 {2:F2} us\n",
          selected->name, percentile(sorted, 0.5), percentile(sorted, 0.9));
  }
  if (repeat > 0) {
    std::vector<double> sorted = sortedSamples(micros);
    double mean = 0;
    for (double m : sorted)
      mean += m / sorted.size();
    llvm::outs() << llvm::formatv(
        "{0}: {1} runs after {2} warm-up: median {3:F2} us, p90 {4:F2} us, "
        "min {5:F2} us, mean {6:F2} us\n",
        selected->name, sorted.size(), warmup.getValue(),
        percentile(sorted, 0.5), percentile(sorted, 0.9), sorted.front(), mean);
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // LLVM's ThinLTO code generator, linked in for the in-process compile but
  // never run by it, registers "-threads" at start-up: it moves aside for
  // ours, which therefore cannot be a static option.
  if (cl::Option *taken = cl::getRegisteredOptions().lookup("threads"))
    taken->setArgStr("llvm-lto-threads");
  static cl::opt<unsigned, /*ExternalStorage=*/true> threads(
      "threads",
      cl::desc("Threads the artifact's parallel loops use (1 to 256; 0: "
               "DYN_NUM_THREADS, else 1)"),
      cl::location(numThreads), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dyn-run: run an entry point of a dynamic network on .npy inputs\n\n"
      "A .mlir input is compiled for this machine first; a .so made by "
      "dyn-compile is loaded directly. Outputs are printed (first values) and "
      "written as DIR/out<i>.npy with --output-dir; --repeat N times N calls "
      "and prints median and p90 latency.\n");
  return run(argv[0]);
}
