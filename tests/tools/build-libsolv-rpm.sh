#!/usr/bin/env bash
# Builds an rpm-flavoured libsolv installcheck from Debian's own libsolv source package.
# Debian's libsolv-tools is built with -DDEBIAN=ON (Debian version ordering, `<<`/`>>` in messages, Debian
# architecture names); the installcheck differential tests need libsolv with rpm semantics instead.
#
# Output: $ABI_LIBSOLV_RPM_DIR (default: tests/tools/.cache/libsolv-rpm, ignored by git)/bin/installcheck.
# A second run reuses the built tool. The deb-src entry is derived at run time from the machine's own apt
# sources and kept in a private apt state folder, so the system's apt configuration is not touched.
# Prints the path of the built installcheck on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${ABI_LIBSOLV_RPM_DIR:-$here/.cache/libsolv-rpm}"
tool="$out/bin/installcheck"
if [ -x "$tool" ]; then echo "$tool"; exit 0; fi

export DEBIAN_FRONTEND=noninteractive
# Build tools and the libraries libsolv's rpm-md reader and compressed inputs need.
need=(cmake make gcc g++ dpkg-dev libexpat1-dev zlib1g-dev liblzma-dev libzstd-dev libbz2-dev)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$out/work"
rm -rf "$work"; mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"

# deb-src entries: the machine's enabled deb entries (deb822 *.sources and one-line *.list / sources.list), as deb-src.
n=0
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  n=$((n+1))
  sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$work/apt/sources.list.d/src$n.sources"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  n=$((n+1))
  sed -nE 's/^[[:space:]]*deb([[:space:]].*)$/deb-src\1/p' "$f" > "$work/apt/sources.list.d/src$n.list"
done
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Get::List-Cleanup=0")
# A source without deb-src indexes fails its own fetch only; apt-get source below decides.
apt-get "${apt_opts[@]}" update -qq || true

# The same upstream version as the installed libsolv-tools when there is one.
version=$(dpkg-query -W -f='${Version}' libsolv-tools 2>/dev/null || true)
cd "$work/src"
if [ -n "$version" ] && apt-get "${apt_opts[@]}" source --download-only -qq "libsolv=$version" >/dev/null 2>&1; then :; else
  apt-get "${apt_opts[@]}" source --download-only -qq libsolv >/dev/null
fi
dpkg-source --no-check -x ./*.dsc libsolv >/dev/null

# rpm semantics: no DEBIAN flag (rpm version ordering and rpm architecture policy), rpm-md repositories,
# rich dependencies, and the compressions primary.xml comes in.
mkdir -p libsolv/build
cd libsolv/build
cmake .. -DCMAKE_BUILD_TYPE=Release -DDEBIAN=OFF -DENABLE_RPMMD=ON -DENABLE_COMPLEX_DEPS=ON \
  -DENABLE_LZMA_COMPRESSION=ON -DENABLE_ZSTD_COMPRESSION=ON -DENABLE_BZIP2_COMPRESSION=ON \
  -DDISABLE_SHARED=ON -DENABLE_STATIC=ON -DWITH_LIBXML2=OFF -DENABLE_PERL=OFF -DENABLE_PYTHON=OFF \
  -DENABLE_RUBY=OFF -DENABLE_TCL=OFF >/dev/null
make -j"$(nproc)" installcheck >/dev/null
mkdir -p "$out/bin"
cp tools/installcheck "$tool"
rm -rf "$work"
echo "$tool"
