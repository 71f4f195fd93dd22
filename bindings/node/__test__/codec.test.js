'use strict'
// Messages and framing: the shared vectors, error paths, the streaming decoder as a tap.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const sv2 = require('..')
const { ROOT, loadVectors, defined } = require('./helpers')

const vectors = loadVectors()

test('there is a vector for every message of the spec', () => {
  assert.ok(vectors.length >= 40, `only ${vectors.length} vectors`)
})

for (const v of vectors) {
  test(`vector ${v.file}: encode and decode`, () => {
    const frame = sv2.encodeFrame(v.message)
    assert.ok(Buffer.isBuffer(frame))
    assert.equal(frame.toString('hex'), v.hex.toString('hex'))
    const { message, length } = sv2.decodeFrame(v.hex)
    assert.equal(length, v.hex.length)
    assert.deepEqual(defined(message), defined(v.message))
    // Buffers are accepted where Uint8Arrays are produced, and a round trip is stable.
    assert.equal(sv2.encodeFrame(message).toString('hex'), v.hex.toString('hex'))
    const info = sv2.messageInfo(message.type)
    assert.equal(info.msgType, v.hex[2])
  })
}

test('the stream decoder, fed one byte at a time, returns every vector in order', () => {
  const all = Buffer.concat(vectors.map((v) => v.hex))
  const tap = new sv2.StreamDecoder()
  const seen = []
  for (let i = 0; i < all.length; i++) {
    const frames = tap.feed(all.subarray(i, i + 1))
    assert.ok(frames.length <= 1)
    seen.push(...frames)
    if (frames.length === 0) assert.equal(tap.next(), null)
  }
  assert.equal(seen.length, vectors.length)
  assert.equal(tap.buffered, 0)
  assert.equal(tap.frames, vectors.length)
  seen.forEach((f, i) => {
    assert.equal(f.errorCode, undefined, vectors[i].file)
    assert.deepEqual(defined(f.message), defined(vectors[i].message), vectors[i].file)
    assert.equal(f.header.msgType, vectors[i].hex[2])
    assert.equal(f.header.msgLength, vectors[i].hex.length - 6)
    assert.deepEqual(Buffer.from(f.payload), vectors[i].hex.subarray(6))
  })
})

test('push/next: a frame split across pushes comes out once, whole', () => {
  const frame = vectors[0].hex
  const tap = new sv2.StreamDecoder({ dialect: 'spec' })
  tap.push(frame.subarray(0, 3))
  assert.equal(tap.next(), null)
  tap.push(frame.subarray(3))
  const f = tap.next()
  assert.ok(f && f.message)
  assert.equal(tap.next(), null)
  assert.equal(tap.dialect, 'spec')
})

test('the tap reports undecodable and unknown frames without stopping', () => {
  const tap = new sv2.StreamDecoder()
  const unknown = Buffer.from([0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0xaa, 0xbb])
  // SubmitSharesStandard with a payload one byte short.
  const good = sv2.encodeFrame({ type: 'SubmitSharesStandard', channelId: 1, sequenceNumber: 2, jobId: 3, nonce: 4, ntime: 5, version: 6 })
  const bad = Buffer.from(good.subarray(0, good.length - 1))
  bad[3] = good[3] - 1
  const frames = tap.feed(Buffer.concat([unknown, bad, good]))
  assert.equal(frames.length, 3)
  assert.equal(frames[0].errorCode, 'SV2_ERR_UNKNOWN_MESSAGE')
  assert.deepEqual(Buffer.from(frames[0].payload), Buffer.from([0xaa, 0xbb]))
  assert.equal(frames[1].errorCode, 'SV2_ERR_TRUNCATED')
  assert.match(frames[1].errorMessage, /SubmitSharesStandard/)
  assert.equal(frames[2].message.type, 'SubmitSharesStandard')
})

test('a header announcing more than maxPayload makes the decoder fail for good', () => {
  const tap = new sv2.StreamDecoder({ maxPayload: 16 })
  tap.push(Buffer.from([0, 0, 0x1a, 0xff, 0xff, 0x00]))
  assert.throws(() => tap.next(), (e) => e instanceof sv2.CodecError && e.code === 'SV2_ERR_FRAME_TOO_LARGE' && e.errno === 207)
  assert.throws(() => tap.next(), sv2.CodecError)
})

test('decode errors are CodecErrors with the C code', () => {
  assert.throws(() => sv2.decodeFrame(Buffer.from([0, 0])), (e) => e instanceof sv2.CodecError && e instanceof sv2.Sv2Error && e instanceof Error && e.code === 'SV2_ERR_TRUNCATED' && e.errno === 200)
  const frame = sv2.encodeFrame({ type: 'CloseChannel', channelId: 7, reasonCode: 'bye' })
  const trailing = Buffer.concat([frame, Buffer.from([0])])
  trailing[3] += 1
  assert.throws(() => sv2.decodeFrame(trailing), (e) => e.code === 'SV2_ERR_TRAILING_BYTES' && e.errno === 202)
  assert.throws(() => sv2.decodeFrame(Buffer.from([0, 0, 0xfe, 0, 0, 0])), (e) => e instanceof sv2.CodecError && e.code === 'SV2_ERR_UNKNOWN_MESSAGE' && e.errno === 208)
})

