#!/usr/bin/env bash
# Rebuilds the ABI fixture pairs: for every case folder, v1.c + v1.map -> v1.so and v2.c + v2.map -> v2.so.
# Optional vN.args add gcc arguments (a SONAME, -m32, -lm). Outputs are tiny (no C runtime, stripped, 4 KiB pages)
# and committed; rerun after editing a source:  tests/Abi.Sdk.Tests/Fixtures/abi/build.sh
# A folder with a file named "relocatable" gets relocatable objects instead (gcc -c: v1.o, v2.o); a post.sh in a
# folder runs after its pair is built.
set -euo pipefail
cd "$(dirname "$0")"
for dir in */; do
  dir=${dir%/}
  for v in v1 v2; do
    [ -f "$dir/$v.c" ] || continue
    if [ -f "$dir/relocatable" ]; then
      gcc -c -fPIC -O2 -g0 -fno-asynchronous-unwind-tables -o "$dir/$v.o" "$dir/$v.c"
      continue
    fi
    args=()
    if [ -f "$dir/$v.args" ]; then read -r -a args < "$dir/$v.args"; fi
    soname=libfix.so.1
    map=()
    if [ -f "$dir/$v.map" ]; then map=(-Wl,--version-script="$dir/$v.map"); fi
    gcc -shared -fPIC -nostdlib -Os -s -fno-asynchronous-unwind-tables \
        -Wl,-z,max-page-size=0x1000 -Wl,-z,noseparate-code -Wl,--hash-style=gnu -Wl,--build-id=none \
        -Wl,-soname,"$soname" "${map[@]}" -o "$dir/$v.so" "$dir/$v.c" "${args[@]}"
  done
  if [ -x "$dir/post.sh" ]; then "$dir/post.sh"; fi
done
echo "built: $(ls -d */ | wc -l) pairs"
