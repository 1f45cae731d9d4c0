/**
 * Serves a directory of built web assets (the dashboard) beside the API: every file found in it
 * when the server starts gets its own exact GET route, `/` serves `index.html`. Only files listed
 * at start are served, so no request path can reach outside the directory. The routes carry no
 * authentication: the pages are public; the API they call is not.
 */
import { FileSystem, HttpApiBuilder, HttpServerResponse, Path } from "@effect/platform"
import { Errors } from "@sortgrid/core"
import { Effect } from "effect"

const unreadable = (directory: string) =>
  Errors.Invalid.one("dashboardDir", `${directory} is not a readable directory with an index.html`)

/** The files under `directory`, as URL paths (`/assets/index-abc.js`) and their absolute paths. */
const listFiles = (directory: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = path.resolve(directory)
    const relative = yield* fs.readDirectory(root, { recursive: true })
    const files: Array<readonly [`/${string}`, string]> = []
    for (const name of relative) {
      const absolute = path.join(root, name)
      if ((yield* fs.stat(absolute)).type !== "File") continue
      files.push([`/${name.split(path.sep).join("/")}`, absolute])
    }
    return files
  })

/**
 * The routes for the files of `directory`; fails with `Invalid` (field `dashboardDir`) when it
 * cannot be read or holds no `index.html`.
 */
export const layer = (directory: string) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function* () {
      const files = yield* Effect.mapError(listFiles(directory), () => unreadable(directory))
      const index = files.find(([url]) => url === "/index.html")
      if (index === undefined) return yield* unreadable(directory)
      const serve = (absolute: string) =>
        Effect.orDie(HttpServerResponse.file(absolute, { headers: { "cache-control": "no-cache" } }))
      yield* router.get("/", serve(index[1]))
      for (const [url, absolute] of files) {
        // A route's path is a pattern: a file whose name has pattern characters is left out.
        if (/[:*?()]/.test(url)) continue
        yield* router.get(url, serve(absolute))
      }
    })
  )
