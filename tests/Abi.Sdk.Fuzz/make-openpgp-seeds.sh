#!/usr/bin/env bash
# Seeds for the OpenPGP targets: keys made here with gpg (RSA 2048 and Ed25519, armored and binary) and a fixture
# package signed with each by rpmsign (header and header+payload signatures). Called by make-seeds.sh; the keys are
# throw-away test keys, and their public halves also sign-check the rpm-verify target's inputs (keys/ beside seeds/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fx="$here/../Abi.Sdk.Tests/Fixtures"
seeds="$here/seeds"
keys="$here/keys"
rm -rf "$seeds/openpgp-key" "$seeds/rpm-verify" "$keys"
mkdir -p "$seeds/openpgp-key" "$seeds/rpm-verify" "$keys"
export GNUPGHOME; GNUPGHOME=$(mktemp -d)
trap 'rm -rf "$GNUPGHOME"' EXIT

for algo in rsa2048 ed25519; do
  uid="Abi.Sdk fuzz seed $algo <fuzz-$algo@example.invalid>"
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "$uid" "$algo" sign never
  gpg --batch --armor --export "$uid" > "$keys/$algo.asc"
  cp "$keys/$algo.asc" "$seeds/openpgp-key/$algo.asc"
  gpg --batch --export "$uid" > "$seeds/openpgp-key/$algo.gpg"
  pkg="$seeds/rpm-verify/abi-files-gzip-signed-$algo.rpm"
  cp "$fx/rpm/abi-files-gzip-1.0-1.x86_64.rpm" "$pkg"
  rpmsign --addsign --define "_gpg_name $uid" --define "__gpg $(command -v gpg)" "$pkg" >/dev/null
done
cp "$fx/rpm/abi-files-gzip-1.0-1.x86_64.rpm" "$seeds/rpm-verify/abi-files-gzip-unsigned.rpm"
