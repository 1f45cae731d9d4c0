/**
 * Roll-ups: a value per node, aggregated up the tree as it stood on a date. Every node's value
 * counts towards itself and each of its ancestors; the parts are kept (sum and count), so every
 * rolled-up figure can be explained by the values under it.
 *
 * @since 0.1.0
 */

/**
 * How values combine up the tree.
 *
 * @since 0.1.0
 * @category models
 */
export type Aggregation = "sum" | "average" | "count" | "min" | "max"

/**
 * A rolled-up figure with its parts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rolled {
  readonly value: number
  readonly sum: number
  /** How many nodes with a value lie on or under the node. */
  readonly count: number
  readonly min: number
  readonly max: number
}

/**
 * A node's id and materialised path: all a roll-up needs of the tree.
 *
 * @since 0.1.0
 * @category models
 */
export type Placement = readonly [nodeId: string, path: string]

/**
 * Rolls values up the given placements (the tree on one date, or a subtree of it). Nodes without a
 * value contribute nothing; nodes with nothing under them are absent from the result.
 *
 * @since 0.1.0
 * @category rollups
 */
export const rollup = (
  placements: ReadonlyArray<Placement>,
  values: ReadonlyMap<string, number>,
  aggregation: Aggregation
): ReadonlyMap<string, Rolled> => {
  // Bottom-up in one pass per node: each node's parts are added into its parent's, deepest
  // nodes first, so the work is linear in the size of the tree rather than tree × depth.
  const size = placements.length
  const index = new Map<string, number>()
  for (let i = 0; i < size; i++) index.set(placements[i]![0], i)
  const parent = new Int32Array(size).fill(-1)
  const depth = new Int32Array(size)
  let deepest = 0
  for (let i = 0; i < size; i++) {
    const path = placements[i]![1]
    const last = path.lastIndexOf("/", path.length - 2)
    if (last > 0) parent[i] = index.get(path.slice(path.lastIndexOf("/", last - 1) + 1, last)) ?? -1
    let slashes = 0
    for (let c = 0; c < path.length; c++) if (path.charCodeAt(c) === 47) slashes++
    depth[i] = slashes
    if (slashes > deepest) deepest = slashes
  }
  const sum = new Float64Array(size)
  const count = new Float64Array(size)
  const min = new Float64Array(size).fill(Number.POSITIVE_INFINITY)
  const max = new Float64Array(size).fill(Number.NEGATIVE_INFINITY)
  for (let i = 0; i < size; i++) {
    const value = values.get(placements[i]![0])
    if (value === undefined) continue
    sum[i] = value
    count[i] = 1
    min[i] = value
    max[i] = value
  }
  const byDepth: Array<Array<number>> = Array.from({ length: deepest + 1 }, () => [])
  for (let i = 0; i < size; i++) byDepth[depth[i]!]!.push(i)
  for (let d = deepest; d > 0; d--) {
    for (const i of byDepth[d]!) {
      const p = parent[i]!
      if (p < 0 || count[i] === 0) continue
      sum[p] = sum[p]! + sum[i]!
      count[p] = count[p]! + count[i]!
      if (min[i]! < min[p]!) min[p] = min[i]!
      if (max[i]! > max[p]!) max[p] = max[i]!
    }
  }
  const result = new Map<string, Rolled>()
  for (let i = 0; i < size; i++) {
    const n = count[i]!
    if (n === 0) continue
    const value =
      aggregation === "sum"
        ? sum[i]!
        : aggregation === "average"
          ? sum[i]! / n
          : aggregation === "count"
            ? n
            : aggregation === "min"
              ? min[i]!
              : max[i]!
    result.set(placements[i]![0], { value, sum: sum[i]!, count: n, min: min[i]!, max: max[i]! })
  }
  return result
}
