// `pnpm bench issues`: the problem register on a SQLite file holding Tongzhou's division list and
// the seeded synthetic district (~10,000 nodes). Two figures, each against raw better-sqlite3 doing
// the same work in the same run:
//
// 1. Registering 100,000 problems in batches of 1,000 (`ProblemRegister.registerMany`, one call and
//    one transaction per batch) against raw inserts of the same rows. Both sides write the same
//    problem rows, problem event rows and audit chain entries (the SDK's audit rows: payload digest
//    and chain hash), one `BEGIN IMMEDIATE` transaction per batch, into copies of one template file
//    (schema from the SDK's migrations, tree imported through the SDK). The run checks that both
//    files end with the same audit head hash and the same problem and event bodies.
// 2. Stats for every node of the district for June 2023 (`ProblemRegister.stats` under the district
//    root) on the SDK's file after 1,000 problems have been closed through the SDK, against two raw
//    SQL statements on the same file: problems grouped per node, then summed into every ancestor
//    (each node's path prefixes matched against the path index); compounds counted the same way.
//    The run checks that the counts agree node by node.
// SDK and baseline runs alternate, so load from elsewhere on the machine hits both sides.
import { hash as cryptoHash } from "node:crypto"
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Actor, Period } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { Catalogue, ProblemRegister, Sla } from "@sortgrid/issues"
import { Sortgrid } from "@sortgrid/sdk"
import * as Synthetic from "@sortgrid/testkit/Synthetic"
import * as Tongzhou from "@sortgrid/testkit/Tongzhou"
import Database from "better-sqlite3"
import { Clock, Effect, Either, type Layer, ManagedRuntime } from "effect"
import { medianMillis, type Result, rate } from "./harness.js"

/** How much work a run does: the bench's figures use {@link fullScale}; a test may run a smaller one. */
export interface Scale {
  /** Problems registered, a multiple of `batchSize`. */
  readonly total: number
  readonly batchSize: number
  /** Timed runs per side; each figure is the median. */
  readonly runs: number
  /** Problems closed through the SDK before the stats are timed (half fixed, half not). */
  readonly closings: number
}

/** The figures' scale: 100,000 problems in batches of 1,000, 1,000 of them closed; `ISSUES_BENCH_RUNS` timed runs per side (3). */
export const fullScale: Scale = {
  total: 100_000,
  batchSize: 1_000,
  runs: Number(process.env.ISSUES_BENCH_RUNS ?? 3),
  closings: 1_000
}

const dayMillis = 86_400_000
/** Batch `b` of `batches` is registered at this instant: spread from 2 January 2023 to late June. */
const batchAt = (scale: Scale, batch: number) =>
  Date.UTC(2023, 0, 2, 1) + Math.floor((batch * 173 * dayMillis) / (scale.total / scale.batchSize))
const period = Either.getOrThrow(Period.parse("2023-06"))
const districtRoot = Actor.NodePath.make(`/${Tongzhou.districtCode}/`)

const actor = new Actor.Actor({
  id: Actor.ActorId.make("bench-inspector"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})
const rectifier = new Actor.Actor({
  id: Actor.ActorId.make("bench-rectifier"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})
const system = Actor.system("bench")

/** A clock stopped at one instant: what the service and the audit log read as "now". */
const clockAt = (millis: number): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => millis,
  currentTimeMillis: Effect.succeed(millis),
  unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
  currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
  sleep: () => Effect.void
})
const at = (millis: number) => Effect.withClock(clockAt(millis))

// --- the inputs -----------------------------------------------------------------------------------

const streams = ["kitchen", "recyclable", "hazardous", "other"] as const
const signs = ["station_board", "sorting_guide", "drop_off_hours", "other"] as const

interface Input {
  readonly id: string
  readonly categoryCode: string
  readonly nodeId: string
  readonly source: { readonly _tag: "ManualReport"; readonly reference: string }
  readonly attributes: { readonly [key: string]: string }
}

