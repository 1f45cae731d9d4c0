/**
 * People and the roles they hold in the programme. Person records are minimal: an id, a display
 * name, and what the programme needs to reach them — nothing more.
 *
 * A phone number is personal data. In memory it is `Redacted`, so it never shows up when a person,
 * an error or a log line is printed, and a malformed one is rejected without echoing it back.
 * Audit entries name people by id only.
 *
 * @since 0.1.0
 */
import { Actor, Id } from "@sortgrid/core"
import { Redacted, Schema } from "effect"

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
export const ProgrammeRole = Schema.Literal(...programmeRoles).annotations({
  message: () => ({ message: `must be one of ${programmeRoles.join(", ")}`, override: true })
})

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

/**
 * A person's display name: 1 to 120 characters.
 *
 * @since 0.1.0
 * @category models
 */
export const PersonName = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(120, { message: () => "must be at most 120 characters" })
)

const phoneMessage = "must be a phone number: digits, with an optional leading + and spaces or dashes between"

/**
 * A phone number, `Redacted` once decoded. Every failure says the same thing and never repeats the
 * input: the message of a rejected phone number must not leak the number.
 *
 * @since 0.1.0
 * @category models
 */
export const Phone = Schema.Redacted(
  Schema.String.pipe(Schema.pattern(/^\+?[0-9][0-9 -]{3,30}[0-9]$/)).annotations({
    message: () => ({ message: phoneMessage, override: true })
  })
).annotations({ message: () => ({ message: phoneMessage, override: true }) })

const OptionalPhone = Schema.NullOr(Phone).annotations({ message: () => ({ message: phoneMessage, override: true }) })

/**
 * A person as stored: id, name and, optionally, a phone number.
 *
 * @since 0.1.0
 * @category models
 */
export class Person extends Schema.Class<Person>("@sortgrid/grid/Person")({
  id: PersonId,
  name: PersonName,
  phone: OptionalPhone
}) {}

/**
 * Register a person. The id, chosen by the caller, is the idempotency key: registering the same id
 * with the same name and phone again changes nothing; with different details it is a `Conflict`.
 *
 * @since 0.1.0
 * @category commands
 */
export class RegisterPerson extends Schema.Class<RegisterPerson>("@sortgrid/grid/RegisterPerson")({
  id: PersonId,
  name: PersonName,
  // `exact`: without it a wrong value would also fail an `undefined` branch, whose message shows it.
  phone: Schema.optionalWith(OptionalPhone, { default: () => null, exact: true })
}) {}

const samePhone = (a: Redacted.Redacted<string> | null, b: Redacted.Redacted<string> | null): boolean =>
  a === null || b === null ? a === b : Redacted.value(a) === Redacted.value(b)

/**
 * Whether a stored person is what a command registers: a retry rather than a reuse of the id.
 *
 * @since 0.1.0
 * @category models
 */
export const sameAsRegistered = (stored: Person, command: RegisterPerson): boolean =>
  stored.id === command.id && stored.name === command.name && samePhone(stored.phone, command.phone)
