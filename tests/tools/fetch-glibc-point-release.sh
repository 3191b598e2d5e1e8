#!/usr/bin/env bash
# Fetches the other point release of the machine's own glibc (libc6 and libc6-dbg of the same Debian release, another
# package version than the installed one) and unpacks both, so tests can compare two real point releases of libc with
# their debug information (the installed libc.so.6 with /usr/lib/debug against the fetched one with its own debug root).
#
# Which version: $ABI_GLIBC_POINT_VERSION if set, else the pinned 2.36-9+deb12u7 (Debian 12's security archive) if the
# machine's apt sources offer it and it is not the installed one, else the newest other version those sources offer
# for both packages. The machine's apt sources are used as they are; when their package lists do not offer another
# version, they are refreshed into a private state folder, so the system's apt state is not touched.
# Output: $ABI_GLIBC_POINT_DIR (default: tests/tools/.cache/glibc-point, ignored by git)/VERSION, unpacked as a root
# folder (lib/x86_64-linux-gnu/libc.so.6, usr/lib/debug/.build-id/NN/REST.debug). Prints that folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${ABI_GLIBC_POINT_DIR:-$here/.cache/glibc-point}"
pinned="2.36-9+deb12u7"
installed=$(dpkg-query -W -f '${Version}' libc6 2>/dev/null || true)
if [ -z "$installed" ]; then echo "fetch-glibc-point-release: libc6 is not installed from a Debian package here" >&2; exit 1; fi

# Reuse an unpacked version already in the cache (the pinned one first), without asking apt.
for v in ${ABI_GLIBC_POINT_VERSION:-$pinned} $(ls "$base" 2>/dev/null || true); do
  if [ "$v" != "$installed" ] && [ -e "$base/$v/.complete" ]; then echo "$base/$v"; exit 0; fi
done

work="$base/.work"
rm -rf "$work"; mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
apt_opts=(-o "APT::Architectures::=amd64" -o "Acquire::Languages=none")

# Versions of PACKAGE that the apt sources offer (madison order: newest first).
versions() { apt-cache "${apt_opts[@]}" madison "$1" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -u; }
choose() {
  local both
  both=$(comm -12 <(versions libc6) <(versions libc6-dbg) | grep -vxF -- "$installed" || true)
  if [ -n "${ABI_GLIBC_POINT_VERSION:-}" ]; then
    grep -xF -- "$ABI_GLIBC_POINT_VERSION" <<<"$both" || true
  elif grep -qxF -- "$pinned" <<<"$both"; then
    echo "$pinned"
  elif [ -n "$both" ]; then
    # Same upstream release as the installed one if possible (a point release), newest first.
    upstream="${installed%%-*}"
    { grep -F -- "$upstream-" <<<"$both" || echo "$both"; } | sort -V | tail -1
  fi
}
version=$(choose)
if [ -z "$version" ]; then
  # The system's package lists may be missing or stale: refresh the machine's own sources into the private folder.
  apt_opts+=(-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Get::List-Cleanup=0")
  apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 || true
  version=$(choose)
fi
if [ -z "$version" ]; then
  echo "fetch-glibc-point-release: the machine's apt sources offer no libc6 + libc6-dbg other than $installed" >&2
  rm -rf "$work"; exit 1
fi

cd "$work/deb"
# Run as root, apt drops privileges for downloads: its sandbox user must be able to write the folder.
chmod 777 "$work/deb"
apt-get "${apt_opts[@]}" download -qq "libc6:amd64=$version" "libc6-dbg:amd64=$version" >/dev/null
out="$base/$version"
rm -rf "$out"; mkdir -p "$out"
for deb in ./libc6_*_amd64.deb ./libc6-dbg_*_amd64.deb; do dpkg-deb -x "$deb" "$out"; done
echo "$version" > "$out/.complete"
cd "$base"; rm -rf "$work"
echo "$out"
