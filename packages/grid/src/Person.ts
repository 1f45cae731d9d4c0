/**
 * People and the roles they hold in the programme. Person records are minimal: an id, a display
 * name, and what the programme needs to reach them — nothing more.
 *
 * @since 0.1.0
 */
import { Actor, Id } from "@sortgrid/core"
import { Schema } from "effect"

/**
 * A person's id. A person acts as the `Actor` with the same id.
 *
 * @since 0.1.0
 * @category ids
 */
export const PersonId = Id.brand("PersonId")

/**
 * @since 0.1.0
 * @category ids
 */
export type PersonId = typeof PersonId.Type

/**
 * The roles of the programme (domain.md, "The workforce").
 *
 * @since 0.1.0
 * @category models
 */
export const programmeRoles = [
  "grid-worker",
  "party-member",
  "volunteer",
  "building-leader",
  "alley-steward",
  "welfare-post-worker",
  "property-staff",
  "inspector",
  "department-official",
  "subdistrict-admin",
  "district-admin"
] as const

/**
 * A role of the programme.
 *
 * @since 0.1.0
 * @category models
 */
export const ProgrammeRole = Schema.Literal(...programmeRoles)

/**
 * @since 0.1.0
 * @category models
 */
export type ProgrammeRole = typeof ProgrammeRole.Type

/**
 * The actor id of a person.
 *
 * @since 0.1.0
 * @category models
 */
export const actorId = (person: PersonId): Actor.ActorId => Actor.ActorId.make(person)
