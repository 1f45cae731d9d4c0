import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { extname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { JSDOM } from "jsdom"

const notebooks = fileURLToPath(new URL("..", import.meta.url))
const demo = fileURLToPath(new URL("../../demo/main.ts", import.meta.url))
const build = join(notebooks, "build.mjs")
const offline = pathToFileURL(fileURLToPath(new URL("./offline.mjs", import.meta.url))).href
// The demo runs in a temporary directory, where `--import tsx` would not resolve: name the loader's file.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const node = (args: ReadonlyArray<string>, options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }) =>
  promisify(execFile)(process.execPath, [...args], { ...options, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout, stderr }): Run => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }): Run => error
  )

/** What each page must show: its charts, by `data-chart` id, and the kind of data mark each draws. */
const pages = {
  burndown: { burndown: "area", "per-compound": "line", towns: "arrow", standard: "bar" },
  league: {
    "decomposition-urban": "bar",
    "decomposition-rural": "bar",
    "ranks-urban": "line",
    "ranks-rural": "line",
    movers: "bar"
  },
  points: { flows: "bar", outstanding: "bar", expiry: "bar", merchants: "bar" },
  "what-if": { "whatif-ranks-urban": "line", "whatif-ranks-rural": "line", "whatif-scores": "dot" }
} as const

