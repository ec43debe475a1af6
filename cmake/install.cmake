# Installs the library so that find_package(redstream) and pkg-config both find it.
include(CMakePackageConfigHelpers)

set(REDSTREAM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/redstream)

install(TARGETS redstream EXPORT redstreamTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/redstream DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${REDSTREAM_GENERATED_INCLUDE_DIR}/redstream/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/redstream)
install(EXPORT redstreamTargets NAMESPACE redstream:: DESTINATION ${REDSTREAM_CMAKE_DIR})
# The TLS component has targets of its own, loaded only when asked for
# (find_package(redstream COMPONENTS tls)): the core needs no OpenSSL.
if(REDSTREAM_TLS)
  install(TARGETS redstream_tls redstream_tls_link EXPORT redstreamTlsTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT redstreamTlsTargets NAMESPACE redstream:: DESTINATION ${REDSTREAM_CMAKE_DIR})
endif()

configure_package_config_file(cmake/redstreamConfig.cmake.in
  ${PROJECT_BINARY_DIR}/redstreamConfig.cmake
  INSTALL_DESTINATION ${REDSTREAM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/redstreamConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/redstreamConfig.cmake
  ${PROJECT_BINARY_DIR}/redstreamConfigVersion.cmake
  DESTINATION ${REDSTREAM_CMAKE_DIR})

# pkg-config. The directories are ${prefix}-relative unless they were given as
# absolute paths; the prefix itself is the one the install runs with, which
# `cmake --install --prefix` may change after configuring, so it is filled in
# at install time (without DESTDIR: a staged install describes its final place).
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(REDSTREAM_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(REDSTREAM_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
# A compiler finds its own include directories; only another Asio needs a -I.
set(REDSTREAM_PC_ASIO_CFLAGS "")
if(NOT ASIO_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  set(REDSTREAM_PC_ASIO_CFLAGS " -I${ASIO_INCLUDE_DIR}")
endif()
set(REDSTREAM_PC_PREFIX "@REDSTREAM_INSTALL_PREFIX@")
set(REDSTREAM_PC_FILES redstream)
if(REDSTREAM_TLS)
  list(APPEND REDSTREAM_PC_FILES redstream-tls)
endif()
foreach(pc IN LISTS REDSTREAM_PC_FILES)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc.in @ONLY)
  install(CODE "
    set(REDSTREAM_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(\"${PROJECT_BINARY_DIR}/${pc}.pc.in\" \"${PROJECT_BINARY_DIR}/${pc}.pc\" @ONLY)")
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
