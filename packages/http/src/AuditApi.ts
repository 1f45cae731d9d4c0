/**
 * The audit group: the hash-chained audit log, read page by page (`audit.read`) and verified
 * (`audit.verify`). The log is the whole programme's, so neither endpoint takes a place.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Audit } from "@sortgrid/core"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import * as Paging from "./Paging.js"

/**
 * The outcome of verifying the chain: intact (how many entries, and the head), or broken (where,
 * and why).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Verification = Schema.Union(
  Schema.TaggedStruct("Intact", { entries: Schema.Int, head: Audit.AuditHead }),
  Schema.TaggedStruct("Broken", {
    position: Schema.Int,
    reason: Schema.Literal(
      "PositionMissing",
      "PositionUnexpected",
      "PayloadAltered",
      "EntryAltered",
      "ChainBroken",
      "Truncated",
      "HeadMismatch"
    ),
    detail: Schema.String
  })
)

/**
 * The audit endpoints.
 *
 * - `GET /audit/entries?cursor=&limit=` — entries in position order;
 * - `GET /audit/verification` — verifies the whole chain against its stored head.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("read", "/entries")
      .setUrlParams(Schema.Struct(Paging.pageParams))
      .addSuccess(Paging.Page(Audit.AuditEntry))
      .annotate(OpenApi.Summary, "Audit entries in position order")
  )
  .add(
    HttpApiEndpoint.get("verify", "/verification")
      .addSuccess(Verification)
      .annotate(OpenApi.Summary, "Verify the whole audit chain")
  )
  .middleware(Authentication)
  .prefix("/audit")
  .annotate(OpenApi.Description, "The hash-chained audit log")
