'use strict'
// Sessions, the miner and the pool: in memory (two sessions back to back) and over loopback
// TCP with Noise (node:net on both sides; the C miner too when examples/c/miner.c exists).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const sv2 = require('..')
const { ROOT } = require('./helpers')

const seed = (n) => new Uint8Array(32).fill(n)
const authority = sv2.generateAuthorityKeypair(seed(11))
const serverKey = sv2.generateServerKeypair(seed(12))
const cert = sv2.signCertificate({ authoritySecretKey: authority.secretKey, serverPublicKey: serverKey.publicKey, validFrom: 0, notValidAfter: 0xffffffff })
const noiseServer = { staticSecretKey: serverKey.secretKey, certificate: cert.text }

/** Moves bytes between two sans-I/O sessions until both are quiet; returns their events. */
function settle(a, b) {
  const ea = []
  const eb = []
  for (let i = 0; i < 100; i++) {
    const ab = a.dataToSend()
    const ba = b.dataToSend()
    // A session that fails throws from receiveData and reports a Closed event.
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

test('two sessions back to back: Noise handshake, setup, messages both ways', () => {
  const client = sv2.Session.client({ authorityKey: authority.publicKey, vendor: 'node-test', flags: 0, rngSeed: seed(1) }, 0)
  const server = sv2.Session.server({ ...noiseServer, rngSeed: seed(2) }, 0)
  assert.equal(client.role, 'client')
  const [ce, se] = settle(client, server)
  assert.deepEqual(ce.map((e) => e.type), ['HandshakeComplete', 'SetupComplete'])
  assert.deepEqual(se.map((e) => e.type), ['HandshakeComplete', 'SetupComplete'])
  const setup = se[1]
  assert.equal(setup.type, 'SetupComplete')
  assert.equal(setup.protocol, 'Mining')
  assert.equal(setup.setup.type, 'SetupConnection')
  assert.equal(setup.setup.vendor, 'node-test')
  assert.ok(client.isReady && server.isReady)
  assert.equal(client.protocol, 'Mining')
  client.send({ type: 'OpenStandardMiningChannel', requestId: 7, userIdentity: 'u', nominalHashRate: 1e9, maxTarget: new Uint8Array(32).fill(0xff) })
  const [, se2] = settle(client, server)
  assert.equal(se2.length, 1)
  assert.equal(se2[0].type, 'Message')
  assert.equal(se2[0].message.type, 'OpenStandardMiningChannel')
  assert.equal(se2[0].message.requestId, 7)
  // A message the server may not receive in this direction: refused locally.
  assert.throws(() => server.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'u', nominalHashRate: 1, maxTarget: new Uint8Array(32) }), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_NOT_SENDABLE')
  client.close()
  const [ce3] = settle(client, server)
  assert.equal(ce3.at(-1).type, 'Closed')
  assert.equal(ce3.at(-1).reason.kind, 'LocalClose')
  assert.throws(() => client.send({ type: 'CloseChannel', channelId: 1, reasonCode: '' }), (e) => e.code === 'SV2_ERR_CLOSED' && e.errno === 105)
})

test('a URL-scheme mismatch says which side speaks Noise, both ways (issue 14)', () => {
  // A plaintext client on a Noise server: was "Noise message with length prefix 0".
  let client = sv2.Session.client({ plaintext: true, vendor: 'node-test' }, 0)
  let server = sv2.Session.server(noiseServer, 0)
  let [, se] = settle(client, server)
  let closed = se.find((e) => e.type === 'Closed')
  assert.ok(closed, JSON.stringify(se))
  assert.equal(closed.reason.code, 'SV2_ERR_NOISE_MALFORMED')
  assert.match(closed.reason.message, /server speaks Noise and the client is plaintext/)
  // A Noise client on a plaintext server: was a frame too large, or a wait for the timeout.
  client = sv2.Session.client({ authorityKey: authority.publicKey, vendor: 'node-test' }, 0)
  server = sv2.Session.server({ plaintext: true }, 0)
  ;[, se] = settle(client, server)
  closed = se.find((e) => e.type === 'Closed')
  assert.ok(closed, JSON.stringify(se))
  assert.equal(closed.reason.code, 'SV2_ERR_PROTOCOL')
  assert.match(closed.reason.message, /client started a Noise handshake, but this server is plaintext/)
})

test('a certificate from another authority closes the client with a NoiseError code', () => {
  const other = sv2.generateAuthorityKeypair(seed(13))
  const client = sv2.Session.client({ authorityKey: other.publicKey }, 0)
  const server = sv2.Session.server(noiseServer, 0)
  const [ce] = settle(client, server)
  const closed = ce.find((e) => e.type === 'Closed')
  assert.ok(closed, JSON.stringify(ce))
  assert.equal(closed.reason.kind, 'Error')
  assert.equal(closed.reason.code, 'SV2_ERR_CERT_BAD_SIGNATURE')
  assert.equal(closed.reason.errno, 320)
})

test('configuration errors are UsageErrors', () => {
  assert.throws(() => sv2.Session.client({}), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_ARG' && /plaintext/.test(e.message))
  assert.throws(() => sv2.Session.client({ authorityKey: authority.publicKey, plaintext: true }), sv2.UsageError)
  assert.throws(() => sv2.Session.client({ authorityKey: 'nope' }), (e) => e instanceof sv2.NoiseError && e.code === 'SV2_ERR_KEY_TEXT')
  assert.throws(() => sv2.Session.server({ staticSecretKey: serverKey.secretKey }), sv2.UsageError)
  const otherServer = sv2.generateServerKeypair(seed(14))
  assert.throws(() => sv2.Session.server({ staticSecretKey: otherServer.secretKey, certificate: cert.text }), (e) => e.code === 'SV2_ERR_CERT_MALFORMED')
  assert.throws(() => new sv2.PoolServer({ plaintext: true }, { extranonceTotalLen: 40 }), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_CONFIG')
  assert.throws(() => new sv2.Miner({ connection: { plaintext: true }, channels: [{ kind: 'huge', userIdentity: 'x', nominalHashRate: 1 }] }), sv2.UsageError)
  const pool = new sv2.PoolServer({ plaintext: true })
  assert.throws(() => pool.receiveData(99, Buffer.alloc(1)), (e) => e.code === 'SV2_ERR_CLOSED')
  assert.throws(() => pool.newTemplate({ type: 'CloseChannel', channelId: 1, reasonCode: '' }), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_UNEXPECTED_MESSAGE' && e.errno === 112)
  assert.throws(() => pool.setTarget(1, 1, new Uint8Array(32)), (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_UNKNOWN_CHANNEL' && e.errno === 450)
  const miner = new sv2.Miner({ connection: { plaintext: true }, channels: [] })
  assert.throws(() => miner.submitStandard(9, 1, 0, 0, 0), (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_UNKNOWN_CHANNEL')
  assert.throws(() => miner.scan(9, { startNonce: 0, count: 1 }), (e) => e.code === 'SV2_ERR_WRONG_STATE')
  // A negative count used to wrap to 2**32 - 1 nonces (hours of blocking hashing).
  assert.throws(() => miner.scan(9, { startNonce: 0, count: -1 }), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_ARG')
  assert.throws(() => miner.scan(9, { startNonce: 2 ** 32, count: 1 }), (e) => e.code === 'SV2_ERR_INVALID_ARG')
})

test('a mining server closes a client that opens no channel in time (R55)', () => {
  const client = sv2.Session.client({ plaintext: true }, 0)
  const server = sv2.Session.server({ plaintext: true, timeouts: { openChannelMs: 2000 } }, 0)
  settle(client, server)
  assert.ok(client.isReady && server.isReady)
  assert.equal(server.pollTimeout(), 2000)
  server.handleTimeout(1999)
  assert.ok(!server.isClosed)
  server.handleTimeout(2000)
  const closed = server.events().at(-1)
  assert.equal(closed.type, 'Closed')
  assert.equal(closed.reason.code, 'SV2_ERR_TIMEOUT_OPEN_CHANNEL')
  // Asking for a channel stops the timer.
  const c2 = sv2.Session.client({ plaintext: true }, 0)
  const s2 = sv2.Session.server({ plaintext: true, timeouts: { openChannelMs: 2000 } }, 0)
  settle(c2, s2)
  c2.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'u', nominalHashRate: 1, maxTarget: new Uint8Array(32).fill(0xff) })
  settle(c2, s2)
  assert.equal(s2.pollTimeout(), null)
})

async function startPool(extra = {}) {
  return sv2.listenPool({
    server: noiseServer,
    pool: { vardiff: { sharesPerMinute: 600 }, ackFlushMs: 100, ...extra.pool },
    // Network difficulty 1: a share of these CPU miners is a block about once in 200 000; and
    // a block does not advance the chain, so no in-flight share goes stale (tests count
    // rejections).
    templates: { seed: 5, height: 300, nbits: 0x1d00ffff, advanceOnBlock: false, ...extra.templates },
  })
}

test('Node miner against the Node pool over loopback TCP with Noise', async () => {
  const pool = await startPool()
  const poolEvents = []
  pool.on('event', (e) => poolEvents.push(e))
  const { port } = pool.address()
  const url = sv2.formatPoolUrl('127.0.0.1', port, authority.publicKey)
  const miner = await sv2.connectMiner({
    url,
    vendor: 'node-miner',
    channels: [{ kind: 'standard', userIdentity: 'alice.rig1', nominalHashRate: 2e5 }, { kind: 'extended', userIdentity: 'bob.rig1', nominalHashRate: 2e5 }],
    mine: { sliceNonces: 5000 },
  })
  try {
    // connectMiner resolved after the handshake and SetupConnection: the first events are
    // already there, and the pool saw the connection set up.
    const events = miner[Symbol.asyncIterator]()
    assert.equal((await events.next()).value.type, 'HandshakeComplete')
    assert.equal((await events.next()).value.type, 'SetupComplete')
    await events.return()
    assert.equal((await miner.ready).type, 'SetupComplete')
    assert.ok(poolEvents.some((e) => e.type === 'Connected'), poolEvents.map((e) => e.type).join())
    await pool.waitFor((e) => e.type === 'ChannelOpened' && e.kind === 'extended', 10000)
    while (miner.counters.accepted < 6) await miner.waitFor((e) => e.type === 'ShareAccepted', 20000)
    const snap = pool.snapshot()
    assert.equal(snap.connections, 1)
    assert.deepEqual(snap.channels.map((c) => c.userIdentity).sort(), ['alice.rig1', 'bob.rig1'])
    const accepted = snap.channels.reduce((n, c) => n + c.sharesAccepted, 0)
    assert.ok(accepted >= 6, `pool accepted ${accepted}`)
    assert.ok(snap.channels.every((c) => c.kind === 'standard' || c.kind === 'extended'))
    const connected = poolEvents.find((e) => e.type === 'Connected')
    assert.equal(connected.setup.vendor, 'node-miner')
    const shares = poolEvents.filter((e) => e.type === 'ShareAccepted')
    assert.ok(shares.length >= 6)
    assert.ok(shares.every((s) => s.creditedDifficulty > 0 && s.shareDifficulty >= s.creditedDifficulty))
    assert.equal(miner.counters.rejected, 0)
    // The rolling estimator over the pool's share events gives a positive hash rate.
    const est = new sv2.HashrateEstimator({ windowMs: 10000 })
    for (const s of shares) est.addShare(s.creditedDifficulty, sv2.monotonicMs())
    assert.ok(est.hashrate(sv2.monotonicMs()) > 0)
  } finally {
    const poolClosed = pool.waitFor((e) => e.type === 'Closed', 5000).catch(() => null)
    miner.close()
    await new Promise((r) => miner.once('close', r))
    assert.ok(await poolClosed, 'pool saw the connection close')
    await pool.close()
  }
})

test('generic client connection: async iteration over a Noise session to the pool', async () => {
  const pool = await startPool()
  const { port } = pool.address()
  const conn = await sv2.connect({ host: '127.0.0.1', port, authorityKey: authority.publicKey, flags: 0b001 })
  try {
    // connect resolves once set up.
    assert.ok(conn.session.isReady)
    const ready = await conn.ready
    assert.equal(ready.protocol, 'Mining')
    conn.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'carol', nominalHashRate: 1e6, maxTarget: new Uint8Array(32).fill(0xff) })
    const seen = []
    for await (const e of conn) {
      if (e.type !== 'Message') continue
      seen.push(e.message.type)
      if (e.message.type === 'MiningSetNewPrevHash') break
    }
    assert.ok(seen.includes('OpenStandardMiningChannelSuccess'), seen.join())
    assert.ok(seen.includes('NewMiningJob'), seen.join())
  } finally {
    conn.close()
    await pool.close()
  }
})

test('each for-await loop has its own events; leaving one ends only it; .on(event) alone keeps nothing', async () => {
  const pool = await startPool()
  const { port } = pool.address()
  const first = pool[Symbol.asyncIterator]()
  const second = pool[Symbol.asyncIterator]()
  const conn = await sv2.connect({ host: '127.0.0.1', port, authorityKey: authority.publicKey, flags: 0b001 })
  try {
    await conn.ready
    const a = await first.next()
    const b = await second.next()
    assert.equal(a.value.type, 'Connected')
    assert.deepEqual(b.value, a.value)
    await first.return()
    assert.equal((await first.next()).done, true)
    // The other loop goes on.
    conn.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'dave', nominalHashRate: 1e6, maxTarget: new Uint8Array(32).fill(0xff) })
    let next
    do next = await second.next()
    while (!next.done && next.value.type !== 'ChannelOpened')
    assert.equal(next.value.type, 'ChannelOpened')
    await second.return()
    // With no loop running, events reach .on('event') listeners and are not kept (the
    // feed's internals: no subscription, no backlog once a loop has started).
    let heard = 0
    pool.on('event', () => heard++)
    conn.send({ type: 'OpenStandardMiningChannel', requestId: 2, userIdentity: 'erin', nominalHashRate: 1e6, maxTarget: new Uint8Array(32).fill(0xff) })
    await pool.waitFor((e) => e.type === 'ChannelOpened' && e.userIdentity === 'erin', 5000)
    assert.ok(heard > 0)
    assert.equal(pool.queue.subscriptions.size, 0)
    assert.equal(pool.queue.backlog, null)
  } finally {
    conn.close()
    await pool.close()
  }
})

test('bad options reject the connect and listen promises instead of throwing', async () => {
  const calls = [() => sv2.listenPool({ server: {} }), () => sv2.connectMiner({ url: 'bogus', channels: [] }), () => sv2.connect({})]
  for (const call of calls) {
    let promise
    assert.doesNotThrow(() => { promise = call() })
    await assert.rejects(promise, (e) => e instanceof sv2.Sv2Error)
  }
})

test('integer arguments out of range are refused, not wrapped', () => {
  const server = sv2.generateServerKeypair(seed(21))
  const authoritySecret = sv2.generateAuthorityKeypair(seed(22)).secretKey
  // Date.now() milliseconds where unix seconds belong: refused (it wrapped to a past time).
  assert.throws(() => sv2.signCertificate({ authoritySecretKey: authoritySecret, serverPublicKey: server.publicKey, validFrom: 0, notValidAfter: Date.now() }),
    (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_ARG' && /notValidAfter/.test(e.message))
  assert.throws(() => sv2.signCertificate({ authoritySecretKey: authoritySecret, serverPublicKey: server.publicKey, validFrom: -1, notValidAfter: 10 }),
    (e) => e instanceof sv2.UsageError && /validFrom/.test(e.message))
  const ok = sv2.signCertificate({ authoritySecretKey: authoritySecret, serverPublicKey: server.publicKey, validFrom: 0, notValidAfter: 4294967295 })
  assert.equal(ok.notValidAfter, 4294967295)
})

// Issue 14: connect/connectMiner resolved once TCP was up, so a wrong authority key only showed
// later as a Closed event. The certificate check (R24: the server's certificate must be
// signed by the authority key the client was given) now rejects the promise itself.
test('connect and connectMiner with the wrong authority key reject with the certificate error (R24)', async () => {
  const pool = await startPool()
  const { port } = pool.address()
  const other = sv2.generateAuthorityKeypair(seed(15))
  const isCertError = (e) => e instanceof sv2.NoiseError && e.code === 'SV2_ERR_CERT_BAD_SIGNATURE' && e.errno === sv2.ErrorCodes.SV2_ERR_CERT_BAD_SIGNATURE
  try {
    await assert.rejects(sv2.connect({ port, authorityKey: other.publicKey }), isCertError)
    await assert.rejects(
      sv2.connectMiner({ url: sv2.formatPoolUrl('127.0.0.1', port, other.publicKey), channels: [{ kind: 'standard', userIdentity: 'mallory', nominalHashRate: 1e6 }] }),
      isCertError,
    )
    // The pool never saw a miner set up or ask for a channel.
    const snap = pool.snapshot()
    assert.equal(snap.channels.length, 0)
  } finally {
    await pool.close()
  }
})

test('connect rejects with SV2_ERR_SETUP_REJECTED when the server refuses SetupConnection (R34)', async () => {
  const pool = await sv2.listenPool({ server: { plaintext: true } })
  try {
    // A mining pool offers no Template Distribution: SetupConnection.Error unsupported-protocol.
    await assert.rejects(sv2.connect({ port: pool.address().port, plaintext: true, protocol: 'TemplateDistribution' }),
      (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_SETUP_REJECTED' && /unsupported-protocol/.test(e.message))
  } finally {
    await pool.close()
  }
})

test('connect and connectMiner wait for the handshake: a silent server rejects them at the handshake timeout', async () => {
  const sockets = []
  const silent = net.createServer((s) => sockets.push(s))
  await new Promise((r) => silent.listen(0, '127.0.0.1', r))
  const { port } = silent.address()
  try {
    const started = Date.now()
    const timeouts = { handshakeMs: 300 }
    const isTimeout = (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_TIMEOUT_HANDSHAKE'
    await assert.rejects(sv2.connect({ port, authorityKey: authority.publicKey, timeouts }), isTimeout)
    await assert.rejects(sv2.connectMiner({ port, authorityKey: authority.publicKey, timeouts, channels: [] }), isTimeout)
    assert.ok(Date.now() - started >= 600, 'each waited for the timeout')
    // A server that hangs up mid-handshake rejects too, with the session's own error.
    const hangUp = net.createServer((s) => s.end())
    await new Promise((r) => hangUp.listen(0, '127.0.0.1', r))
    await assert.rejects(sv2.connectMiner({ port: hangUp.address().port, authorityKey: authority.publicKey, channels: [] }), (e) => e instanceof sv2.Sv2Error)
    hangUp.close()
  } finally {
    for (const s of sockets) s.destroy()
    silent.close()
  }
})

const C_MINER = path.join(ROOT, 'examples', 'c', 'miner.c')

test('the C miner (examples/c/miner.c) against the Node pool', { skip: !fs.existsSync(C_MINER) && 'examples/c/miner.c is not in this tree yet' }, async () => {
  const out = path.join(ROOT, 'target', 'node-test')
  fs.mkdirSync(out, { recursive: true })
  // As `make demo` builds it: the static library and its system libraries.
  execFileSync('cargo', ['build', '-p', 'sv2', '--lib'], { cwd: ROOT, stdio: 'inherit' })
  const exe = path.join(out, 'c-miner')
  const libs = ['-lgcc_s', '-lutil', '-lrt', '-lpthread', '-lm', '-ldl', '-lc']
  execFileSync('cc', ['-std=c99', '-O2', `-I${path.join(ROOT, 'include')}`, C_MINER, '-o', exe, path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'debug', 'libsv2.a'), ...libs], { stdio: 'inherit' })
  const pool = await startPool()
  const accepted = []
  pool.on('event', (e) => e.type === 'ShareAccepted' && accepted.push(e))
  const url = sv2.formatPoolUrl('127.0.0.1', pool.address().port, authority.publicKey)
  const child = spawn(exe, ['--user', 'c.cpu0', '--seconds', '20', '--shares', '3', '--quiet', url], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (d) => (log += d))
  child.stderr.on('data', (d) => (log += d))
  const code = await new Promise((r) => child.on('exit', r))
  await pool.close()
  assert.equal(code, 0, log)
  assert.ok(accepted.length >= 1 && accepted.every((s) => s.userIdentity === 'c.cpu0'), log)
})

test('synthetic blocks are blockDifficultyFactor (default 1000) times harder than the shares (issue 14)', () => {
  // At regtest difficulty nearly every share was a block and in-flight shares went stale
  // (53 % in a listenPool demo). The first block, made before any channel, waits for the
  // first channel's share target.
  const ratioFor = (poolConfig) => {
    const pool = new sv2.PoolServer({ plaintext: true }, poolConfig)
    const source = new sv2.SyntheticTemplateSource(3, 100)
    pool.nextSyntheticBlock(source, 1_700_000_000, 0)
    const conn = pool.accept(0)
    const client = sv2.Session.client({ plaintext: true, flags: 0 }, 0)
    const messages = []
    for (let i = 0; i < 50; i++) {
      const up = client.dataToSend()
      if (up.length) pool.receiveData(conn, up, 0)
      pool.events()
      const down = pool.takeDataToSend(conn)
      if (down.length) client.receiveData(down, 0)
      for (const e of client.events()) {
        if (e.type === 'SetupComplete') {
          client.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'u', nominalHashRate: 1e6, maxTarget: new Uint8Array(32).fill(0xff) })
        }
        if (e.type === 'Message') messages.push(e.message)
      }
      if (!up.length && !down.length && messages.some((m) => m.type === 'MiningSetNewPrevHash')) break
    }
    const opened = messages.find((m) => m.type === 'OpenStandardMiningChannelSuccess')
    const prevHash = messages.find((m) => m.type === 'MiningSetNewPrevHash')
    assert.ok(opened && prevHash, messages.map((m) => m.type).join())
    return sv2.targetToDifficulty(sv2.nbitsToTarget(prevHash.nbits)) / sv2.targetToDifficulty(opened.target)
  }
  const byDefault = ratioFor(undefined)
  assert.ok(byDefault > 990 && byDefault < 1010, `default ratio ${byDefault}`)
  const ten = ratioFor({ blockDifficultyFactor: 10 })
  assert.ok(ten > 9.9 && ten < 10.1, `ratio ${ten}`)
  assert.throws(() => new sv2.PoolServer({ plaintext: true }, { blockDifficultyFactor: 0.5 }), (e) => e.code === 'SV2_ERR_INVALID_CONFIG')
})
