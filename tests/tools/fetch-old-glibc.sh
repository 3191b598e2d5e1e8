#!/usr/bin/env bash
# Fetches an older glibc (Debian 11's libc6, glibc 2.31) and unpacks it, so tests can run a loader of another
# release under user-mode emulation (qemu-x86_64 -L ROOT ROOT/lib64/ld-linux-x86-64.so.2 ...): a loader from before
# glibc-hwcaps (2.33), before the x86 ISA-level check (2.33) and before the kernel-version checks were removed (2.36).
#
# The archive entry is derived at run time from the machine's own apt sources (its Debian archive, suite bullseye)
# and kept in a private apt state folder, so the system's apt configuration is not touched.
# Output: $ABI_OLD_GLIBC_DIR (default: tests/tools/.cache/glibc-bullseye, ignored by git), unpacked as a root
# folder (lib/x86_64-linux-gnu/libc.so.6, lib64/ld-linux-x86-64.so.2). Prints that folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${ABI_OLD_GLIBC_DIR:-$here/.cache/glibc-bullseye}"
if [ -e "$out/lib/x86_64-linux-gnu/libc.so.6" ]; then echo "$out"; exit 0; fi

work="$out.work"
rm -rf "$work"; mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/deb"

# The machine's Debian archive URIs (not the security archive), with the suite bullseye.
uris=$( ({ grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | sed -E 's/^URIs:[[:space:]]*//' | tr ' ' '\n';
         { grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }') \
       | grep -v -- '-security' | sort -u || true)
if [ -z "$uris" ]; then echo "fetch-old-glibc: no Debian archive in the machine's apt sources" >&2; exit 1; fi
for u in $uris; do
  echo "deb [trusted=yes] $u bullseye main" >> "$work/apt/sources.list.d/bullseye.list"
done
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Get::List-Cleanup=0"
          -o "APT::Architectures::=amd64" -o "Acquire::Languages=none")
apt-get "${apt_opts[@]}" update -qq
cd "$work/deb"
# Run as root, apt drops privileges for downloads: its sandbox user must be able to write the folder.
chmod 777 "$work/deb"
apt-get "${apt_opts[@]}" download -qq "libc6:amd64/bullseye" >/dev/null
mkdir -p "$out"
dpkg-deb -x ./libc6_*_amd64.deb "$out"
rm -rf "$work"
echo "$out"
