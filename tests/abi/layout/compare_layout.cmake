# The abi_layout test: runs the layout printer and compares its output with the
# layout recorded for that ABI version. How to record a new one: see the comment at
# the top of print_layout.c.
#   cmake -DPRINTER=<abi_print_layout> -DLAYOUT_DIR=<tests/abi/layout> -P compare_layout.cmake
execute_process(COMMAND ${PRINTER} OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PRINTER} failed: ${rc}")
endif()
if(NOT actual MATCHES "^abi ([0-9]+)\\.([0-9]+)\n")
  message(FATAL_ERROR "unexpected first line from ${PRINTER}")
endif()
set(major ${CMAKE_MATCH_1})
set(minor ${CMAKE_MATCH_2})
set(recorded ${LAYOUT_DIR}/${major}.${minor}.txt)
set(how "bump SB_ABI_MINOR in sdk-headers/switchboard/sb_plugin.h if the change is additive (fields appended at the end of a struct, new constants), SB_ABI_MAJOR otherwise, then record the new layout: ${PRINTER} > ${LAYOUT_DIR}/<major>.<minor>.txt (see tests/abi/layout/print_layout.c)")

if(NOT EXISTS ${recorded})
  message(FATAL_ERROR "No layout is recorded for ABI ${major}.${minor}. If you bumped the version on purpose, record it: ${PRINTER} > ${recorded}")
endif()

file(READ ${recorded} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/abi_layout_actual.txt "${actual}")
  execute_process(COMMAND diff -u ${recorded} ${CMAKE_CURRENT_BINARY_DIR}/abi_layout_actual.txt OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "sb_plugin.h no longer matches the layout recorded for ABI ${major}.${minor}:\n${diff}\nThe ABI changed without a version bump: ${how}")
endif()

# A minor bump may only add: every field and constant of an older minor of the same
# major must still be there, unchanged.
file(GLOB older ${LAYOUT_DIR}/${major}.*.txt)
foreach(file ${older})
  get_filename_component(old_version ${file} NAME)
  string(REGEX MATCH "^${major}\\.([0-9]+)\\.txt$" _ "${old_version}")
  if(CMAKE_MATCH_1 LESS minor)
    file(STRINGS ${file} old_lines REGEX "^(field|const|symbol|service) ")
    foreach(line ${old_lines})
      string(FIND "${actual}" "${line}\n" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "ABI ${major}.${minor} breaks ${old_version}: '${line}' changed. Only appending is allowed within a major; bump SB_ABI_MAJOR instead.")
      endif()
    endforeach()
  endif()
endforeach()
message(STATUS "ABI ${major}.${minor} layout matches ${recorded}")
