#!/usr/bin/env bash
# Release artifacts: builds everything a release of this machine's platform (x86_64 Linux)
# publishes into target/release-artifacts/ and prints the commands that publish them. It
# publishes nothing itself (no `npm publish`, no `twine upload`, no tag push): a maintainer
# checks the artifacts, then runs the printed commands. See docs/releasing.md.
#
#   scripts/release.sh [--dry-run]        (run from anywhere inside the repository)
#
# --dry-run checks that every package has the same version, prints the build steps and the
# publish commands, and builds nothing (the Node test suite runs it this way).
#
# Built here:
#   Python  libsv2-VERSION-cp39-abi3-*.whl and -cp310-abi3-*.whl, manylinux2014 x86_64
#           (make python-wheels: zig-linked against glibc 2.17, auditwheel-checked, smoke-tested)
#   Node    libsv2-linux-x64-gnu-VERSION.tgz (the addon) and libsv2-VERSION.tgz (the package)
#           (make node-packages: also installed offline into an empty project and exercised)
#   C       libsv2-VERSION-x86_64-linux-gnu.tar.gz: lib/libsv2.a, lib/libsv2.so*, include/sv2.h,
#           lib/pkgconfig/sv2.pc for prefix /usr/local (make install into a staging directory)
#   Source  libsv2-VERSION.tar.gz (git archive of HEAD) and SHA256SUMS of everything
# The other platforms (see docs/releasing.md) are built on those platforms with the same make
# targets and copied into the output directory before publishing.
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
dry_run=0
case "${1:-}" in
"") ;;
--dry-run) dry_run=1 ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

root="$(git rev-parse --show-toplevel)"
cd "$root"
out="${RELEASE_OUT:-target/release-artifacts}"

# One version everywhere: the core crate, the Python crate (the wheel takes its version from
# it), the Node crate and the npm package.
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
declare -A versions=(
  [Cargo.toml]="$version"
  [bindings/python/Cargo.toml]="$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/python/Cargo.toml | head -n 1)"
  [bindings/node/Cargo.toml]="$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/node/Cargo.toml | head -n 1)"
  [bindings/node/package.json]="$(node -p "require('./bindings/node/package.json').version")"
)
for file in "${!versions[@]}"; do
  if [ "${versions[$file]}" != "$version" ]; then
    echo "release.sh: $file has version ${versions[$file]}, Cargo.toml $version: make them agree" >&2
    exit 1
  fi
done
if ! grep -q "^## Unreleased\|^## $version" CHANGELOG.md; then
  echo "release.sh: CHANGELOG.md has no section for $version" >&2
  exit 1
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  if [ $dry_run = 1 ] || [ "${RELEASE_ALLOW_DIRTY:-}" = 1 ]; then
    echo "warning: the tree has uncommitted changes; a release is built from a clean checkout"
  else
    echo "release.sh: the tree has uncommitted changes (RELEASE_ALLOW_DIRTY=1 to build anyway)" >&2
    exit 1
  fi
fi

# Each build step is printed; in a dry run that is all it does.
step() {
  echo "+ $*"
  [ $dry_run = 1 ] || "$@"
}

c_tarball="libsv2-$version-x86_64-linux-gnu.tar.gz"
stage="target/release-stage"

echo "== libsv2 $version: artifacts into $out$([ $dry_run = 1 ] && echo ' (dry run: nothing is built)')"
step rm -rf "$out" "$stage"
step mkdir -p "$out" "$stage"
step make python-wheels
step make node-packages
step make install PROFILE=release PREFIX=/usr/local DESTDIR="$root/$stage"
step tar -C "$stage/usr/local" -czf "$out/$c_tarball" include lib
step git archive --format=tar.gz --prefix="libsv2-$version/" -o "$out/libsv2-$version.tar.gz" HEAD
if [ $dry_run = 1 ]; then
  echo "+ cp target/wheels/libsv2-$version-*.whl target/npm/libsv2-*$version.tgz $out/"
  echo "+ (cd $out && sha256sum * > SHA256SUMS)"
else
  cp target/wheels/libsv2-"$version"-*.whl "$out/"
  cp target/npm/libsv2-linux-x64-gnu-"$version".tgz target/npm/libsv2-"$version".tgz "$out/"
  (cd "$out" && sha256sum -- * > SHA256SUMS)
  rm -rf "$stage"
  echo "== artifacts"
  ls -l "$out"
fi

cat <<EOF

== to publish (not done by this script; run them yourself once the artifacts are checked)
# 1. Tag the release (after moving CHANGELOG.md's "Unreleased" section under $version):
git tag -s v$version -m "libsv2 $version" && git push origin v$version
# 2. Python: the wheels to PyPI (TestPyPI first: --repository testpypi).
python3 -m twine check $out/libsv2-$version-*.whl
python3 -m twine upload $out/libsv2-$version-*.whl
# 3. Node: every platform package first, then the main package that lists them.
npm publish --access public $out/libsv2-linux-x64-gnu-$version.tgz
npm publish --access public $out/libsv2-$version.tgz
# 4. C library and sources: a GitHub release with the checksums.
gh release create v$version --title "libsv2 $version" --notes-file <(awk '/^## /{n++} n==1' CHANGELOG.md | sed 1d) \\
  $out/$c_tarball $out/libsv2-$version.tar.gz $out/SHA256SUMS
EOF
echo
echo "Not built here (docs/releasing.md): wheels and npm packages for aarch64 Linux, musl, macOS"
echo "and Windows; build them on those platforms and publish their npm packages before libsv2."
echo "Nothing was published."
