#!/usr/bin/env node
'use strict'
// Pool dashboard: a Stratum V2 pool on the libsv2 engine (PoolServer fed by a synthetic
// template source, Noise on 127.0.0.1) and a web page on localhost with live per-user hash
// rate charts, the channel list, accepted/rejected shares by reason and blocks found, pushed
// to the browser with server-sent events. No external assets: the page draws its own SVG.
//
//   node examples/node/dashboard/server.js [--http-port 8080] [--pool-port 3336]
//        [--shares-per-minute 60] [--network-difficulty 0.02] [--demo-miners 2]
//
// It prints one line `READY {"http": "...", "pool": "stratum2+tcp://..."}` once both listen;
// point any Stratum V2 miner at the pool URL (the C miner: examples/c/miner.c).

const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')

const sv2 = loadLibsv2()

function loadLibsv2() {
  try {
    return require('libsv2')
  } catch {
    return require(path.join(__dirname, '..', '..', '..', 'bindings', 'node'))
  }
}

function parseArgs(argv) {
  const opts = { httpPort: 8080, poolPort: 0, host: '127.0.0.1', sharesPerMinute: 60, networkDifficulty: 0.02, demoMiners: 0, windowMs: 60_000 }
  const num = (v, name) => {
    const n = Number(v)
    if (!Number.isFinite(n)) throw new Error(`${name} needs a number`)
    return n
  }
  for (let i = 2; i < argv.length; i++) {
    const [a, v] = [argv[i], argv[i + 1]]
    switch (a) {
      case '--http-port': opts.httpPort = num(v, a); i++; break
      case '--pool-port': opts.poolPort = num(v, a); i++; break
      case '--shares-per-minute': opts.sharesPerMinute = num(v, a); i++; break
      case '--network-difficulty': opts.networkDifficulty = num(v, a); i++; break
      case '--demo-miners': opts.demoMiners = num(v, a); i++; break
      case '--window-ms': opts.windowMs = num(v, a); i++; break
      case '--help': case '-h':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 12).join('\n'))
        process.exit(0)
        break
      default:
        throw new Error(`unknown option ${a}`)
    }
  }
  return opts
}

const REASONS = ['invalid-channel-id', 'stale-share', 'invalid-job-id', 'ntime-out-of-range', 'version-not-allowed', 'invalid-extranonce-size', 'difficulty-too-low', 'duplicate-share']
const HISTORY = 180 // samples kept per user (one per second)

