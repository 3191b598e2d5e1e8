#!/usr/bin/env bash
# Builds the sample reference distribution ("RHEL"), its rebuild ("Alma") and third-party applications built
# against the reference, as real RPMs, from the C sources and GNU version scripts in src/. README.md lists every
# package, the drift it carries and the loader's outcome. Rerunnable by anyone: ./make-fixtures.sh
# Needs gcc, rpmbuild and createrepo_c. Outputs (committed): reference/, rebuild/, apps/ (*.rpm, and repodata/ in
# rebuild/ and apps/), reference-repo/repodata (a repository whose packages are ../reference/*.rpm).
# Deterministic as far as rpmbuild allows: SOURCE_DATE_EPOCH for build times and clamped mtimes, a fixed build
# host, no build ids, no debuginfo; libraries and executables are stripped by gcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C TZ=UTC

cflags=(-Os -s -fno-asynchronous-unwind-tables -Wl,-z,noseparate-code -Wl,--hash-style=gnu -Wl,--build-id=none)

# lib SIDE-DIR FILE SONAME SOURCE MAP|"" [gcc args...]
lib() {
  local out=$1 file=$2 soname=$3 source=$4 map=$5; shift 5
  local args=()
  [ -n "$map" ] && args+=("-Wl,--version-script=$src/map/$map")
  gcc "${cflags[@]}" -fPIC -shared -Wl,-soname,"$soname" -o "$out/$file" "$src/c/$source" "${args[@]}" "$@"
}

# exe SIDE-DIR NAME SOURCE [gcc args and libraries...]: linked against the side's own libraries.
exe() {
  local out=$1 name=$2 source=$3; shift 3
  gcc "${cflags[@]}" -DNAME="\"$name\"" -o "$out/$name" "$src/c/$source" "$@" -L"$out" -Wl,-rpath-link,"$out"
}

# compile SIDE: every ELF file of one set; REBUILD is defined for the rebuild.
compile() {
  local side=$1 out=$work/$1
  mkdir -p "$out"
  local d=() m=reference
  if [ "$side" = rebuild ]; then d=(-DREBUILD); m=rebuild; fi
  lib "$out" liba.so.1.0.0 liba.so.1 liba.c "liba-$m.map" "${d[@]}"
  lib "$out" libb.so.1.0.0 libb.so.1 libb.c "libb-$m.map"
  lib "$out" libplain.so.1.0.0 libplain.so.1 libplain.c "" "${d[@]}"
  lib "$out" libgrow.so.1.0.0 libgrow.so.1 libgrow.c "" "${d[@]}"
  lib "$out" libgone.so.1.0.0 libgone.so.1 libgone.c ""
  if [ "$side" = rebuild ]; then
    lib "$out" libd.so.2.0.0 libd.so.2 libd.c ""
  else
    lib "$out" libd.so.1.0.0 libd.so.1 libd.c ""
  fi
  lib "$out" libnew.so.1.0.0 libnew.so.1 libnew.c "libnew-$m.map" "${d[@]}"
  lib "$out" libsame.so.1.0.0 libsame.so.1 libsame.c libsame.map
  lib "$out" libold.so.1.0.0 libold.so.1 libsimple.c "" -DFN=old_fn
  lib "$out" libfeat.so.1.0.0 libfeat.so.1 libsimple.c "" -DFN=feat_fn
  lib "$out" libreq.so.1.0.0 libreq.so.1 libsimple.c "" -DFN=req_fn
  lib "$out" libpriv.so libpriv.so libpriv.c "" "${d[@]}"
  # Links for the link editor (-lX), removed again before packaging.
  for f in "$out"/*.so.*.0.0; do local b=${f##*/}; ln -sf "$b" "$out/${b%%.so.*}.so"; done

  # The packages' executables call what their own side's library exports.
  if [ "$side" = rebuild ]; then
    exe "$out" liba-tool tool.c -DFN=liba_one -la
    exe "$out" libb-tool tool.c -DFN=b_foo -DFN2=b_bar -lb
    exe "$out" libplain-tool tool.c -DFN=plain_one -lplain
  else
    exe "$out" liba-tool tool.c -DFN=liba_one -DFN2=liba_two -la
    exe "$out" libb-tool tool.c -DFN=b_foo -DFN2=b_bar -lb
    exe "$out" libplain-tool tool.c -DFN=plain_one -DFN2=plain_two -lplain
    exe "$out" libgone-tool tool.c -DFN=gone_fn -lgone
  fi
  # -no-pie: the executable holds grow_table itself (R_X86_64_COPY) whatever the compiler's PIE default.
  exe "$out" libgrow-tool grow-tool.c -no-pie -lgrow
  exe "$out" libd-tool tool.c -DFN=d_fn -ld
  exe "$out" libnew-tool tool.c -DFN=new_one -lnew
  exe "$out" libsame-tool tool.c -DFN=same_fn -lsame
  exe "$out" libold-tool tool.c -DFN=old_fn -lold
  exe "$out" libfeat-tool tool.c -DFN=feat_fn -lfeat
  exe "$out" libreq-tool tool.c -DFN=req_fn -lreq
  if [ "$side" = rebuild ]; then
    exe "$out" privtool tool.c -DFN=priv_one -lpriv -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib64/privtool'
  else
    exe "$out" privtool tool.c -DFN=priv_one -DFN2=priv_two -lpriv -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib64/privtool'
  fi

  if [ "$side" = reference ]; then
    # Third-party applications, built against the reference.
    exe "$out" app-ok app-ok.c -la -lb -lnew -lsame
    exe "$out" app-version tool.c -DFN=liba_two -la
    exe "$out" app-moved tool.c -DFN=b_bar -lb
    exe "$out" app-gone tool.c -DFN=gone_fn -lgone
    exe "$out" app-grow grow-tool.c -no-pie -lgrow
    exe "$out" app-feature tool.c -DFN=feat_fn -lfeat
  fi
  find "$out" -name '*.so' -type l -delete
}

