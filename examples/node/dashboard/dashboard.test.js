'use strict'
// The dashboard in a real headless browser (Debian's Chromium driven by playwright-core):
// miners mine against the dashboard's pool, and the page must show their workers (grouped by
// account, with axes, acceptance rates and an offline flag) at first paint, then live with
// accepted-share counts rising. Screenshots are saved to target/node-dashboard/.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const BINDINGS = path.join(ROOT, 'bindings', 'node')
const sv2 = require(BINDINGS)
const { chromium } = require(require.resolve('playwright-core', { paths: [BINDINGS] }))
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const OUT = path.join(ROOT, 'target', 'node-dashboard')
const C_MINER = path.join(ROOT, 'examples', 'c', 'miner.c')

const noBrowser = !fs.existsSync(CHROMIUM) && !process.env.CI && `${CHROMIUM} not installed (apt-get install chromium)`

/** Starts the dashboard server; resolves with its URLs once it printed READY. */
function startDashboard(args = []) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--http-port', '0', '--pool-port', '0', '--shares-per-minute', '120', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dashboard did not start:\n${out}`)), 20000)
    const onData = (d) => {
      out += d
      const m = /^READY (.*)$/m.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, ...JSON.parse(m[1]) })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d) => (out += d))
    child.on('exit', (code) => reject(new Error(`dashboard exited with ${code}:\n${out}`)))
  })
}

async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv2-dashboard-chromium-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  return { context, dir }
}

/** The accepted count shown in the channel row of `user`, or null while there is none. */
async function acceptedShown(page, user) {
  const cell = page.locator(`#channels tbody tr[data-user="${user}"] td.accepted`)
  if ((await cell.count()) === 0) return null
  return Number(await cell.first().textContent())
}

async function waitForRise(page, user, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  let first = null
  while (Date.now() < deadline) {
    const n = await acceptedShown(page, user)
    if (n !== null && first === null) first = n
    if (n !== null && first !== null && n > first && n > 0) return { first, last: n }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`the accepted count of ${user} did not rise on the page (first ${first})`)
}

/** A miner of `identity` on the dashboard's pool, mining on the CPU. */
function mine(dash, identity) {
  return sv2.connectMiner({ url: dash.pool, vendor: 'dashboard-test', channels: [{ kind: 'standard', userIdentity: identity, nominalHashRate: 2e4 }], mine: { sliceNonces: 4000, sliceDelayMs: 2 } })
}

/** Every request of the page that failed or got an HTTP error, as text. */
function watchRequests(page) {
  const failed = []
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`))
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.url()} HTTP ${r.status()}`))
  return failed
}

