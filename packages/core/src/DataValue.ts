/**
 * Data values: the one interface every feeder of the assessment engine implements. A feeder (the
 * problem register, the grid, the ledger…) declares the data elements it provides and answers
 * "element, node, period → value", each value with its provenance: whether it was entered,
 * imported or derived, by which source, and the records that explain it. The assessment engine
 * reads only this interface, so it never depends on the packages that feed it.
 *
 * The kernel knows no domain: a node is a {@link NodeRef} (the grid's node id as a string) and a
 * period is its id (`2023-06`, see `Period`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Schema } from "effect"
import { NodePath } from "./Actor.js"
import type { StorageError } from "./Errors.js"
import { Invalid } from "./Errors.js"
import * as Id from "./Id.js"
import * as Period from "./Period.js"

/**
 * A data element's id, namespaced by its source: `issues.opened`, `ledger.points.earned`.
 *
 * @since 0.1.0
 * @category ids
 */
export const DataElementId = Id.brand("DataElementId")

/**
 * @since 0.1.0
 * @category ids
 */
export type DataElementId = typeof DataElementId.Type

/**
 * A node of the jurisdiction tree, by id. The grid's node ids are valid node refs.
 *
 * @since 0.1.0
 * @category ids
 */
export const NodeRef = Id.brand("NodeRef")

/**
 * @since 0.1.0
 * @category ids
 */
export type NodeRef = typeof NodeRef.Type

/**
 * A period id (`2023-06-15`, `2023-W05`, `2023-06`, `2023-Q2`, `2023-H1`, `2023`) that names a real
 * period. It stays a string so values store and travel as they are; `Period.parse` gives the period.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PeriodId = Schema.String.pipe(
  Schema.filter(
    (input) => Either.match(Period.parse(input), { onLeft: (error) => error.reason, onRight: () => true }),
    {
      identifier: "PeriodId",
      description: "A period id such as 2023-06, 2023-Q2 or 2023-W05"
    }
  ),
  Schema.brand("PeriodId")
)

/**
 * @since 0.1.0
 * @category schemas
 */
export type PeriodId = typeof PeriodId.Type

/**
 * The id of a period.
 *
 * @since 0.1.0
 * @category constructors
 */
export const periodId = (period: Period.Period): PeriodId =>
  PeriodId.make(Period.format(period), { disableValidation: true })

/**
 * A data element a provider offers: what it measures, in which unit (`count`, `ratio`,
 * `milliseconds`, `points`, `fen`…).
 *
 * @since 0.1.0
 * @category models
 */
export class DataElement extends Schema.Class<DataElement>("@sortgrid/core/DataElement")({
  id: DataElementId,
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  description: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000)),
  unit: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(40))
}) {}

/**
 * The records that explain a value (the problems counted, the transfers summed), by id. At most a
 * provider's cap of ids is listed; `total` is how many there are, so a reader knows when the list
 * is cut short.
 *
 * @since 0.1.0
 * @category models
 */
export class Records extends Schema.Class<Records>("@sortgrid/core/Records")(
  Schema.Struct({
    /** The kind of record, e.g. `Problem`. */
    entity: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(80)),
    ids: Schema.Array(Id.IdString),
    total: Schema.Int.pipe(Schema.nonNegative())
  }).pipe(Schema.filter((records) => records.ids.length <= records.total || "lists more ids than its total"))
) {}

/**
 * How a value came to be.
 *
 * @since 0.1.0
 * @category models
 */
export const ProvenanceKind = Schema.Literal("entered", "imported", "derived")

/**
 * @since 0.1.0
 * @category models
 */
export type ProvenanceKind = typeof ProvenanceKind.Type

/**
 * Where a value comes from: its kind, the source that produced it (`issues.stats`, an import's
 * file) and, when known, the records that explain it.
 *
 * @since 0.1.0
 * @category models
 */
export class Provenance extends Schema.Class<Provenance>("@sortgrid/core/Provenance")({
  kind: ProvenanceKind,
  source: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  records: Schema.optionalWith(Schema.NullOr(Records), { default: () => null })
}) {}