const files = async (directory: string): Promise<ReadonlyArray<string>> =>
  (await readdir(directory, { withFileTypes: true, recursive: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))

/** http(s) URLs in a text, except XML namespace names (which name, and are never fetched). */
const externalUrls = (text: string) =>
  [...text.matchAll(/https?:\/\/[^\s"'`<>)]+/g)].map((m) => m[0]).filter((url) => !url.startsWith("http://www.w3.org/"))

describe("pnpm notebooks", () => {
  let work = ""
  let store = ""

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "sortgrid-notebooks-"))
    const given = process.env.SORTGRID_NOTEBOOK_STORE
    if (given !== undefined && given !== "") {
      store = /^[a-z]+:/.test(given) ? given : `sqlite:${resolve(given)}`
      return
    }
    const cwd = join(work, "demo")
    await mkdir(cwd)
    const run = await node(["--import", tsx, "--conditions=sortgrid-source", demo], { cwd })
    expect(run.code, run.stderr).toBe(0)
    store = `sqlite:${join(cwd, "sortgrid.db")}`
  }, 900_000)

  afterAll(async () => {
    if (work !== "") await rm(work, { recursive: true, force: true })
  })

  it("the offline preload refuses and records a connection to another host, and lets loopback through", async () => {
    const log = join(work, "control.log")
    const script = `
      const net = require("node:net")
      const server = net.createServer((socket) => socket.end("ok")).listen(0, "127.0.0.1", async () => {
        const local = await new Promise((done) => net.connect(server.address().port, "127.0.0.1").on("data", (d) => done(String(d))))
        const remote = await fetch("https://registry.npmjs.org/").then(() => "fetched", (e) => e.message)
        let socket = "connected"
        try { net.connect(443, "example.com") } catch (e) { socket = e.message }
        console.log(JSON.stringify({ local, remote, socket }))
        server.close()
      })`
    const run = await node(["-e", script], {
      cwd: work,
      env: { ...process.env, NODE_OPTIONS: `--import ${offline}`, SORTGRID_OFFLINE_LOG: log }
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({
      local: "ok",
      remote: "network access blocked: fetch https://registry.npmjs.org/",
      socket: "network access blocked: connect example.com"
    })
    const attempts = (await readFile(log, "utf8")).trim().split("\n")
    expect(attempts.map((line) => line.replace(/^\d+ /, ""))).toEqual([
      "fetch https://registry.npmjs.org/",
      "connect example.com"
    ])
  })

  it("renders every page from a clean cache with the network blocked: charts with marks, no error, no external URL", async () => {
    // A stale page in Framework's cache: the build must clear it rather than serve it.
    const cache = join(notebooks, "src", ".observablehq", "cache")
    await mkdir(cache, { recursive: true })
    await writeFile(join(cache, "burndown.md"), "# STALE PAGE FROM AN OLD STORE\n")
    const output = join(work, "site")
    const attempts = join(work, "attempts.log")
    const run = await node([build, "--output", output], {
      cwd: notebooks,
      env: {
        ...process.env,
        SORTGRID_STORE: store,
        NODE_OPTIONS: `--import ${offline}`,
        SORTGRID_OFFLINE_LOG: attempts
      }
    })
    expect(run.stderr).not.toMatch(/error|exception|failed|network access blocked/i)
    expect(run.code).toBe(0)
    expect(existsSync(attempts) ? await readFile(attempts, "utf8") : "").toBe("")
    expect(run.stdout).not.toMatch(/\berror\b/i)

    let checks = 0
    for (const [name, charts] of Object.entries(pages)) {
      const html = await readFile(join(output, `${name}.html`), "utf8")
      const document = new JSDOM(html).window.document
      const main = document.querySelector("#observablehq-main")
      expect(main, name).not.toBeNull()
      const text = main?.textContent ?? ""
      expect(text).not.toContain("STALE PAGE")
      expect(text, name).not.toMatch(/\bNaN\b|\bundefined\b|\[object |\bError\b|Infinity|\bnull\b/)
      expect(main?.querySelectorAll("table").length, name).toBeGreaterThan(0)

      const figures = [...document.querySelectorAll("figure.sortgrid-chart")]
      expect(figures.map((f) => f.getAttribute("data-chart")).sort(), name).toEqual(Object.keys(charts).sort())
      for (const [chart, mark] of Object.entries(charts)) {
        const figure = figures.find((f) => f.getAttribute("data-chart") === chart)
        const svg = [...(figure?.querySelectorAll("svg") ?? [])].find((s) =>
          s.getAttribute("class")?.startsWith("plot-")
        )
        expect(svg, `${name}/${chart}`).toBeDefined()
        expect(svg?.outerHTML, `${name}/${chart}`).not.toMatch(/NaN|undefined|Infinity/)
        const groups = [...(svg?.querySelectorAll(`g[aria-label="${mark}"]`) ?? [])]
        const shapes = groups.flatMap((g) => [...g.querySelectorAll("path, rect, circle, line, text")])
        expect(shapes.length, `${name}/${chart}: ${mark} marks`).toBeGreaterThan(1)
        expect(figure?.querySelector("figcaption")?.textContent?.length ?? 0, `${name}/${chart}`).toBeGreaterThan(20)
      }
      // Consistency checks a page states about its own numbers must hold.
      for (const check of document.querySelectorAll("p.check")) {
        expect(check.getAttribute("data-ok"), check.textContent ?? "").toBe("true")
        checks += 1
      }
    }
    expect(checks).toBe(2)

    const index = new JSDOM(await readFile(join(output, "index.html"), "utf8")).window.document
    const links = [...index.querySelectorAll("#observablehq-main li > a")].map((a) => a.getAttribute("href"))
    expect(links).toEqual(Object.keys(pages).map((name) => `./${name}.html`))

    const found: Array<string> = []
    for (const file of await files(output)) {
      if (![".html", ".js", ".css", ".json", ".svg"].includes(extname(file))) continue
      for (const url of externalUrls(await readFile(file, "utf8"))) found.push(`${file.slice(output.length)}: ${url}`)
    }
    expect(found).toEqual([])
  }, 600_000)

  it("without a store, ends with a clear message to run the demo first, and no stack trace", async () => {
    const missing = join(work, "nothing-here.db")
    const run = await node([build, "--output", join(work, "never")], {
      cwd: notebooks,
      env: { ...process.env, SORTGRID_STORE: `sqlite:${missing}` }
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`no store at ${missing}`)
    expect(run.stderr).toContain("Run `pnpm demo` first")
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(join(work, "never"))).toBe(false)
  })
})
