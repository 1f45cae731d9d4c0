// Shared by every benchmark: timing, the result shape, and the report.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** One measured figure: the SDK against the raw baseline doing the same work in the same run. */
export interface Result {
  readonly name: string
  readonly unit: string
  readonly sdk: number
  readonly baseline: number
  /** sdk / baseline for rates (higher is better): above 1 the SDK is faster than the baseline. */
  readonly ratio: number
}

/** Median of `runs` timings of an async job, in milliseconds. Each run gets fresh state from `setup`. */
export const medianMillis = async <S>(
  runs: number,
  setup: () => Promise<S> | S,
  job: (state: S) => Promise<unknown> | unknown,
  teardown: (state: S) => Promise<void> | void = () => {}
): Promise<number> => {
  const times: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const state = await setup()
    const start = performance.now()
    await job(state)
    times.push(performance.now() - start)
    await teardown(state)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

/** A rate result from a count and the two median times. */
export const rate = (name: string, unit: string, count: number, sdkMillis: number, baselineMillis: number): Result => {
  const perSecond = (millis: number) => Number((count / (millis / 1000)).toPrecision(4))
  const sdk = perSecond(sdkMillis)
  const baseline = perSecond(baselineMillis)
  console.log(`${name}: sdk ${sdkMillis.toFixed(1)} ms, baseline ${baselineMillis.toFixed(1)} ms`)
  return { name, unit, sdk, baseline, ratio: Number((baselineMillis / sdkMillis).toFixed(3)) }
}

/** Prints the results as a table and writes them to bench/results/<bench>.json. */
export const report = (bench: string, results: ReadonlyArray<Result>): void => {
  const rows = results.map((r) => ({
    name: r.name,
    unit: r.unit,
    sdk: r.sdk.toLocaleString("en-US"),
    baseline: r.baseline.toLocaleString("en-US"),
    ratio: r.ratio.toFixed(3)
  }))
  console.table(rows)
  const dir = join(import.meta.dirname, "results")
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${bench}.json`), `${JSON.stringify(results, null, 2)}\n`)
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; wrote bench/results/${bench}.json`)
}
