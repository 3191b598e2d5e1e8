#!/usr/bin/env bash
# Builds dbgdemo and its -debuginfo package the way distributions do: rpmbuild runs find-debuginfo (debugedit) after
# %install, which strips the libraries, writes /usr/lib/debug/usr/lib64/NAME-V-R.ARCH.debug with the
# /usr/lib/debug/.build-id/NN/REST.debug links to them, and runs dwz (--run-dwz): the DWARF both libraries share goes
# to /usr/lib/debug/.dwz/dbgdemo-1.0-1.x86_64, named by each debug file's .gnu_debugaltlink.
# Debian's rpm does not add %debug_package by itself (the spec does) and runs no dwz unless told; the defines below
# are what Fedora's redhat-rpm-config sets. Needs rpmbuild (apt: rpm), debugedit (find-debuginfo), dwz, gcc.
# The two packages are committed (a few KB); rerun after changing a source.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES"
cp "$here"/dbgdemo.c "$here"/dbgdemo2.c "$here"/dbgdemo.h "$top/SOURCES/"
export SOURCE_DATE_EPOCH=1700000000
rpmbuild -bb --quiet \
  --define "_topdir $top" \
  --define "_buildhost fixtures.abi-sdk.invalid" \
  --define "use_source_date_epoch_as_buildtime 1" \
  --define "clamp_mtime_to_source_date_epoch 1" \
  --define "_build_id_links alldebug" \
  --define "_find_debuginfo_dwz_opts --run-dwz" \
  --define "_binary_payload w19.zstdio" \
  "$here/dbgdemo.spec"
rm -f "$here"/*.rpm
cp "$top"/RPMS/*/*.rpm "$here/"
ls -l "$here"/*.rpm
