/**
 * Every storage port the grid package defines, as one type: what a store must provide for the whole
 * grid to run over it.
 *
 * @since 0.1.0
 */
import type { DutyStore } from "./DutyStore.js"
import type { GeometryStore } from "./GeometryStore.js"
import type { GridStore } from "./GridStore.js"
import type { GroupStore } from "./GroupStore.js"
import type { OutreachStore } from "./OutreachStore.js"
import type { PeopleStore } from "./PeopleStore.js"
import type { PriorityResidentStore } from "./PriorityResidentStore.js"
import type { SiteStore } from "./SiteStore.js"

/**
 * The grid's ports.
 *
 * @since 0.1.0
 * @category models
 */
export type Ports =
  | GridStore
  | GroupStore
  | SiteStore
  | GeometryStore
  | PriorityResidentStore
  | PeopleStore
  | DutyStore
  | OutreachStore
