/**
 * sortgrid's schema for MariaDB/MySQL, as numbered migrations, and the runner that applies them.
 *
 * The tables and columns are the ones `@sortgrid/store-sql` uses (so its per-port layers and the
 * conformance probes read them unchanged); the types are MariaDB's: `BIGINT` for positions, times,
 * points and fen, `VARCHAR` keys, `LONGTEXT` bodies, and every table in a binary, no-pad collation
 * so ids, paths and dates compare byte-wise as they do on SQLite and PostgreSQL (`COLLATE "C"`).
 *
 * MariaDB commits DDL implicitly, so migrations cannot share one transaction: the runner instead
 * holds a named lock (`GET_LOCK`, per database) on one connection while it checks and applies them,
 * and records each migration as soon as it is applied.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Audit } from "@sortgrid/core"
import { Clock, Context, Effect, FiberRef, Schema } from "effect"

/**
 * One migration, applied once, in `id` order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly up: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient>
}

/**
 * The database cannot be migrated by this code: it was migrated further, or differently, or the
 * migration lock could not be had.
 *
 * @since 0.1.0
 * @category errors
 */
export class MigrationError extends Schema.TaggedError<MigrationError>()("MigrationError", {
  reason: Schema.String
}) {}

/** Every table is InnoDB in a binary collation without trailing-space padding: byte-wise compares. */
const tableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"

const table = (definition: string): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.asVoid(sql.unsafe(`CREATE TABLE ${definition} ${tableOptions}`)))

/**
 * How many tables a migration may create at once. Each CREATE TABLE costs tens of milliseconds of
 * file creation and syncing on the server, and tables are independent, so {@link run} lets a
 * migration create them over several pooled connections (the other statements run in order on the
 * connection that holds the migration lock).
 */
const tablesAtOnce = FiberRef.unsafeMake(1)

const offLockedConnection = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.mapInputContext(
    effect,
    (context: Context.Context<R>) => Context.omit(SqlClient.TransactionConnection)(context) as Context.Context<R>
  )

/** A migration's statements: its tables, created at once, then the rest in order. */
const statements = (...texts: ReadonlyArray<string>): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const concurrency = yield* FiberRef.get(tablesAtOnce)
    const tables = texts.filter((text) => text.startsWith("CREATE TABLE ")).map((text) => table(text.slice(13)))
    yield* concurrency > 1
      ? Effect.forEach(tables, offLockedConnection, { concurrency, discard: true })
      : Effect.forEach(tables, (create) => create, { discard: true })
    yield* Effect.forEach(
      texts.filter((text) => !text.startsWith("CREATE TABLE ")),
      (text) => sql.unsafe(text),
      { discard: true }
    )
  })

// A key or a date: long enough for any id, short enough that a three-column key fits InnoDB's
// 3,072-byte index limit (255 × 4 bytes per character × 3).
const key = "VARCHAR(255)"
// A tree path is indexed alone, so it may use the whole limit.
const path = "VARCHAR(768)"

