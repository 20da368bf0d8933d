# Build variants that look for bugs rather than ship: warnings as errors, the
# sanitizers, and the libFuzzer harnesses (tests/fuzz). Each is meant for its own
# build dir (build-asan, build-tsan, build-fuzz), because sanitized objects do not
# mix with plain ones.
#
#   -DSWITCHBOARD_WERROR=ON                     every warning fails the build
#   -DSWITCHBOARD_SANITIZE=address,undefined    ASan + UBSan on every target
#   -DSWITCHBOARD_SANITIZE=thread               TSan on every target
#   -DSWITCHBOARD_FUZZ=ON                       tests/fuzz (clang only; ASan + UBSan
#                                               and libFuzzer's coverage on every target)
option(SWITCHBOARD_WERROR "Treat compiler warnings as errors" OFF)
set(SWITCHBOARD_SANITIZE "" CACHE STRING
    "Sanitizers for every target, as -fsanitize= takes them: address,undefined or thread")
option(SWITCHBOARD_FUZZ "Build the libFuzzer harnesses in tests/fuzz (clang only)" OFF)

# GCC 12 reports -Wrestrict inside libstdc++ for "literal" + std::string&& (GCC bug
# 105329, fixed in 13): a false positive about the library's own copy, which put 17
# warnings ("may overlap up to 9223372036854775813 bytes") into every build, README's
# first command included. Off for those compilers only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()

if(SWITCHBOARD_WERROR)
  add_compile_options(-Werror)
endif()

if(SWITCHBOARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SWITCHBOARD_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # The harnesses find memory errors and undefined behaviour, not just crashes.
  if(SWITCHBOARD_SANITIZE STREQUAL "")
    set(SWITCHBOARD_SANITIZE address,undefined)
  endif()
  # Coverage feedback everywhere; only the harness executables link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Plugins (and the test plugins) are linked with --no-undefined, except in a
# sanitized clang build: clang leaves the sanitizers' runtime out of shared
# objects (the executable that loads them brings it).
set(SB_NO_UNDEFINED_LINK_OPTION -Wl,--no-undefined)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT SWITCHBOARD_SANITIZE STREQUAL "")
  set(SB_NO_UNDEFINED_LINK_OPTION "")
endif()

if(NOT SWITCHBOARD_SANITIZE STREQUAL "")
  if(SWITCHBOARD_SANITIZE MATCHES "thread" AND SWITCHBOARD_SANITIZE MATCHES "address")
    message(FATAL_ERROR "SWITCHBOARD_SANITIZE: thread cannot be combined with address")
  endif()
  # Configure these builds as Debug, so assertions stay on; -O1 keeps the tests'
  # timing close enough to a release build's. Frame pointers and line tables make
  # the reports readable; undefined behaviour stops the program (and fails its
  # test) instead of printing and going on.
  add_compile_options(-fsanitize=${SWITCHBOARD_SANITIZE} -O1 -fno-omit-frame-pointer -g1)
  add_link_options(-fsanitize=${SWITCHBOARD_SANITIZE})
  if(SWITCHBOARD_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
