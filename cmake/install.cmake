# Installs the library so that find_package(redstream) and pkg-config both find it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS redstream EXPORT redstreamTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/redstream DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT redstreamTargets NAMESPACE redstream::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redstream)

configure_package_config_file(cmake/redstreamConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/redstreamConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redstream)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/redstreamConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/redstreamConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/redstreamConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redstream)

configure_file(cmake/redstream.pc.in ${CMAKE_CURRENT_BINARY_DIR}/redstream.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/redstream.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