const auditLog: ReadonlyArray<string> = [
  `CREATE TABLE audit_entry (
    position BIGINT PRIMARY KEY,
    id ${key} NOT NULL UNIQUE,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload LONGTEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
  `CREATE TABLE audit_head (
    id INT PRIMARY KEY CHECK (id = 1),
    position BIGINT NOT NULL,
    hash TEXT NOT NULL
  )`
]

const grid: ReadonlyArray<string> = [
  `CREATE TABLE grid_node_version (
      node_id ${key} NOT NULL,
      version INT NOT NULL,
      kind TEXT NOT NULL,
      code ${key},
      name TEXT NOT NULL,
      name_en TEXT,
      parent_id ${key},
      path ${path} NOT NULL,
      depth INT NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      PRIMARY KEY (node_id, version),
      INDEX grid_node_version_by_path (path),
      INDEX grid_node_version_by_parent (parent_id),
      INDEX grid_node_version_by_code (code)
    )`,
  `CREATE TABLE grid_change (
      change_id ${key} PRIMARY KEY,
      kind TEXT NOT NULL,
      effective_on ${key} NOT NULL,
      digest TEXT NOT NULL,
      payload LONGTEXT NOT NULL,
      nodes LONGTEXT NOT NULL
    )`,
  `CREATE TABLE grid_change_node (
      node_id ${key} NOT NULL,
      change_id ${key} NOT NULL,
      PRIMARY KEY (node_id, change_id)
    )`
]

const groups: ReadonlyArray<string> = [
  `CREATE TABLE grid_group_set (
      id ${key} PRIMARY KEY,
      definition LONGTEXT NOT NULL
    )`,
  `CREATE TABLE grid_membership (
      node_id ${key} NOT NULL,
      set_id ${key} NOT NULL,
      group_id ${key} NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      PRIMARY KEY (node_id, group_id, valid_from),
      INDEX grid_membership_by_group (group_id, valid_from)
    )`
]

const sites: ReadonlyArray<string> = [
  `CREATE TABLE grid_site (
      node_id ${key} NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      details LONGTEXT NOT NULL,
      PRIMARY KEY (node_id, valid_from)
    )`
]

const geometry: ReadonlyArray<string> = [
  `CREATE TABLE grid_geometry (
      node_id ${key} NOT NULL,
      version INT NOT NULL,
      change_id ${key} NOT NULL UNIQUE,
      digest TEXT NOT NULL,
      geometry LONGTEXT NOT NULL,
      min_lon DOUBLE NOT NULL,
      min_lat DOUBLE NOT NULL,
      max_lon DOUBLE NOT NULL,
      max_lat DOUBLE NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      PRIMARY KEY (node_id, version),
      INDEX grid_geometry_by_box (min_lon, max_lon, min_lat, max_lat)
    )`
]

const priorityResidents: ReadonlyArray<string> = [
  `CREATE TABLE priority_resident (
      id ${key} PRIMARY KEY,
      node_id ${key} NOT NULL,
      category TEXT NOT NULL,
      pseudonym ${key} NOT NULL,
      name_sealed TEXT NOT NULL,
      address_sealed TEXT NOT NULL,
      phone_sealed TEXT,
      needs_sealed TEXT,
      registered_on ${key} NOT NULL,
      digest TEXT NOT NULL,
      INDEX priority_resident_by_node (node_id, registered_on),
      INDEX priority_resident_by_pseudonym (pseudonym)
    )`
]

const people: ReadonlyArray<string> = [
  `CREATE TABLE grid_person (
      person_id ${key} PRIMARY KEY,
      name TEXT NOT NULL,
      phone TEXT
    )`,
  `CREATE TABLE grid_assignment (
      assignment_id ${key} PRIMARY KEY,
      person_id ${key} NOT NULL,
      role ${key} NOT NULL,
      node_id ${key} NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      digest TEXT NOT NULL,
      INDEX grid_assignment_by_person (person_id, valid_from),
      INDEX grid_assignment_by_node (node_id, valid_from)
    )`
]

const dutyAndOutreach: ReadonlyArray<string> = [
  `CREATE TABLE duty_shift_template (
      template_id ${key} PRIMARY KEY,
      station_id ${key} NOT NULL,
      name TEXT NOT NULL,
      window_start ${key} NOT NULL,
      window_end ${key} NOT NULL,
      weekdays TEXT NOT NULL,
      valid_from ${key} NOT NULL,
      valid_to ${key} NOT NULL,
      INDEX duty_shift_template_by_station (station_id)
    )`,
  `CREATE TABLE duty_project (
      project_id ${key} PRIMARY KEY,
      title TEXT NOT NULL,
      node_id ${key} NOT NULL,
      template_ids LONGTEXT NOT NULL,
      first_day ${key} NOT NULL,
      last_day ${key} NOT NULL,
      capacity INT NOT NULL
    )`,
  `CREATE TABLE duty_project_template (
      project_id ${key} NOT NULL,
      template_id ${key} NOT NULL,
      station_id ${key} NOT NULL,
      PRIMARY KEY (project_id, template_id),
      INDEX duty_project_template_by_station (station_id)
    )`,
  `CREATE TABLE duty_sign_up (
      sign_up_id ${key} PRIMARY KEY,
      project_id ${key} NOT NULL,
      person_id ${key} NOT NULL,
      first_day ${key} NOT NULL,
      last_day ${key} NOT NULL,
      INDEX duty_sign_up_by_project (project_id)
    )`,
  `CREATE TABLE duty_check_in (
      check_in_id ${key} PRIMARY KEY,
      person_id ${key} NOT NULL,
      station_id ${key} NOT NULL,
      at BIGINT NOT NULL,
      local_date ${key} NOT NULL,
      template_id ${key},
      lon DOUBLE,
      lat DOUBLE,
      evidence LONGTEXT,
      INDEX duty_check_in_by_station_date (station_id, local_date)
    )`,
  `CREATE TABLE outreach_event (
      event_id ${key} PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      event_date ${key} NOT NULL,
      node_id ${key} NOT NULL,
      organiser_id ${key} NOT NULL,
      participants INT NOT NULL,
      households INT NOT NULL,
      notes LONGTEXT,
      INDEX outreach_event_by_node_date (node_id, event_date)
    )`,
  `CREATE TABLE outreach_theme (
      node_id ${key} NOT NULL,
      month ${key} NOT NULL,
      title TEXT NOT NULL,
      description LONGTEXT,
      PRIMARY KEY (node_id, month)
    )`
]

const problems: ReadonlyArray<string> = [
  `CREATE TABLE problem (
      id ${key} PRIMARY KEY,
      category_code ${key} NOT NULL,
      node_id ${key} NOT NULL,
      state ${key} NOT NULL,
      deadline_at BIGINT NOT NULL,
      registered_at BIGINT NOT NULL,
      closed_at BIGINT NULL,
      version INT NOT NULL,
      body LONGTEXT NOT NULL,
      closure_kind ${key} NULL,
      INDEX problem_by_pair (node_id, category_code, state),
      INDEX problem_by_registration (registered_at)
    )`,
  `CREATE TABLE problem_event (
      problem_id ${key} NOT NULL,
      version INT NOT NULL,
      body LONGTEXT NOT NULL,
      PRIMARY KEY (problem_id, version)
    )`
]

const inspections: ReadonlyArray<string> = [
  `CREATE TABLE inspection_campaign (id ${key} PRIMARY KEY, body LONGTEXT NOT NULL)`,
  `CREATE TABLE checklist_template (id ${key} PRIMARY KEY, body LONGTEXT NOT NULL)`,
  `CREATE TABLE inspection_visit (
      id ${key} PRIMARY KEY,
      campaign_id ${key} NOT NULL,
      node_id ${key} NOT NULL,
      at BIGINT NOT NULL,
      body LONGTEXT NOT NULL,
      INDEX inspection_visit_by_node (node_id, at),
      INDEX inspection_visit_by_time (at)
    )`
]

const ledger: ReadonlyArray<string> = [
  `CREATE TABLE ledger_account (
      id ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      code TEXT NOT NULL,
      owner_reference TEXT NULL,
      flags INT NOT NULL,
      closed INT NOT NULL,
      debits_pending BIGINT NOT NULL CHECK (debits_pending >= 0),
      debits_posted BIGINT NOT NULL CHECK (debits_posted >= 0),
      credits_pending BIGINT NOT NULL CHECK (credits_pending >= 0),
      credits_posted BIGINT NOT NULL CHECK (credits_posted >= 0),
      at BIGINT NOT NULL
    )`,
  // A UNIQUE index admits many NULLs: each pending transfer is resolved at most once.
  `CREATE TABLE ledger_transfer (
      id ${key} PRIMARY KEY,
      debit_account_id ${key} NOT NULL,
      credit_account_id ${key} NOT NULL,
      amount BIGINT NOT NULL CHECK (amount > 0),
      pending_id ${key} NULL,
      reverses_id ${key} NULL,
      ledger ${key} NOT NULL,
      code TEXT NOT NULL,
      source_reference TEXT NULL,
      flags INT NOT NULL,
      timeout_seconds INT NOT NULL,
      at BIGINT NOT NULL,
      CHECK (debit_account_id <> credit_account_id),
      UNIQUE INDEX ledger_transfer_resolves_once (pending_id),
      INDEX ledger_transfer_reversals (reverses_id),
      INDEX ledger_transfer_by_debit (debit_account_id, at, id),
      INDEX ledger_transfer_by_credit (credit_account_id, at, id),
      INDEX ledger_transfer_by_time (at, id)
    )`,
  `CREATE TABLE ledger_timed_hold (
      id ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      deadline BIGINT NOT NULL,
      INDEX ledger_timed_hold_by_deadline (ledger, deadline, id)
    )`,
  `CREATE TABLE ledger_lot (
      account_id ${key} NOT NULL,
      id ${key} NOT NULL,
      ledger ${key} NOT NULL,
      amount BIGINT NOT NULL,
      remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
      at BIGINT NOT NULL,
      expires_at BIGINT NULL,
      PRIMARY KEY (account_id, id),
      INDEX ledger_lot_by_expiry (ledger, expires_at, account_id)
    )`
]

const ledgerProgramme: ReadonlyArray<string> = [
  "CREATE TABLE programme_counter (\n" +
    `  \`key\` ${key} PRIMARY KEY,
      used BIGINT NOT NULL CHECK (used >= 0),
      taken INT NOT NULL,
      period_end BIGINT NOT NULL,
      INDEX programme_counter_by_period_end (period_end)
    )`,
  `CREATE TABLE programme_lock_hold (
      id ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      at BIGINT NOT NULL,
      INDEX programme_lock_hold_by_time (ledger, at, id)
    )`,
  `CREATE TABLE programme_merchant (
      id ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      account_id ${key} NOT NULL,
      body LONGTEXT NOT NULL
    )`,
  `CREATE TABLE programme_item (
      merchant_id ${key} NOT NULL,
      code ${key} NOT NULL,
      stock BIGINT NOT NULL CHECK (stock >= 0),
      body LONGTEXT NOT NULL,
      PRIMARY KEY (merchant_id, code)
    )`,
  `CREATE TABLE programme_reservation (
      hold_id ${key} PRIMARY KEY,
      redemption_id ${key} NOT NULL,
      merchant_id ${key} NOT NULL,
      item_code ${key} NOT NULL,
      quantity INT NOT NULL,
      deadline BIGINT NOT NULL,
      resolved INT NOT NULL,
      INDEX programme_reservation_by_redemption (redemption_id),
      INDEX programme_reservation_open (merchant_id, item_code, deadline)
    )`,
  `CREATE TABLE programme_stock_adjustment (
      id ${key} PRIMARY KEY,
      merchant_id ${key} NOT NULL,
      item_code ${key} NOT NULL,
      delta BIGINT NOT NULL,
      at BIGINT NOT NULL
    )`,
  `CREATE TABLE programme_household (
      reference ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      wallet_account_id ${key} NOT NULL
    )`,
  `CREATE TABLE programme_membership (
      resident_reference ${key} NOT NULL,
      from_at BIGINT NOT NULL,
      household_reference ${key} NOT NULL,
      until_at BIGINT NULL,
      ended_by ${key} NULL,
      PRIMARY KEY (resident_reference, from_at),
      INDEX programme_membership_by_household (household_reference)
    )`,
  `CREATE TABLE programme_task (
      id ${key} PRIMARY KEY,
      version INT NOT NULL,
      assignee_reference ${key} NOT NULL,
      body LONGTEXT NOT NULL,
      INDEX programme_task_by_assignee (assignee_reference, id)
    )`
]

