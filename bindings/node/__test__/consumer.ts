// A consumer of the package's types, type-checked with `tsc --noEmit` (npm test): the
// discriminated unions narrow, U64 is bigint, bytes are Uint8Array, errors carry codes.
import * as sv2 from '..'
import type { Message, Dialect, Sv2ErrorCode } from '..'

function describe(m: Message): string {
  switch (m.type) {
    case 'SubmitSharesStandard':
      return `share ${m.sequenceNumber} nonce ${m.nonce.toString(16)}`
    case 'SubmitSharesSuccess': {
      const sum: bigint = m.newSharesSum
      return `accepted ${m.newSubmitsAcceptedCount} (${sum})`
    }
    case 'NewExtendedMiningJob': {
      const path: Uint8Array[] = m.merklePath
      const minNtime: number | undefined = m.minNtime
      return `job ${m.jobId} (${path.length} branches, ${minNtime ?? 'future'})`
    }
    case 'SetupConnection':
      return m.vendor
    default:
      return m.type
  }
}

const dialect: Dialect = 'sri-2023'
// @ts-expect-error: not a dialect
const badDialect: Dialect = 'sri-2024'
void badDialect

const frame: Buffer = sv2.encodeFrame({ type: 'CloseChannel', channelId: 1, reasonCode: 'bye' }, dialect)
const decoded = sv2.decodeFrame(frame, dialect)
console.log(describe(decoded.message), decoded.length)

// @ts-expect-error: U64 fields are bigint, not number
sv2.encodeFrame({ type: 'SubmitSharesSuccess', channelId: 1, lastSequenceNumber: 1, newSubmitsAcceptedCount: 1, newSharesSum: 5 })

const tap = new sv2.StreamDecoder({ dialect: 'spec', maxPayload: 1 << 16 })
for (const f of tap.feed(frame)) {
  if (f.message) console.log(describe(f.message), f.header.msgType)
  else console.log(f.errorCode, f.errorMessage)
}

try {
  sv2.decodeFrame(new Uint8Array(2))
} catch (e) {
  if (e instanceof sv2.CodecError) {
    const code: Sv2ErrorCode = e.code
    const errno: number = e.errno
    console.log(code, errno, e.message)
  }
}

const keys: sv2.Keypair = sv2.generateAuthorityKeypair()
const url: sv2.PoolUrl = sv2.parsePoolUrl(`stratum2+tcp://127.0.0.1:3336/${keys.publicKey}`)
const security: 'noise' | 'plaintext' = url.security
console.log(security)

const est = new sv2.HashrateEstimator({ windowMs: 60_000 })
est.addShare(sv2.targetToDifficulty(sv2.difficultyToTarget(2)), 0)
const hs: number = est.hashrate(1000)
console.log(hs)

// Sessions, the miner and the pool: events are discriminated unions too.
function onSession(e: sv2.SessionEvent): string {
  switch (e.type) {
    case 'SetupComplete':
      return `${e.protocol} flags ${e.successFlags}`
    case 'Message':
      return describe(e.message)
    case 'Closed': {
      const kind: 'SetupRejected' | 'PeerClosed' | 'LocalClose' | 'Error' = e.reason.kind
      return `${kind} ${e.reason.code ?? ''}`
    }
    default:
      return e.type
  }
}

function onPool(e: sv2.PoolServerEvent): string {
  switch (e.type) {
    case 'ShareAccepted':
      return `${e.userIdentity} +${e.creditedDifficulty}`
    case 'ShareRejected': {
      const reason: 'stale-share' | 'difficulty-too-low' | string = e.reason
      return reason
    }
    case 'BlockFound':
      return sv2.targetToHex(e.blockHash)
    case 'ChannelOpened':
      return `${e.kind} ${e.channelId}`
    default:
      return e.type
  }
}

async function run(): Promise<void> {
  const auth = sv2.generateAuthorityKeypair()
  const server = sv2.generateServerKeypair()
  const cert = sv2.signCertificate({ authoritySecretKey: auth.secretKey, serverPublicKey: server.publicKey, validFrom: 0, notValidAfter: 2 ** 32 - 1 })
  const pool: sv2.PoolListener = await sv2.listenPool({
    server: { staticSecretKey: server.secretKey, certificate: cert.text },
    pool: { vardiff: { sharesPerMinute: 60 } },
    templates: { seed: 1, height: 100 },
  })
  pool.on('event', (e: sv2.PoolServerEvent) => console.log(onPool(e)))
  const snap: sv2.PoolSnapshot = pool.snapshot()
  const perUser = snap.channels.map((c: sv2.ChannelStats) => [c.userIdentity, c.hashrate, c.sharesRejected.staleShare] as const)
  console.log(perUser)
  const miner = await sv2.connectMiner({
    url: sv2.formatPoolUrl('127.0.0.1', pool.address().port, auth.publicKey),
    channels: [{ kind: 'standard', userIdentity: 'alice', nominalHashRate: 1e6 }],
    mine: { sliceNonces: 10000, sliceDelayMs: 1 },
  })
  // connectMiner resolved after SetupComplete; `ready` holds that event.
  const setup: sv2.MinerEvent & { type: 'SetupComplete' } = await miner.ready
  console.log(setup.successFlags)
  const tip: sv2.ChainTip | undefined = pool.chainTip()
  if (tip) console.log(tip.height, tip.nBits, tip.networkDifficulty.toFixed(3))
  for await (const e of miner) {
    if (e.type === 'NewWork') console.log(e.work.jobId, e.work.header.length)
    if (e.type === 'ShareAccepted') break
  }
  const conn = await sv2.connect({ port: pool.address().port, authorityKey: auth.publicKey })
  const ready = await conn.ready
  console.log(onSession(ready))
  for await (const e of conn) console.log(onSession(e))
  miner.close()
  await pool.close()
}
void run