# rpm SIDE SPEC PAYLOAD OUTDIR: one spec built for one side into OUTDIR.
top=$work/top
rpm_build() {
  local side=$1 spec=$2 payload=$3 dest=$4
  local def=()
  [ "$side" = rebuild ] && def=(--define "rebuild 1")
  rm -rf "$top" && mkdir -p "$top"
  rpmbuild --quiet -bb --target x86_64 \
    --define "_topdir $top" --define "bin $work/$side" "${def[@]}" \
    --define "_binary_payload $payload" \
    --define "_buildhost sample.example" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "source_date_epoch_from_changelog 0" \
    --define "debug_package %{nil}" --define "__strip /bin/true" \
    --define "_build_id_links none" --define "_missing_build_ids_terminate_build 0" \
    --define '__requires_exclude ^(libc\.so\.6|ld-linux-x86-64\.so\.2|rtld.GNU_HASH.)' \
    "$src/spec/$spec.spec" >/dev/null
  find "$top/RPMS" -name '*.rpm' -exec cp {} "$dest/" \;
}

compile reference
compile rebuild
# libc and the loader come from the host: their Requires are excluded above (the sets have no glibc package).
rm -rf "$here/reference" "$here/rebuild" "$here/apps" "$here/reference-repo"
mkdir -p "$here/reference" "$here/rebuild" "$here/apps"
i=0
for spec in liba libb libplain libgrow libgone libd libnew libsame libold libfeat libreq privtool sampledata; do
  # zstd and xz payloads alternate across packages.
  if [ $((i % 2)) = 0 ]; then payload=w19.zstdio; else payload=w9.xzdio; fi
  i=$((i + 1))
  rpm_build reference "$spec" "$payload" "$here/reference"
  [ "$spec" = libgone ] || rpm_build rebuild "$spec" "$payload" "$here/rebuild"
done
rpm_build reference sample-apps w19.zstdio "$here/apps"

# createrepo_c records each package file's mtime.
touch -d "@$SOURCE_DATE_EPOCH" "$here"/reference/*.rpm "$here"/rebuild/*.rpm "$here"/apps/*.rpm
repo() { # repo PACKAGES-DIR OUTPUT-DIR COMPRESSION [createrepo_c args...]
  local dir=$1 out=$2 comp=$3; shift 3
  createrepo_c --quiet --no-database --simple-md-filenames --general-compress-type "$comp" \
    --set-timestamp-to-revision --revision "$SOURCE_DATE_EPOCH" --outputdir "$out" "$@" "$dir" >/dev/null
}
# The reference as a repository beside its packages: location href="../reference/NAME.rpm", resolved relative to
# the repository's folder.
mkdir -p "$here/reference-repo"
repo "$here/reference" "$here/reference-repo" xz --location-prefix ../reference/
# The rebuild and the applications as repositories in their own folders (gz, which every libsolv reads).
repo "$here/rebuild" "$here/rebuild" gz
repo "$here/apps" "$here/apps" gz
du -sh "$here/reference" "$here/rebuild" "$here/apps" "$here/reference-repo"
