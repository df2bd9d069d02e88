/** The inventory's public surface: load, types, secrets, topology. */
export { loadInventory, parseInventory, InventoryError } from './loader.js';
export { resolveSecret } from './secrets.js';
export type * from './types.js';
