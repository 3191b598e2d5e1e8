#!/usr/bin/env bash
# Builds the filter and glibc-release fixtures: rm -rf out && ./make-fixtures.sh. Needs gcc, binutils and rpmbuild.
#   out/lib      libfilter.so.1 (DT_FILTER libfiltee.so.1), libaux.so.1 (DT_AUXILIARY libfiltee.so.1),
#                libfilterrp.so.1 (DT_FILTER, RUNPATH $ORIGIN/../filtee: the filtee is found by the filter's RUNPATH)
#   out/filtee   libfiltee.so.1 (a folder of its own: the tests put it on the search path or leave it out)
#   out/apps     app_filter, app_aux, app_filter_rp, app_also_needed (print the who() the loader bound)
#   out/sysroot-2.36  a root with a stand-in libc.so.6 defining GLIBC_2.2.5 … GLIBC_2.37 whose release string says 2.36
#   out/glibc-2.34-100.abifixture.x86_64.rpm  a stand-in glibc package (libc.so.6 defines GLIBC_2.35, no release string)
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out
mkdir -p out/lib out/filtee out/apps out/sysroot-2.36/lib/x86_64-linux-gnu
src=src
cflags=(-Os -s -fPIC -Wl,-z,noseparate-code -Wl,--hash-style=gnu -Wl,--build-id=none)

gcc "${cflags[@]}" -shared -Wl,-soname,libfiltee.so.1 -o out/filtee/libfiltee.so.1 $src/filtee.c
gcc "${cflags[@]}" -shared -Wl,-soname,libfilter.so.1 -Wl,--filter=libfiltee.so.1 -o out/lib/libfilter.so.1 $src/filter.c
gcc "${cflags[@]}" -shared -Wl,-soname,libaux.so.1 -Wl,--auxiliary=libfiltee.so.1 -o out/lib/libaux.so.1 $src/filter.c
gcc "${cflags[@]}" -shared -Wl,-soname,libfilterrp.so.1 -Wl,--filter=libfiltee.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../filtee' \
  -o out/lib/libfilterrp.so.1 $src/filter.c

app() { # app NAME SOURCE LIB...
  local name=$1 source=$2; shift 2
  gcc "${cflags[@]}" -o "out/apps/$name" "$source" -Wl,--no-as-needed "$@"
}
app app_filter      $src/app.c out/lib/libfilter.so.1
app app_aux         $src/app.c out/lib/libaux.so.1
app app_filter_rp   $src/app.c out/lib/libfilterrp.so.1
app app_also_needed $src/app_also_needed.c out/lib/libfilter.so.1 out/filtee/libfiltee.so.1

# glibc release: a C library whose newest version node (2.37) is newer than its release (2.36).
gcc "${cflags[@]}" -shared -nostdlib -DRELEASE='"2.36"' -Wl,-soname,libc.so.6 -Wl,--version-script=$src/libc-2.37.map \
  -o out/sysroot-2.36/lib/x86_64-linux-gnu/libc.so.6 $src/libc-fake.c

# The same as an RPM target: release 2.34 known only from the package's version (the file has no release string).
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES"
gcc "${cflags[@]}" -shared -nostdlib -Wl,-soname,libc.so.6 -Wl,--version-script=$src/libc-2.35.map -o "$top/SOURCES/libc.so.6" $src/libc-fake.c
export SOURCE_DATE_EPOCH=1700000000
rpmbuild -bb --quiet --target x86_64 \
  --define "_topdir $top" --define "_buildhost fixtures.abi-sdk.invalid" \
  --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
  --define "_build_id_links none" --define "debug_package %{nil}" \
  --define "__os_install_post %{nil}" --define "__arch_install_post %{nil}" \
  --define "_binary_payload w9.gzdio" $src/glibc-fixture.spec
cp "$top"/RPMS/*/*.rpm out/
ls -l out/lib out/filtee out/apps out/sysroot-2.36/lib/x86_64-linux-gnu out/*.rpm
