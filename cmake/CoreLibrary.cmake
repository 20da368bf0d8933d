# Each core library publishes only its own headers to the targets that link it.
#
# Headers are included as "<folder>/<file>.hpp" (core/ is the root). Publishing core/
# itself would let any library include any other's headers whether it links it or not,
# so the layering would live only in review. Instead each library gets an include root
# of its own in the build tree holding one link, <root>/<folder> -> core/<folder>: a
# target sees the headers of exactly the libraries it links (PUBLIC links pass theirs
# on), and an include across the layering is a compile error.
function(sb_publish_headers target)
  get_filename_component(folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  set(root "${PROJECT_BINARY_DIR}/core-include/${folder}")
  file(MAKE_DIRECTORY "${root}")
  file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}" "${root}/${folder}" SYMBOLIC)
  target_include_directories(${target} PUBLIC "${root}")
endfunction()