const assessment: ReadonlyArray<string> = [
  `CREATE TABLE assessment_scheme (
      scheme_id ${key} NOT NULL,
      version INT NOT NULL,
      group_id ${key} NOT NULL,
      body LONGTEXT NOT NULL,
      PRIMARY KEY (scheme_id, version)
    )`,
  `CREATE TABLE assessment_value (
      element ${key} NOT NULL,
      node ${key} NOT NULL,
      period ${key} NOT NULL,
      body LONGTEXT NOT NULL,
      PRIMARY KEY (element, node, period),
      INDEX assessment_value_by_node (node, period)
    )`,
  `CREATE TABLE assessment_result (
      scheme_id ${key} NOT NULL,
      period ${key} NOT NULL,
      version INT NOT NULL,
      group_id ${key} NOT NULL,
      hash TEXT NOT NULL,
      at BIGINT NOT NULL,
      body LONGTEXT NOT NULL,
      PRIMARY KEY (scheme_id, period, version),
      INDEX assessment_result_by_group (group_id, period)
    )`,
  `CREATE TABLE assessment_approval (
      period ${key} NOT NULL,
      scheme_id ${key} NOT NULL,
      unit ${key} NOT NULL,
      path ${key} NOT NULL,
      state TEXT NOT NULL,
      body LONGTEXT NOT NULL,
      PRIMARY KEY (period, scheme_id, unit),
      INDEX assessment_approval_by_unit (unit)
    )`,
  `CREATE TABLE assessment_appeal (
      id ${key} PRIMARY KEY,
      scheme_id ${key} NOT NULL,
      period ${key} NOT NULL,
      body LONGTEXT NOT NULL,
      INDEX assessment_appeal_by_result (scheme_id, period)
    )`
]

