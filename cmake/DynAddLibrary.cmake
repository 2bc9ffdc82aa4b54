#===- DynAddLibrary.cmake - helpers for dyn libraries -----------*- cmake -*-===#
#
# add_dyn_library(name ...): an MLIR library (same arguments as
# add_mlir_library) that is installed into dyn's own export set `DynTargets`
# instead of upstream's `MLIRTargets`, so find_package(Dyn) can import it.
#
#===----------------------------------------------------------------------===#
function(add_dyn_library name)
  # OBJECT: the objects are also linked, without the static MLIR libraries,
  # into DynPlugin (lib/Plugin), which loads into tools built on libMLIR.so.
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL EXCLUDE_FROM_LIBMLIR OBJECT)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${DYN_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${DYN_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  # An instrumented library needs the sanitizer runtime wherever it is
  # linked, also in projects that find_package(Dyn) it.
  if(DYN_SANITIZER_FLAGS)
    target_link_options(${name} INTERFACE ${DYN_SANITIZER_FLAGS})
  endif()
  install(TARGETS ${name} EXPORT DynTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY DYN_ALL_LIBS ${name})
endfunction()

# dyn_get_mlir_libs(var property...): the libraries of upstream's global
# library properties (MLIR_DIALECT_LIBS, ...), without upstream's test
# dialects and passes, which Debian's MLIR 22 exports linking the shared
# libMLIR.so: linked beside the static libraries, every MLIR global would
# exist twice in one process (an ODR violation that sanitizers report).
function(dyn_get_mlir_libs var)
  set(libs)
  foreach(property ${ARGN})
    get_property(part GLOBAL PROPERTY ${property})
    list(APPEND libs ${part})
  endforeach()
  list(FILTER libs EXCLUDE REGEX "Test")
  set(${var} ${libs} PARENT_SCOPE)
endfunction()
