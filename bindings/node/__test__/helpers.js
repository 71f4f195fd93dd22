'use strict'
// Shared test helpers: the repository root, the shared message vectors as JS message objects.
const fs = require('node:fs')
const path = require('node:path')
const sv2 = require('..')

const ROOT = path.resolve(__dirname, '..', '..', '..')

function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

// JSON.parse loses U64 precision: quote long integers first, then turn them into bigints.
function parseJsonWithBigInts(text) {
  const quoted = text.replace(/([:\[,]\s*)(\d{16,})(?=\s*[,\]}])/g, '$1"__big__$2"')
  return JSON.parse(quoted, (_, v) => (typeof v === 'string' && v.startsWith('__big__') ? BigInt(v.slice(7)) : v))
}

function fromHex(h) {
  return new Uint8Array(Buffer.from(h, 'hex'))
}

function jsValue(type, v) {
  const seq = /^SEQ0_(?:255|64K)\[(.*)\]$/.exec(type)
  if (seq) return v.map((x) => jsValue(seq[1], x))
  switch (type) {
    case 'U64':
      return BigInt(v)
    case 'F32':
      return Math.fround(v)
    case 'U256': case 'B32': case 'B0_32': case 'B0_255': case 'B0_64K': case 'B0_16M':
    case 'SHORT_TX_ID': case 'BYTES':
      return fromHex(v)
    case 'OPTION[U32]':
      return v === null ? undefined : v
    default:
      return v
  }
}

/** Every vector: { file, hex (Buffer), message (JS object as the bindings produce it) }. */
function loadVectors() {
  const infos = sv2.messageTypes()
  const dir = path.join(ROOT, 'tests', 'vectors', 'messages')
  const out = []
  for (const proto of fs.readdirSync(dir).sort()) {
    for (const f of fs.readdirSync(path.join(dir, proto)).sort()) {
      if (!f.endsWith('.hex')) continue
      const hexText = fs.readFileSync(path.join(dir, proto, f), 'utf8')
      const hex = Buffer.from(hexText.split('\n').filter((l) => !l.startsWith('#')).join('').trim(), 'hex')
      const meta = parseJsonWithBigInts(fs.readFileSync(path.join(dir, proto, f.replace(/\.hex$/, '.json')), 'utf8'))
      const info = infos.find((i) => i.specName === meta.message && i.protocol === meta.protocol)
      if (!info) throw new Error(`no message type for ${meta.protocol} ${meta.message}`)
      const message = { type: info.type }
      for (const [name, value] of Object.entries(meta.fields)) {
        const i = info.fields.indexOf(camel(name))
        const type = i >= 0 ? info.fieldTypes[i] : 'BYTES'
        const v = jsValue(type, value)
        if (v !== undefined) message[camel(name)] = v
      }
      out.push({ file: `${proto}/${f}`, hex, message, info })
    }
  }
  return out
}

/** A copy without undefined properties (napi leaves absent options undefined). */
function defined(obj) {
  if (Array.isArray(obj)) return obj.map(defined)
  if (obj instanceof Uint8Array || obj === null || typeof obj !== 'object') return obj
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)]))
}

module.exports = { ROOT, loadVectors, defined, fromHex, parseJsonWithBigInts }