/** The row every write transaction locks first (see `MariaDbStore`): one writer at a time. */
const writerLock: ReadonlyArray<string> = ["CREATE TABLE sortgrid_writer (id INT PRIMARY KEY)"]

/**
 * The schema as of sortgrid 0.1: every table at once (this store has no older databases to bring
 * forward). Later changes are appended as migrations 2, 3, …; never edit an applied one.
 */
const baseline: Migration = {
  id: 1,
  name: "baseline",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* statements(
      ...auditLog,
      ...grid,
      ...groups,
      ...sites,
      ...geometry,
      ...priorityResidents,
      ...people,
      ...dutyAndOutreach,
      ...problems,
      ...inspections,
      ...ledger,
      ...ledgerProgramme,
      ...assessment,
      ...writerLock
    )
    yield* sql`INSERT INTO audit_head (id, position, hash) VALUES (1, 0, ${Audit.genesisHash})`
    yield* sql`INSERT INTO sortgrid_writer (id) VALUES (1)`
  })
}

// Earnings by place. The path is shorter than `path` so the index (ledger, at_path, occurred_at)
// fits InnoDB's 3,072-byte limit: (255 + 500) × 4 + 8 bytes.
const earningPath = "VARCHAR(500)"

/**
 * Migration 2: `programme_earning`, one row per earning posted (by transfer id) with where it
 * happened, for the ledger's data values; indexed by ledger, path and time.
 */
