/**
 * The dashboard group: read-only views shaped for a browser dashboard, so that a page needs a few
 * small requests instead of the register's full stats of every node under a path.
 *
 * - `units` is a unit and the units directly below it, each with its problem figures for a period,
 *   its daily burn-down and the groups it belongs to (urban/rural) on the period's last day;
 * - `tiles` is every node of some kinds under a path with the few figures a map colours by;
 * - `me` is the caller's own actor, so a page knows where its scope starts.
 *
 * The figures are the register's stats (`issues.read`), joined with the tree as of the period's last
 * day (`grid.read`); a path outside the caller's scope is a 404, as a missing one is.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Actor, Period } from "@sortgrid/core"
import { Profile } from "@sortgrid/grid"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import * as Paging from "./Paging.js"

const figures = {
  nodeId: Schema.String,
  path: Schema.String,
  name: Schema.String,
  kind: Schema.String,
  /** Open at the end of the period's last day. */
  openAtEnd: Schema.Int,
  /** Open and at or past the deadline at the end of the period's last day. */
  overdueAtEnd: Schema.Int,
  /** Compounds on or under the node on the period's last day. */
  compounds: Schema.Int,
  /** Of those, the compounds with a problem open at the period's end. */
  compoundsWithOpen: Schema.Int
}

/**
 * One node on a map: what it is and the figures it is coloured by.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Tile = Schema.Struct(figures).annotations({ identifier: "DashboardTile" })

/**
 * A unit's problem figures for a period (see `Stats.NodeStats` in `@sortgrid/issues`, of which
 * these are a part).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnitFigures = Schema.Struct({
  ...figures,
  /** The groups the node belongs to on the period's last day (`urban`, `rural`…). */
  groups: Schema.Array(Schema.String),
  /** Open at the end of the day before the period. */
  openAtStart: Schema.Int,
  /** Registered in the period. */
  opened: Schema.Int,
  /** Closed as fixed (a passing re-inspection) in the period. */
  closedFixed: Schema.Int,
  /** Closed for another reason in the period. */
  closedOther: Schema.Int,
  /** Median time from registering to closing of the problems closed in the period, in milliseconds. */
  medianTimeToClose: Schema.NullOr(Schema.Number),
  /** Open at the end of each day of the period, first day first. */
  burnDown: Schema.Array(Schema.Int),
  /** Some of the overdue problems' ids (at most 20; `overdueAtEnd` is the count). */
  overdueIds: Schema.Array(Schema.String)
}).annotations({ identifier: "DashboardUnitFigures" })

/**
 * A unit (absent when the path is the root of the tree) and a page of the units directly below it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Units = Schema.Struct({
  period: Schema.String,
  firstDay: Period.IsoDate,
  lastDay: Period.IsoDate,
  unit: Schema.NullOr(UnitFigures),
  children: Paging.Page(UnitFigures)
})

/**
 * The caller, as `GET /dashboard/me` answers: id, roles and scope (the paths they act under).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Me = Schema.encodedSchema(Actor.Actor).annotations({ identifier: "DashboardMe" })

/**
 * The dashboard endpoints.
 *
 * - `GET /dashboard/me` — the caller's actor (id, roles, scope);
 * - `GET /dashboard/units?under=&period=&cursor=&limit=` — a unit and the units below it, with figures;
 * - `GET /dashboard/tiles?under=&period=&kinds=&cursor=&limit=` — nodes of some kinds under a path, by path.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("dashboard")
  .add(
    HttpApiEndpoint.get("me", "/me").addSuccess(Me).annotate(OpenApi.Summary, "The caller's actor: id, roles and scope")
  )
  .add(
    HttpApiEndpoint.get("units", "/units")
      .setUrlParams(Schema.Struct({ under: Actor.NodePath, period: Period.PeriodFromString, ...Paging.pageParams }))
      .addSuccess(Units)
      .annotate(OpenApi.Summary, "A unit and the units directly below it, with problem figures for a period")
  )
  .add(
    HttpApiEndpoint.get("tiles", "/tiles")
      .setUrlParams(
        Schema.Struct({
          under: Actor.NodePath,
          period: Period.PeriodFromString,
          kinds: Schema.Array(Profile.NodeKind),
          ...Paging.pageParams
        })
      )
      .addSuccess(Paging.Page(Tile))
      .annotate(OpenApi.Summary, "Nodes of some kinds on or under a path, with open problems at the period's end")
  )
  .middleware(Authentication)
  .prefix("/dashboard")
  .annotate(OpenApi.Description, "Read-only views for the browser dashboard")
