# Installs headers, libraries, the concur::concur CMake package and concur.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(concur_modules GLOBAL PROPERTY CONCUR_MODULES)
install(TARGETS ${concur_modules} concur EXPORT concurTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/concur DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT concurTargets NAMESPACE concur:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/concur)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/concurConfig.cmake.in
  ${PROJECT_BINARY_DIR}/concurConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/concur)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/concurConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/concurConfig.cmake ${PROJECT_BINARY_DIR}/concurConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/concur)

# pkg-config lists the libraries in link order: highest layer first.
set(concur_pc_libs "")
foreach(m IN LISTS concur_modules)
  get_target_property(type ${m} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    string(PREPEND concur_pc_libs "-l${m} ")
  endif()
endforeach()
file(RELATIVE_PATH concur_pc_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
  ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/concur.pc.in ${PROJECT_BINARY_DIR}/concur.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/concur.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
