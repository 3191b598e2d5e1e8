#!/usr/bin/env bash
# Builds the native libraries of the MSBuild package tests: rm -rf out && ./make-fixtures.sh. Needs gcc and binutils.
#   out/v1/libdemo.so       baseline: demo_add, demo_sub, demo_mul at DEMO_1.0
#   out/removed/libdemo.so  demo_mul removed (ABI1001)
#   out/moved/libdemo.so    demo_sub moved from DEMO_1.0 to a new node DEMO_2.0 (ABI1002)
#   out/added/libdemo.so    adds demo_div at a new node DEMO_1.1 (ABI1003, ABI1005: compatible)
#   out/needsnew/libneedsnew.so  calls arc4random, so it needs GLIBC_2.36 of libc.so.6
#   out/needsnew/libwrapper.so   needs libneedsnew.so (RUNPATH $ORIGIN): the GLIBC_2.36 need one NEEDED step down
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out
mkdir -p out/v1 out/removed out/moved out/added out/needsnew
cflags=(-O2 -s -fPIC -shared -Wl,-soname,libdemo.so -Wl,--hash-style=gnu -Wl,--build-id=none)
gcc "${cflags[@]}" -Wl,--version-script=src/v1.map -o out/v1/libdemo.so src/demo.c
gcc "${cflags[@]}" -DNO_MUL -Wl,--version-script=src/removed.map -o out/removed/libdemo.so src/demo.c
gcc "${cflags[@]}" -Wl,--version-script=src/moved.map -o out/moved/libdemo.so src/demo.c
gcc "${cflags[@]}" -DWITH_DIV -Wl,--version-script=src/added.map -o out/added/libdemo.so src/demo.c
gcc -O2 -s -fPIC -shared -Wl,-soname,libneedsnew.so -Wl,--build-id=none -o out/needsnew/libneedsnew.so src/needsnew.c
gcc -O2 -s -fPIC -shared -Wl,-soname,libwrapper.so -Wl,--build-id=none -Wl,--enable-new-dtags,-rpath,'$ORIGIN' \
  -o out/needsnew/libwrapper.so src/wrapper.c -Lout/needsnew -lneedsnew
ls -l out/*/
