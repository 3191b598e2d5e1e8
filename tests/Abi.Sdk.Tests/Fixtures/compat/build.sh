#!/usr/bin/env bash
# Builds the loader scenarios of the compatibility tests: libraries as an application was linked against them
# (out/link), libraries of the target system (out/target), the applications (out/apps) and the RPATH/RUNPATH/$ORIGIN
# layout (out/rpath, out/ldpath). Rerunnable: rm -rf out && ./build.sh. Needs gcc and binutils.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out
mkdir -p out/link out/target out/apps out/rpath/rp out/ldpath
src=src
# Small outputs: optimise for size, strip, no separate code segment.
cflags=(-Os -s -fPIC -Wl,-z,noseparate-code -Wl,--hash-style=gnu -Wl,--build-id=none)

lib() { # lib OUT SONAME SOURCE [VERSION-SCRIPT] [extra...]
  local out=$1 soname=$2 source=$3; shift 3
  local args=()
  if [ $# -gt 0 ] && [ -n "$1" ]; then args+=("-Wl,--version-script=$1"); fi
  [ $# -gt 0 ] && shift
  gcc "${cflags[@]}" -shared -Wl,-soname,"$soname" -o "$out" "$source" "${args[@]}" "$@"
}

# What the applications were linked against.
lib out/link/libver.so.1   libver.so.1   $src/libver.c        $src/libver-link.map
lib out/link/libmove.so.1  libmove.so.1  $src/libmove.c       $src/libmove-link.map
lib out/link/libplain.so.1 libplain.so.1 $src/libplain-link.c ""
lib out/link/libgone.so.1  libgone.so.1  $src/libgone.c       ""
lib out/link/libweak.so.1  libweak.so.1  $src/libweak-link.c  $src/libweak-link.map
lib out/link/libbase.so.1  libbase.so.1  $src/libbase.c       $src/libbase-link.map
lib out/link/libmid.so.1   libmid.so.1   $src/libmid.c        ""  out/link/libbase.so.1
lib out/link/libhid.so.1   libhid.so.1   $src/libhid-link.c   ""
lib out/link/libdata.so.1  libdata.so.1  $src/libdata-link.c  ""

# The target: the same names, another release of each.
lib out/target/libver.so.1   libver.so.1   $src/libver.c          $src/libver-target.map
lib out/target/libmove.so.1  libmove.so.1  $src/libmove.c         $src/libmove-target.map
lib out/target/libplain.so.1 libplain.so.1 $src/libplain-target.c ""
lib out/target/libweak.so.1  libweak.so.1  $src/libweak-target.c  $src/libweak-target.map
lib out/target/libbase.so.1  libbase.so.1  $src/libbase.c         $src/libbase-target.map
cp out/link/libmid.so.1 out/target/libmid.so.1       # unchanged itself; its own dependency breaks
lib out/target/libhid.so.1   libhid.so.1   $src/libhid-target.c   $src/libhid-target.map
lib out/target/libdata.so.1  libdata.so.1  $src/libdata-target.c  ""   # the copied object grew
# libgone.so.1 is deliberately absent from the target.

app() { # app NAME LIB...
  local name=$1; shift
  gcc "${cflags[@]}" -o "out/apps/$name" "$src/$name.c" "$@" -Wl,-rpath-link,out/link
}
app app_version out/link/libver.so.1
app app_moved   out/link/libmove.so.1
app app_removed out/link/libplain.so.1
app app_missing out/link/libgone.so.1
app app_weak    out/link/libweak.so.1
app app_deep    out/link/libmid.so.1
app app_hidden  out/link/libhid.so.1
# VER_2 needed through a weak (and through a strong) reference, the need marked VER_FLG_WEAK as ld.so honours it.
gcc -O2 -o out/mark-weak-requirement ../elf/src/mark-weak-requirement.c
app app_weakver        out/link/libver.so.1
app app_weakver_strong out/link/libver.so.1
out/mark-weak-requirement out/apps/app_weakver VER_2
out/mark-weak-requirement out/apps/app_weakver_strong VER_2
rm out/mark-weak-requirement
# A non-PIE executable copies data objects it references into itself (R_X86_64_COPY).
gcc "${cflags[@]}" -fno-pie -no-pie -o out/apps/app_copy $src/app_copy.c out/link/libdata.so.1

# RPATH vs RUNPATH: librp needs libdeep, which only the application's $ORIGIN/rp folder holds.
lib out/rpath/rp/libdeep.so.1 libdeep.so.1 $src/libdeep.c ""
lib out/rpath/rp/librp.so.1   librp.so.1   $src/librp.c   "" out/rpath/rp/libdeep.so.1
# A different librp in a folder given as LD_LIBRARY_PATH: RPATH is searched before it, RUNPATH after it.
lib out/ldpath/librp.so.1 librp.so.1 $src/librp-broken.c ""
gcc "${cflags[@]}" -o out/rpath/app_rpath   $src/app_rp.c out/rpath/rp/librp.so.1 -Wl,--disable-new-dtags,-rpath,'$ORIGIN/rp' -Wl,-rpath-link,out/rpath/rp
gcc "${cflags[@]}" -o out/rpath/app_runpath $src/app_rp.c out/rpath/rp/librp.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/rp' -Wl,-rpath-link,out/rpath/rp

du -sh out
