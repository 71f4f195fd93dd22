// A thin layer over node:net: the native objects are sans-I/O and synchronous, so this file
// owns the sockets and the timers. Nothing here blocks the event loop: every native call is
// short, and the optional CPU miner hashes in small slices between I/O callbacks.
import { EventEmitter } from 'node:events'
import * as net from 'node:net'
import native = require('./native')
import type {
  ClientConfig,
  ChannelRequest,
  Message,
  Miner,
  MinerEvent,
  PoolConfig,
  PoolServer,
  PoolServerEvent,
  PoolSnapshot,
  ServerConfig,
  Session,
  SessionEvent,
  SyntheticTemplateSource,
  Work,
} from '../index.js'
import { makeError, toSv2Error } from './errors'
import type { Sv2ErrorCode } from './errors'

const now = (): number => native.monotonicMs()

/** Events waiting before the first `for await` loop starts; older ones are dropped beyond it. */
const BACKLOG_LIMIT = 10000

/** One `for await` loop's own queue. */
class Subscription<T> {
  private waiters: Array<(r: IteratorResult<T>) => void> = []
  private ended = false
  constructor(private items: T[]) {}
  push(item: T): void {
    const w = this.waiters.shift()
    if (w) w({ value: item, done: false })
    else this.items.push(item)
  }
  end(): void {
    this.ended = true
    for (const w of this.waiters.splice(0)) w({ value: undefined as never, done: true })
  }
  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false })
    if (this.ended) return Promise.resolve({ value: undefined as never, done: true })
    return new Promise((resolve) => this.waiters.push(resolve))
  }
}

/**
 * The events behind `for await`: each loop gets its own queue from the moment it starts, and
 * leaving one loop ends only that loop. Nothing is kept for a caller who only listens with
 * `.on('event')`: events from before the first loop wait in a backlog of at most
 * `BACKLOG_LIMIT` (the newest), which the first loop receives; after that, only running
 * loops queue events.
 */
class EventFeed<T> implements AsyncIterable<T> {
  private backlog: T[] | null = []
  private readonly subscriptions = new Set<Subscription<T>>()
  private ended = false
  push(item: T): void {
    if (this.backlog) {
      this.backlog.push(item)
      // Trimmed in halves so that a long backlog costs O(1) per event.
      if (this.backlog.length >= 2 * BACKLOG_LIMIT) this.backlog.splice(0, this.backlog.length - BACKLOG_LIMIT)
    }
    for (const s of this.subscriptions) s.push(item)
  }
  end(): void {
    this.ended = true
    for (const s of this.subscriptions) s.end()
    this.subscriptions.clear()
  }
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const backlog = this.backlog ?? []
    this.backlog = null
    const sub = new Subscription<T>(backlog.slice(-BACKLOG_LIMIT))
    if (this.ended) sub.end()
    else this.subscriptions.add(sub)
    return {
      next: () => sub.next(),
      return: () => {
        this.subscriptions.delete(sub)
        sub.end()
        return Promise.resolve({ value: undefined as never, done: true })
      },
    }
  }
}

/** One timer re-armed to the earliest deadline a sans-I/O object asks for. */
class Deadline {
  private timer: NodeJS.Timeout | undefined
  constructor(private readonly fire: () => void) {}
  arm(at: number | null | undefined): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (at === null || at === undefined) return
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(at - now())))
    this.timer.unref()
  }
  clear(): void {
    this.arm(null)
  }
}

