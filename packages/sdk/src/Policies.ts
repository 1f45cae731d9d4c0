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
  "subdistrict-admin": [
    "grid.read",
    "grid.edit",
    "people.read",
    "people.edit",
    "priorityResidents.read",
    "priorityResidents.write",
    "duty.*",
    "outreach.*",
    "issues.*"
  ],
  "department-official": ["grid.read", "people.read", "duty.read", "outreach.record", "outreach.read", "issues.read"],
  inspector: [
    "grid.read",
    "people.read",
    "duty.read",
    "outreach.read",
    "issues.inspect",
    "issues.register",
    "issues.transition",
    "issues.read"
  ],
  "grid-worker": [
    "grid.read",
    "people.read",
    "priorityResidents.read",
    "duty.checkin",
    "duty.signup",
    "duty.read",
    "outreach.record",
    "outreach.read",
    "issues.transition",
    "issues.read"
  ],
  volunteer: ["duty.signup"],
  "party-member": ["duty.signup"],
  "building-leader": ["duty.signup"],
  "alley-steward": ["duty.signup"],
  "welfare-post-worker": ["duty.signup"],
  auditor: ["audit.read", "audit.verify", "grid.read", "people.read", "duty.read", "outreach.read", "issues.read"]
}
