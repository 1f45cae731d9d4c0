/**
 * What every suite shares: the actors it acts as, and the service stack it builds over a store (the
 * audit log, the programme's profile and the suite's own grants).
 *
 * @since 0.1.0
 */
import { Actor, AuditLog, type AuditStore, Permission, type Transactor } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import type { Ports } from "@sortgrid/grid/Ports"
import { Layer } from "effect"

/**
 * A district administrator: everything, everywhere.
 *
 * @since 0.1.0
 * @category actors
 */
export const admin = new Actor.Actor({
  id: Actor.ActorId.make("district-admin"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})

/**
 * An administrator of one subdistrict of Tongzhou (中仓街道, 110112001).
 *
 * @since 0.1.0
 * @category actors
 */
export const zhongcangAdmin = new Actor.Actor({
  id: Actor.ActorId.make("zhongcang-admin"),
  roles: [Actor.Role.make("subdistrict-admin")],
  scope: [Actor.NodePath.make("/110112/110112001/")]
})

/**
 * Every port a store provides to the grid and the audit log.
 *
 * @since 0.1.0
 * @category layers
 */
export type Store = AuditStore.AuditStore | Transactor.Transactor | Ports

/**
 * The store with the audit log, the programme's profile and the given grants on top: what the
 * services under test need besides themselves.
 *
 * @since 0.1.0
 * @category layers
 */
export const base = <E>(store: Layer.Layer<Store, E>, grants: Permission.Grants) =>
  AuditLog.AuditLog.Default.pipe(
    Layer.provideMerge(store),
    Layer.provideMerge(Permission.layer(grants)),
    Layer.provideMerge(Grid.GridProfile.Default)
  )
