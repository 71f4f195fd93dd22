// Errors: every failure of the native layer becomes an `Sv2Error` subclass chosen by the
// hundreds digit of its C `sv2_result` number, with `code` the C name ('SV2_ERR_TRUNCATED')
// and `errno` the number (200), as in src/ffi/result.rs.
import native = require('./native')

/** The C names of every result code the bindings throw. */
export type Sv2ErrorCode =
  | 'SV2_ERR_NULL_ARG' | 'SV2_ERR_BUFFER_TOO_SMALL' | 'SV2_ERR_WRONG_STATE' | 'SV2_ERR_INVALID_ARG'
  | 'SV2_ERR_INVALID_CONFIG' | 'SV2_ERR_CLOSED' | 'SV2_ERR_INPUT_BUFFER_FULL'
  | 'SV2_ERR_OUTPUT_BUFFER_FULL' | 'SV2_ERR_NOT_SENDABLE'
  | 'SV2_ERR_SHARE_REFUSED' | 'SV2_ERR_UNEXPECTED_MESSAGE' | 'SV2_ERR_IO'
  | 'SV2_ERR_TRUNCATED' | 'SV2_ERR_TOO_LONG' | 'SV2_ERR_TRAILING_BYTES' | 'SV2_ERR_INVALID_BOOL'
  | 'SV2_ERR_INVALID_UTF8' | 'SV2_ERR_WRONG_LENGTH' | 'SV2_ERR_INVALID_VALUE'
  | 'SV2_ERR_FRAME_TOO_LARGE' | 'SV2_ERR_UNKNOWN_MESSAGE' | 'SV2_ERR_ENCODE_TOO_LONG'
  | 'SV2_ERR_ENCODE_OUT_OF_RANGE' | 'SV2_ERR_NOT_IN_DIALECT'
  | 'SV2_ERR_NOISE_MALFORMED' | 'SV2_ERR_NOISE_NEGOTIATION' | 'SV2_ERR_NOISE_HANDSHAKE_DECRYPT'
  | 'SV2_ERR_NOISE_TRANSPORT_DECRYPT' | 'SV2_ERR_NOISE_INVALID_PUBLIC_KEY'
  | 'SV2_ERR_NOISE_NONCE_EXHAUSTED' | 'SV2_ERR_NOISE_INTERNAL' | 'SV2_ERR_RNG'
  | 'SV2_ERR_CERT_BAD_SIGNATURE' | 'SV2_ERR_CERT_INVALID_AUTHORITY_KEY'
  | 'SV2_ERR_CERT_NOT_YET_VALID' | 'SV2_ERR_CERT_EXPIRED' | 'SV2_ERR_CERT_MALFORMED'
  | 'SV2_ERR_CERT_AUTHORITY_MISMATCH' | 'SV2_ERR_CERT_EMPTY_VALIDITY'
  | 'SV2_ERR_KEY_TEXT' | 'SV2_ERR_KEY_CHECKSUM' | 'SV2_ERR_KEY_SECP256K1' | 'SV2_ERR_KEY_INVALID'
  | 'SV2_ERR_URL_SCHEME' | 'SV2_ERR_URL_HOST' | 'SV2_ERR_URL_PORT' | 'SV2_ERR_URL_KEY'
  | 'SV2_ERR_PROTOCOL' | 'SV2_ERR_WRONG_PROTOCOL' | 'SV2_ERR_WRONG_DIRECTION' | 'SV2_ERR_VERSION'
  | 'SV2_ERR_TIMEOUT_HANDSHAKE' | 'SV2_ERR_TIMEOUT_SETUP' | 'SV2_ERR_TIMEOUT_IDLE'
  | 'SV2_ERR_PEER_CLOSED_MID_FRAME' | 'SV2_ERR_PEER_CLOSED_BEFORE_SETUP'
  | 'SV2_ERR_TOO_MANY_CHANNELS' | 'SV2_ERR_SETUP_REJECTED' | 'SV2_ERR_TIMEOUT_OPEN_CHANNEL'
  | 'SV2_ERR_UNKNOWN_CHANNEL' | 'SV2_ERR_WRONG_CHANNEL_KIND' | 'SV2_ERR_UNKNOWN_JOB' | 'SV2_ERR_FUTURE_JOB'
  | 'SV2_ERR_STALE_JOB' | 'SV2_ERR_VERSION_NOT_ALLOWED' | 'SV2_ERR_NTIME_OUT_OF_RANGE'
  | 'SV2_ERR_EXTRANONCE_LENGTH' | 'SV2_ERR_BELOW_TARGET' | 'SV2_ERR_DUPLICATE_SHARE' | 'SV2_ERR_NOT_EXTENDED'
  | 'SV2_ERR_EXTENDED_CHANNELS_REQUIRED' | 'SV2_ERR_ROLLING_NOT_ALLOWED' | 'SV2_ERR_UNKNOWN_CONNECTION'
  | 'SV2_ERR_NO_PREV_HASH' | 'SV2_ERR_UNKNOWN_TEMPLATE' | 'SV2_ERR_INVALID_TEMPLATE' | 'SV2_ERR_EXHAUSTED'
  | 'SV2_ERR_PANIC' | 'SV2_ERR_POISONED'

/** C name → C number, for every code. */
export const ErrorCodes: Readonly<Record<Sv2ErrorCode, number>> = Object.freeze(
  Object.fromEntries(native.resultCodes().map((c) => [c.name, c.code])) as Record<Sv2ErrorCode, number>,
)

