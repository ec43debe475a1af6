# shellcheck shell=bash
# CMake options of the developer build in build/, shared by scripts/test and
# scripts/demo so that neither makes the other reconfigure and rebuild.
# shellcheck disable=SC2034  # used by the scripts that source this file
dev_cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=g++
    -DREDSTREAM_DEV=ON -DREDSTREAM_BUILD_BENCH=ON)