function waitForEvent<T>(
  emitter: EventEmitter,
  name: string,
  predicate: (e: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onEvent = (e: T) => {
      if (!predicate(e)) return
      cleanup()
      resolve(e)
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(makeError('SV2_ERR_WRONG_STATE', `timed out after ${timeoutMs} ms waiting for an event`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      emitter.off(name, onEvent)
    }
    emitter.on(name, onEvent)
  })
}

/** The SetupComplete event of a session or a miner. */
type SetupCompleteOf<E> = Extract<E, { type: 'SetupComplete' }>

/**
 * A promise settled by a client connection's setup: it resolves at its SetupComplete event and
 * rejects with the error that ended the connection first, as an `Sv2Error` of its C code (the
 * certificate error of a wrong authority key, a refused setup, a handshake timeout…), or with
 * Node's own error if the socket fails. Listening starts now: make it before the first pump.
 */
function setupOutcome<E extends { type: string }>(emitter: EventEmitter): Promise<SetupCompleteOf<E>> {
  const promise = new Promise<SetupCompleteOf<E>>((resolve, reject) => {
    const onEvent = (e: E) => {
      if (e.type === 'SetupComplete') {
        cleanup()
        resolve(e as SetupCompleteOf<E>)
      } else if (e.type === 'Closed') {
        cleanup()
        const reason = (e as unknown as { reason: { code?: string; message: string } }).reason
        reject(makeError((reason.code as Sv2ErrorCode | undefined) ?? 'SV2_ERR_CLOSED', reason.message))
      }
    }
    const onSocketError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const onClose = () => {
      cleanup()
      reject(makeError('SV2_ERR_CLOSED', 'the connection closed before its setup completed'))
    }
    const cleanup = () => {
      emitter.off('event', onEvent)
      emitter.off('socketError', onSocketError)
      emitter.off('close', onClose)
    }
    emitter.on('event', onEvent)
    emitter.on('socketError', onSocketError)
    emitter.on('close', onClose)
  })
  // Whoever does not await it (the caller of `connect` gets the rejection itself) is not
  // told about an unhandled rejection.
  promise.catch(() => undefined)
  return promise
}

/** Opens a TCP connection and wraps it; a failure to connect rejects with Node's own error. */
function openSocket<C extends { close(): void; readonly ready: Promise<unknown> }>(
  host: string,
  port: number,
  wrap: (socket: net.Socket) => C,
): Promise<C> {
  return new Promise<C>((resolve, reject) => {
    const socket = net.connect({ host, port })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      let conn: C
      try {
        conn = wrap(socket)
      } catch (e) {
        socket.destroy()
        reject(toSv2Error(e))
        return
      }
      // Resolved only once the handshake and SetupConnection succeeded, so that a wrong
      // authority key or a refused setup is the caller's error, not a later Closed event.
      conn.ready.then(
        () => resolve(conn),
        (e: unknown) => {
          conn.close()
          socket.destroy()
          reject(e)
        },
      )
    })
  })
}

// ---------------------------------------------------------------------------------------------
// A generic client connection (any protocol): send messages, iterate over events.

/** Options of `connect`. */
export interface ConnectOptions extends ClientConfig {
  /** Host to connect to (default from `url`, else 127.0.0.1). */
  host?: string
  /** Port to connect to (default from `url`). */
  port?: number
  /** A pool URL (`stratum2+tcp://host:port/<authority key>` or `stratum2+tcp+plain://…`). */
  url?: string
}

function resolveEndpoint(o: ConnectOptions): { host: string; port: number; config: ClientConfig } {
  const { host, port, url, ...config } = o
  if (url) {
    const u = native.parsePoolUrl(url)
    const security =
      u.security === 'noise' ? { authorityKey: u.authorityKey, plaintext: undefined } : { plaintext: true, authorityKey: undefined }
    return { host: host ?? u.host, port: port ?? u.port, config: { ...config, ...security } }
  }
  if (port === undefined) throw makeError('SV2_ERR_INVALID_ARG', 'connect needs a port or a url')
  return { host: host ?? '127.0.0.1', port, config }
}

/**
 * A client connection: the native `Session` over a `node:net` socket. Iterate with
 * `for await (const event of conn)`, or listen to `'event'`; `ready` resolves at SetupComplete.
 */
export class Connection extends EventEmitter implements AsyncIterable<SessionEvent> {
  readonly session: Session
  readonly ready: Promise<SessionEvent & { type: 'SetupComplete' }>
  private readonly queue = new EventFeed<SessionEvent>()
  private readonly deadline = new Deadline(() => this.pump(() => this.session.handleTimeout(now())))
  private closed = false

  constructor(readonly socket: net.Socket, config: ClientConfig) {
    super()
    this.session = native.Session.client(config, now())
    this.ready = setupOutcome<SessionEvent>(this)
    socket.setNoDelay(true)
    socket.on('data', (d) => this.pump(() => this.session.receiveData(d, now())))
    socket.on('end', () => this.pump(() => this.session.peerClosed()))
    socket.on('error', (err) => this.emit('socketError', err))
    socket.on('close', () => this.finish())
    this.pump(() => undefined)
  }

