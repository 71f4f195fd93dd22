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
