'use strict'
// Keys, certificates, pool URLs, target/difficulty helpers and the hash-rate estimator.
const test = require('node:test')
const assert = require('node:assert/strict')
const sv2 = require('..')

const seed = (n) => new Uint8Array(32).fill(n)

test('key generation is reproducible from a seed and derives the public key', () => {
  const a = sv2.generateAuthorityKeypair(seed(1))
  assert.deepEqual(sv2.generateAuthorityKeypair(seed(1)), a)
  assert.notDeepEqual(sv2.generateAuthorityKeypair(), a)
  assert.equal(sv2.authorityPublicKey(a.secretKey), a.publicKey)
  const s = sv2.generateServerKeypair(seed(2))
  assert.equal(sv2.serverPublicKey(s.secretKey), s.publicKey)
  const raw = sv2.decodeKey(a.publicKey)
  assert.equal(raw.length, 32)
  assert.equal(sv2.encodeKey(raw), a.publicKey)
  assert.throws(() => sv2.generateAuthorityKeypair(new Uint8Array(31)), sv2.UsageError)
})

test('bad key text: NoiseError with the key codes', () => {
  const a = sv2.generateAuthorityKeypair(seed(1))
  const typo = a.publicKey.slice(0, -1) + (a.publicKey.endsWith('a') ? 'b' : 'a')
  assert.throws(() => sv2.decodeKey(typo), (e) => e instanceof sv2.NoiseError && e.code === 'SV2_ERR_KEY_CHECKSUM' && e.errno === 331)
  assert.throws(() => sv2.decodeKey('0OIl'), (e) => e.code === 'SV2_ERR_KEY_TEXT' && e.errno === 330)
  assert.throws(() => sv2.authorityPublicKey(''), (e) => e.code === 'SV2_ERR_KEY_TEXT')
})

test('certificates: sign, parse, verify; wrong authority, expired, empty window', () => {
  const auth = sv2.generateAuthorityKeypair(seed(3))
  const server = sv2.generateServerKeypair(seed(4))
  const cert = sv2.signCertificate({ authoritySecretKey: auth.secretKey, serverPublicKey: server.publicKey, validFrom: 1000, notValidAfter: 2000 })
  assert.equal(cert.version, 0)
  assert.equal(cert.signature.length, 64)
  assert.equal(cert.authorityPublicKey, auth.publicKey)
  assert.deepEqual(sv2.parseCertificate(cert.text), cert)
  sv2.verifyCertificate(cert.text, auth.publicKey, 1500)
  const other = sv2.generateAuthorityKeypair(seed(5))
  assert.throws(() => sv2.verifyCertificate(cert.text, other.publicKey, 1500), (e) => e.code === 'SV2_ERR_CERT_AUTHORITY_MISMATCH' && e.errno === 325)
  assert.throws(() => sv2.verifyCertificate(cert.text, auth.publicKey, 2001), (e) => e instanceof sv2.NoiseError && e.code === 'SV2_ERR_CERT_EXPIRED')
  assert.throws(() => sv2.verifyCertificate(cert.text, auth.publicKey, 999), (e) => e.code === 'SV2_ERR_CERT_NOT_YET_VALID')
  assert.throws(() => sv2.signCertificate({ authoritySecretKey: auth.secretKey, serverPublicKey: server.publicKey, validFrom: 3, notValidAfter: 2 }), (e) => e.code === 'SV2_ERR_CERT_EMPTY_VALIDITY')
  assert.throws(() => sv2.parseCertificate(cert.text.replace(/valid_from = \d+/, 'valid_from = 1001')), (e) => e.code === 'SV2_ERR_CERT_MALFORMED')
})