/** 100,000 hotline reports of hardware problems on the district's compounds and bin stations. */
const inputsFor = (scale: Scale, sites: ReadonlyArray<string>): ReadonlyArray<Input> => {
  const next = Synthetic.random(4104)
  return Array.from({ length: scale.total }, (_, i) => {
    const kind = i % 3
    return {
      id: `prb-${String(i).padStart(6, "0")}`,
      categoryCode: kind === 0 ? "bin-missing" : kind === 1 ? "signage-missing" : "no-hand-washing",
      nodeId: sites[Math.floor(next() * sites.length)]!,
      source: { _tag: "ManualReport", reference: `12345-${i}` },
      attributes:
        kind === 0 ? { stream: streams[i % streams.length]! } : kind === 1 ? { sign: signs[i % signs.length]! } : {}
    }
  })
}

// --- the template file ----------------------------------------------------------------------------

const sdkLayer = (filename: string) =>
  Sortgrid.layer({ store: `sqlite:${filename}` }) as Layer.Layer<ProblemRegister.ProblemRegister | Grid.Grid, never>

/** The district's tree imported through the SDK into a new file; returns the problem sites. */
const makeTemplate = async (filename: string): Promise<ReadonlyArray<string>> => {
  const runtime = ManagedRuntime.make(sdkLayer(filename))
  try {
    return await runtime.runPromise(
      Effect.gen(function* () {
        const grid = yield* Grid.Grid
        const report = yield* grid.importDivisions(system, Tongzhou.csv, {
          effectiveOn: Tongzhou.openedOn,
          mode: "all-or-nothing"
        })
        const communities = report.imported
          .filter((d) => d.node.kind === "community" || d.node.kind === "village")
          .map((d) => ({ id: d.node.id, kind: d.node.kind as "community" | "village", setting: d.setting }))
        const nodes = Synthetic.district({ seed: 2023, communities, effectiveOn: "2023-01-01" })
        yield* grid.open(system, nodes)
        return nodes.filter((node) => node.kind === "compound" || node.kind === "bin-station").map((node) => node.id)
      })
    )
  } finally {
    await runtime.dispose()
  }
}

// --- registering ----------------------------------------------------------------------------------

/** The inputs in batches, each with the instant it is registered at. */
const batchesOf = (scale: Scale, inputs: ReadonlyArray<Input>) =>
  Array.from({ length: scale.total / scale.batchSize }, (_, b) => ({
    inputs: inputs.slice(b * scale.batchSize, (b + 1) * scale.batchSize),
    at: batchAt(scale, b)
  }))

const sdkRegister = async (
  runtime: ManagedRuntime.ManagedRuntime<ProblemRegister.ProblemRegister, never>,
  batches: ReturnType<typeof batchesOf>
) =>
  runtime.runPromise(
    Effect.flatMap(ProblemRegister.ProblemRegister, (register) =>
      Effect.forEach(batches, (batch) => register.registerMany(actor, batch.inputs).pipe(at(batch.at)), {
        discard: true
      })
    )
  )

const sha256 = (text: string) => cryptoHash("sha256", text, "hex")

/**
 * The same rows by hand: per batch one `BEGIN IMMEDIATE` transaction that reads the audit head,
 * inserts each problem (its JSON body and the columns beside it), its `registered` event and its
 * audit entry (payload, SHA-256 digest of the payload's canonical JSON, chain hash), and moves the
 * head. Deadlines come from the same SLA function. No decoding, no node or scope check, no retry or
 * de-duplication lookups.
 */
