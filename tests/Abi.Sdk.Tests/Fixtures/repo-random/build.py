#!/usr/bin/env python3
"""Writes pseudo-random rpm-md repositories (repodata/primary.xml.gz and repomd.xml, as createrepo_c lays them out)
for the installcheck differential tests: packages of several architectures with the same and different names,
virtual capabilities (versioned or not), missing requirements, chains, cycles and rich "or" requirements. Only
requirements and provides: libsolv's conflicts and obsoletes are not modelled by the check. Deterministic (fixed
seeds); rerun to regenerate: python3 build.py. Outputs: seed-*/repodata/ (committed)."""
import gzip, hashlib, os, random, shutil
from xml.sax.saxutils import quoteattr

here = os.path.dirname(os.path.abspath(__file__))

def entry(name, flags=None, ver=None):
    if flags is None:
        return f'      <rpm:entry name={quoteattr(name)}/>'
    return f'      <rpm:entry name={quoteattr(name)} flags="{flags}" epoch="0" ver="{ver}"/>'

def repository(seed, count, with_rpm):
    rnd = random.Random(seed)
    arches = ['noarch', 'x86_64', 'i686', 'aarch64', 'x86_64', 'noarch']
    names = [f'p{i:03d}' for i in range(count)]
    caps = [f'cap{i:02d}' for i in range(count // 4)]
    packages = []
    for name in names:
        for arch in rnd.sample(arches, rnd.choice([1, 1, 1, 2])):
            packages.append((name, arch))
    if with_rpm:
        packages.append(('rpm', 'x86_64'))
    packages.sort(key=lambda p: (p[0], p[1]))
    body = []
    for name, arch in packages:
        version = rnd.choice(['1.0', '2.0'])
        provides = [entry(name, 'EQ', f'{version}" rel="1')]
        for cap in rnd.sample(caps, rnd.choice([0, 0, 1, 2])):
            provides.append(entry(cap, 'EQ', rnd.choice(['1.0', '2.0'])) if rnd.random() < 0.4 else entry(cap))
        requires = set()
        if name != 'rpm':
            for _ in range(rnd.choice([0, 1, 1, 2, 3])):
                kind = rnd.random()
                if kind < 0.35:
                    requires.add(entry(rnd.choice(names)))
                elif kind < 0.6:
                    requires.add(entry(rnd.choice(caps)))
                elif kind < 0.7:
                    requires.add(entry(rnd.choice(caps), 'GE', rnd.choice(['1.5', '2.0'])))
                elif kind < 0.8:
                    requires.add(entry(f'missing{rnd.randrange(20):02d}'))
                elif kind < 0.9:
                    requires.add(entry(f'({rnd.choice(names)} or {rnd.choice(caps)})'))
                else:
                    requires.add(entry(rnd.choice(names), 'GE', '2.0'))
        provides.sort()
        body.append('<package type="rpm">\n'
                    f'  <name>{name}</name>\n  <arch>{arch}</arch>\n  <version epoch="0" ver="{version}" rel="1"/>\n'
                    f'  <location href="{name}-{version}-1.{arch}.rpm"/>\n  <format>\n'
                    '    <rpm:provides>\n' + '\n'.join(provides) + '\n    </rpm:provides>\n'
                    + ('    <rpm:requires>\n' + '\n'.join(sorted(requires)) + '\n    </rpm:requires>\n' if requires else '')
                    + '  </format>\n</package>\n')
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" '
           f'packages="{len(packages)}">\n' + ''.join(body) + '</metadata>\n').encode()
    out = os.path.join(here, f'seed-{seed}', 'repodata')
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    os.makedirs(out)
    packed = gzip.compress(xml, mtime=0)
    with open(os.path.join(out, 'primary.xml.gz'), 'wb') as f:
        f.write(packed)
    with open(os.path.join(out, 'repomd.xml'), 'w') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n'
                '  <revision>1700000000</revision>\n  <data type="primary">\n'
                f'    <checksum type="sha256">{hashlib.sha256(packed).hexdigest()}</checksum>\n'
                f'    <open-checksum type="sha256">{hashlib.sha256(xml).hexdigest()}</open-checksum>\n'
                '    <location href="repodata/primary.xml.gz"/>\n    <timestamp>1700000000</timestamp>\n'
                f'    <size>{len(packed)}</size>\n    <open-size>{len(xml)}</open-size>\n  </data>\n</repomd>\n')

for seed in range(1, 7):
    repository(seed, 60 + 20 * seed, with_rpm=seed % 2 == 0)
