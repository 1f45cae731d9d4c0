/**
 * @sortgrid/grid: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Assignment from "./Assignment.js"

/**
 * @since 0.1.0
 */
export * as DivisionCode from "./DivisionCode.js"

/**
 * @since 0.1.0
 */
export * as DivisionImport from "./DivisionImport.js"

/**
 * @since 0.1.0
 */
export * as Duty from "./Duty.js"

/**
 * @since 0.1.0
 */
export * as DutyRoster from "./DutyRoster.js"

/**
 * @since 0.1.0
 */
export * as DutyStore from "./DutyStore.js"

/**
 * @since 0.1.0
 */
export * as Geography from "./Geography.js"

/**
 * @since 0.1.0
 */
export * as Geometry from "./Geometry.js"

/**
 * @since 0.1.0
 */
export * as GeometryStore from "./GeometryStore.js"

/**
 * @since 0.1.0
 */
export * as Grid from "./Grid.js"

/**
 * @since 0.1.0
 */
export * as GridStore from "./GridStore.js"

/**
 * @since 0.1.0
 */
export * as GridValues from "./GridValues.js"

/**
 * @since 0.1.0
 */
export * as Group from "./Group.js"

/**
 * @since 0.1.0
 */
export * as GroupStore from "./GroupStore.js"

/**
 * @since 0.1.0
 */
export * as Node from "./Node.js"

/**
 * @since 0.1.0
 */
export * as Outreach from "./Outreach.js"

/**
 * @since 0.1.0
 */
export * as OutreachEvents from "./OutreachEvents.js"

/**
 * @since 0.1.0
 */
export * as OutreachStore from "./OutreachStore.js"

/**
 * @since 0.1.0
 */
export * as People from "./People.js"

/**
 * @since 0.1.0
 */
export * as PeopleStore from "./PeopleStore.js"

/**
 * @since 0.1.0
 */
export * as Person from "./Person.js"

/**
 * @since 0.1.0
 */
export * as Ports from "./Ports.js"

/**
 * @since 0.1.0
 */
export * as PriorityResident from "./PriorityResident.js"

/**
 * @since 0.1.0
 */
export * as PriorityResidentStore from "./PriorityResidentStore.js"

/**
 * @since 0.1.0
 */
export * as PriorityResidents from "./PriorityResidents.js"

/**
 * @since 0.1.0
 */
export * as Profile from "./Profile.js"

/**
 * @since 0.1.0
 */
export * as Rollup from "./Rollup.js"

/**
 * @since 0.1.0
 */
export * as RosterImport from "./RosterImport.js"

/**
 * @since 0.1.0
 */
export * as Site from "./Site.js"

/**
 * @since 0.1.0
 */
export * as SiteStore from "./SiteStore.js"

/**
 * @since 0.1.0
 */
export * as Sites from "./Sites.js"

/**
 * @since 0.1.0
 */
export * as Spreadsheet from "./Spreadsheet.js"

/**
 * @since 0.1.0
 */
export * as Tabular from "./Tabular.js"

/**
 * @since 0.1.0
 */
export * as Tree from "./Tree.js"