  private pump(input: () => void): void {
    try {
      input()
    } catch (e) {
      // An error that ends the session is reported by its Closed event too.
      this.report(toSv2Error(e))
    }
    const out = this.session.dataToSend()
    if (out.length > 0 && !this.socket.destroyed) this.socket.write(out)
    for (const e of this.session.events()) {
      this.queue.push(e)
      this.emit('event', e)
      if (e.type === 'Closed') {
        const rest = this.session.dataToSend()
        if (rest.length > 0) this.socket.write(rest)
        this.socket.end()
      }
    }
    this.deadline.arm(this.session.pollTimeout())
  }

  /** Errors of native calls: `'warning'` events (the session's Closed event says why it ended). */
  private report(e: unknown): void {
    this.emit('warning', e)
  }

  /** Sends a message (after `ready`). It throws if the session refuses it. */
  send(message: Message): void {
    try {
      this.session.send(message, now())
    } finally {
      this.pump(() => undefined)
    }
  }

  /** Closes the connection. */
  close(): void {
    if (!this.session.isClosed) this.pump(() => this.session.close())
    this.socket.end()
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.deadline.clear()
    this.queue.end()
    this.emit('close')
  }

  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    return this.queue[Symbol.asyncIterator]()
  }
}

/**
 * Connects to a server; resolves once the Noise handshake and SetupConnection succeeded (its
 * `ready` is then settled). A bad option, a wrong authority key (`NoiseError`,
 * `SV2_ERR_CERT_BAD_SIGNATURE`), a refused setup or a handshake/setup timeout reject with an
 * `Sv2Error`; a network failure with Node's own error (`ECONNREFUSED`…).
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const { host, port, config } = resolveEndpoint(options)
  return openSocket(host, port, (socket) => new Connection(socket, { endpointHost: host, endpointPort: port, ...config }))
}

// ---------------------------------------------------------------------------------------------
// Miner over TCP, with an optional CPU mining loop.

/** CPU mining settings of `connectMiner`. */
export interface CpuMiningOptions {
  /** Nonces hashed per slice (default 20000): one synchronous native call. */
  sliceNonces?: number
  /** Pause between slices in ms (default 0: `setImmediate`); raise it to use less CPU. */
  sliceDelayMs?: number
}

/** Options of `connectMiner`. */
export interface MinerConnectOptions extends ConnectOptions {
  /** Channels opened after every setup. */
  channels: ChannelRequest[]
  /** Mine on the CPU (tests and demos): `true` or settings. */
  mine?: boolean | CpuMiningOptions
  /** A channel open unanswered this long fails (`ChannelOpenFailed`, `'timed-out'`); default 30000, 0 waits forever. */
  openChannelTimeoutMs?: number
}

/** Share counters of a `MinerConnection`. */
export interface MinerCounters {
  submitted: number
  accepted: number
  rejected: number
  blocks: number
}

/**
 * A `Miner` over a `node:net` socket. Events: `'event'` (every MinerEvent), `'close'`; also
 * `for await (const event of miner)`.
 */
export class MinerConnection extends EventEmitter implements AsyncIterable<MinerEvent> {
  readonly miner: Miner
  /** Resolves at SetupComplete (the channel requests are sent with it); rejects as `connectMiner`. */
  readonly ready: Promise<MinerEvent & { type: 'SetupComplete' }>
  readonly counters: MinerCounters = { submitted: 0, accepted: 0, rejected: 0, blocks: 0 }
  private readonly queue = new EventFeed<MinerEvent>()
  private readonly deadline = new Deadline(() => this.pump(() => this.miner.handleTimeout(now())))
  private readonly work = new Map<number, { work: Work; nonce: number; ntime: number }>()
  private mining: Required<CpuMiningOptions> | undefined
  private mineTimer: NodeJS.Timeout | NodeJS.Immediate | undefined
  private closed = false