const rawRegister = (db: Database.Database, batches: ReturnType<typeof batchesOf>) => {
  const catalogue = Catalogue.defaultCatalogue
  const calendar = ProblemRegister.beijingCalendar
  const slas = new Map(catalogue.categories.map((category) => [category.code as string, category.sla]))
  const head = db.prepare("SELECT position, hash FROM audit_head WHERE id = 1")
  const insertProblem = db.prepare(
    `INSERT INTO problem (id, category_code, node_id, state, deadline_at, registered_at, closed_at, version, body)
     VALUES (?, ?, ?, 'registered', ?, ?, NULL, 1, ?)`
  )
  const insertEvent = db.prepare("INSERT INTO problem_event (problem_id, version, body) VALUES (?, 1, ?)")
  const insertEntry = db.prepare(
    `INSERT INTO audit_entry (position, id, at, actor, action, subject, payload, payload_digest, previous_hash, hash)
     VALUES (?, ?, ?, ?, 'problem.registered', ?, ?, ?, ?, ?)`
  )
  const moveHead = db.prepare("UPDATE audit_head SET position = ?, hash = ? WHERE id = 1")
  const actorId = JSON.stringify(actor.id)
  const registerBatch = db.transaction((batch: ReadonlyArray<Input>, now: number) => {
    let { position, hash } = head.get() as { position: number; hash: string }
    for (const input of batch) {
      const deadlineAt = Sla.deadline(now, slas.get(input.categoryCode)!, calendar)
      const problemId = JSON.stringify(input.id)
      const category = JSON.stringify(input.categoryCode)
      const node = JSON.stringify(input.nodeId)
      const reference = JSON.stringify(input.source.reference)
      // Encoded entities put a tagged class's tag after its fields; the audit payload puts it first.
      const storedSource = `{"reference":${reference},"_tag":"ManualReport"}`
      const payloadSource = `{"_tag":"ManualReport","reference":${reference}}`
      const event = (source: string) =>
        `{"problemId":${problemId},"version":1,"kind":"registered","actor":${actorId},"at":${now},"fromState":null,"toState":"registered","note":null,"evidence":[],"registration":{"categoryCode":${category},"nodeId":${node},"source":${source},"deadlineAt":${deadlineAt}},"assignee":null,"closure":null,"escalatedTo":null}`
      insertProblem.run(
        input.id,
        input.categoryCode,
        input.nodeId,
        deadlineAt,
        now,
        `{"id":${problemId},"categoryCode":${category},"nodeId":${node},"source":${storedSource},"description":null,"evidence":[],"attributes":${JSON.stringify(input.attributes)},"registeredAt":${now},"registeredBy":${actorId},"deadlineAt":${deadlineAt},"state":"registered","assignee":null,"rectification":null,"reopenCount":0,"closure":null,"escalations":[],"version":1}`
      )
      insertEvent.run(input.id, event(storedSource))
      const payload = event(payloadSource)
      // The digest is of the canonical text: the same members with keys sorted at every depth.
      const canonical = `{"actor":${actorId},"assignee":null,"at":${now},"closure":null,"escalatedTo":null,"evidence":[],"fromState":null,"kind":"registered","note":null,"problemId":${problemId},"registration":{"categoryCode":${category},"deadlineAt":${deadlineAt},"nodeId":${node},"source":${payloadSource}},"toState":"registered","version":1}`
      const payloadDigest = sha256(canonical)
      const id = `problem.${input.id}.v1`
      const subject = `problem:${input.id}`
      position += 1
      const entryHash = sha256(
        JSON.stringify([hash, position, id, now, actor.id, "problem.registered", subject, payloadDigest])
      )
      insertEntry.run(position, id, now, actor.id, subject, payload, payloadDigest, hash, entryHash)
      hash = entryHash
    }
    moveHead.run(position, hash)
  })
  for (const batch of batches) registerBatch.immediate(batch.inputs, batch.at)
}

const openRaw = (filename: string) => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = FULL")
  db.pragma("busy_timeout = 5000")
  return db
}

// --- closing a sample (setup for the stats) ---------------------------------------------------------

/**
 * Closes `scale.closings` problems registered from mid-April to early June through the SDK: half
 * fixed (assigned, rectified, re-inspected by someone else: pass), half closed as not our
 * responsibility; some close in May, the rest in June.
 */