/**
 * One value of one element, for one node and one period.
 *
 * @since 0.1.0
 * @category models
 */
export class DataValue extends Schema.Class<DataValue>("@sortgrid/core/DataValue")({
  element: DataElementId,
  node: NodeRef,
  period: PeriodId,
  value: Schema.Finite,
  provenance: Provenance
}) {}

/**
 * Which nodes a request asks about: a node ref asks for that node; a node path (`/d1/s1/`, see
 * `Actor.NodePath`) asks for every node on or under it, on the tree as of the period's last day.
 *
 * @since 0.1.0
 * @category models
 */
export const NodeSelector = Schema.Union(NodeRef, NodePath)

/**
 * @since 0.1.0
 * @category models
 */
export type NodeSelector = typeof NodeSelector.Type

/**
 * A request for values: these elements, for these nodes, in this period. Elements a provider does
 * not offer and nodes it knows nothing of yield no values, never an error.
 *
 * @since 0.1.0
 * @category models
 */
export class ValuesRequest extends Schema.Class<ValuesRequest>("@sortgrid/core/ValuesRequest")({
  elements: Schema.Array(DataElementId),
  nodes: Schema.Array(NodeSelector),
  period: PeriodId
}) {}

const decodeWith =
  <A, I>(schema: Schema.Schema<A, I>, field: string) =>
  (input: unknown): Either.Either<A, Invalid> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
      Invalid.fromParseError(error, [field])
    )

/**
 * Decodes a request from outside (HTTP, the Promise facade): an `Invalid` naming each bad field,
 * under `request` (e.g. `request.period: "2023-13" ... month 13 is not between 01 and 12`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequest: (input: unknown) => Either.Either<ValuesRequest, Invalid> = decodeWith(
  ValuesRequest,
  "request"
)

/**
 * Decodes a data value (an import, a stored row), failing with an `Invalid` naming each bad field
 * under `value`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeValue: (input: unknown) => Either.Either<DataValue, Invalid> = decodeWith(DataValue, "value")

/**
 * The data-value provider: the one interface every feeder of the assessment engine implements.
 * `elements` lists what it offers; `values` answers a request, reading what it needs in a few
 * queries. A value is absent when there is nothing to say (no closings, no compounds), never
 * zero-filled by guess.
 *
 * @since 0.1.0
 * @category ports
 */
export class DataValueProvider extends Context.Tag("@sortgrid/core/DataValueProvider")<
  DataValueProvider,
  {
    readonly elements: ReadonlyArray<DataElement>
    readonly values: (request: ValuesRequest) => Effect.Effect<ReadonlyArray<DataValue>, StorageError>
  }
>() {}

/**
 * Several providers as one: each requested element goes to the first provider that offers it (so a
 * host lists its providers in order of precedence), and their answers are concatenated. `elements`
 * lists every element offered, the first provider's entry winning for an id offered twice. The
 * assessment engine reads one `DataValueProvider`; a host with several feeders (issues, grid, ledger)
 * provides `combine([...])`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const combine = (
  providers: ReadonlyArray<Context.Tag.Service<DataValueProvider>>
): Context.Tag.Service<DataValueProvider> => {
  const owner = new Map<string, number>()
  const elements: Array<DataElement> = []
  providers.forEach((provider, index) => {
    for (const element of provider.elements) {
      if (owner.has(element.id)) continue
      owner.set(element.id, index)
      elements.push(element)
    }
  })
  return DataValueProvider.of({
    elements,
    values: (request) =>
      Effect.map(
        Effect.forEach(providers, (provider, index) => {
          const wanted = request.elements.filter((element) => owner.get(element) === index)
          return wanted.length === 0
            ? Effect.succeed<ReadonlyArray<DataValue>>([])
            : provider.values(new ValuesRequest({ ...request, elements: wanted }, { disableValidation: true }))
        }),
        (answers) => answers.flat()
      )
  })
}
