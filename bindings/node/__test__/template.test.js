'use strict'
// Template Distribution (spec §6) in memory: a TemplateProvider fed by the synthetic block
// source, a TemplateClient over Noise, a PoolServer taking its templates from that client, and
// a Miner whose block reaches the provider as SubmitSolution (R144) and comes back assembled.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const sv2 = require('..')

const NOW_UNIX = 1_700_000_000
// 8-byte value + 1-byte script length + OP_TRUE: the pool's default payout output.
const POOL_COINBASE_OUTPUTS = 10
const seed = (n) => new Uint8Array(32).fill(n)
const authority = sv2.generateAuthorityKeypair(seed(21))
const serverKey = sv2.generateServerKeypair(seed(22))
const cert = sv2.signCertificate({ authoritySecretKey: authority.secretKey, serverPublicKey: serverKey.publicKey, validFrom: 0, notValidAfter: 0xffffffff })
// Version 1, one input (a made-up outpoint, empty scriptSig), one output (0 sat, OP_TRUE).
const LEGACY_TX = Buffer.from('0100000001' + '11'.repeat(32) + '00000000' + '00' + 'ffffffff' + '01' + '00'.repeat(8) + '0151' + '00000000', 'hex')

function link(noise = true) {
  const server = noise ? { staticSecretKey: serverKey.secretKey, certificate: cert.text, rngSeed: seed(1) } : { plaintext: true }
  const client = noise ? { authorityKey: authority.publicKey, vendor: 'node-pool', nowUnix: NOW_UNIX, rngSeed: seed(2) } : { plaintext: true, vendor: 'node-pool' }
  const tp = new sv2.TemplateProvider(server, { maxTemplates: 16 })
  const conn = tp.accept(0)
  const tc = new sv2.TemplateClient(client, { coinbaseOutputMaxAdditionalSize: POOL_COINBASE_OUTPUTS }, 0)
  const tpEvents = []
  /** Moves bytes until quiet; returns the client events of this round. */
  function settle() {
    const out = []
    for (let i = 0; i < 1000; i++) {
      let moved = false
      const up = tc.dataToSend()
      if (up.length) { moved = true; tp.receiveData(conn, up, 0) }
      const pe = tp.events()
      if (pe.length) { moved = true; tpEvents.push(...pe) }
      const down = tp.takeDataToSend(conn)
      if (down.length) { moved = true; tc.receiveData(down, 0) }
      const ce = tc.events()
      if (ce.length) { moved = true; out.push(...ce) }
      if (!moved) return out
    }
    throw new Error('did not settle')
  }
  return { tp, tc, conn, tpEvents, settle }
}

