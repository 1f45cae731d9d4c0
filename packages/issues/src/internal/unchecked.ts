/**
 * An instance of a schema class built from complete fields that are valid by construction (decoded,
 * or computed from decoded values), without running the class's constructor: the same prototype and
 * the same own fields in the same order as `new Class(fields, { disableValidation: true })`, at a
 * fraction of the cost — the constructor copies the fields twice and looks for defaults to fill,
 * which a batch of a thousand problems pays five times per problem. Every field must be given; a
 * tagged class's `_tag` goes last, where its constructor puts it (the JSON text of a stored
 * entity depends on that order).
 */
export const unchecked = <A extends object>(Class: { readonly prototype: A }, fields: A): A => {
  const instance: A = Object.create(Class.prototype)
  return Object.assign(instance, fields)
}
