#!/usr/bin/env bash
# Builds the x86 ISA-level fixtures (tests/Abi.Sdk.Tests/Compatibility/IsaLevelTests.cs): libraries and programs
# marked by the linker (-z x86-64-v2/v3/v4: GNU_PROPERTY_X86_ISA_1_NEEDED), with no C library in them, so the loader of
# any glibc release runs them (glibc 2.31's too, which lacks GLIBC_2.34). Rerunnable: ./make-fixtures.sh. Needs gcc,
# binutils. The static executables are built at test time (gcc -static): a static glibc is too large to commit.
#   out/lib{,-v2,-v3,-v4}/libisa.so.1     lib_value() = 42, unmarked or marked
#   out/lib-v3-note4/libisa.so.1          lib-v3's, its property note segment declared 4-aligned
#   out/apps/app{,-v2,-v3,-v4}            need libisa.so.1 (no RPATH: given a library path), unmarked or marked
#   out/apps/app-rpath-v3                 marked v3, RUNPATH $ORIGIN/../lib-v3 (for loaders run without a library path)
#   out/hw/libhw.so.1, out/hw/glibc-hwcaps/x86-64-v{2,3}/libhw.so.1   hw_value() = 1, 2, 3; the v2 one is marked v3
#   out/hw-ok/...                         the same, each marked at its own level
#   out/apps/app-hw                       needs libhw.so.1; exits with hw_value()
#   out/apps/app-hw-rpath                 the same with RUNPATH $ORIGIN/../hw-ok
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out
mkdir -p out/lib out/lib-v2 out/lib-v3 out/lib-v4 out/apps out/hw/glibc-hwcaps/x86-64-v2 out/hw/glibc-hwcaps/x86-64-v3 \
         out/hw-ok/glibc-hwcaps/x86-64-v2 out/hw-ok/glibc-hwcaps/x86-64-v3
# Small outputs: no C library, optimised for size, stripped, no separate code segment, no build-id.
cflags=(-Os -s -fPIC -nostdlib -fno-stack-protector -fcf-protection=none -Wl,-z,noseparate-code -Wl,--hash-style=gnu -Wl,--build-id=none)

gcc "${cflags[@]}" -shared -Wl,-soname,libisa.so.1 -o out/lib/libisa.so.1 src/libisa.c
for v in 2 3 4; do
  gcc "${cflags[@]}" -shared -Wl,-soname,libisa.so.1 -Wl,-z,x86-64-v$v -o out/lib-v$v/libisa.so.1 src/libisa.c
done

app() { # app OUT LIBDIR [link options...]
  local out=$1 libdir=$2; shift 2
  gcc "${cflags[@]}" -fPIE -pie -Wl,--dynamic-linker=/lib64/ld-linux-x86-64.so.2 -DLIBRARY_FUNCTION=lib_value -DEXPECTED=42 \
      -o "$out" src/start.c -L"$libdir" -l:libisa.so.1 "$@"
}
app out/apps/app out/lib
for v in 2 3 4; do app out/apps/app-v$v out/lib -Wl,-z,x86-64-v$v; done
app out/apps/app-rpath-v3 out/lib-v3 -Wl,-z,x86-64-v3 -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib-v3'

hw() { # hw OUT VALUE [mark]
  gcc "${cflags[@]}" -shared -Wl,-soname,libhw.so.1 -DHW_VALUE="$2" -o "$1" src/libhw.c ${3:+-Wl,-z,$3}
}
hw out/hw/libhw.so.1 1
hw out/hw/glibc-hwcaps/x86-64-v2/libhw.so.1 2 x86-64-v3     # marked above its folder's level
hw out/hw/glibc-hwcaps/x86-64-v3/libhw.so.1 3 x86-64-v3
hw out/hw-ok/libhw.so.1 1
hw out/hw-ok/glibc-hwcaps/x86-64-v2/libhw.so.1 2 x86-64-v2
hw out/hw-ok/glibc-hwcaps/x86-64-v3/libhw.so.1 3 x86-64-v3
gcc "${cflags[@]}" -fPIE -pie -Wl,--dynamic-linker=/lib64/ld-linux-x86-64.so.2 -DLIBRARY_FUNCTION=hw_value -DEXPECTED=-1 \
    -o out/apps/app-hw src/start.c -Lout/hw-ok -l:libhw.so.1
gcc "${cflags[@]}" -fPIE -pie -Wl,--dynamic-linker=/lib64/ld-linux-x86-64.so.2 -DLIBRARY_FUNCTION=hw_value -DEXPECTED=-1 \
    -o out/apps/app-hw-rpath src/start.c -Lout/hw-ok -l:libhw.so.1 -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../hw-ok'

# lib-v3 with its 8-aligned PT_NOTE re-marked as 4-aligned: the loader skips such a segment (no mark), while readelf
# (sections) and ldconfig (PT_GNU_PROPERTY) still see x86-64-v3.
mkdir -p out/lib-v3-note4
python3 - out/lib-v3/libisa.so.1 out/lib-v3-note4/libisa.so.1 <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
phoff, = struct.unpack_from('<Q', data, 0x20); phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
for i in range(phnum):
    at = phoff + i * phentsize
    if struct.unpack_from('<I', data, at)[0] == 4 and struct.unpack_from('<Q', data, at + 48)[0] == 8:  # PT_NOTE, p_align 8
        struct.pack_into('<Q', data, at + 48, 4)
open(sys.argv[2], 'wb').write(data)
PY
chmod +x out/lib-v3-note4/libisa.so.1

# The marks are what readelf reads.
for f in out/lib-v*/libisa.so.1 out/apps/app-v* out/hw*/glibc-hwcaps/*/libhw.so.1; do
  readelf -n "$f" | grep -q "x86 ISA needed" || { echo "no ISA mark in $f" >&2; exit 1; }
done
