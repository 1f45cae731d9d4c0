/**
 * @sortgrid/testkit: every public module, as a namespace.
 *
 * @since 0.1.0
 */