test('the template builder refuses bytes that are not one transaction', () => {
  const tx = new sv2.TemplateTransaction(LEGACY_TX, 4n, 1000n)
  assert.equal(tx.weight, 4 * LEGACY_TX.length)
  assert.equal(tx.fee, 1000n)
  const txid = crypto.createHash('sha256').update(crypto.createHash('sha256').update(LEGACY_TX).digest()).digest()
  assert.deepEqual(Buffer.from(tx.txid), txid)
  const t = new sv2.BlockTemplate({
    version: 0x20000000, prevHash: new Uint8Array(32).fill(0x42), nbits: 0x207fffff,
    target: new Uint8Array(32).fill(0xff), headerTimestamp: NOW_UNIX, minTime: NOW_UNIX - 600,
    height: 101, coinbaseValue: 5_000_000_000n,
  })
  t.addTransaction(tx)
  assert.equal(t.transactionCount, 1)
  assert.equal(t.height, 101)
  for (const bad of [LEGACY_TX.subarray(0, LEGACY_TX.length - 1), Buffer.concat([LEGACY_TX, Buffer.alloc(1)]), Buffer.alloc(0)]) {
    assert.throws(() => new sv2.TemplateTransaction(bad), (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_INVALID_TRANSACTION' && e.errno === 480)
  }
  assert.throws(() => new sv2.BlockTemplate({ version: 1, prevHash: new Uint8Array(3), nbits: 0, target: new Uint8Array(32), headerTimestamp: 0, minTime: 0, height: 1, coinbaseValue: 0n }), sv2.UsageError)
})

test('provider and client: R131-R133 ordering, RequestTransactionData (R142), stale tips', () => {
  for (const noise of [true, false]) {
    const l = link(noise)
    const source = new sv2.SyntheticBlockSource(6, 400, { transactions: 40 })
    assert.equal(l.tp.setTemplate(source.nextBlock(NOW_UNIX), 0), 'new-tip')
    let events = l.settle()
    assert.deepEqual(events[0], { type: 'Ready', coinbaseOutputMaxAdditionalSize: POOL_COINBASE_OUTPUTS })
    assert.ok(l.tc.isReady)
    const templates = events.filter((e) => e.type === 'NewTemplate').map((e) => e.message)
    const tips = events.filter((e) => e.type === 'SetNewPrevHash').map((e) => e.message)
    assert.equal(templates.length, 1)
    assert.equal(templates[0].futureTemplate, true)
    assert.equal(tips[0].templateId, templates[0].templateId)
    assert.ok(l.tpEvents.some((e) => e.type === 'Connected' && e.setup.vendor === 'node-pool'))
    assert.ok(l.tpEvents.some((e) => e.type === 'CoinbaseOutputDataSize' && e.size === POOL_COINBASE_OUTPUTS))

    l.tc.requestTransactionData(templates[0].templateId, 0)
    l.tc.requestTransactionData(9999n, 0)
    events = l.settle()
    const data = events.find((e) => e.type === 'TransactionData').message
    assert.equal(data.transactionList.length, 40)
    const error = events.find((e) => e.type === 'TransactionDataError').message
    assert.equal(error.errorCode, 'template-id-not-found')
    assert.equal(error.templateId, 9999n)

    assert.equal(l.tp.setTemplate(source.update(NOW_UNIX + 1), 0), 'same-tip')
    const again = l.settle().filter((e) => e.type === 'NewTemplate').map((e) => e.message)
    assert.equal(again.length, 1)
    assert.equal(again[0].futureTemplate, false)
    assert.ok(again[0].templateId > templates[0].templateId)

    const old = source.nextBlock(NOW_UNIX + 2)
    source.advance(new Uint8Array(32).fill(0x99))
    assert.equal(l.tp.setTemplate(source.nextBlock(NOW_UNIX + 3), 0), 'new-tip')
    assert.throws(() => l.tp.setTemplate(old, 0), (e) => e instanceof sv2.ProtocolError && e.code === 'SV2_ERR_STALE_TIP')
    assert.throws(() => l.tp.receiveData(12345, Buffer.alloc(1)), (e) => e.code === 'SV2_ERR_UNKNOWN_CONNECTION')
    assert.throws(() => l.tc.submitSolution({ type: 'CloseChannel', channelId: 1, reasonCode: '' }), (e) => e.code === 'SV2_ERR_UNEXPECTED_MESSAGE')
    const stats = l.tp.stats()
    assert.equal(stats.clients, 1)
    assert.equal(stats.transactionDataServed, 1)
  }
  assert.throws(() => new sv2.TemplateProvider({ plaintext: true }, { maxTemplates: 0 }), sv2.UsageError)
  const early = new sv2.TemplateClient({ plaintext: true })
  assert.throws(() => early.requestTransactionData(1n), (e) => e.code === 'SV2_ERR_WRONG_STATE')
})

test('a pool on the provider finds a block that reaches the provider (R144)', () => {
  const l = link(true)
  const source = new sv2.SyntheticBlockSource(6, 400, { transactions: 40 })
  l.tp.setTemplate(source.nextBlock(NOW_UNIX), 0)
  const pool = new sv2.PoolServer({ plaintext: true }, { vardiff: { enabled: false } })
  const fed = l.settle().map((e) => sv2.TemplateClient.feedPool(e, pool, 0))
  assert.deepEqual(fed.filter(Boolean).length, 2)

  const miner = new sv2.Miner({ connection: { plaintext: true }, channels: [{ kind: 'standard', userIdentity: 'alice.rig1', nominalHashRate: 10 }] }, 0)
  const mconn = pool.accept(0)
  const poolEvents = []
  const minerEvents = []
  function pump() {
    for (let i = 0; i < 100; i++) {
      const up = miner.dataToSend()
      if (up.length) pool.receiveData(mconn, up, 0)
      const pe = pool.events()
      poolEvents.push(...pe)
      const down = pool.takeDataToSend(mconn)
      if (down.length) miner.receiveData(down, 0)
      let me
      let n = 0
      while ((me = miner.nextEvent()) !== null) { minerEvents.push(me); n++ }
      if (!up.length && !down.length && !pe.length && !n) return
    }
    throw new Error('did not settle')
  }
  pump()
  const opened = minerEvents.find((e) => e.type === 'ChannelOpened')
  assert.ok(opened && minerEvents.some((e) => e.type === 'NewWork'))
  let start = 0
  let share
  for (;;) {
    share = miner.scan(opened.channelId, { startNonce: start, count: 100000 })
    assert.ok(share)
    if (share.isBlock) break
    start = share.nonce + 1
  }
  miner.submitStandard(share.channelId, share.jobId, share.nonce, share.ntime, share.version, 0)
  pump()
  const found = poolEvents.filter((e) => e.type === 'BlockFound')
  assert.equal(found.length, 1)
  assert.equal(l.tc.submitBlockFound(found[0], 0), true)
  assert.equal(l.tc.submitBlockFound({}, 0), false)
  l.settle()
  const solution = l.tpEvents.filter((e) => e.type === 'Solution')
  assert.equal(l.tpEvents.filter((e) => e.type === 'SolutionRefused').length, 0)
  assert.equal(solution.length, 1)
  const b = solution[0]
  assert.equal(b.height, 400)
  assert.equal(b.stale, false)
  assert.equal(b.templateId, found[0].templateId)
  assert.deepEqual(Buffer.from(b.block.subarray(0, 80)), Buffer.from(found[0].header))
  assert.deepEqual(Buffer.from(b.blockHash), Buffer.from(found[0].blockHash))
  assert.equal(b.block[80], 41) // transaction count: the coinbase and 40
  assert.deepEqual(Buffer.from(b.block.subarray(81, 81 + found[0].coinbaseTx.length)), Buffer.from(found[0].coinbaseTx))
  assert.equal(l.tp.stats().solutions, 1)

  // The next tip reaches the pool through the client.
  source.advance(b.blockHash)
  l.tp.setTemplate(source.nextBlock(NOW_UNIX + 2), 0)
  assert.equal(l.settle().map((e) => sv2.TemplateClient.feedPool(e, pool, 0)).filter(Boolean).length, 2)
  assert.deepEqual(Buffer.from(pool.snapshot(0).prevHash), Buffer.from(source.prevHash))

  // The provider closes the connection; the pool keeps its channel.
  l.tp.close(l.conn)
  assert.ok(l.tp.events().some((e) => e.type === 'Closed' && e.reason.kind === 'LocalClose'))
  l.tc.peerClosed()
  assert.ok(l.tc.events().some((e) => e.type === 'Closed'))
  assert.equal(pool.channelCount, 1)
})
