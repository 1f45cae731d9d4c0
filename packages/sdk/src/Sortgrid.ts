/**
 * One entry to sortgrid for Effect users: a store URL in, every service out.
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const audit = yield* AuditLog.AuditLog
 *   return yield* audit.verify(actor)
 * })
 * program.pipe(Effect.provide(Sortgrid.layer({ store: "sqlite:./sortgrid.db" })))
 * ```
 *
 * @since 0.1.0
 */
import { Assessments } from "@sortgrid/assessment"
import { AuditLog, DataValue, type Errors, Permission } from "@sortgrid/core"
import {
  DutyRoster,
  Geography,
  Grid,
  GridValues,
  OutreachEvents,
  People,
  type PriorityResident,
  PriorityResidents,
  Profile,
  Sites
} from "@sortgrid/grid"
import { Inspections, ProblemRegister, ProblemValues } from "@sortgrid/issues"
import { Earnings, Households, Ledger, LedgerValues, Redemptions, Tasks } from "@sortgrid/ledger"
import { MemoryStore } from "@sortgrid/store-memory"
import { PostgresStore } from "@sortgrid/store-postgres"
import type { SqlStore } from "@sortgrid/store-sql"
import { SqliteStore } from "@sortgrid/store-sqlite"
import { type Clock, Effect, Either, Layer } from "effect"
import { defaultGrants } from "./Policies.js"
import * as StoreUrl from "./StoreUrl.js"

/**
 * What to open.
 *
 * @since 0.1.0
 * @category models
 */
export interface SortgridOptions {
  /** A store URL (see {@link StoreUrl}); default `sqlite:./sortgrid.db`. */
  readonly store?: string | undefined
  /** Role → permissions; default {@link Policies.defaultGrants}. */
  readonly grants?: Permission.Grants | undefined
  /** The kinds of node and their parent rules; default {@link Profile.chinaDistrict}. */
  readonly profile?: Profile.Profile | undefined
  /** The points ledger's lot policy per ledger id; default none (points never expire). */
  readonly ledger?: Ledger.Config | undefined
  /** The earning programme (budget, rules, lock period) per ledger id; default none. */
  readonly earning?: Earnings.Config | undefined
  /**
   * The clock every service reads; default the system clock. A simulation or a replay of a past
   * period gives a {@link SimulatedClock}'s.
   */
  readonly clock?: Clock.Clock | undefined
}

/**
 * The services an app uses, and the ports beneath them.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | AuditLog.AuditLog
  | Grid.Grid
  | Sites.Sites
  | Geography.Geography
  | People.People
  | DutyRoster.DutyRoster
  | OutreachEvents.OutreachEvents
  | ProblemRegister.ProblemRegister
  | Inspections.Inspections
  | Ledger.Ledger
  | Earnings.Earnings
  | Redemptions.Redemptions
  | Households.Households
  | Tasks.Tasks
  | Assessments.Assessments
  | SqlStore.Ports
  | Permission.Policy

/**
 * The store alone: every port, from a store URL.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStore = (
  url: string = StoreUrl.defaultUrl
): Layer.Layer<SqlStore.Ports, Errors.Invalid | Errors.StoreUnavailable> =>
  Either.match(StoreUrl.parse(url), {
    onLeft: (error) => Layer.fail(error),
    onRight: StoreUrl.StoreLocation.$match({
      Sqlite: ({ filename }) => SqliteStore.layer({ filename }),
      Postgres: ({ url, schema }) => PostgresStore.layer({ url, schema }),
      Memory: () => MemoryStore.layer
    })
  })

/**
 * The data-value providers the assessment engine reads derived values from, combined in order of
 * precedence (`DataValue.combine`): the problem register's stats (`issues.*`), then the grid's duty
 * presence and outreach figures (`grid.duty.*`, `grid.outreach.*`), then the ledger's earning
 * activity (`ledger.*`: points earned, earnings, residents earning, over every earning programme
 * configured).
 *
 * @since 0.1.0
 * @category layers
 */
export const dataValues = Layer.effect(
  DataValue.DataValueProvider,
  Effect.all([ProblemValues.make, GridValues.make, LedgerValues.make]).pipe(
    Effect.map(([issues, grid, ledger]) => DataValue.combine([issues, grid, ledger]))
  )
)

/**
 * Every sortgrid service over the store a URL names.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SortgridOptions = {}): Layer.Layer<Services, Errors.Invalid | Errors.StoreUnavailable> =>
  Layer.mergeAll(
    Grid.Grid.Default,
    Sites.Sites.Default,
    Geography.Geography.Default,
    People.People.Default,
    DutyRoster.DutyRoster.Default,
    OutreachEvents.OutreachEvents.Default,
    Inspections.Inspections.Default.pipe(Layer.provideMerge(ProblemRegister.ProblemRegister.Default)),
    Ledger.Ledger.Default,
    Earnings.Earnings.Default,
    Redemptions.Redemptions.Default,
    Households.Households.Default,
    Tasks.Tasks.Default,
    Assessments.Assessments.Default.pipe(Layer.provide(dataValues))
  ).pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(layerStore(options.store)),
    Layer.provideMerge(Permission.layer(options.grants ?? defaultGrants)),
    Layer.provide(Layer.succeed(Grid.GridProfile, options.profile ?? Profile.chinaDistrict)),
    Layer.provide(Layer.succeed(Ledger.LedgerConfig, options.ledger ?? { policies: new Map() })),
    Layer.provide(Layer.succeed(Earnings.EarningConfig, options.earning ?? { programmes: new Map() })),
    Layer.provide(options.clock === undefined ? Layer.empty : Layer.setClock(options.clock))
  )

/**
 * The priority-residents register, on top of {@link layer}. It needs the host's keys (a pseudonym key
 * and an encryption key, 32 bytes each, base64), so it is a layer of its own: apps that keep no
 * register need no keys.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPriorityResidents = (
  keys: PriorityResident.KeyMaterial
): Layer.Layer<PriorityResidents.PriorityResidents, Errors.Invalid, Services> =>
  PriorityResidents.PriorityResidents.Default.pipe(Layer.provide(PriorityResidents.ResidentKeys.layer(keys)))
