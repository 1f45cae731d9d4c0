// Opening the demo's store for a loader: where it is, who reads it, and a clear message when it is not
// there. Every notebook reads the store `pnpm demo` writes (`sortgrid.db` at the repository root)
// unless SORTGRID_STORE names another one.
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "@sortgrid/sdk"

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** The store URL: SORTGRID_STORE, or the demo's SQLite file at the repository root. */
export const storeUrl = (): string => {
  const url = process.env.SORTGRID_STORE ?? `sqlite:${resolve(repositoryRoot, "sortgrid.db")}`
  return url.startsWith("sqlite:") && url !== "sqlite::memory:" ? `sqlite:${resolve(url.slice("sqlite:".length))}` : url
}

/**
 * The reader: an auditor sees everything the notebooks show; settlement reports are the programme
 * operator's. The notebooks only read — nothing here writes to the store.
 */
export const analyst = { id: "analyst-notebooks", roles: ["auditor", "programme-operator"], scope: ["/"] }

/** The district the demo builds (Tongzhou, 110112) and its path in the tree. */
export const district = { id: "110112", path: "/110112/" } as const

/** The half-year the demo simulates. */
export const months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"] as const

/** Ends the loader with a message a person can act on (Framework shows the loader's stderr). */
export const fail = (message: string): never => {
  process.stderr.write(`notebooks: ${message}\n`)
  process.exit(1)
}

/**
 * Opens the store, runs `read` against it and closes it. A missing SQLite file, or a store without the
 * demo's district, ends the loader with "run pnpm demo first".
 */
export const withStore = async <A>(read: (sortgrid: Client.SortgridClient) => Promise<A>): Promise<A> => {
  const url = storeUrl()
  if (url.startsWith("sqlite:") && url !== "sqlite::memory:" && !existsSync(url.slice("sqlite:".length))) {
    return fail(`no store at ${url.slice("sqlite:".length)}: run \`pnpm demo\` first (or set SORTGRID_STORE)`)
  }
  const sortgrid = await Client.open({ store: url })
  try {
    await sortgrid.grid
      .node(analyst, district.id, "2023-06-30")
      .catch(() => fail(`${url} holds no Tongzhou District (${district.id}): run \`pnpm demo\` first`))
    return await read(sortgrid)
  } finally {
    await sortgrid.close()
  }
}

/** The district's subdistricts and towns on a date, each with its name and setting (urban or rural). */
export const towns = async (sortgrid: Client.SortgridClient, asOf = "2023-06-30") => {
  const children = await sortgrid.grid.children(analyst, district.id, asOf)
  const memberships = await sortgrid.grid.memberships(analyst, { under: district.path, asOf })
  const setting = new Map(
    memberships.filter((m) => m.groupId === "urban" || m.groupId === "rural").map((m) => [m.nodeId, m.groupId])
  )
  return children
    .filter((node) => node.kind === "subdistrict" || node.kind === "town")
    .map((node) => {
      const group = setting.get(node.nodeId)
      if (group !== "urban" && group !== "rural")
        throw new Error(`${node.nodeId} is in neither the urban nor the rural group`)
      return { id: node.nodeId as string, name: node.name, setting: group }
    })
}

/** Maps the items one after another (the store has one connection; the order of the reads is kept). */
export const sequence = async <A, B>(items: ReadonlyArray<A>, f: (item: A) => Promise<B>): Promise<Array<B>> => {
  const out: Array<B> = []
  for (const item of items) out.push(await f(item))
  return out
}

/** Runs a page loader: writes the Markdown it returns to stdout, or ends with the error on stderr. */
export const page = (build: () => Promise<string>): void => {
  build().then(
    (markdown) => process.stdout.write(markdown),
    (error: unknown) => {
      const tagged = error as { readonly _tag?: string; readonly message?: string }
      fail(tagged._tag !== undefined ? `${tagged._tag}: ${tagged.message}` : String((error as Error)?.stack ?? error))
    }
  )
}
