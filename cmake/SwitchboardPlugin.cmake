# sb_add_plugin(NAME <name> SOURCES <files...> [LIBS <targets...>])
#
# The one recipe every plugin is built with: a shared library named <name>.so in
# build/plugins, compiled against sdk-headers/ only, with hidden visibility and a
# version script (plugin_exports.map) so the entry symbol sb_plugin_entry is the only
# thing it exports (ABI rule 12). A plugin folder carries no export list of its own.
set(SB_PLUGIN_EXPORTS_MAP ${CMAKE_CURRENT_LIST_DIR}/plugin_exports.map)

function(sb_add_plugin)
  cmake_parse_arguments(P "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_library(${P_NAME} MODULE ${P_SOURCES})
  set_target_properties(${P_NAME} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${P_NAME}
    LIBRARY_OUTPUT_DIRECTORY ${SWITCHBOARD_PLUGIN_OUTPUT_DIR}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${P_NAME} PRIVATE switchboard::sdk ${P_LIBS})
  # (SB_NO_UNDEFINED_LINK_OPTION: cmake/Hardening.cmake)
  target_link_options(${P_NAME} PRIVATE
    ${SB_NO_UNDEFINED_LINK_OPTION} "-Wl,--version-script=${SB_PLUGIN_EXPORTS_MAP}")
  set_property(TARGET ${P_NAME} APPEND PROPERTY LINK_DEPENDS ${SB_PLUGIN_EXPORTS_MAP})
  install(TARGETS ${P_NAME} LIBRARY DESTINATION ${SWITCHBOARD_INSTALL_PLUGINDIR})
endfunction()

# Adds every immediate subfolder of the current source dir that has a CMakeLists.txt,
# so a new plugin or test folder needs no edit elsewhere.
function(sb_add_subfolders)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child ${children})
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