const ledgerEarning: Migration = {
  id: 2,
  name: "ledger_earning",
  up: statements(
    `CREATE TABLE programme_earning (
      transfer_id ${key} PRIMARY KEY,
      ledger ${key} NOT NULL,
      code ${key} NOT NULL,
      at_path ${earningPath} NOT NULL,
      resident_reference ${key} NOT NULL,
      household_reference ${key} NULL,
      amount BIGINT NOT NULL CHECK (amount > 0),
      occurred_at BIGINT NOT NULL,
      INDEX programme_earning_by_place (ledger, at_path, occurred_at)
    )`
  )
}

/**
 * Every migration, in order.
 *
 * @since 0.1.0
 * @category migrations
 */
export const all: ReadonlyArray<Migration> = [baseline, ledgerEarning]

/**
 * What a run did: the migrations it applied (empty when the database was up to date).
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrationReport {
  readonly applied: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly latest: number
}

const Applied = Schema.Array(Schema.Struct({ id: Schema.Number, name: Schema.String }))
const Locked = Schema.Array(Schema.Struct({ locked: Schema.NullOr(Schema.Number) }))

/**
 * Applies every migration newer than the database, holding the database's migration lock so two
 * processes starting at once apply each migration exactly once.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  migrations: ReadonlyArray<Migration> = all,
  options?: {
    /** How long to wait for another process's run. Default 60 seconds. */
    readonly lockTimeoutSeconds?: number
    /**
     * How many tables to create at once, over connections of the pool beside the one holding the
     * lock: at most the pool's size less one. Default 1 (everything on the locked connection).
     */
    readonly tablesAtOnce?: number
  }
): Effect.Effect<MigrationReport, MigrationError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ordered = [...migrations].sort((a, b) => a.id - b.id)
    const known = new Map(ordered.map((m) => [m.id, m.name]))
    const lockName = yield* Effect.map(
      sql`SELECT DATABASE() AS name`,
      (rows) => `sortgrid.migrate.${String(rows[0]?.name)}`
    )
    // A named lock belongs to the session that took it: keep one connection for the whole run.
    const connection = yield* sql.reserve
    const [lock] = yield* Effect.flatMap(
      connection.execute("SELECT GET_LOCK(?, ?) AS locked", [lockName, options?.lockTimeoutSeconds ?? 60], undefined),
      (rows) => Effect.orDie(Schema.decodeUnknown(Locked)(rows))
    )
    if (lock?.locked !== 1) {
      return yield* new MigrationError({ reason: `timed out waiting for the migration lock ${lockName}` })
    }
    // Every statement of the run goes through the connection that holds the lock, so a run needs one
    // connection, however small the pool and however many runs wait.
    const onLockedConnection = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        Effect.provideService(SqlClient.TransactionConnection, [connection, 0] as const),
        Effect.locally(tablesAtOnce, Math.max(1, options?.tablesAtOnce ?? 1))
      )
    return yield* Effect.ensuring(
      onLockedConnection(
        Effect.gen(function* () {
          yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS schema_migration (
          id INT PRIMARY KEY,
          name VARCHAR(255) NOT NULL,
          applied_at BIGINT NOT NULL
        ) ${tableOptions}`)
          const applied = yield* Effect.flatMap(sql`SELECT id, name FROM schema_migration ORDER BY id`, (rows) =>
            Effect.orDie(Schema.decodeUnknown(Applied)(rows))
          )
          for (const row of applied) {
            const name = known.get(row.id)
            if (name === undefined) {
              return yield* new MigrationError({
                reason: `the database has migration ${row.id} (${row.name}), which this version does not know: it was migrated by a newer version`
              })
            }
            if (name !== row.name) {
              return yield* new MigrationError({
                reason: `migration ${row.id} is "${row.name}" in the database but "${name}" here`
              })
            }
          }
          const latest = applied.at(-1)?.id ?? 0
          const pending = ordered.filter((m) => m.id > latest)
          for (const migration of pending) {
            yield* migration.up
            const now = yield* Clock.currentTimeMillis
            yield* sql`INSERT INTO schema_migration ${sql.insert({ id: migration.id, name: migration.name, applied_at: now })}`
          }
          return {
            applied: pending.map(({ id, name }) => ({ id, name })),
            latest: pending.at(-1)?.id ?? latest
          }
        })
      ),
      Effect.ignore(connection.execute("DO RELEASE_LOCK(?)", [lockName], undefined))
    )
  }).pipe(Effect.scoped)