  constructor(
    readonly socket: net.Socket,
    connection: ClientConfig,
    channels: ChannelRequest[],
    mine?: boolean | CpuMiningOptions,
    openChannelTimeoutMs?: number,
  ) {
    super()
    this.miner = new native.Miner({ connection, channels, openChannelTimeoutMs }, now())
    this.ready = setupOutcome<MinerEvent>(this)
    if (mine) this.mining = { sliceNonces: 20000, sliceDelayMs: 0, ...(mine === true ? {} : mine) }
    socket.setNoDelay(true)
    socket.on('data', (d) => this.pump(() => this.miner.receiveData(d, now())))
    socket.on('end', () => this.pump(() => this.miner.peerClosed()))
    socket.on('error', (err) => this.emit('socketError', err))
    socket.on('close', () => this.finish())
    this.pump(() => undefined)
  }

  private pump(input: () => void): void {
    try {
      input()
    } catch (e) {
      this.report(toSv2Error(e))
    }
    let event: MinerEvent | null
    while ((event = this.miner.nextEvent()) !== null) {
      this.track(event)
      this.queue.push(event)
      this.emit('event', event)
    }
    const out = this.miner.dataToSend()
    if (out.length > 0 && !this.socket.destroyed) this.socket.write(out)
    this.deadline.arm(this.miner.pollTimeout())
  }

  private track(e: MinerEvent): void {
    switch (e.type) {
      case 'NewWork':
        this.work.set(e.work.channelId, { work: e.work, nonce: 0, ntime: e.work.minNtime })
        this.scheduleMining()
        break
      case 'WorkInvalidated':
        this.work.delete(e.channelId)
        break
      case 'ChannelClosed':
        this.work.delete(e.channelId)
        break
      case 'ShareAccepted':
        this.counters.accepted++
        break
      case 'ShareRejected':
        this.counters.rejected++
        break
      case 'Closed':
        this.work.clear()
        this.socket.end()
        break
    }
  }

  private scheduleMining(): void {
    if (!this.mining || this.mineTimer || this.closed) return
    const run = () => {
      this.mineTimer = undefined
      this.mineSlice()
    }
    this.mineTimer = this.mining.sliceDelayMs > 0 ? setTimeout(run, this.mining.sliceDelayMs) : setImmediate(run)
  }

  private mineSlice(): void {
    if (!this.mining || this.closed || this.work.size === 0) return
    for (const [channelId, w] of this.work) {
      const current = this.miner.currentWork(channelId)
      if (!current || current.jobId !== w.work.jobId) {
        if (current) this.work.set(channelId, { work: current, nonce: 0, ntime: current.minNtime })
        continue
      }
      let found
      try {
        found = this.miner.scan(channelId, { startNonce: w.nonce, count: this.mining.sliceNonces, ntime: w.ntime })
      } catch {
        continue
      }
      w.nonce += this.mining.sliceNonces
      if (w.nonce > 0xffffffff) {
        w.nonce = 0
        w.ntime++ // the window grows one second per second; a new job usually comes first
      }
      if (found) {
        w.nonce = found.nonce + 1
        this.pump(() => {
          const r = found.extranonce
            ? this.miner.submitExtended(channelId, found.jobId, found.extranonce, found.nonce, found.ntime, found.version, now())
            : this.miner.submitStandard(channelId, found.jobId, found.nonce, found.ntime, found.version, now())
          this.counters.submitted++
          if (r.isBlock) this.counters.blocks++
        })
      }
    }
    this.scheduleMining()
  }

  private report(e: unknown): void {
    this.emit('warning', e)
  }

  /** Resolves with the first event (from now on) that `predicate` accepts. */
  waitFor(predicate: (e: MinerEvent) => boolean, timeoutMs = 10000): Promise<MinerEvent> {
    return waitForEvent(this, 'event', predicate, timeoutMs)
  }

  /** Stops mining and closes the socket. */
  close(): void {
    this.mining = undefined
    this.socket.end()
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.mining = undefined
    if (this.mineTimer) {
      clearTimeout(this.mineTimer as NodeJS.Timeout)
      clearImmediate(this.mineTimer as NodeJS.Immediate)
    }
    this.deadline.clear()
    this.queue.end()
    this.emit('close')
  }

