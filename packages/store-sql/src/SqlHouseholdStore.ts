/**
 * The household port over `SqlClient`: `programme_household` and `programme_membership`
 * (migration 13). `lock` is a transaction-scoped advisory lock per schema on PostgreSQL (household
 * writers take turns; see `HouseholdStore`); on SQLite the write transaction's `BEGIN IMMEDIATE`
 * already does that.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import * as Household from "@sortgrid/ledger/Household"
import { HouseholdStore } from "@sortgrid/ledger/HouseholdStore"
import { Effect, Layer, Schema } from "effect"
import { toStorageError } from "./internal/errors.js"
import { anyOf, Int, readRows } from "./internal/query.js"

const HouseholdRows = Schema.Array(
  Schema.Struct({ reference: Schema.String, ledger: Schema.String, wallet_account_id: Schema.String })
)
const MembershipRows = Schema.Array(
  Schema.Struct({
    resident_reference: Schema.String,
    from_at: Int,
    household_reference: Schema.String,
    until_at: Schema.NullOr(Int),
    ended_by: Schema.NullOr(Schema.String)
  })
)

/**
 * `HouseholdStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HouseholdStore, never, SqlClient.SqlClient> = Layer.effect(
  HouseholdStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const decodeHouseholds = (rows: ReadonlyArray<unknown>) =>
      Effect.flatMap(Schema.decodeUnknown(HouseholdRows)(rows), (decoded) =>
        Schema.decodeUnknown(Schema.Array(Household.Household))(
          decoded.map((row) => ({
            reference: row.reference,
            ledger: row.ledger,
            walletAccountId: row.wallet_account_id
          }))
        )
      )
    const decodeMemberships = (rows: ReadonlyArray<unknown>) =>
      Effect.flatMap(Schema.decodeUnknown(MembershipRows)(rows), (decoded) =>
        Schema.decodeUnknown(Schema.Array(Household.Membership))(
          decoded.map((row) => ({
            householdReference: row.household_reference,
            residentReference: row.resident_reference,
            from: row.from_at,
            until: row.until_at,
            endedBy: row.ended_by
          }))
        )
      )
    return HouseholdStore.of({
      lock: sql
        .onDialectOrElse({
          pg: () =>
            sql`SELECT pg_advisory_xact_lock(hashtext(${"sortgrid.households."}::text || current_schema()))`.pipe(
              Effect.asVoid
            ),
          orElse: () => Effect.void
        })
        .pipe(Effect.mapError(toStorageError("lock households"))),
      households: (references) =>
        references.length === 0
          ? Effect.succeed([])
          : sql`SELECT reference, ledger, wallet_account_id FROM programme_household
                WHERE ${isAnyOf("reference", [...new Set(references)])}`.pipe(
              readRows("read households", decodeHouseholds)
            ),
      addHouseholds: (households) =>
        households.length === 0
          ? Effect.void
          : sql`INSERT INTO programme_household ${sql.insert(
              households.map((h) => ({
                reference: h.reference,
                ledger: h.ledger,
                wallet_account_id: h.walletAccountId
              }))
            )}`.pipe(Effect.asVoid, Effect.mapError(toStorageError("add households"))),
      memberships: ({ householdReferences, residentReferences }) =>
        sql`SELECT resident_reference, from_at, household_reference, until_at, ended_by FROM programme_membership
            WHERE ${isAnyOf("household_reference", householdReferences)}
            OR ${isAnyOf("resident_reference", residentReferences)}
            ORDER BY from_at, resident_reference`.pipe(readRows("read memberships", decodeMemberships)),
      putMemberships: (memberships) =>
        memberships.length === 0
          ? Effect.void
          : Effect.suspend(() => {
              const rows = sql.insert(
                memberships.map((m) => ({
                  resident_reference: m.residentReference,
                  from_at: m.from,
                  household_reference: m.householdReference,
                  until_at: m.until,
                  ended_by: m.endedBy
                }))
              )
              return sql.onDialectOrElse({
                mysql: () => sql`INSERT INTO programme_membership ${rows} ON DUPLICATE KEY UPDATE
                  household_reference = VALUES(household_reference), until_at = VALUES(until_at),
                  ended_by = VALUES(ended_by)`,
                orElse:
                  () => sql`INSERT INTO programme_membership ${rows} ON CONFLICT (resident_reference, from_at) DO UPDATE SET
              household_reference = excluded.household_reference, until_at = excluded.until_at,
              ended_by = excluded.ended_by`
              })
            }).pipe(Effect.asVoid, Effect.mapError(toStorageError("save memberships")))
    })
  })
)
