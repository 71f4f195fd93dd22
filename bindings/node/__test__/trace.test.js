'use strict'
// Issue 13 item 12: the wire tap on sessions, miners and pools: a hook called with one JSON
// line per frame sent or received, the frame in the `sv2 decode` form.
const test = require('node:test')
const assert = require('node:assert/strict')
const sv2 = require('..')

function settle(a, b) {
  for (let i = 0; i < 100; i++) {
    const ab = a.dataToSend()
    const ba = b.dataToSend()
    if (ab.length) b.receiveData(ab, 0)
    if (ba.length) a.receiveData(ba, 0)
    const na = a.events()
    const nb = b.events()
    if (!ab.length && !ba.length && !na.length && !nb.length) return
  }
  throw new Error('did not settle')
}

test('Session.setTrace: every frame, both ways, in the sv2 decode form', () => {
  const clientLines = []
  const serverLines = []
  const client = sv2.Session.client({ plaintext: true, vendor: 'tap', trace: true }, 0)
  const server = sv2.Session.server({ plaintext: true }, 0)
  // trace: true kept the plaintext SetupConnection queued for the hook.
  client.setTrace((line) => clientLines.push(line))
  server.setTrace((line) => serverLines.push(line))
  assert.equal(clientLines.length, 1)
  const first = JSON.parse(clientLines[0])
  assert.equal(first.direction, 'sent')
  assert.equal(first.frame.message, 'SetupConnection')
  assert.equal(first.frame.fields.vendor, 'tap')
  settle(client, server)
  assert.deepEqual(serverLines.map((l) => JSON.parse(l).direction), ['received', 'sent'])
  client.send({ type: 'SubmitSharesStandard', channelId: 1, sequenceNumber: 2, jobId: 3, nonce: 4, ntime: 5, version: 6 })
  settle(client, server)
  const sent = clientLines.at(-1)
  assert.ok(sent.startsWith('{"direction":"sent","frame":{"protocol":"Mining","message":"SubmitSharesStandard","msg_type":26,'), sent)
  assert.deepEqual(JSON.parse(serverLines.at(-1)).frame, JSON.parse(sent).frame)
  assert.deepEqual(Object.keys(JSON.parse(sent).frame.fields), ['channel_id', 'sequence_number', 'job_id', 'nonce', 'ntime', 'version'])
  // null switches it off.
  client.setTrace(null)
  const before = clientLines.length
  client.send({ type: 'SubmitSharesStandard', channelId: 1, sequenceNumber: 3, jobId: 3, nonce: 4, ntime: 5, version: 6 })
  settle(client, server)
  assert.equal(clientLines.length, before)
})

test('a hook that throws surfaces its own error; the session goes on', () => {
  const client = sv2.Session.client({ plaintext: true, trace: true }, 0)
  const server = sv2.Session.server({ plaintext: true }, 0)
  assert.throws(() => client.setTrace(() => { throw new Error('logging failed') }), (e) => /logging failed/.test(e.message))
  client.setTrace(null)
  settle(client, server)
  assert.ok(client.isReady)
})

test('Miner.setTrace and PoolServer.setTrace', () => {
  const minerLines = []
  const poolLines = []
  const pool = new sv2.PoolServer({ plaintext: true })
  pool.setTrace((conn, line) => poolLines.push([conn, line]))
  const conn = pool.accept(0)
  const miner = new sv2.Miner({ connection: { plaintext: true, trace: true }, channels: [{ kind: 'standard', userIdentity: 'u', nominalHashRate: 1 }] }, 0)
  miner.setTrace((line) => minerLines.push(line))
  for (let i = 0; i < 20; i++) {
    const up = miner.dataToSend()
    if (up.length) pool.receiveData(conn, up, 0)
    pool.events()
    const down = pool.takeDataToSend(conn)
    if (down.length) miner.receiveData(down, 0)
    while (miner.nextEvent()) {}
  }
  assert.equal(JSON.parse(minerLines[0]).frame.message, 'SetupConnection')
  assert.ok(minerLines.some((l) => JSON.parse(l).frame.message === 'OpenStandardMiningChannel.Success'))
  assert.ok(poolLines.length >= 4)
  assert.ok(poolLines.every(([c]) => c === conn))
  assert.equal(JSON.parse(poolLines[0][1]).direction, 'received')
})
