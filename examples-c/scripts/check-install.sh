#!/usr/bin/env bash
# `make check-install`: installs into a temporary PREFIX, then builds programs the way users will:
# C and C++ through `pkg-config --cflags --libs oss_sse` (shared library) and `--static`, and, when
# cmake is installed, a CMake project using find_package(oss_sse). The hostile-call tests are the
# program: they need no endpoint, so each build is also run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
examples="$root/examples-c"
MAKE="${MAKE:-make}"
CXX="${CXX:-c++}"
prefix="$(mktemp -d "${TMPDIR:-/tmp}/oss-sse-prefix.XXXXXX")"
work="$(mktemp -d "${TMPDIR:-/tmp}/oss-sse-install-check.XXXXXX")"
trap 'rm -rf "$prefix" "$work"' EXIT

"$MAKE" -s -C "$root" install PREFIX="$prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config --cflags --libs oss_sse: $(pkg-config --cflags --libs oss_sse)"

# The examples include "common.h" from their own directory.
cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$examples" "$examples/hostile.c" \
    $(pkg-config --cflags --libs oss_sse) -Wl,-rpath,"$prefix/lib" -o "$work/hostile-shared"
"$work/hostile-shared" > /dev/null
echo "pkg-config (shared): hostile built and passed"

cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$examples" "$examples/hostile.c" \
    $(pkg-config --cflags oss_sse) "$prefix/lib/liboss_sse.a" $(pkg-config --static --libs-only-l oss_sse | sed 's/-loss_sse//') \
    -o "$work/hostile-static"
"$work/hostile-static" > /dev/null
echo "pkg-config (static): hostile built and passed"

"$CXX" -std=c++11 -Wall -Wextra -pedantic -Werror "$examples/cpp_sse_example.cpp" \
    $(pkg-config --cflags --libs oss_sse) -Wl,-rpath,"$prefix/lib" -o "$work/cpp-shared"
echo "pkg-config (shared): the C++ example builds against the installed headers"

if command -v cmake >/dev/null 2>&1; then
    mkdir -p "$work/cmake"
    cat > "$work/cmake/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.10)
project(oss_sse_consumer C CXX)
find_package(oss_sse 0.1 REQUIRED)
add_executable(hostile "$examples/hostile.c")
target_include_directories(hostile PRIVATE "$examples")
target_link_libraries(hostile PRIVATE oss_sse::oss_sse_static)
add_executable(cpp_example "$examples/cpp_sse_example.cpp")
set_property(TARGET cpp_example PROPERTY CXX_STANDARD 11)
target_link_libraries(cpp_example PRIVATE oss_sse::oss_sse)
CMAKE
    cmake -S "$work/cmake" -B "$work/cmake/build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log"
    cmake --build "$work/cmake/build" >> "$work/cmake.log"
    "$work/cmake/build/hostile" > /dev/null
    echo "cmake find_package(oss_sse): built and passed"
else
    echo "cmake is not installed: the CMake package was installed but not exercised (apt-get install cmake)"
fi
echo "check-install: ok"