const closeSample = (scale: Scale, inputs: ReadonlyArray<Input>) =>
  Effect.flatMap(ProblemRegister.ProblemRegister, (register) =>
    Effect.forEach(
      Array.from({ length: scale.closings }, (_, k) =>
        Math.floor(scale.total * 0.6 + (k * scale.total * 0.3) / scale.closings)
      ),
      (index, k) => {
        const input = inputs[index]!
        const registeredAt = batchAt(scale, Math.floor(index / scale.batchSize))
        const closeAt = registeredAt + (5 + (k % 30)) * dayMillis
        const problemId = input.id
        return k % 2 === 0
          ? Effect.gen(function* () {
              yield* register
                .transition(rectifier, { _tag: "Assign", problemId, expectedVersion: 1, unitId: input.nodeId })
                .pipe(at(closeAt - 3 * 3_600_000))
              yield* register
                .transition(rectifier, { _tag: "Rectify", problemId, expectedVersion: 2, evidence: ["photo:1"] })
                .pipe(at(closeAt - 3_600_000))
              yield* register
                .transition(actor, { _tag: "Reinspect", problemId, expectedVersion: 3, outcome: "pass" })
                .pipe(at(closeAt))
            })
          : register
              .transition(actor, {
                _tag: "CloseOther",
                problemId,
                expectedVersion: 1,
                reason: "not-our-responsibility"
              })
              .pipe(at(closeAt))
      },
      { discard: true }
    )
  )

// --- stats ----------------------------------------------------------------------------------------

interface Counts {
  opened: number
  closedFixed: number
  closedOther: number
  openAtStart: number
  openAtEnd: number
  overdueAtEnd: number
  closings: number
  closingMillis: number
  compounds: number
}

/**
 * The same figures in SQL, on the same file: the tree as of the period's last day; the problems on
 * the register during the period grouped per node (closed fixed or not from `closure_kind`); those sums joined to every ancestor-or-self by path range
 * and summed again; and the compounds under every node the same way. The SDK computes more besides
 * (median and extremes of time to close, the daily burn-down, compounds with open problems, the
 * ids behind each figure).
 */
