#!/usr/bin/env bash
# Rebuilds the pair of the type-level suppression tests (tests/Abi.Sdk.Tests/Abi/TypeSuppressionTests.cs): v1.c and
# v2.c, each function reaching one type that changes in one way, built with gcc -g -O0 (DWARF 5) into v1.so and
# v2.so (S, P and T are declared in sup-a.h, M and U in include/sup-b.h, for source_location_not_in/_regexp), and
# with -gdwarf-4 into dw4-v1.so and dw4-v2.so (DWARF 4 line tables); cxx-v1.cc and cxx-v2.cc (references, member
# functions) with g++ into cxx-v1.so and cxx-v2.so. No C runtime
# is linked, so each output is a few KB; the build folder is mapped to '.' in the DWARF. Rerun after editing a
# source, and commit the outputs.
set -euo pipefail
cd "$(dirname "$0")"
flags=(-fdebug-prefix-map="$PWD"=. -shared -fPIC -nostdlib -O0 -fno-asynchronous-unwind-tables -Wl,--build-id -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
for v in v1 v2; do
  gcc -g "${flags[@]}" -Wl,-soname,libsup.so.1 -o "$v.so" "$v.c"
  gcc -gdwarf-4 "${flags[@]}" -Wl,-soname,libsup.so.1 -o "dw4-$v.so" "$v.c"
  g++ -g -fno-rtti -fno-exceptions "${flags[@]}" -Wl,-soname,libsupxx.so.1 -o "cxx-$v.so" "cxx-$v.cc"
done
