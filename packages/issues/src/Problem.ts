/**
 * Problems on the register: the ids the issue tracker's modules share.
 *
 * @since 0.1.0
 */
import { Id } from "@sortgrid/core"

/**
 * A problem's id: client-chosen (the idempotency key of registering it) or minted.
 *
 * @since 0.1.0
 * @category ids
 */
export const ProblemId = Id.brand("ProblemId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ProblemId = typeof ProblemId.Type
