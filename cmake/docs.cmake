# The documentation's tests (CTest label docs), each registered only when what
# it needs is there:
#   docs_doxygen  the API reference (Doxyfile) builds with no warning;
#   docs_cli      docs/cli.md is what scripts/cli-docs makes from the CLI's
#                 own --help, so the reference cannot drift from the tool.

find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  # The repository's Doxyfile, with the output moved into the build tree.
  # Doxygen reads its relative paths (INPUT = include) from where it runs.
  file(WRITE ${PROJECT_BINARY_DIR}/Doxyfile.test
    "@INCLUDE = \"${PROJECT_SOURCE_DIR}/Doxyfile\"\n"
    "OUTPUT_DIRECTORY = \"${PROJECT_BINARY_DIR}/doxygen\"\n")
  add_test(NAME docs_doxygen
    COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/Doxyfile.test
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(docs_doxygen PROPERTIES LABELS docs TIMEOUT 120)
endif()

if(TARGET redstream_cli)
  add_test(NAME docs_cli
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/cli-docs --check $<TARGET_FILE:redstream_cli>)
  set_tests_properties(docs_cli PROPERTIES LABELS docs TIMEOUT 60)
endif()
