/**
 * The `Transactor` port over `SqlClient`: one database transaction, joined by nested calls (as
 * savepoints). On SQLite the client begins write transactions with `BEGIN IMMEDIATE`.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Transactor } from "@sortgrid/core"
import { Effect, Layer } from "effect"
import { transaction } from "./internal/errors.js"

/**
 * `Transactor` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Transactor.Transactor, never, SqlClient.SqlClient> = Layer.effect(
  Transactor.Transactor,
  Effect.map(SqlClient.SqlClient, (sql) =>
    Transactor.Transactor.of({ withTransaction: (effect) => transaction(sql, "transaction")(effect) })
  )
)
