#!/usr/bin/env bash
# The npm packages a user installs without a Rust toolchain, as napi-rs lays them out: the
# main package `libsv2` (the loader index.js, the TypeScript layer dist/, types) with an
# optional dependency on the platform package `libsv2-linux-x64-gnu`, which holds the addon.
#
#   scripts/node-packages.sh [dev|release]      (run from the repository root; default release)
#
# The addon is linked by zig (cargo-zigbuild, installed with cargo if missing; zig itself is
# the `ziglang` wheel in the repo's venv) against glibc 2.17, so it loads on any x86_64 Linux
# that runs Node >= 18. Writes target/npm/libsv2-VERSION.tgz and
# target/npm/libsv2-linux-x64-gnu-VERSION.tgz, then installs both into an empty project with
# npm --offline (nothing from the registry) and checks that the installed package works; and
# installs the main tarball alone, whose require must fail naming the platform package.
set -euo pipefail
profile="${1:-release}"
case "$profile" in
dev) profile_flag=() ;;
release) profile_flag=(--release) ;;
*) echo "usage: scripts/node-packages.sh [dev|release]" >&2; exit 2 ;;
esac
root="$(pwd)"
node_dir="$root/bindings/node"
out="$root/target/npm"
venv="${VENV:-$root/.venv}"
platform=linux-x64-gnu
glibc_floor=2.17
# The versions this was checked with (the Makefile's python-wheel pins the same zig).
ZIGLANG_VERSION="${ZIGLANG_VERSION:-0.17.1}"
CARGO_ZIGBUILD_VERSION="${CARGO_ZIGBUILD_VERSION:-0.24.1}"

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
command -v cargo-zigbuild >/dev/null || cargo install -q --locked "cargo-zigbuild@$CARGO_ZIGBUILD_VERSION"
version="$(node -p "require('$node_dir/package.json').version")"
rm -rf "$out"
mkdir -p "$out/build" "$out/$platform" "$out/main"

echo "== the addon for x86_64-unknown-linux-gnu, glibc $glibc_floor ($profile)"
(cd "$node_dir" && PATH="$venv/bin:$PATH" npx napi build --platform "${profile_flag[@]}" --strip \
    --no-const-enum --target "x86_64-unknown-linux-gnu.$glibc_floor" --cross-compile \
    --output-dir "$out/build" --no-js --no-dts-header)
addon="$out/build/sv2.$platform.node"
newest="$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
if [ "$(printf '%s\n%s\n' "$newest" "$glibc_floor" | sort -V | tail -n 1)" != "$glibc_floor" ]; then
    echo "node-packages.sh: the addon needs glibc $newest, more than $glibc_floor" >&2
    exit 1
fi
echo "addon: $(du -h "$addon" | cut -f1), newest glibc symbol version $newest"

echo "== packages"
cp "$addon" "$out/$platform/"
node - "$node_dir/package.json" "$out/$platform/package.json" "$platform" <<'JS'
const fs = require('fs')
const [src, dst, platform] = process.argv.slice(2)
const main = JSON.parse(fs.readFileSync(src, 'utf8'))
const pkg = {
  name: `${main.name}-${platform}`,
  version: main.version,
  description: `The ${platform} native addon of ${main.name} (installed by ${main.name} itself)`,
  license: main.license,
  main: `${main.napi.binaryName}.${platform}.node`,
  files: [`${main.napi.binaryName}.${platform}.node`],
  os: ['linux'],
  cpu: ['x64'],
  libc: ['glibc'],
  engines: main.engines,
}
fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + '\n')
JS
(cd "$node_dir" && npx tsc -p tsconfig.json)
cp -r "$node_dir/index.js" "$node_dir/index.d.ts" "$node_dir/dist" "$node_dir/README.md" "$out/main/"
node - "$node_dir/package.json" "$out/main/package.json" "$platform" <<'JS'
const fs = require('fs')
const [src, dst, platform] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(src, 'utf8'))
// What a consumer needs: no build scripts, no dev tools; the addon comes from the platform package.
delete pkg.scripts
delete pkg.devDependencies
pkg.optionalDependencies = { [`${pkg.name}-${platform}`]: pkg.version }
fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + '\n')
JS
(cd "$out/$platform" && npm pack -q --pack-destination "$out" >/dev/null)
(cd "$out/main" && npm pack -q --pack-destination "$out" >/dev/null)
ls -l "$out"/*.tgz

echo "== install both into an empty project, offline, and use it"
project="$(mktemp -d)"
alone="$(mktemp -d)"
trap 'rm -rf "$project" "$alone"' EXIT
(cd "$project" && npm init -y >/dev/null &&
    npm install -q --offline --no-audit --no-fund \
        "$out/libsv2-$platform-$version.tgz" "$out/libsv2-$version.tgz")
[ ! -e "$project/node_modules/libsv2/src" ] || { echo "the package ships Rust sources" >&2; exit 1; }
(cd "$project" && node - <<'JS'
const assert = require('assert')
const sv2 = require('libsv2')
assert.ok(require.resolve('libsv2-linux-x64-gnu').endsWith('.node'))
const share = { type: 'SubmitSharesStandard', channelId: 1, sequenceNumber: 2, jobId: 3, nonce: 4, ntime: 5, version: 6 }
const frame = sv2.encodeFrame(share)
assert.deepEqual(sv2.decodeFrame(frame).message, share)
assert.throws(() => sv2.decodeFrame(frame.subarray(0, frame.length - 1)), (e) => e instanceof sv2.CodecError)
// A plaintext client/server session pair completes its setup through the installed addon.
const client = sv2.Session.client({ plaintext: true })
const server = sv2.Session.server({ plaintext: true })
for (let i = 0; i < 10; i++) {
  const c = client.dataToSend()
  if (c.length) server.receiveData(c)
  const s = server.dataToSend()
  if (s.length) client.receiveData(s)
}
const seen = [...client.events()].map((e) => e.type)
assert.ok(seen.includes('SetupComplete'), seen.join(','))
console.log(`npm packages OK: libsv2 ${require('libsv2/package.json').version} installed offline, addon from libsv2-linux-x64-gnu`)
JS
)

echo "== install the main package alone: require names the missing platform package"
# npm skips the optional dependency it cannot fetch (offline here, unpublished in general).
(cd "$alone" && npm init -y >/dev/null &&
    npm install -q --offline --no-audit --no-fund "$out/libsv2-$version.tgz" 2>/dev/null)
[ ! -e "$alone/node_modules/libsv2-$platform" ] || { echo "the platform package got installed" >&2; exit 1; }
(cd "$alone" && node - "$platform" "$version" <<'JS'
const assert = require('assert')
const [platform, version] = process.argv.slice(2)
assert.throws(() => require('libsv2'), (e) => {
  // Not napi's generic "Cannot find native binding. npm has a bug…": the package to install.
  assert.equal(e.code, 'ERR_LIBSV2_NATIVE_ADDON', e.stack)
  assert.ok(e.message.startsWith(`libsv2: the native addon for ${platform} was not found; install libsv2-${platform} (libsv2-${platform}-${version}.tgz`), e.message)
  return true
})
console.log('main package alone: require fails naming libsv2-' + platform)
JS
)