test('encode errors: values out of range, wrong lengths, wrong types', () => {
  const base = { type: 'SubmitSharesStandard', channelId: 1, sequenceNumber: 2, jobId: 3, nonce: 4, ntime: 5, version: 6 }
  assert.throws(() => sv2.encodeFrame({ ...base, nonce: 'x' }), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_ARG')
  const { nonce, ...missing } = base
  assert.throws(() => sv2.encodeFrame(missing), (e) => e instanceof sv2.UsageError && e.code === 'SV2_ERR_INVALID_ARG')
  assert.throws(() => sv2.encodeFrame({ type: 'NoSuchMessage' }), sv2.UsageError)
  assert.throws(
    () => sv2.encodeFrame({ type: 'SetupConnectionSuccess', usedVersion: 70000, flags: 0 }),
    (e) => e.code === 'SV2_ERR_INVALID_ARG' && /SetupConnection.Success.used_version/.test(e.message),
  )
  assert.throws(
    () => sv2.encodeFrame({ type: 'SetTarget', channelId: 1, maximumTarget: Buffer.alloc(31) }),
    (e) => e.code === 'SV2_ERR_INVALID_ARG' && /32 bytes/.test(e.message),
  )
  assert.throws(
    () => sv2.encodeFrame({ type: 'CloseChannel', channelId: 1, reasonCode: 'x'.repeat(256) }),
    (e) => e instanceof sv2.CodecError && e.code === 'SV2_ERR_ENCODE_TOO_LONG' && e.errno === 209,
  )
  assert.throws(
    () => sv2.encodeFrame({ type: 'SubmitSharesSuccess', channelId: 1, lastSequenceNumber: 1, newSubmitsAcceptedCount: 1, newSharesSum: -1n }),
    (e) => e.code === 'SV2_ERR_INVALID_ARG',
  )
  assert.throws(
    () => sv2.encodeFrame({ type: 'SubmitSharesSuccess', channelId: 1, lastSequenceNumber: 1, newSubmitsAcceptedCount: 1, newSharesSum: 1n << 64n }),
    (e) => e.code === 'SV2_ERR_INVALID_ARG',
  )
  // U64 round trip at the top of the range.
  const big = { type: 'SubmitSharesSuccess', channelId: 1, lastSequenceNumber: 1, newSubmitsAcceptedCount: 1, newSharesSum: (1n << 64n) - 1n }
  assert.equal(sv2.decodeFrame(sv2.encodeFrame(big)).message.newSharesSum, (1n << 64n) - 1n)
})

test('dialects: ids differ, unknown dialects are refused', () => {
  const job = { type: 'NewMiningJob', channelId: 1, jobId: 2, futureJob: false, version: 3, merkleRoot: new Uint8Array(32), minNtime: 10 }
  const spec = sv2.encodeFrame(job)
  const sri = sv2.encodeFrame(job, 'sri-2023')
  assert.notEqual(spec.toString('hex'), sri.toString('hex'))
  assert.equal(sv2.decodeFrame(sri, 'sri-2023').message.minNtime, 10)
  assert.throws(() => sv2.encodeFrame(job, 'nope'), sv2.UsageError)
  assert.deepEqual(sv2.messageTypes().length, sv2.messageTypes('braiins-2021').length)
})

test('result codes are the C API numbering of src/ffi/result.rs', () => {
  const text = fs.readFileSync(path.join(ROOT, 'src', 'ffi', 'result.rs'), 'utf8')
  const c = new Map([...text.matchAll(/pub const (SV2_ERR_[A-Z0-9_]+): sv2_result = (\d+);/g)].map((m) => [m[1], Number(m[2])]))
  assert.ok(c.size > 50)
  const ours = new Map(sv2.resultCodes().map((r) => [r.name, r.code]))
  for (const [name, code] of c) assert.equal(ours.get(name), code, name)
  // Binding-only codes are the ones the C table reserves for the bindings.
  const reserved = /Reserved for the Python and Node bindings[\s\S]*?\n\n/.exec(text)
  assert.ok(reserved, 'the C table has a reserved-codes comment')
  for (const [name, code] of ours) {
    if (c.has(name)) continue
    assert.ok(reserved[0].includes(`${code} ${name.replace('SV2_ERR_', '')}`), `${name}=${code} is not reserved in src/ffi/result.rs`)
  }
  assert.equal(sv2.ErrorCodes.SV2_ERR_TRUNCATED, 200)
})

test('frame headers and message facts', () => {
  const h = sv2.parseFrameHeader(Buffer.from('00801a180000', 'hex'))
  assert.deepEqual(h, { extensionType: 0x8000, extensionId: 0, channelMsg: true, msgType: 0x1a, msgLength: 0x18 })
  assert.throws(() => sv2.parseFrameHeader(Buffer.alloc(5)), (e) => e.code === 'SV2_ERR_TRUNCATED')
  const info = sv2.messageInfo('SetupConnection.Success')
  assert.equal(info.type, 'SetupConnectionSuccess')
  assert.deepEqual(info.fields, ['usedVersion', 'flags'])
  assert.equal(sv2.messageInfo('TdpSetNewPrevHash').protocol, 'TemplateDistribution')
  assert.throws(() => sv2.messageInfo('SetNewPrevHash'), sv2.UsageError) // ambiguous
})