// Issue 14: the page was empty until the event stream delivered, its charts had no axes, the
// table and the charts used two hash-rate estimators, workers were not grouped, and /favicon.ico
// was a 404. Two workers of account alice and one of bob mine; alice.rig2 then stops.
test('dashboard: first paint from the embedded snapshot, grouped workers, axes, acceptance, offline flag, no failed request', { skip: noBrowser, timeout: 150000 }, async () => {
  fs.mkdirSync(OUT, { recursive: true })
  const offlineAfterMs = 6000
  const dash = await startDashboard(['--offline-after-ms', String(offlineAfterMs)])
  const miners = []
  let browser
  try {
    for (const identity of ['alice.rig1', 'alice.rig2', 'bob.rig1']) miners.push(await mine(dash, identity))
    await Promise.all(miners.map((m) => m.waitFor((e) => e.type === 'ShareAccepted', 40000)))
    // alice.rig2 stops: no share from it any more.
    miners[1].close()
    await new Promise((r) => miners[1].once('close', r))
    await new Promise((r) => setTimeout(r, offlineAfterMs + 500))
    // The two that go on have a fresh share when the page loads (a slow, shared machine
    // must not make them look offline).
    await Promise.all([miners[0], miners[2]].map((m) => m.waitFor((e) => e.type === 'ShareAccepted', 40000)))

    browser = await launch()
    const page = await browser.context.newPage()
    const failed = watchRequests(page)
    // The event stream is held back: what the page shows at first comes from the HTML alone.
    let releaseEvents
    const eventsReleased = new Promise((r) => (releaseEvents = r))
    await page.route('**/events', async (route) => {
      await eventsReleased
      await route.continue()
    })
    await page.goto(dash.http, { waitUntil: 'load' })
    await page.screenshot({ path: path.join(OUT, 'dashboard-first-paint.png'), fullPage: true })
    const first = await page.evaluate(() => {
      const text = (sel) => document.querySelector(sel)?.textContent.trim() ?? null
      const row = (user) => document.querySelector(`#channels tbody tr.worker[data-user="${user}"]`)
      const cell = (user, cls) => row(user)?.querySelector(`td.${cls}`)?.textContent.trim() ?? null
      return {
        origin: document.body.dataset.origin,
        rendered: document.body.dataset.rendered,
        status: text('#status'),
        tiles: Object.fromEntries(['total-hashrate', 'workers-online', 'connections', 'accepted-total', 'rejected-total', 'acceptance-total', 'network-height', 'network-difficulty'].map((id) => [id, text('#' + id)])),
        // Table rows in order: account rows, each followed by its workers.
        rows: [...document.querySelectorAll('#channels tbody tr')].map((tr) => (tr.classList.contains('account') ? `account:${tr.dataset.account}` : `worker:${tr.dataset.account}/${tr.dataset.user}`)),
        status1: cell('alice.rig1', 'status'),
        status2: cell('alice.rig2', 'status'),
        lastShare2: cell('alice.rig2', 'last-share'),
        acceptance1: cell('alice.rig1', 'acceptance'),
        difficulty1: cell('alice.rig1', 'difficulty'),
        accountAcceptance: document.querySelector('#channels tr.account[data-account="alice"] td.acceptance')?.textContent.trim(),
        chartGroups: [...document.querySelectorAll('#charts .account-group')].map((g) => `${g.dataset.account}:${[...g.querySelectorAll('.chart')].map((c) => c.dataset.user).join(',')}`),
        yLabels: [...document.querySelectorAll('#charts .chart[data-user="alice.rig1"] .y-axis text')].map((t) => t.textContent),
        xLabels: [...document.querySelectorAll('#charts .chart[data-user="alice.rig1"] .x-axis text')].map((t) => t.textContent),
      }
    })
    assert.equal(first.origin, 'snapshot', 'rendered before any event arrived')
    assert.equal(first.rendered, '1')
    assert.match(first.status, /^snapshot/)
    assert.match(first.tiles['total-hashrate'], /^\d+(\.\d+)? [kMGTPE]?H\/s$/)
    assert.equal(first.tiles['workers-online'], '2 / 3')
    assert.equal(first.tiles.connections, '2')
    assert.ok(Number(first.tiles['accepted-total']) >= 3, first.tiles['accepted-total'])
    assert.equal(first.tiles['rejected-total'], '0')
    assert.equal(first.tiles['acceptance-total'], '100 %')
    assert.match(first.tiles['network-height'], /^1,000$/)
    assert.equal(first.tiles['network-difficulty'], '0.02') // the server's default
    assert.deepEqual(first.rows, ['account:alice', 'worker:alice/alice.rig1', 'worker:alice/alice.rig2', 'account:bob', 'worker:bob/bob.rig1'])
    assert.equal(first.status1, 'online')
    assert.equal(first.status2, 'offline')
    assert.match(first.lastShare2, /^\d+ s ago$/)
    assert.ok(Number(first.lastShare2.split(' ')[0]) * 1000 >= offlineAfterMs)
    assert.equal(first.acceptance1, '100 %')
    assert.equal(first.accountAcceptance, '100 %')
    assert.match(first.difficulty1, /^\d+(\.\d+)?(e-\d+| [kMGT])?$/)
    assert.deepEqual(first.chartGroups, ['alice:alice.rig1,alice.rig2', 'bob:bob.rig1'])
    assert.equal(first.yLabels.length, 3)
    assert.equal(first.yLabels[0], '0 H/s')
    assert.ok(first.yLabels.every((l) => /^\d+(\.\d+)? [kMGTPE]?H\/s$/.test(l)), first.yLabels.join())
    // The page's units: hash rates H/s…EH/s, difficulties with k/M/G/T.
    const units = await page.evaluate(() => [rate(0), rate(950), rate(1.5e9), rate(2.34e15), difficulty(1234), difficulty(5.6e12), difficulty(2.3e-6), difficulty(0.5)])
    assert.deepEqual(units, ['0 H/s', '950 H/s', '1.5 GH/s', '2.34 PH/s', '1.23 k', '5.6 T', '2.3e-6', '0.5'])
    assert.equal(first.xLabels.length, 3)
    assert.ok(first.xLabels.every((l) => /^\d\d:\d\d:\d\d$/.test(l)), first.xLabels.join())

    // Then the stream: the page goes live and alice.rig1's accepted count rises.
    releaseEvents()
    await page.waitForSelector('#status.live', { timeout: 15000 })
    const { first: before, last } = await waitForRise(page, 'alice.rig1', 30000)
    assert.ok(last > before)
    await page.waitForSelector('#charts .chart[data-user="alice.rig1"] svg polyline', { timeout: 15000 })
    // One estimator: the chart's rate and the channel row's rate are the same number.
    const rates = await page.evaluate(() => ({
      chart: document.querySelector('#charts .chart[data-user="alice.rig1"] .rate').textContent,
      table: document.querySelector('#channels tr.worker[data-user="alice.rig1"] td.hashrate').textContent,
    }))
    assert.equal(rates.chart, rates.table)
    assert.match(await page.locator('#pool-url').textContent(), /^stratum2\+tcp:\/\/127\.0\.0\.1:\d+\//)
    const favicon = await page.request.get(new URL('/favicon.ico', dash.http).href)
    assert.equal(favicon.status(), 200)
    await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true })
    assert.ok(fs.statSync(path.join(OUT, 'dashboard.png')).size > 10000)
    assert.deepEqual(failed, [], 'no request failed')
  } finally {
    if (browser) {
      await browser.context.close()
      fs.rmSync(browser.dir, { recursive: true, force: true })
    }
    for (const m of miners) m.close()
    dash.child.kill('SIGTERM')
  }
})

