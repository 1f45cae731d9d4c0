/**
 * What the HTTP layer is configured with, besides the SDK's own configuration.
 *
 * @since 0.1.0
 */
import { Context } from "effect"

/**
 * The settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** The Open311 `jurisdiction_id` this server answers for. */
  readonly jurisdictionId: string
  /** The largest request body accepted, in bytes; a larger one is a 413. */
  readonly maxBodyBytes: number
}

/**
 * The settings in force: jurisdiction `sortgrid` and a 1 MiB body limit unless a host provides
 * others (`Layer.succeed(HttpConfig, { … })`, or the options of `Server.layer`).
 *
 * @since 0.1.0
 * @category services
 */
export class HttpConfig extends Context.Reference<HttpConfig>()("@sortgrid/http/HttpConfig", {
  defaultValue: (): Settings => ({ jurisdictionId: "sortgrid", maxBodyBytes: 1024 * 1024 })
}) {}
