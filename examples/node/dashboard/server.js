#!/usr/bin/env node
'use strict'
// Pool dashboard: a Stratum V2 pool on the libsv2 engine (PoolServer fed by a synthetic
// template source, Noise on 127.0.0.1) and a web page on localhost with live per-user hash
// rate charts, the channel list, accepted/rejected shares by reason and blocks found, pushed
// to the browser with server-sent events. No external assets: the page draws its own SVG.
//
//   node examples/node/dashboard/server.js [--http-port 8080] [--pool-port 3336]
//        [--shares-per-minute 60] [--network-difficulty 0.02] [--demo-miners 2]
//        [--window-ms 60000] [--offline-after-ms N]
//
// Workers are grouped under their account (user identity `account.worker`); one with no
// accepted share for --offline-after-ms (default 5 expected share intervals, 30 s to 2 min) is
// flagged offline. The page arrives with the current state embedded, then streams.
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
  const opts = { httpPort: 8080, poolPort: 0, host: '127.0.0.1', sharesPerMinute: 60, networkDifficulty: 0.02, demoMiners: 0, windowMs: 60_000, offlineAfterMs: undefined }
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
      case '--offline-after-ms': opts.offlineAfterMs = num(v, a); i++; break
      case '--help': case '-h':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 15).join('\n'))
        process.exit(0)
        break
      default:
        throw new Error(`unknown option ${a}`)
    }
  }
  // Offline: no share for 5 expected share intervals (the vardiff goal), at least 30 s (a
  // worker is not flagged for ordinary luck) and at most 2 minutes.
  opts.offlineAfterMs ??= Math.min(120_000, Math.max(30_000, (5 * 60_000) / opts.sharesPerMinute))
  return opts
}

const REASONS = ['invalid-channel-id', 'stale-share', 'invalid-job-id', 'ntime-out-of-range', 'version-not-allowed', 'invalid-extranonce-size', 'difficulty-too-low', 'duplicate-share']
const HISTORY = 180 // samples kept per worker (one per second)

/** `account.worker` → its two parts; an identity without a dot is an account's only worker. */
function splitIdentity(identity) {
  const dot = identity.indexOf('.')
  return dot < 0 ? { account: identity, worker: '' } : { account: identity.slice(0, dot), worker: identity.slice(dot + 1) }
}

/** accepted / (accepted + rejected), or null before the first share. */
function acceptance(accepted, rejected) {
  return accepted + rejected === 0 ? null : accepted / (accepted + rejected)
}

/**
 * Everything the page shows, kept up to date from the pool's events. Hash rates come from one
 * estimator only, the engine's (`snapshot().channels[].hashrate`): the channel rows, the worker
 * and account totals and the charts all read the same snapshot, so they agree.
 */
