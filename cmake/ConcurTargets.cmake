# Helpers shared by every CMakeLists of the project.

# The warning set of DESIGN.md, on our own targets only (never exported to consumers).
function(concur_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
  if(CONCUR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# concur_module(NAME <name> [SOURCES ...] [DEPENDS ...]): one library per Python module,
# exported as concur::<name>. A module without sources is header-only (INTERFACE).
function(concur_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPENDS" ${ARGN})
  set(target concur_${M_NAME})
  if(M_SOURCES)
    add_library(${target} ${M_SOURCES})
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
    target_link_libraries(${target} PUBLIC ${M_DEPENDS})
    concur_warnings(${target})
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
    target_link_libraries(${target} INTERFACE ${M_DEPENDS})
  endif()
  target_compile_features(${target} INTERFACE cxx_std_20)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${M_NAME})
  add_library(concur::${M_NAME} ALIAS ${target})
  set_property(GLOBAL APPEND PROPERTY CONCUR_MODULES ${target})
endfunction()
