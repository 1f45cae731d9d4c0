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
 * subdistrict administrators read (oversight); auditors read and reconcile. Residents get nothing
 * by default: `ledger.read` and `ledger.post` would reach every account, so a host lets them read
 * their own wallet through its own checks.
 *
 * The programme services: `merchant-cashier` redeems, hands over and cancels at the counter
 * (`ledger.redeem`, which names any wallet: the host checks the customer's wallet); schools (`school-teacher`) assign, record and certify certified tasks and
 * property companies (`property-manager`) record and certify them (`ledger.tasks.*`; a task is
 * never certified by whoever recorded it as done). Earning, catalogues, households, settlement and
 * the release run stay with the `programme-operator` (`ledger.*`).
 *
 * The assessment engine's permissions (`assessment.scheme`, `.enter`, `.evaluate`, `.rescore`,
 * `.approve`, `.appeal`, `.allocate`, `.read`): district administrators hold them all; subdistrict
 * administrators enter data and approve within their scope (bottom-up: their communities) and read;
 * department officials and auditors read.
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
    "ledger.read",
    "assessment.enter",
    "assessment.approve",
    "assessment.read"
  ],
  "programme-operator": ["ledger.*"],
  "merchant-cashier": ["ledger.redeem"],
  "school-teacher": ["ledger.tasks.assign", "ledger.tasks.complete", "ledger.tasks.certify"],
  "property-manager": ["ledger.tasks.complete", "ledger.tasks.certify"],
  "department-official": [
    "grid.read",
    "people.read",
    "duty.read",
    "outreach.record",
    "outreach.read",
    "issues.read",
    "assessment.read"
  ],
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
    "ledger.reconcile",
    "assessment.read"
  ]
}
