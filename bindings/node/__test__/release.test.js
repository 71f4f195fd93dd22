'use strict'
// scripts/release.sh (issue 14: the release steps are scripted): its dry run prints every
// build step and the publish commands, in an order that works (the platform npm package before
// the main one that lists it), and neither builds nor publishes anything. The tools a release
// uses (make, npm, twine, gh, cargo) are stubs that record any call.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT } = require('./helpers')

const SCRIPT = path.join(ROOT, 'scripts', 'release.sh')
const VERSION = require('../package.json').version

function withStubs(run) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-release-'))
  const calls = path.join(dir, 'calls.log')
  fs.mkdirSync(path.join(dir, 'bin'))
  for (const tool of ['make', 'npm', 'twine', 'gh', 'cargo', 'maturin']) {
    fs.writeFileSync(path.join(dir, 'bin', tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\nexit 1\n`, { mode: 0o755 })
  }
  try {
    return run({ env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, RELEASE_OUT: path.join(dir, 'out') }, calls, out: path.join(dir, 'out') })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

test('release.sh --dry-run prints the build steps and the publish commands, and runs neither', () => {
  withStubs(({ env, calls, out }) => {
    const r = spawnSync('bash', [SCRIPT, '--dry-run'], { cwd: ROOT, env, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const lines = r.stdout.split('\n')
    for (const step of ['+ make python-wheels', '+ make node-packages', '+ make install PROFILE=release']) {
      assert.ok(lines.some((l) => l.startsWith(step)), `missing step ${step}:\n${r.stdout}`)
    }
    const platformPublish = lines.findIndex((l) => l.startsWith('npm publish') && l.endsWith(`libsv2-linux-x64-gnu-${VERSION}.tgz`))
    const mainPublish = lines.findIndex((l) => l.startsWith('npm publish') && l.endsWith(`/libsv2-${VERSION}.tgz`))
    assert.ok(platformPublish >= 0 && mainPublish > platformPublish, `platform package first:\n${r.stdout}`)
    assert.ok(lines.some((l) => l.startsWith('python3 -m twine upload') && l.includes(`libsv2-${VERSION}-*.whl`)), r.stdout)
    assert.ok(lines.some((l) => l.startsWith(`gh release create v${VERSION}`)), r.stdout)
    assert.match(r.stdout, /Nothing was published\.\n$/)
    // Nothing ran: no tool was called, no output directory was made.
    assert.equal(fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '', '')
    assert.equal(fs.existsSync(out), false)
  })
})

test('release.sh refuses an unknown argument', () => {
  withStubs(({ env, calls }) => {
    const r = spawnSync('bash', [SCRIPT, '--publish'], { cwd: ROOT, env, encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--dry-run/)
    assert.equal(fs.existsSync(calls), false)
  })
})
