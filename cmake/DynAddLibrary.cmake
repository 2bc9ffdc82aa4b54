#===- DynAddLibrary.cmake - helpers for dyn libraries -----------*- cmake -*-===#
#
# add_dyn_library(name ...): an MLIR library (same arguments as
# add_mlir_library) that is installed into dyn's own export set `DynTargets`
# instead of upstream's `MLIRTargets`, so find_package(Dyn) can import it.
#
#===----------------------------------------------------------------------===#
function(add_dyn_library name)
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL EXCLUDE_FROM_LIBMLIR)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${DYN_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${DYN_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  install(TARGETS ${name} EXPORT DynTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY DYN_ALL_LIBS ${name})
endfunction()