const rawStatsStatements = (db: Database.Database) => {
  // Every prefix of a path that ends at a '/': the paths of the node's ancestors and of itself.
  const lineage = (placed: string) => `lineage (path, prefix, rest) AS (
      SELECT path, '/', substr(path, 2) FROM ${placed}
      UNION ALL
      SELECT path, prefix || substr(rest, 1, instr(rest, '/')), substr(rest, instr(rest, '/') + 1)
      FROM lineage WHERE rest <> ''
    )`
  const inForce = (alias: string) => `${alias}.valid_from <= @asOf AND ${alias}.valid_to > @asOf`
  const problems = db.prepare(`
    WITH RECURSIVE per_node AS (
      SELECT node_id,
        SUM(registered_at > @beforeStart) AS opened,
        SUM(registered_at <= @beforeStart) AS open_at_start,
        SUM(closed_at IS NOT NULL AND closed_at <= @atEnd AND closure_kind = 'ClosedFixed') AS closed_fixed,
        SUM(closed_at IS NOT NULL AND closed_at <= @atEnd AND closure_kind <> 'ClosedFixed') AS closed_other,
        SUM(closed_at IS NULL OR closed_at > @atEnd) AS open_at_end,
        SUM((closed_at IS NULL OR closed_at > @atEnd) AND deadline_at <= @atEnd) AS overdue_at_end,
        SUM(closed_at IS NOT NULL AND closed_at <= @atEnd) AS closings,
        TOTAL(CASE WHEN closed_at <= @atEnd THEN closed_at - registered_at END) AS closing_millis
      FROM problem
      WHERE registered_at <= @atEnd AND (closed_at IS NULL OR closed_at > @beforeStart)
      GROUP BY node_id
    ),
    placed AS MATERIALIZED (
      SELECT n.path, p.* FROM per_node p JOIN grid_node_version n ON n.node_id = p.node_id AND ${inForce("n")}
    ),
    ${lineage("placed")}
    SELECT a.node_id, SUM(p.opened) AS opened, SUM(p.closed_fixed) AS closedFixed,
      SUM(p.closed_other) AS closedOther, SUM(p.open_at_start) AS openAtStart, SUM(p.open_at_end) AS openAtEnd,
      SUM(p.overdue_at_end) AS overdueAtEnd, SUM(p.closings) AS closings, SUM(p.closing_millis) AS closingMillis
    FROM lineage l
    JOIN placed p ON p.path = l.path
    JOIN grid_node_version a ON a.path = l.prefix AND ${inForce("a")} AND a.path >= @under AND a.path < @underEnd
    GROUP BY a.node_id`)
  const compounds = db.prepare(`
    WITH RECURSIVE placed AS (
      SELECT path FROM grid_node_version c
      WHERE c.kind = 'compound' AND ${inForce("c")} AND c.path >= @under AND c.path < @underEnd
    ),
    ${lineage("placed")}
    SELECT a.node_id, COUNT(*) AS compounds
    FROM lineage l JOIN grid_node_version a ON a.path = l.prefix AND ${inForce("a")} AND a.path >= @under
    GROUP BY a.node_id`)
  return (under: string): Map<string, Counts> => {
    const offset = ProblemRegister.beijingCalendar.utcOffsetMinutes * 60_000
    const firstDay = Period.startDay(period)
    const lastDay = Period.endDay(period)
    const parameters = {
      under,
      underEnd: `${under.slice(0, -1)}0`,
      asOf: Period.isoDateOfDay(lastDay),
      beforeStart: firstDay * dayMillis - offset - 1,
      atEnd: (lastDay + 1) * dayMillis - offset - 1
    }
    const out = new Map<string, Counts>()
    const blank = (): Counts => ({
      opened: 0,
      closedFixed: 0,
      closedOther: 0,
      openAtStart: 0,
      openAtEnd: 0,
      overdueAtEnd: 0,
      closings: 0,
      closingMillis: 0,
      compounds: 0
    })
    for (const row of problems.all(parameters) as Array<{ node_id: string } & Omit<Counts, "compounds">>) {
      const { node_id, ...counts } = row
      out.set(node_id, { ...counts, compounds: 0 })
    }
    for (const row of compounds.all({
      under: parameters.under,
      underEnd: parameters.underEnd,
      asOf: parameters.asOf
    }) as Array<{
      node_id: string
      compounds: number
    }>) {
      const counts = out.get(row.node_id) ?? blank()
      counts.compounds = row.compounds
      out.set(row.node_id, counts)
    }
    return out
  }
}

const sdkStats = (runtime: ManagedRuntime.ManagedRuntime<ProblemRegister.ProblemRegister, never>) =>
  runtime.runPromise(
    Effect.flatMap(ProblemRegister.ProblemRegister, (register) =>
      register.stats(actor, { under: districtRoot, period })
    )
  )

/** Node by node, the SDK's figures against the raw ones (nodes with nothing to count are absent from the raw map). */
const compareStats = (sdk: Awaited<ReturnType<typeof sdkStats>>, raw: ReadonlyMap<string, Counts>) => {
  let compared = 0
  for (const [nodeId, node] of sdk.nodes) {
    const expected: Counts = {
      opened: node.opened,
      closedFixed: node.closedFixed,
      closedOther: node.closedOther,
      openAtStart: node.openAtStart,
      openAtEnd: node.openAtEnd,
      overdueAtEnd: node.overdueAtEnd,
      closings: node.timeToClose.count,
      closingMillis: node.timeToClose.sum,
      compounds: node.compounds
    }
    const got = raw.get(nodeId)
    const empty = Object.values(expected).every((value) => value === 0)
    if (got === undefined ? !empty : JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`stats disagree on ${nodeId}: sdk ${JSON.stringify(expected)}, raw ${JSON.stringify(got)}`)
    }
    compared++
  }
  if (raw.size > sdk.nodes.size) throw new Error(`raw stats name ${raw.size} nodes, the SDK ${sdk.nodes.size}`)
  return compared
}