/** Base class of every libsv2 error. */
export class Sv2Error extends Error {
  /** The C name of the `sv2_result`, e.g. `'SV2_ERR_TRUNCATED'`. */
  code: Sv2ErrorCode
  /** The C `sv2_result` number, e.g. `200`. */
  errno: number
  constructor(code: Sv2ErrorCode, message: string) {
    super(message)
    this.code = code
    this.errno = ErrorCodes[code] ?? 0
  }
}
Sv2Error.prototype.name = 'Sv2Error'

/** Caller misuse: wrong state, invalid argument or configuration, limits (1xx). */
export class UsageError extends Sv2Error {}
UsageError.prototype.name = 'UsageError'
/** A frame or message could not be decoded or encoded (2xx). */
export class CodecError extends Sv2Error {}
CodecError.prototype.name = 'CodecError'
/** Noise handshake or transport, certificate, key or URL failure (3xx). */
export class NoiseError extends Sv2Error {}
NoiseError.prototype.name = 'NoiseError'
/** The peer broke the protocol, a timer expired, setup was refused, or a mining role refused
 * a request (4xx; 450-499 the mining roles: unknown channel, share refused locally…). */
export class ProtocolError extends Sv2Error {}
ProtocolError.prototype.name = 'ProtocolError'

/** The class for a C number. */
export function errorClassFor(errno: number): typeof Sv2Error {
  if (errno >= 100 && errno < 200) return UsageError
  if (errno >= 200 && errno < 300) return CodecError
  if (errno >= 300 && errno < 400) return NoiseError
  if (errno >= 400 && errno < 500) return ProtocolError
  return Sv2Error
}

/** Makes a new error of the right class for a code (used by the JS layer itself). */
export function makeError(code: Sv2ErrorCode, message: string): Sv2Error {
  const Cls = errorClassFor(ErrorCodes[code] ?? 0)
  return new Cls(code, message)
}

// napi's own argument-conversion failures (a string where a number belongs, a missing field…)
const NAPI_ARG_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected',
  'ArrayBufferExpected', 'DetachableArraybufferExpected',
])

/** Re-classes an error thrown by the native layer, in place (stack and message kept). */
export function toSv2Error(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof Sv2Error) return e
  const err = e as Error & { code?: unknown; errno?: unknown }
  let code: Sv2ErrorCode | undefined
  if (typeof err.code === 'string' && err.code in ErrorCodes) code = err.code as Sv2ErrorCode
  else if (typeof err.code === 'string' && NAPI_ARG_STATUSES.has(err.code)) code = 'SV2_ERR_INVALID_ARG'
  if (code === undefined) return e
  const errno = ErrorCodes[code]
  Object.setPrototypeOf(err, errorClassFor(errno).prototype)
  err.code = code
  err.errno = errno
  return err
}

function wrapFunction<F extends (...args: any[]) => any>(f: F): F {
  const wrapped = function (this: unknown) {
    try {
      return f.apply(this, arguments as unknown as unknown[])
    } catch (e) {
      throw toSv2Error(e)
    }
  }
  Object.defineProperty(wrapped, 'name', { value: f.name })
  return wrapped as unknown as F
}

function wrapMethods(target: object) {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (key === 'constructor' || key === 'prototype' || key === 'length' || key === 'name') continue
    const desc = Object.getOwnPropertyDescriptor(target, key)
    if (!desc || !desc.configurable) continue
    if (typeof desc.value === 'function') {
      Object.defineProperty(target, key, { ...desc, value: wrapFunction(desc.value) })
    } else if (desc.get || desc.set) {
      Object.defineProperty(target, key, {
        ...desc,
        get: desc.get && wrapFunction(desc.get),
        set: desc.set && wrapFunction(desc.set),
      })
    }
  }
}

const WRAPPED = Symbol.for('libsv2.wrapped')

/** Wraps every function and class of the native module so that it throws `Sv2Error`s. */
export function wrapNative(mod: Record<string, unknown>): void {
  if ((mod as Record<symbol, unknown>)[WRAPPED]) return
  Object.defineProperty(mod, WRAPPED, { value: true })
  for (const key of Object.keys(mod)) {
    const v = mod[key]
    if (typeof v !== 'function') continue
    const isClass = /^[A-Z]/.test(key) && typeof (v as { prototype?: unknown }).prototype === 'object'
    if (isClass) {
      const Cls = v as unknown as { new (...a: unknown[]): unknown; prototype: object }
      wrapMethods(Cls.prototype)
      // napi's static methods are read-only: a stand-in constructor carries wrapped copies and
      // shares the prototype, so `instanceof` holds for objects made by factories too.
      const Wrapped = function (this: unknown, ...args: unknown[]) {
        if (!new.target) throw new TypeError(`Class constructor ${key} cannot be invoked without 'new'`)
        try {
          return Reflect.construct(Cls, args, Cls)
        } catch (e) {
          throw toSv2Error(e)
        }
      } as unknown as Record<string, unknown> & { prototype: object }
      Object.defineProperty(Wrapped, 'name', { value: key })
      Wrapped.prototype = Cls.prototype
      for (const name of Object.getOwnPropertyNames(Cls)) {
        if (['length', 'name', 'prototype', 'caller', 'arguments'].includes(name)) continue
        const f = Object.getOwnPropertyDescriptor(Cls, name)?.value
        Wrapped[name] =
          typeof f === 'function' ? wrapFunction((f as (...a: unknown[]) => unknown).bind(Cls)) : f
      }
      mod[key] = Wrapped
    } else {
      mod[key] = wrapFunction(v as (...args: unknown[]) => unknown)
    }
  }
}
