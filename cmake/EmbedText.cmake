# cmake -DINPUT=file -DOUTPUT=file.inc -P EmbedText.cmake
# Writes the text of INPUT as a C++ raw string literal into OUTPUT.
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}" "R\"dyn_embedded(${content})dyn_embedded\"\n")
