/**
 * The inspections' storage port: campaigns and checklist templates (configuration, written once per
 * id), and visits. Writes follow the pattern of every port — inside a write transaction, load what the
 * command touches, call `decide`, write its plan. A visit's record is written in the transaction that
 * registers and re-inspects its problems. Every rule lives in `Inspection` and the `Inspections`
 * service.
 *
 * @since 0.1.0
 */
import type { Errors } from "@sortgrid/core"
import type { NodeId } from "@sortgrid/grid/Node"
import { Context, type Effect, type Either } from "effect"
import type { Campaign, CampaignId, ChecklistTemplate, TemplateId, VisitRecord } from "./Inspection.js"
import type { VisitId } from "./Problem.js"

/**
 * Campaigns and templates, as stored or as a definition writes them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Definitions {
  readonly campaigns: ReadonlyArray<Campaign>
  readonly templates: ReadonlyArray<ChecklistTemplate>
}

/**
 * Which visits {@link InspectionStore} `visits` returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface VisitQuery {
  /** Only visits of these nodes; every node when absent. */
  readonly nodeIds?: ReadonlyArray<NodeId> | undefined
  readonly campaignId?: CampaignId | undefined
  /** Visits at or after `from` and before `to` (epoch milliseconds). */
  readonly during?: { readonly from: number; readonly to: number } | undefined
}

/**
 * Inspection storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class InspectionStore extends Context.Tag("@sortgrid/issues/InspectionStore")<
  InspectionStore,
  {
    /**
     * Loads the stored campaigns and templates with the request's ids, writes the new ones
     * `decide` returns (stored definitions are never overwritten), returns them.
     */
    readonly define: <E>(
      request: { readonly campaignIds: ReadonlyArray<CampaignId>; readonly templateIds: ReadonlyArray<TemplateId> },
      decide: (stored: Definitions) => Either.Either<Definitions, E>
    ) => Effect.Effect<Definitions, E | Errors.StorageError>
    /** The stored campaigns and templates with these ids (those that exist). */
    readonly definitions: (request: {
      readonly campaignIds: ReadonlyArray<CampaignId>
      readonly templateIds: ReadonlyArray<TemplateId>
    }) => Effect.Effect<Definitions, Errors.StorageError>
    /** The record of the visit with this id, if it was recorded. */
    readonly visit: (visitId: VisitId) => Effect.Effect<VisitRecord | null, Errors.StorageError>
    /**
     * Stores a visit's record; a `Conflict` when a visit with its id is stored already (recorded
     * concurrently: a retry finds it and replays).
     */
    readonly save: (record: VisitRecord) => Effect.Effect<void, Errors.Conflict | Errors.StorageError>
    /** Visit records (see {@link VisitQuery}), by time then id. */
    readonly visits: (query: VisitQuery) => Effect.Effect<ReadonlyArray<VisitRecord>, Errors.StorageError>
    /** The time of each node's latest visit, for the nodes that have one. */
    readonly lastVisits: (
      nodeIds: ReadonlyArray<NodeId>
    ) => Effect.Effect<ReadonlyMap<string, number>, Errors.StorageError>
  }
>() {}