  [Symbol.asyncIterator](): AsyncIterator<MinerEvent> {
    return this.queue[Symbol.asyncIterator]()
  }
}

/**
 * Connects a miner to a pool; resolves once the Noise handshake and SetupConnection succeeded
 * and the channel requests are sent. A bad option, a wrong authority key (`NoiseError`,
 * `SV2_ERR_CERT_BAD_SIGNATURE`), a refused setup or a handshake/setup timeout reject with an
 * `Sv2Error`; a network failure with Node's own error (`ECONNREFUSED`…).
 */
export async function connectMiner(options: MinerConnectOptions): Promise<MinerConnection> {
  const { channels, mine, openChannelTimeoutMs, ...rest } = options
  const { host, port, config } = resolveEndpoint(rest)
  // A miner speaks the Mining Protocol whatever `config` says.
  const connection = { endpointHost: host, endpointPort: port, ...config, protocol: 'Mining' as const }
  return openSocket(host, port, (socket) => new MinerConnection(socket, connection, channels, mine, openChannelTimeoutMs))
}

// ---------------------------------------------------------------------------------------------
// Pool server over TCP.

/** Where templates come from in `listenPool`. */
export interface SyntheticTemplatesOptions {
  /** Seed of the made-up chain (default 1). */
  seed?: number
  /** First block height (default 100). */
  height?: number
  /** A fixed network difficulty as nBits (default: `pool.blockDifficultyFactor` times harder than the share target). */
  nbits?: number
  /** Made-up transactions per template (default 0). */
  transactions?: number
  /** Move to a new block after a block is found (default true). */
  advanceOnBlock?: boolean
  /** Also move to a new block every so many ms (default never). */
  blockIntervalMs?: number
}

/** The block a `PoolListener`'s template source is building (`chainTip()`). */
export interface ChainTip {
  /** Height of the block being mined. */
  height: number
  /** Its compact network target. */
  nBits: number
  /** Its network difficulty (difficulty 1 = the `0x1d00ffff` target). */
  networkDifficulty: number
}

/** Options of `listenPool`. */
export interface PoolListenOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  /** Port (default 0: any free port). */
  port?: number
  /** Security and dialect of the sessions. */
  server: ServerConfig
  /** Engine settings. */
  pool?: PoolConfig
  /** Feed the pool from a `SyntheticTemplateSource` (default on); `false` to feed it yourself. */
  templates?: SyntheticTemplatesOptions | false
}

/**
 * A `PoolServer` on a `node:net` server. Events: `'event'` (every PoolServerEvent),
 * `'listening'`, `'close'`; also `for await (const event of pool)`.
 */
export class PoolListener extends EventEmitter implements AsyncIterable<PoolServerEvent> {
  readonly pool: PoolServer
  readonly server: net.Server
  private readonly sockets = new Map<number, net.Socket>()
  private readonly queue = new EventFeed<PoolServerEvent>()
  private readonly deadline = new Deadline(() => this.pump(() => this.pool.handleTimeout(now())))
  private readonly source: SyntheticTemplateSource | undefined
  private readonly templateOptions: SyntheticTemplatesOptions | undefined
  private blockTimer: NodeJS.Timeout | undefined
  private tip: ChainTip | undefined

  constructor(options: PoolListenOptions) {
    super()
    this.pool = new native.PoolServer(options.server, options.pool)
    if (options.templates !== false) {
      const t = options.templates ?? {}
      this.templateOptions = t
      this.source = new native.SyntheticTemplateSource(t.seed ?? 1, t.height ?? 100, { nbits: t.nbits, transactions: t.transactions })
      this.nextBlock()
      if (t.blockIntervalMs) {
        this.blockTimer = setInterval(() => this.nextBlock(), t.blockIntervalMs)
        this.blockTimer.unref()
      }
    }
    this.server = net.createServer((socket) => this.accept(socket))
  }