test('pool URLs', () => {
  const auth = sv2.generateAuthorityKeypair(seed(6))
  const u = sv2.parsePoolUrl(`stratum2+tcp://Pool.Example.com:3336/${auth.publicKey}`)
  assert.deepEqual(u, { host: 'pool.example.com', port: 3336, security: 'noise', authorityKey: auth.publicKey, url: `stratum2+tcp://pool.example.com:3336/${auth.publicKey}` })
  const p = sv2.parsePoolUrl('stratum2+tcp+plain://[::1]:34255')
  assert.equal(p.host, '::1')
  assert.equal(p.security, 'plaintext')
  assert.equal(p.authorityKey, undefined)
  assert.equal(sv2.formatPoolUrl('127.0.0.1', 3336, auth.publicKey), `stratum2+tcp://127.0.0.1:3336/${auth.publicKey}`)
  assert.equal(sv2.formatPoolUrl('::1', 3336), 'stratum2+tcp+plain://[::1]:3336')
  for (const [url, code] of [
    ['stratum+tcp://x:1', 'SV2_ERR_URL_SCHEME'],
    ['stratum2+tcp://:1/k', 'SV2_ERR_URL_HOST'],
    ['stratum2+tcp://host/k', 'SV2_ERR_URL_PORT'],
    ['stratum2+tcp://host:3336', 'SV2_ERR_URL_KEY'],
    // issue 20: a spec-2025 key is refused, never read as plaintext (Node sessions are 2022 only).
    ['stratum2+tcp://thepool.com:34254/9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh', 'SV2_ERR_URL_KEY'],
  ]) {
    assert.throws(() => sv2.parsePoolUrl(url), (e) => e instanceof sv2.NoiseError && e.code === code, url)
  }
})

test('target and difficulty helpers', () => {
  const one = sv2.difficultyToTarget(1)
  assert.equal(sv2.targetToHex(one), '00000000ffff0000000000000000000000000000000000000000000000000000')
  assert.deepEqual(sv2.targetFromHex(sv2.targetToHex(one)), one)
  assert.equal(sv2.targetToDifficulty(one), 1)
  assert.equal(sv2.targetToNbits(one), 0x1d00ffff)
  assert.deepEqual(sv2.nbitsToTarget(0x1d00ffff), one)
  assert.ok(Math.abs(sv2.targetToDifficulty(sv2.difficultyToTarget(1024)) - 1024) < 1e-6)
  const easy = sv2.difficultyToTarget(0.5)
  assert.ok(sv2.hashMeetsTarget(one, easy))
  assert.ok(!sv2.hashMeetsTarget(easy, one))
  const rate = sv2.expectedShareRate(1e12, one)
  assert.ok(Math.abs(sv2.hashrateFromShareRate(rate, one) - 1e12) / 1e12 < 1e-9)
  assert.ok(Math.abs(rate - 1e12 / sv2.HASHES_PER_DIFFICULTY_1) / rate < 1e-9)
  const t = sv2.targetForShareRate(1e12, rate)
  assert.ok(Math.abs(sv2.targetToDifficulty(t) - 1) < 1e-6)
  assert.equal(sv2.doubleSha256(Buffer.from('abc')).length, 32)
  assert.throws(() => sv2.difficultyToTarget(0), sv2.UsageError)
  assert.throws(() => sv2.targetToDifficulty(new Uint8Array(3)), (e) => e.code === 'SV2_ERR_INVALID_ARG')
  assert.throws(() => sv2.targetFromHex('zz'), sv2.UsageError)
})

test('rolling hash-rate estimator', () => {
  const est = new sv2.HashrateEstimator({ windowMs: 10_000 })
  assert.equal(est.hashrate(0), 0)
  // 10 shares of difficulty 2 per second for 20 s.
  for (let t = 0; t < 20_000; t += 100) est.addShare(2, t)
  const h = est.hashrate(20_000)
  const expected = 20 * sv2.HASHES_PER_DIFFICULTY_1
  assert.ok(Math.abs(h - expected) / expected < 0.02, `${h} vs ${expected}`)
  assert.equal(est.sharesInWindow(20_000), 99) // (10 s, 20 s]
  assert.equal(est.totalShares, 200)
  assert.equal(est.totalDifficulty, 400)
  // After the window passes without shares, the estimate decays to zero.
  assert.equal(est.hashrate(40_000), 0)
  // A young estimator divides by its age, not the whole window.
  const young = new sv2.HashrateEstimator({ windowMs: 600_000 })
  for (let t = 0; t <= 5000; t += 500) young.addShare(1, t)
  const y = young.hashrate(5000)
  assert.ok(Math.abs(y - (11 * sv2.HASHES_PER_DIFFICULTY_1) / 5) / y < 1e-9)
  assert.throws(() => new sv2.HashrateEstimator({ windowMs: 0 }), sv2.UsageError)
  assert.throws(() => est.addShare(-1, 0), sv2.UsageError)
})
