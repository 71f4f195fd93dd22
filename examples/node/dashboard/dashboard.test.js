'use strict'
// The dashboard in a real headless browser (Debian's Chromium driven by playwright-core): a
// miner mines against the dashboard's pool, and the page must show the miner's channel with
// its accepted-share count rising. A screenshot is saved to target/node-dashboard/.
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

test('dashboard: a Node miner shows up with rising accepted shares', { skip: noBrowser, timeout: 120000 }, async () => {
  fs.mkdirSync(OUT, { recursive: true })
  const dash = await startDashboard()
  let miner
  let browser
  try {
    miner = await sv2.connectMiner({ url: dash.pool, vendor: 'dashboard-test', channels: [{ kind: 'standard', userIdentity: 'alice.rig1', nominalHashRate: 1e5 }], mine: { sliceNonces: 4000, sliceDelayMs: 2 } })
    browser = await launch()
    const page = await browser.context.newPage()
    await page.goto(dash.http)
    await page.waitForSelector('#status.live', { timeout: 15000 })
    await page.waitForSelector('#channels tbody tr[data-user="alice.rig1"]', { timeout: 20000 })
    const { first, last } = await waitForRise(page, 'alice.rig1', 30000)
    assert.ok(last > first)
    // The per-user chart and the channel's kind are on the page too.
    await page.waitForSelector('#charts .chart[data-user="alice.rig1"] svg polyline', { timeout: 15000 })
    assert.equal(await page.locator('#channels tbody tr[data-user="alice.rig1"] td').nth(2).textContent(), 'standard')
    assert.match(await page.locator('#pool-url').textContent(), /^stratum2\+tcp:\/\/127\.0\.0\.1:\d+\//)
    assert.ok(Number(await page.locator('#accepted-total').textContent()) >= last)
    await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true })
    assert.ok(fs.statSync(path.join(OUT, 'dashboard.png')).size > 10000)
  } finally {
    if (browser) {
      await browser.context.close()
      fs.rmSync(browser.dir, { recursive: true, force: true })
    }
    if (miner) miner.close()
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
