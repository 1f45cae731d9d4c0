// A preload (`node --import`) that takes the network away: any connection to a host other than this
// machine — `fetch`, `net.connect`, `tls.connect`, `http(s).request` underneath — throws, and is written
// to the file SORTGRID_OFFLINE_LOG names (one line per attempt, "pid what"), so a test can assert that
// a run attempted none. Given in NODE_OPTIONS, it reaches every Node process the run starts.
import { appendFileSync } from "node:fs"
import net from "node:net"
import tls from "node:tls"

const log = process.env.SORTGRID_OFFLINE_LOG

const isLoopback = (host) =>
  host === "localhost" || host === "::1" || host === "::ffff:127.0.0.1" || /^127\./.test(host)

const refuse = (what) => {
  if (log !== undefined) appendFileSync(log, `${process.pid} ${what}\n`)
  throw new Error(`network access blocked: ${what}`)
}

/** The host a `connect(options)` / `connect(port, host)` / `connect(path)` call is for; undefined for a socket file. */
const hostOf = (args) => {
  const [first, second] = args
  if (typeof first === "object" && first !== null) {
    if (first.path !== undefined) return undefined
    return first.host ?? first.hostname ?? "localhost"
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return undefined
  return typeof second === "string" ? second : "localhost"
}

for (const [module, name] of [
  [net, "connect"],
  [net, "createConnection"],
  [tls, "connect"]
]) {
  const original = module[name]
  module[name] = function (...args) {
    const host = hostOf(args)
    if (host !== undefined && !isLoopback(host)) refuse(`${name} ${host}`)
    return original.apply(this, args)
  }
}

const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const options = Array.isArray(args[0]) ? args[0][0] : args[0]
  const host = hostOf(typeof options === "object" ? [options] : args)
  if (host !== undefined && !isLoopback(host)) refuse(`socket ${host}`)
  return originalConnect.apply(this, args)
}

// fetch rejects, as it does when the network is down, rather than throwing.
const originalFetch = globalThis.fetch
globalThis.fetch = async function (input, init) {
  const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
  const url = new URL(href)
  if (!isLoopback(url.hostname.replace(/^\[|\]$/g, ""))) refuse(`fetch ${url.href}`)
  return originalFetch.call(this, input, init)
}