/** Everything the page shows, kept up to date from the pool's events. */
class DashboardState {
  constructor(windowMs) {
    this.windowMs = windowMs
    this.users = new Map() // user -> { estimator, accepted, rejected, series: [[t, h]] }
    this.rejected = Object.fromEntries(REASONS.map((r) => [r, 0]))
    this.accepted = 0
    this.blocks = []
    this.channelUsers = new Map() // `${conn}/${channel}` -> user
    this.log = []
  }
  user(name) {
    let u = this.users.get(name)
    if (!u) {
      u = { estimator: new sv2.HashrateEstimator({ windowMs: this.windowMs }), accepted: 0, rejected: 0, series: [] }
      this.users.set(name, u)
    }
    return u
  }
  note(text) {
    this.log.unshift({ t: Date.now(), text })
    this.log.length = Math.min(this.log.length, 50)
  }
  onEvent(e) {
    switch (e.type) {
      case 'Connected':
        this.note(`connection ${e.conn}: ${e.setup.vendor || 'unknown vendor'} ${e.setup.firmware}`.trim())
        break
      case 'ChannelOpened':
        this.channelUsers.set(`${e.conn}/${e.channelId}`, e.userIdentity)
        this.user(e.userIdentity)
        this.note(`${e.kind} channel ${e.channelId} opened for ${e.userIdentity}`)
        break
      case 'ChannelClosed':
        this.note(`channel ${e.channelId} of ${e.stats.userIdentity} closed (${e.cause})`)
        break
      case 'ShareAccepted':
        this.accepted++
        this.user(e.userIdentity).accepted++
        this.user(e.userIdentity).estimator.addShare(e.creditedDifficulty, sv2.monotonicMs())
        break
      case 'ShareRejected': {
        this.rejected[e.reason] = (this.rejected[e.reason] ?? 0) + 1
        const name = this.channelUsers.get(`${e.conn}/${e.channelId}`)
        if (name) this.user(name).rejected++
        break
      }
      case 'BlockFound':
        this.blocks.unshift({ t: Date.now(), hash: sv2.targetToHex(e.blockHash), user: e.userIdentity, channelId: e.channelId, jobId: e.jobId })
        this.blocks.length = Math.min(this.blocks.length, 20)
        this.note(`block found by ${e.userIdentity}`)
        break
      case 'EngineError':
        this.note(`connection ${e.conn}: ${e.code} ${e.message}`)
        break
      case 'Closed':
        this.note(`connection ${e.conn} closed: ${e.reason.kind}${e.reason.code ? ' ' + e.reason.code : ''}`)
        break
    }
  }
  sample() {
    const t = Date.now()
    const now = sv2.monotonicMs()
    for (const u of this.users.values()) {
      u.series.push([t, u.estimator.hashrate(now)])
      if (u.series.length > HISTORY) u.series.shift()
    }
  }
  view(pool, info) {
    const snap = pool.snapshot()
    return {
      pool: info,
      time: Date.now(),
      connections: snap.connections,
      totalHashrate: [...this.users.values()].reduce((s, u) => s + (u.series.at(-1)?.[1] ?? 0), 0),
      accepted: this.accepted,
      rejected: this.rejected,
      blocksFound: snap.blocksFound,
      blocks: this.blocks,
      users: [...this.users.entries()].map(([name, u]) => ({ name, accepted: u.accepted, rejected: u.rejected, series: u.series })),
      channels: snap.channels.map((c) => ({
        conn: c.conn,
        channelId: c.channelId,
        kind: c.kind,
        user: c.userIdentity,
        difficulty: c.difficulty,
        accepted: c.sharesAccepted,
        rejected: c.sharesRejectedTotal,
        hashrate: c.hashrate,
        bestShareDifficulty: c.bestShareDifficulty,
        blocks: c.blocksFound,
      })),
      log: this.log.slice(0, 15),
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv)
  const authority = sv2.generateAuthorityKeypair()
  const serverKey = sv2.generateServerKeypair()
  const now = Math.floor(Date.now() / 1000)
  const cert = sv2.signCertificate({ authoritySecretKey: authority.secretKey, serverPublicKey: serverKey.publicKey, validFrom: now - 3600, notValidAfter: now + 30 * 86400 })
  const nbits = sv2.targetToNbits(sv2.difficultyToTarget(opts.networkDifficulty))
  const pool = await sv2.listenPool({
    host: opts.host,
    port: opts.poolPort,
    server: { staticSecretKey: serverKey.secretKey, certificate: cert.text },
    pool: { vardiff: { sharesPerMinute: opts.sharesPerMinute, minWindowMs: 10_000 }, ackFlushMs: 250, hashrateWindowMs: opts.windowMs },
    templates: { seed: 42, height: 1000, nbits },
  })
  const poolUrl = sv2.formatPoolUrl(opts.host, pool.address().port, authority.publicKey)
  const info = { url: poolUrl, authorityKey: authority.publicKey, networkDifficulty: opts.networkDifficulty, sharesPerMinute: opts.sharesPerMinute, version: sv2.version() }

  const state = new DashboardState(opts.windowMs)
  const clients = new Set()
  const push = (name, data) => {
    const text = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`
    for (const res of clients) res.write(text)
  }
  pool.on('event', (e) => {
    state.onEvent(e)
    if (e.type === 'BlockFound' || e.type === 'ChannelOpened' || e.type === 'ChannelClosed') push('state', state.view(pool, info))
  })
  pool.on('warning', () => undefined)
  const tick = setInterval(() => {
    state.sample()
    push('state', state.view(pool, info))
  }, 1000)

  const page = fs.readFileSync(path.join(__dirname, 'index.html'))
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(page)
    } else if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(`event: state\ndata: ${JSON.stringify(state.view(pool, info))}\n\n`)
      clients.add(res)
      req.on('close', () => clients.delete(res))
    } else if (url.pathname === '/state.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(state.view(pool, info)))
    } else {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise((resolve) => server.listen(opts.httpPort, '127.0.0.1', resolve))
  const httpUrl = `http://127.0.0.1:${server.address().port}/`

  const miners = []
  for (let i = 0; i < opts.demoMiners; i++) {
    miners.push(
      await sv2.connectMiner({
        url: poolUrl,
        vendor: 'libsv2-node-demo',
        channels: [{ kind: i % 2 ? 'extended' : 'standard', userIdentity: `demo.cpu${i}`, nominalHashRate: 1e5 }],
        mine: { sliceNonces: 4000, sliceDelayMs: 2 },
      }),
    )
  }

  console.log(`READY ${JSON.stringify({ http: httpUrl, pool: poolUrl })}`)
  const stop = async () => {
    clearInterval(tick)
    for (const m of miners) m.close()
    for (const res of clients) res.end()
    server.close()
    await pool.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
