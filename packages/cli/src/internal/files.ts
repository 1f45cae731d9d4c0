import { FileSystem } from "@effect/platform"
import { Errors } from "@sortgrid/core"
import { Effect } from "effect"

const unreadable = (field: string, path: string) => (error: { readonly message: string }) =>
  Errors.Invalid.one(field, `cannot read ${path}: ${error.message}`)

/** A file's bytes; a file that cannot be read is `Invalid` at `field`, naming the path and why. */
export const readBytes = (path: string, field = "file") =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.mapError(fs.readFile(path), unreadable(field, path)))

/** A file's text (UTF-8). */
export const readText = (path: string, field = "file") =>
  Effect.map(readBytes(path, field), (bytes) => new TextDecoder().decode(bytes))

/** Parses JSON text; text that is not JSON is `Invalid` at `field` with the parser's reason. */
export const parseJson = (text: string, field: string): Effect.Effect<unknown, Errors.Invalid> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) =>
      Errors.Invalid.one(field, `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  })

/** A JSON file, parsed. */
export const readJson = (path: string, field = "file") =>
  Effect.flatMap(readText(path, field), (text) => parseJson(text, field))

/** Writes text to a file, replacing it. */
export const writeText = (path: string, text: string, field = "output") =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.mapError(fs.writeFileString(path, text), (error) =>
      Errors.Invalid.one(field, `cannot write ${path}: ${error.message}`)
    )
  )
