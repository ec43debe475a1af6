# redstream/version.hpp, generated from project(VERSION) so that the version
# is written in one place. It lands in the build tree (added to the include
# path) and is installed with the other headers.
set(REDSTREAM_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/include)
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.hpp.in
  ${REDSTREAM_GENERATED_INCLUDE_DIR}/redstream/version.hpp @ONLY)

# The shared library's soname. Before 1.0 a minor release may break the ABI,
# so the soname carries the minor version too (libredstream.so.0.1).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(REDSTREAM_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(REDSTREAM_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()
