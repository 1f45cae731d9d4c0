/**
 * Every conformance suite at once: what a store must pass to be a sortgrid store. An adapter's test
 * file registers them with one call instead of listing each suite.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql"
import type { AssessmentStore } from "@sortgrid/assessment/AssessmentStore"
import type { AuditStore, Transactor } from "@sortgrid/core"
import type { InspectionStore } from "@sortgrid/issues/InspectionStore"
import type { ProblemStore } from "@sortgrid/issues/ProblemStore"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import { Layer } from "effect"
import * as AssessmentSuite from "./AssessmentSuite.js"
import * as AuditLogSuite from "./AuditLogSuite.js"
import * as AuditProbe from "./AuditProbe.js"
import * as CampaignSuite from "./CampaignSuite.js"
import * as DutySuite from "./DutySuite.js"
import type { Store } from "./Fixtures.js"
import * as GeographySuite from "./GeographySuite.js"
import * as GridSuite from "./GridSuite.js"
import * as GridValuesSuite from "./GridValuesSuite.js"
import * as InspectionSuite from "./InspectionSuite.js"
import * as LedgerSuite from "./LedgerSuite.js"
import * as LedgerValuesSuite from "./LedgerValuesSuite.js"
import * as OutreachSuite from "./OutreachSuite.js"
import * as PeopleSuite from "./PeopleSuite.js"
import * as PriorityResidentSuite from "./PriorityResidentSuite.js"
import * as ProblemSuite from "./ProblemSuite.js"
import * as ProgrammeSuite from "./ProgrammeSuite.js"
import * as SiteSuite from "./SiteSuite.js"

/**
 * Registers every suite under `name`. `store` must build a new, empty store each time; `audit` is
 * the same store with an {@link AuditProbe.AuditProbe} that reads its rows without the adapter. The
 * priority-residents suite, which needs a probe of its own, is registered separately.
 *
 * @since 0.1.0
 * @category suites
 */
export const all = <E1, E2>(
  name: string,
  store: Layer.Layer<Store | ProblemStore | InspectionStore | LedgerStore | ProgrammeSuite.Store | AssessmentStore, E1>,
  audit: Layer.Layer<AuditStore.AuditStore | Transactor.Transactor | AuditProbe.AuditProbe, E2>
): void => {
  AuditLogSuite.suite(name, audit)
  GridSuite.suite(name, store)
  GeographySuite.suite(name, store)
  SiteSuite.suite(name, store)
  PeopleSuite.suite(name, store)
  DutySuite.suite(name, store)
  OutreachSuite.suite(name, store)
  GridValuesSuite.suite(name, store)
  ProblemSuite.suite(name, store)
  InspectionSuite.suite(name, store)
  CampaignSuite.suite(name, store)
  LedgerSuite.suite(name, store)
  ProgrammeSuite.suite(name, store)
  LedgerValuesSuite.suite(name, store)
  AssessmentSuite.suite(name, store)
}

/**
 * Every suite, for a store that keeps sortgrid's SQL tables: the probes read them through the same
 * `SqlClient`.
 *
 * @since 0.1.0
 * @category suites
 */
export const sql = <E>(
  name: string,
  store: Layer.Layer<
    Store | ProblemStore | InspectionStore | LedgerStore | ProgrammeSuite.Store | AssessmentStore | SqlClient.SqlClient,
    E
  >
): void => {
  all(name, store, AuditProbe.layerSql.pipe(Layer.provideMerge(store)))
  PriorityResidentSuite.suite(name, PriorityResidentSuite.layerSql.pipe(Layer.provideMerge(store)), { probe: true })
}
