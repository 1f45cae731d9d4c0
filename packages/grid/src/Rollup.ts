/**
 * Roll-ups: a value per node, aggregated up the tree as it stood on a date. Every node's value
 * counts towards itself and each of its ancestors; the parts are kept (sum and count), so every
 * rolled-up figure can be explained by the values under it.
 *
 * @since 0.1.0
 */
import type { NodeVersion } from "./Node.js"

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
 * Rolls values up the given versions (the tree on one date, or a subtree of it). Nodes without a
 * value contribute nothing; nodes with nothing under them are absent from the result.
 *
 * @since 0.1.0
 * @category rollups
 */
export const rollup = (
  versions: ReadonlyArray<NodeVersion>,
  values: ReadonlyMap<string, number>,
  aggregation: Aggregation
): ReadonlyMap<string, Rolled> => {
  const inTree = new Set(versions.map((version) => version.nodeId as string))
  const parts = new Map<string, { sum: number; count: number; min: number; max: number }>()
  for (const version of versions) {
    const value = values.get(version.nodeId)
    if (value === undefined) continue
    let start = 1
    // Walk the ids on the path without allocating an array per node.
    while (start < version.path.length) {
      const end = version.path.indexOf("/", start)
      const id = version.path.slice(start, end)
      start = end + 1
      if (!inTree.has(id)) continue
      const part = parts.get(id)
      if (part === undefined) parts.set(id, { sum: value, count: 1, min: value, max: value })
      else {
        part.sum += value
        part.count += 1
        if (value < part.min) part.min = value
        if (value > part.max) part.max = value
      }
    }
  }
  const result = new Map<string, Rolled>()
  for (const [id, part] of parts) {
    const value =
      aggregation === "sum"
        ? part.sum
        : aggregation === "average"
          ? part.sum / part.count
          : aggregation === "count"
            ? part.count
            : aggregation === "min"
              ? part.min
              : part.max
    result.set(id, { value, ...part })
  }
  return result
}
