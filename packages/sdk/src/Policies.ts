/**
 * The default policy: which of the programme's roles may do what. Hosts replace or extend it by
 * passing their own grants to {@link Sortgrid.layer}.
 *
 * @since 0.1.0
 */
import type { Permission } from "@sortgrid/core"

/**
 * Grants for the roles the SDK knows at this version. Later packages add their permissions here.
 *
 * @since 0.1.0
 * @category policies
 */
export const defaultGrants: Permission.Grants = {
  system: ["*"],
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit", "priorityResidents.read", "priorityResidents.write"],
  "department-official": ["grid.read"],
  inspector: ["grid.read"],
  "grid-worker": ["grid.read", "priorityResidents.read"],
  auditor: ["audit.read", "audit.verify", "grid.read"]
}