class DashboardState {
  /** `offlineAfterMs`: a worker with no accepted share for this long is flagged offline. */
  constructor({ offlineAfterMs }) {
    this.offlineAfterMs = offlineAfterMs
    this.workers = new Map() // user identity -> { since, lastShareAt, accepted, rejected, series: [[t, h]] }
    this.rejected = Object.fromEntries(REASONS.map((r) => [r, 0]))
    this.accepted = 0
    this.blocks = []
    this.channelUsers = new Map() // `${conn}/${channel}` -> user identity
    this.log = []
  }
  worker(identity) {
    let w = this.workers.get(identity)
    if (!w) {
      w = { since: Date.now(), lastShareAt: null, accepted: 0, rejected: 0, series: [] }
      this.workers.set(identity, w)
    }
    return w
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
        this.worker(e.userIdentity)
        this.note(`${e.kind} channel ${e.channelId} opened for ${e.userIdentity}`)
        break
      case 'ChannelClosed':
        this.note(`channel ${e.channelId} of ${e.stats.userIdentity} closed (${e.cause})`)
        break
      case 'ShareAccepted': {
        this.accepted++
        const w = this.worker(e.userIdentity)
        w.accepted++
        w.lastShareAt = Date.now()
        break
      }
      case 'ShareRejected': {
        this.rejected[e.reason] = (this.rejected[e.reason] ?? 0) + 1
        const name = this.channelUsers.get(`${e.conn}/${e.channelId}`)
        if (name) this.worker(name).rejected++
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
  /**
   * The page's data from one snapshot. Each worker's chart gets the snapshot's rate as its
   * newest point (a new point once a second, else the newest is replaced), so the chart ends
   * on the number the table shows.
   */
  view(pool, info) {
    const snap = pool.snapshot()
    const t = Date.now()
    const rateOf = new Map()
    for (const c of snap.channels) {
      this.worker(c.userIdentity)
      rateOf.set(c.userIdentity, (rateOf.get(c.userIdentity) ?? 0) + c.hashrate)
    }
    const accounts = new Map()
    for (const [identity, w] of [...this.workers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const hashrate = rateOf.get(identity) ?? 0
      const last = w.series.at(-1)
      if (last && t - last[0] < 1000) last[1] = hashrate
      else {
        w.series.push([t, hashrate])
        if (w.series.length > HISTORY) w.series.shift()
      }
      const ageMs = t - (w.lastShareAt ?? w.since)
      const { account, worker } = splitIdentity(identity)
      if (!accounts.has(account)) accounts.set(account, { name: account, hashrate: 0, accepted: 0, rejected: 0, workers: [] })
      const a = accounts.get(account)
      a.hashrate += hashrate
      a.accepted += w.accepted
      a.rejected += w.rejected
      a.workers.push({
        identity,
        worker,
        hashrate,
        accepted: w.accepted,
        rejected: w.rejected,
        acceptance: acceptance(w.accepted, w.rejected),
        lastShareAt: w.lastShareAt,
        lastShareAgeMs: w.lastShareAt === null ? null : ageMs,
        offline: ageMs > this.offlineAfterMs,
        channels: snap.channels.filter((c) => c.userIdentity === identity).length,
        series: w.series,
      })
    }
    const rejectedTotal = Object.values(this.rejected).reduce((n, k) => n + k, 0)
    const workers = [...accounts.values()].flatMap((a) => a.workers)
    return {
      pool: info,
      time: t,
      offlineAfterMs: this.offlineAfterMs,
      chain: pool.chainTip() ?? null,
      connections: snap.connections,
      totalHashrate: snap.totalHashrate,
      accepted: this.accepted,
      rejectedTotal,
      acceptance: acceptance(this.accepted, rejectedTotal),
      rejected: this.rejected,
      blocksFound: snap.blocksFound,
      blocks: this.blocks,
      workersOnline: workers.filter((w) => !w.offline).length,
      workersTotal: workers.length,
      accounts: [...accounts.values()].map((a) => ({ ...a, acceptance: acceptance(a.accepted, a.rejected) })),
      channels: snap.channels.map((c) => ({
        conn: c.conn,
        channelId: c.channelId,
        kind: c.kind,
        user: c.userIdentity,
        ...splitIdentity(c.userIdentity),
        difficulty: c.difficulty,
        accepted: c.sharesAccepted,
        rejected: c.sharesRejectedTotal,
        acceptance: acceptance(c.sharesAccepted, c.sharesRejectedTotal),
        hashrate: c.hashrate,
        bestShareDifficulty: c.bestShareDifficulty,
        blocks: c.blocksFound,
      })),
      log: this.log.slice(0, 15),
    }
  }
}

/** The dashboard's icon (also inlined in the page as a data: URL). */
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#182029"/><path d="M3 12l3-4 3 2 4-6" stroke="#f2a93b" stroke-width="2" fill="none"/></svg>'

/** The page with `state` embedded, so that its first paint shows data (the stream follows). */
function pageWithState(template, state) {
  // `<` escaped: the JSON cannot close the script element it sits in.
  const json = JSON.stringify(state).replace(/</g, '\\u003c')
  return template.replace('<script id="initial-state" type="application/json">null</script>', () => `<script id="initial-state" type="application/json">${json}</script>`)
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

  const state = new DashboardState({ offlineAfterMs: opts.offlineAfterMs })
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
  const tick = setInterval(() => push('state', state.view(pool, info)), 1000)

  const page = fs.readFileSync(path.join(__dirname, 'index.html'), 'utf8')
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(pageWithState(page, state.view(pool, info)))
    } else if (url.pathname === '/favicon.ico' || url.pathname === '/favicon.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' })
      res.end(FAVICON)
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