// --- the run --------------------------------------------------------------------------------------

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/**
 * Times `scale.runs` runs of each side, alternating SDK and baseline so that a burst of load from
 * elsewhere on the machine hits both; each side's figure is its median.
 */
const alternate = async <S, B>(
  runs: number,
  sdk: {
    readonly setup: () => Promise<S>
    readonly job: (state: S) => Promise<unknown>
    readonly teardown: (state: S) => Promise<void>
  },
  baseline: { readonly setup: () => B; readonly job: (state: B) => unknown; readonly teardown: (state: B) => void }
) => {
  const sdkTimes: Array<number> = []
  const baselineTimes: Array<number> = []
  for (let r = 0; r < runs; r++) {
    sdkTimes.push(await medianMillis(1, sdk.setup, sdk.job, sdk.teardown))
    baselineTimes.push(await medianMillis(1, baseline.setup, baseline.job, baseline.teardown))
  }
  console.log(
    `  runs (ms): sdk ${sdkTimes.map((t) => t.toFixed(0)).join(", ")}; baseline ${baselineTimes.map((t) => t.toFixed(0)).join(", ")}`
  )
  return { sdk: median(sdkTimes), baseline: median(baselineTimes) }
}

/**
 * Runs the bench at a scale: registers on both sides and checks they wrote the same rows, closes a
 * sample, computes stats on both sides and checks they agree node by node, and returns the figures.
 */