test('dashboard: the C miner shows up with rising accepted shares', { skip: noBrowser || (!fs.existsSync(C_MINER) && 'examples/c/miner.c is not in this tree yet'), timeout: 180000 }, async () => {
  fs.mkdirSync(OUT, { recursive: true })
  // As `make demo` builds it: the static library and its system libraries.
  execFileSync('cargo', ['build', '-p', 'sv2', '--lib'], { cwd: ROOT, stdio: 'inherit' })
  const exe = path.join(OUT, 'c-miner')
  const libs = ['-lgcc_s', '-lutil', '-lrt', '-lpthread', '-lm', '-ldl', '-lc']
  execFileSync('cc', ['-std=c99', '-O2', `-I${path.join(ROOT, 'include')}`, C_MINER, '-o', exe, path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'debug', 'libsv2.a'), ...libs], { stdio: 'inherit' })
  const dash = await startDashboard()
  const child = spawn(exe, ['--user', 'c.cpu0', '--seconds', '60', '--quiet', dash.pool], { stdio: 'ignore' })
  let browser
  try {
    browser = await launch()
    const page = await browser.context.newPage()
    await page.goto(dash.http)
    await page.waitForSelector('#channels tbody tr[data-user="c.cpu0"]', { timeout: 30000 })
    await waitForRise(page, 'c.cpu0', 45000)
    await page.screenshot({ path: path.join(OUT, 'dashboard-c-miner.png'), fullPage: true })
  } finally {
    if (browser) {
      await browser.context.close()
      fs.rmSync(browser.dir, { recursive: true, force: true })
    }
    child.kill('SIGTERM')
    dash.child.kill('SIGTERM')
  }
})
