#!/usr/bin/env bash
# Rebuilds the fixture pairs of the type-level diff (tests/Abi.Sdk.Tests/Abi/TypeDiffTests.cs): one folder per change
# kind with v1 and v2 sources (C, or C++ for the vtable), built with gcc/g++ -g -O0 (DWARF 5, gcc 12's default) into
# v1.so and v2.so; member-offset-changed is also built with -gdwarf-4 into v1.dwarf4.so and v2.dwarf4.so. No C
# runtime is linked, so that each output is a few KB; the build folder is mapped to '.' in the DWARF. Rerun after editing a source, and commit the outputs.
set -euo pipefail
cd "$(dirname "$0")"
flags=(-fdebug-prefix-map="$PWD"=. -shared -fPIC -nostdlib -O0 -fno-asynchronous-unwind-tables -Wl,--build-id -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
for dir in */; do
  dir=${dir%/}
  for v in v1 v2; do
    if [[ -f $dir/$v.c ]]; then
      gcc -g "${flags[@]}" -o "$dir/$v.so" "$dir/$v.c"
    else
      g++ -g -fno-rtti -fno-exceptions "${flags[@]}" -o "$dir/$v.so" "$dir/$v.cc"
    fi
  done
done
for v in v1 v2; do
  gcc -gdwarf-4 "${flags[@]}" -o "member-offset-changed/$v.dwarf4.so" "member-offset-changed/$v.c"
done