export const measure = async (scale: Scale): Promise<ReadonlyArray<Result>> => {
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-issues-"))
  try {
    const template = join(dir, "template.db")
    const sites = await makeTemplate(template)
    const inputs = inputsFor(scale, sites)
    const batches = batchesOf(scale, inputs)
    const tree = new Database(template, { readonly: true })
    const nodes = (tree.prepare("SELECT COUNT(*) AS n FROM grid_node_version").get() as { n: number }).n
    tree.close()
    console.log(
      `tree: ${nodes.toLocaleString("en-US")} nodes (Tongzhou + synthetic district); problems on ${sites.length.toLocaleString("en-US")} compounds and bin stations`
    )

    let copies = 0
    const copy = () => {
      const filename = join(dir, `run-${copies++}.db`)
      copyFileSync(template, filename)
      return filename
    }
    const sdkFiles: Array<string> = []
    const rawFiles: Array<string> = []
    const registering = await alternate(
      scale.runs,
      {
        setup: async () => {
          const filename = copy()
          sdkFiles.push(filename)
          const runtime = ManagedRuntime.make(sdkLayer(filename))
          await runtime.runPromise(Effect.void)
          return runtime
        },
        job: (runtime) => sdkRegister(runtime, batches),
        teardown: (runtime) => runtime.dispose()
      },
      {
        setup: () => {
          const filename = copy()
          rawFiles.push(filename)
          return openRaw(filename)
        },
        job: (db) => rawRegister(db, batches),
        teardown: (db) => {
          db.close()
        }
      }
    )

    // Same rows on both sides: the same chain head (every entry hashed alike) and the same bodies.
    const check = new Database(sdkFiles[0]!)
    check.exec(`ATTACH DATABASE '${rawFiles[0]!}' AS raw`)
    const count = (text: string) => (check.prepare(text).get() as { n: number }).n
    const heads = check
      .prepare("SELECT (SELECT hash FROM main.audit_head) AS sdk, (SELECT hash FROM raw.audit_head) AS raw")
      .get() as { sdk: string; raw: string }
    const sameProblems = count(
      "SELECT COUNT(*) AS n FROM main.problem s JOIN raw.problem r USING (id) WHERE s.body = r.body AND s.deadline_at = r.deadline_at"
    )
    const sameEvents = count(
      "SELECT COUNT(*) AS n FROM main.problem_event s JOIN raw.problem_event r USING (problem_id, version) WHERE s.body = r.body"
    )
    const samePayloads = count(
      "SELECT COUNT(*) AS n FROM main.audit_entry s JOIN raw.audit_entry r USING (position) WHERE s.payload = r.payload AND s.hash = r.hash"
    )
    const entries = count("SELECT COUNT(*) AS n FROM main.audit_entry")
    check.close()
    if (
      heads.sdk !== heads.raw ||
      sameProblems !== scale.total ||
      sameEvents !== scale.total ||
      samePayloads !== entries
    ) {
      throw new Error(
        `SDK and baseline wrote different rows: heads ${heads.sdk} / ${heads.raw}, ${sameProblems} equal problems, ${sameEvents} equal events, ${samePayloads} of ${entries} equal audit entries`
      )
    }
    console.log(
      `registering: both files hold the same ${scale.total.toLocaleString("en-US")} problems and events and the same ${entries.toLocaleString("en-US")} audit entries (equal head hash)`
    )
    const insert = rate(
      `register ${scale.total.toLocaleString("en-US")} problems in batches of ${scale.batchSize.toLocaleString("en-US")} (SQLite, WAL, synchronous=FULL; both sides write the problem, event and audit rows; the SDK also decodes, checks nodes and scope, looks up retries and open duplicates)`,
      "problems/s",
      scale.total,
      registering.sdk,
      registering.baseline
    )

    // `ISSUES_BENCH_ONLY=register` stops here (for profiling the registration alone).
    if (process.env.ISSUES_BENCH_ONLY === "register") return [insert]

    // Stats on the first SDK file, after closing a sample through the SDK.
    const statsFile = sdkFiles[0]!
    const runtime = ManagedRuntime.make(sdkLayer(statsFile))
    try {
      const closeStart = performance.now()
      await runtime.runPromise(closeSample(scale, inputs))
      console.log(
        `closed ${scale.closings.toLocaleString("en-US")} problems through the SDK (${(scale.closings * 2).toLocaleString("en-US")} transitions) in ${((performance.now() - closeStart) / 1000).toFixed(1)} s`
      )
      const raw = new Database(statsFile, { readonly: true })
      const rawStats = rawStatsStatements(raw)
      const sdkResult = await sdkStats(runtime)
      const compared = compareStats(sdkResult, rawStats(districtRoot))
      const district = sdkResult.nodes.get(Tongzhou.districtCode)!
      console.log(
        `stats for ${Period.format(period)}: ${compared.toLocaleString("en-US")} nodes agree; district: opened ${district.opened}, open at start ${district.openAtStart}, closed fixed ${district.closedFixed}, closed other ${district.closedOther}, open at end ${district.openAtEnd}, overdue ${district.overdueAtEnd}`
      )
      const computing = await alternate(
        scale.runs,
        { setup: async () => undefined, job: () => sdkStats(runtime), teardown: async () => {} },
        { setup: () => undefined, job: () => rawStats(districtRoot), teardown: () => {} }
      )
      raw.close()
      const stats = rate(
        `stats of every node (${sdkResult.nodes.size.toLocaleString("en-US")}) for ${Period.format(period)} over ${scale.total.toLocaleString("en-US")} problems (raw: the counts, time-to-close sum and compounds per node by GROUP BY; the SDK also medians, burn-down, ids)`,
        "stats/s",
        1,
        computing.sdk,
        computing.baseline
      )
      return [insert, stats]
    } finally {
      await runtime.dispose()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const run = (): Promise<ReadonlyArray<Result>> => measure(fullScale)
