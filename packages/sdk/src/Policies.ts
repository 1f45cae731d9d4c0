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
 * The points ledger's permissions are programme-wide (its accounts are not places in the tree), so
 * they go to few roles: the `programme-operator` who runs the points programme (creates accounts,
 * posts earnings, redemptions and corrections, runs expiry, reconciles) gets `ledger.*`;
 * subdistrict administrators read (oversight); auditors read and reconcile. Residents and merchant
 * cashiers get nothing by default: `ledger.read` and `ledger.post` would reach every account, so a
 * host lets them read their own wallet or redeem at their own counter through its own checks.
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
    "issues.*",
    "ledger.read"
  ],
  "programme-operator": ["ledger.*"],
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
  auditor: [
    "audit.read",
    "audit.verify",
    "grid.read",
    "people.read",
    "duty.read",
    "outreach.read",
    "issues.read",
    "ledger.read",
    "ledger.reconcile"
  ]
}
