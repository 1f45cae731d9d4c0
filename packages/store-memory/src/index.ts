/**
 * @sortgrid/store-memory: every public module, as a namespace.
 *
 * @since 0.1.0
 */
