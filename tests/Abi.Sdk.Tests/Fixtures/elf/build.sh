#!/usr/bin/env bash
# Rebuilds the ELF fixtures from src/ (C sources and a version script). The outputs are committed; rerun this
# after changing a source. Needs gcc, binutils and elfutils (eu-strip); the ELF32 and big-endian ELF64 builds also
# need the Debian cross compilers gcc-i686-linux-gnu and gcc-s390x-linux-gnu (skipped with a note when absent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# Small, reproducible outputs: -Os, no separate code page, fixed build-id style, stripped.
cflags=(-Os -fPIC -g0 -fno-asynchronous-unwind-tables -ffile-prefix-map="$src"=.)
ldflags=(-Wl,-z,noseparate-code -Wl,--build-id=sha1 -Wl,-z,now)

gcc -O2 -o strip-section-headers "$src/strip-section-headers.c"
gcc -O2 -o mark-weak-requirement "$src/mark-weak-requirement.c"

build_family() { # PREFIX CC SUFFIX HASH-STYLE
  local cc=$2 suffix=$3 hash=$4
  local lib="libversioned$suffix.so"
  $cc "${cflags[@]}" -shared -o "$lib" "$src/versioned.c" "${ldflags[@]}" -Wl,--hash-style="$hash" \
    -Wl,--version-script="$src/versioned.map" -Wl,-soname,libversioned.so.2
  "${1}strip" --strip-unneeded "$lib"
  ./strip-section-headers "$lib" "libversioned$suffix-noshdr.so"
  cp "$lib" "libversioned$suffix-noshdr.so" "$here/"
}

# x86_64 (ELF64 little-endian): the demo library, with a separate debug file and .gnu_debuglink.
gcc "${cflags[@]}" -shared -o libversioned.so "$src/versioned.c" "${ldflags[@]}" \
  -Wl,--version-script="$src/versioned.map" -Wl,-soname,libversioned.so.2
objcopy --only-keep-debug libversioned.so libversioned.so.debug
eu-strip -f libversioned.so.eu.debug -o libversioned.eu-stripped.so libversioned.so
strip --strip-unneeded libversioned.so
objcopy --add-gnu-debuglink=libversioned.so.debug libversioned.so
./strip-section-headers libversioned.so libversioned-noshdr.so
cp libversioned.so libversioned.so.debug libversioned.so.eu.debug libversioned-noshdr.so "$here/"

# SysV hash only (DT_HASH without DT_GNU_HASH), without section headers: sized through nchain.
gcc "${cflags[@]}" -shared -o libversioned-sysv.so "$src/versioned.c" "${ldflags[@]}" -Wl,--hash-style=sysv \
  -Wl,--version-script="$src/versioned.map" -Wl,-soname,libversioned.so.2
strip --strip-unneeded libversioned-sysv.so
./strip-section-headers libversioned-sysv.so libversioned-sysv-noshdr.so
cp libversioned-sysv-noshdr.so "$here/"

# A library with a weak version requirement (VERS_1.1 of libversioned.so.2, only referenced by a weak
# undefined symbol) and a RUNPATH.
ln -sf libversioned.so libversioned.so.2
gcc "${cflags[@]}" -shared -o libconsumer.so "$src/consumer.c" "${ldflags[@]}" -L. -lversioned \
  -Wl,-soname,libconsumer.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'
strip --strip-unneeded libconsumer.so
./mark-weak-requirement libconsumer.so VERS_1.1
cp libconsumer.so "$here/"

# A PIE executable with an interpreter, an old-style RPATH, DT_DEBUG and FLAGS_1 PIE.
gcc -Os -fPIE -pie -g0 -fno-asynchronous-unwind-tables -o app "$src/app.c" "${ldflags[@]}" -L. -lconsumer -lversioned \
  -Wl,--disable-new-dtags,-rpath,/opt/versioned/lib -Wl,-rpath-link,.
# Its separate debug files, made both ways: .interp, .dynamic, .dynsym are NOBITS placeholders there while the
# program headers (PT_INTERP, PT_DYNAMIC) are kept; objcopy zeroes their file sizes, eu-strip keeps them.
objcopy --only-keep-debug app app.debug
eu-strip -f app.eu.debug -o app.eu-stripped app
strip app
cp app app.debug app.eu.debug "$here/"

# An ET_DYN with an interpreter but without DF_1_PIE or SONAME: a shared object to readelf.
gcc "${cflags[@]}" -shared -o runnable.so "$src/runnable.c" "${ldflags[@]}" -Wl,-e,start \
  -lc
strip runnable.so
cp runnable.so "$here/"

# ELF32 little-endian (i686) and ELF64 big-endian (s390x), with and without section headers.
if command -v i686-linux-gnu-gcc >/dev/null; then
  build_family i686-linux-gnu- i686-linux-gnu-gcc -i686 gnu
else
  echo "note: i686-linux-gnu-gcc missing (apt-get install gcc-i686-linux-gnu): keeping the committed ELF32 fixtures" >&2
fi
if command -v s390x-linux-gnu-gcc >/dev/null; then
  build_family s390x-linux-gnu- s390x-linux-gnu-gcc -s390x both
else
  echo "note: s390x-linux-gnu-gcc missing (apt-get install gcc-s390x-linux-gnu): keeping the committed big-endian fixtures" >&2
fi

ls -l "$here"/*.so "$here"/*.debug "$here"/app