  /** Feeds the pool a new block template and prevhash (from the synthetic source). */
  nextBlock(blockHash?: Uint8Array): void {
    if (!this.source) throw makeError('SV2_ERR_WRONG_STATE', 'this pool has no template source')
    if (blockHash) this.source.advance(blockHash)
    const source = this.source
    this.pump(() => this.pool.nextSyntheticBlock(source, Math.floor(Date.now() / 1000), now()))
    const nBits = this.pool.snapshot(now()).nbits
    if (nBits !== undefined && nBits !== null) {
      const networkDifficulty = native.targetToDifficulty(native.nbitsToTarget(nBits))
      this.tip = { height: this.source.height, nBits, networkDifficulty }
    }
  }

  private accept(socket: net.Socket): void {
    let conn: number
    try {
      conn = this.pool.accept(now())
    } catch (e) {
      socket.destroy()
      this.emit('error', toSv2Error(e))
      return
    }
    this.sockets.set(conn, socket)
    socket.setNoDelay(true)
    socket.on('data', (d) => this.pump(() => this.pool.receiveData(conn, d, now())))
    socket.on('end', () => this.pump(() => this.pool.peerClosed(conn)))
    socket.on('error', () => this.pump(() => this.pool.peerClosed(conn)))
    socket.on('close', () => {
      if (this.sockets.get(conn) === socket) {
        this.pump(() => this.pool.peerClosed(conn))
      }
    })
    this.pump(() => undefined)
  }

  private pump(input: () => void): void {
    try {
      input()
    } catch (e) {
      // A connection that fails or already closed is reported by its Closed event.
      this.emit('warning', toSv2Error(e))
    }
    let event: PoolServerEvent | null
    const closed: number[] = []
    while ((event = this.pool.nextEvent()) !== null) {
      if (event.type === 'Closed') closed.push(event.conn)
      if (event.type === 'BlockFound' && this.source && this.templateOptions?.advanceOnBlock !== false) {
        const hash = event.blockHash
        setImmediate(() => this.nextBlock(hash))
      }
      this.queue.push(event)
      this.emit('event', event)
    }
    for (const conn of this.pool.writableConnections()) {
      const socket = this.sockets.get(conn)
      const out = this.pool.takeDataToSend(conn)
      if (socket && !socket.destroyed && out.length > 0) socket.write(out)
    }
    for (const conn of closed) {
      const socket = this.sockets.get(conn)
      const rest = this.pool.takeDataToSend(conn)
      this.sockets.delete(conn)
      this.pool.remove(conn)
      if (socket && !socket.destroyed) {
        if (rest.length > 0) socket.write(rest)
        socket.end()
      }
    }
    this.deadline.arm(this.pool.pollTimeout())
  }

  /** Starts listening. */
  listen(port = 0, host = '127.0.0.1'): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        this.emit('listening')
        resolve(this)
      })
    })
  }

  /** The listening address. */
  address(): { host: string; port: number } {
    const a = this.server.address() as net.AddressInfo
    return { host: a.address, port: a.port }
  }

  /** The block the synthetic template source builds now, or `undefined` without one. */
  chainTip(): ChainTip | undefined {
    return this.tip && { ...this.tip }
  }

  /** Every channel's accounting and the totals. */
  snapshot(): PoolSnapshot {
    return this.pool.snapshot(now())
  }

  /** Resolves with the first event (from now on) that `predicate` accepts. */
  waitFor(predicate: (e: PoolServerEvent) => boolean, timeoutMs = 10000): Promise<PoolServerEvent> {
    return waitForEvent(this, 'event', predicate, timeoutMs)
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    if (this.blockTimer) clearInterval(this.blockTimer)
    this.deadline.clear()
    for (const socket of this.sockets.values()) socket.destroy()
    this.sockets.clear()
    this.queue.end()
    return new Promise((resolve) =>
      this.server.close(() => {
        this.emit('close')
        resolve()
      }),
    )
  }

  [Symbol.asyncIterator](): AsyncIterator<PoolServerEvent> {
    return this.queue[Symbol.asyncIterator]()
  }
}

/**
 * Runs a pool on the engine, listening on `options.host:options.port` (127.0.0.1:0 default). A
 * bad option rejects with an `Sv2Error`; a listening failure with Node's own (`EADDRINUSE`…).
 */
export async function listenPool(options: PoolListenOptions): Promise<PoolListener> {
  const pool = new PoolListener(options)
  return pool.listen(options.port ?? 0, options.host ?? '127.0.0.1')
}
