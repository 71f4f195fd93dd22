'use strict'
// Issue 13 items 5, 6: pool settings deployed software needs, from Node (sans I/O: a
// PoolServer and a client Session pass bytes in memory).
const test = require('node:test')
const assert = require('node:assert/strict')
const sv2 = require('..')

// SRI 2023's mining device asks max_target = 0x0237 << 192 (difficulty 7.6 M) for a CPU miner.
const sriMax = new Uint8Array(32)
sriMax[24] = 0x02
sriMax[25] = 0x37

function openChannel(poolConfig, flags) {
  const pool = new sv2.PoolServer({ plaintext: true }, poolConfig)
  const client = sv2.Session.client({ plaintext: true, flags }, 0)
  const conn = pool.accept(0)
  const events = []
  const pump = () => {
    for (let i = 0; i < 8; i++) {
      const out = client.dataToSend()
      if (out.length) pool.receiveData(conn, out, 1)
      events.push(...pool.events())
      const back = pool.takeDataToSend(conn)
      if (back.length) client.receiveData(back, 1)
    }
  }
  pump()
  if (!client.isReady) return { ready: false, events }
  client.send({ type: 'OpenStandardMiningChannel', requestId: 1, userIdentity: 'cpu', nominalHashRate: 0, maxTarget: sriMax })
  pump()
  const opened = events.find((e) => e.type === 'ChannelOpened')
  return { ready: true, events, target: opened && Buffer.from(opened.target) }
}

test('allowWorkSelection admits SRI mining proxy flags (6)', () => {
  assert.equal(openChannel({}, 6).ready, false)
  const r = openChannel({ allowWorkSelection: true }, 6)
  assert.ok(r.ready && r.target, JSON.stringify(r.events.map((e) => e.type)))
})

test('clientMaxTarget: honour (default), ignore, cap (R58 as a deployment choice)', () => {
  const off = { vardiff: { enabled: false } }
  assert.deepEqual(openChannel(off, 0).target, Buffer.from(sriMax))
  assert.deepEqual(openChannel({ ...off, clientMaxTarget: 'ignore' }, 0).target, Buffer.alloc(32, 0xff))
  const capped = openChannel({ ...off, clientMaxTarget: 'cap', clientMaxDifficultyCap: 1000 }, 0).target
  assert.ok(Buffer.compare(capped, Buffer.from(sriMax)) !== 0)
  assert.ok(Math.abs(sv2.targetToDifficulty(new Uint8Array(capped)) - 1000) < 1)
  assert.throws(() => new sv2.PoolServer({ plaintext: true }, { clientMaxTarget: 'cap' }), sv2.UsageError)
  assert.throws(() => new sv2.PoolServer({ plaintext: true }, { clientMaxDifficultyCap: 5 }), sv2.UsageError)
})

function drain(miner) {
  const out = []
  for (let e = miner.nextEvent(); e; e = miner.nextEvent()) out.push(e)
  return out
}

test('a channel open the server never answers fails after openChannelTimeoutMs (braiins 2021 ignores OpenExtendedMiningChannel)', () => {
  const miner = new sv2.Miner(
    { connection: { plaintext: true }, channels: [{ kind: 'extended', userIdentity: 'bob.proxy', nominalHashRate: 1e12, minExtranonceSize: 4 }], openChannelTimeoutMs: 5000 },
    0,
  )
  const server = sv2.Session.server({ plaintext: true }, 0)
  const events = []
  for (let i = 0; i < 6; i++) {
    const up = miner.dataToSend()
    if (up.length) server.receiveData(up, 10)
    server.events() // the server reads the open and says nothing
    const down = server.dataToSend()
    if (down.length) miner.receiveData(down, 10)
    events.push(...drain(miner))
  }
  assert.equal(miner.pollTimeout(), 5010)
  miner.handleTimeout(5009)
  assert.deepEqual(drain(miner), [])
  miner.handleTimeout(5010)
  const failed = drain(miner).filter((e) => e.type === 'ChannelOpenFailed')
  assert.equal(failed.length, 1)
  assert.equal(failed[0].requestId, 1)
  assert.equal(failed[0].errorCode, 'timed-out')
  assert.equal(failed[0].detail, "no answer to OpenExtendedMiningChannel request 1 (user 'bob.proxy') within 5000 ms")
  assert.throws(() => new sv2.Miner({ connection: { plaintext: true }, channels: [], openChannelTimeoutMs: -1 }), sv2.UsageError)
})
