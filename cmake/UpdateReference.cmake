#===- UpdateReference.cmake - regenerate docs/reference ---------*- cmake -*-===#
#
# cmake -DBINARY_DIR=<build> -DSOURCE_DIR=<repo> -DDYN_COMPILE=<dyn-compile>
#       -DFILES="Dialects/DynDialect.md;Passes/..." -P UpdateReference.cmake
#
# Copies the ODS-generated reference (mlir-doc's output under
# <build>/docs) into <repo>/docs/reference and writes the option reference
# from `dyn-compile --list-options=markdown`. Run by the `dyn-docs` target;
# test/Docs/reference.test fails when the committed copy differs.
#
#===----------------------------------------------------------------------===#
foreach(file IN LISTS FILES)
  get_filename_component(dir ${SOURCE_DIR}/docs/reference/${file} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(COPY_FILE ${BINARY_DIR}/docs/${file} ${SOURCE_DIR}/docs/reference/${file}
       ONLY_IF_DIFFERENT)
endforeach()
execute_process(COMMAND ${DYN_COMPILE} --list-options=markdown
                OUTPUT_FILE ${SOURCE_DIR}/docs/reference/options.md
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "dyn-compile --list-options failed (${status})")
endif()
