/**
 * Instances of `Schema.Class` built from fields that are valid by construction — decoded a moment
 * ago, computed from decoded values, or read back from the store's own typed rows — without running
 * the class's constructor. The constructor, even with `disableValidation`, copies the fields twice
 * and looks for defaults to fill; a batch of a thousand problems or transfers pays that several
 * times per record. Anything that comes from outside goes through the schema instead.
 *
 * @since 0.1.0
 */

/**
 * The instance `new Class(fields, { disableValidation: true })` would give: the same prototype (so
 * `instanceof`, `Equal` and `Hash` behave the same) and the same own fields in the same order.
 * Every field must be given, in the order the class declares them; a tagged class's `_tag` goes
 * last, where its constructor puts it (the JSON text of a stored record depends on that order).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A extends object>(Class: { readonly prototype: A }, fields: A): A =>
  Object.assign(Object.create(Class.prototype), fields)
