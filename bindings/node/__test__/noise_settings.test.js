'use strict'
// Issue 13 items 2 and 9: the dialect alone selects the Noise negotiation, and the Noise
// settings (noiseProfile, ciphers by wire or Noise name, negotiate, acceptNoNegotiation,
// minVersion/maxVersion) mean what they mean in Rust, C and Python.
const test = require('node:test')
const assert = require('node:assert/strict')
const sv2 = require('..')

const seed = (n) => new Uint8Array(32).fill(n)
const authority = sv2.generateAuthorityKeypair(seed(21))
const serverKey = sv2.generateServerKeypair(seed(22))
const cert = sv2.signCertificate({ authoritySecretKey: authority.secretKey, serverPublicKey: serverKey.publicKey, validFrom: 0, notValidAfter: 0xffffffff })
const noiseServer = { staticSecretKey: serverKey.secretKey, certificate: cert.text }

function settle(a, b) {
  const ea = []
  const eb = []
  for (let i = 0; i < 100; i++) {
    const ab = a.dataToSend()
    const ba = b.dataToSend()
    const feed = (s, d) => { try { s.receiveData(d, 0) } catch (e) { assert.ok(e instanceof sv2.Sv2Error, String(e)) } }
    if (ab.length) feed(b, ab)
    if (ba.length) feed(a, ba)
    const na = a.events()
    const nb = b.events()
    ea.push(...na)
    eb.push(...nb)
    if (!ab.length && !ba.length && !na.length && !nb.length) return [ea, eb]
  }
  throw new Error('did not settle')
}

function handshake(client, server) {
  const c = sv2.Session.client({ authorityKey: authority.publicKey, rngSeed: seed(1), ...client }, 0)
  const s = sv2.Session.server({ ...noiseServer, rngSeed: seed(2), ...server }, 0)
  const [ce, se] = settle(c, s)
  return [ce.find((e) => e.type === 'HandshakeComplete'), se]
}

test('E7: the dialect alone selects the negotiation (braiins-2021 offers STR2)', () => {
  const first = (dialect, extra) => Buffer.from(sv2.Session.client({ authorityKey: authority.publicKey, dialect, ...extra }, 0).dataToSend()).subarray(2, 6).toString()
  assert.equal(first('braiins-2021'), 'STR2')
  assert.equal(first('spec'), 'STR3')
  assert.equal(first('sri-2023'), 'STR3')
  assert.equal(first('braiins-2021', { noiseProfile: 'SRI-2023' }), 'STR3')
  assert.equal(first('spec', { noiseProfile: 'braiins-2021' }), 'STR2')
  // A braiins-2021 server prefers AESGCM, as Braiins does; a spec one ChaChaPoly.
  assert.deepEqual(handshake({ dialect: 'braiins-2021' }, { dialect: 'braiins-2021' })[0], { type: 'HandshakeComplete', cipher: 'AesGcm', form: 'Str2' })
  assert.equal(handshake({}, {})[0].cipher, 'ChaChaPoly')
})

test('E7: a client of the wrong dialect is told the server\'s', () => {
  const c = sv2.Session.client({ authorityKey: authority.publicKey }, 0)
  // The reply of a Braiins 2021 server: STR2, one id, AESG.
  assert.throws(() => c.receiveData(Buffer.from('0900535452320141455347', 'hex'), 1),
    (e) => e instanceof sv2.NoiseError && e.code === 'SV2_ERR_NOISE_NEGOTIATION' && /answered with the braiins-2021 negotiation \(STR2\); configure dialect braiins-2021/.test(e.message))
})

test('ciphers by wire or Noise name, negotiation on/off, versions', () => {
  assert.equal(handshake({ ciphers: ['aesg'] }, { ciphers: ['AESGCM', 'chch'] })[0].cipher, 'AesGcm')
  assert.equal(handshake({ ciphers: ['CHCH', 'AESG'] }, { ciphers: ['aes-256-gcm', 'ChaChaPoly'] })[0].cipher, 'AesGcm')
  // No common cipher: no handshake.
  assert.equal(handshake({ ciphers: ['AESG'] }, { ciphers: ['CHCH'] })[0], undefined)
  // No negotiation: braiins-2021 only, and only with a server that accepts it.
  assert.equal(handshake({ dialect: 'braiins-2021', negotiate: false }, {})[0].form, 'None')
  assert.equal(handshake({ dialect: 'braiins-2021', negotiate: false }, { acceptNoNegotiation: false })[0], undefined)
  assert.throws(() => sv2.Session.client({ authorityKey: authority.publicKey, negotiate: false }, 0), (e) => e instanceof sv2.Sv2Error)
  // SetupConnection versions reach the server.
  const [, se] = handshake({ minVersion: 2, maxVersion: 3 }, {})
  const setup = se.find((e) => e.type === 'SetupComplete').setup
  assert.equal(setup.minVersion, 2)
  assert.equal(setup.maxVersion, 3)
})

test('bad Noise settings are UsageErrors naming what is accepted', () => {
  const key = authority.publicKey
  assert.throws(() => sv2.Session.client({ authorityKey: key, ciphers: ['rot13'] }, 0), (e) => e instanceof sv2.UsageError && /CHCH \(ChaChaPoly\) or AESG \(AESGCM\)/.test(e.message))
  assert.throws(() => sv2.Session.client({ authorityKey: key, ciphers: [] }, 0), sv2.UsageError)
  assert.throws(() => sv2.Session.client({ authorityKey: key, noiseProfile: 'str3' }, 0), (e) => e instanceof sv2.UsageError && /sri-2023 or braiins-2021/.test(e.message))
  assert.throws(() => sv2.Session.client({ authorityKey: key, minVersion: 3, maxVersion: 2 }, 0), sv2.UsageError)
  assert.throws(() => sv2.Session.server({ ...noiseServer, ciphers: ['des'] }, 0), sv2.UsageError)
  // The miner and the pool take the same configs.
  assert.throws(() => new sv2.Miner({ connection: { authorityKey: key, noiseProfile: 'x' }, channels: [] }), sv2.UsageError)
  assert.throws(() => new sv2.PoolServer({ ...noiseServer, ciphers: ['x'] }), sv2.UsageError)
})
