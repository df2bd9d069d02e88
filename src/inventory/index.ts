/** The inventory's public surface: load, types, secrets, topology, the check document. */
export { loadInventory, parseInventory, InventoryError } from './loader.js';
export { resolveSecret, resolveHostSecret, readFileRef, filePath, type HostSecretField, type SecretContext } from './secrets.js';
export { checkTopology, RULES, tierFor, type Finding, type Severity, type Tier, type TopologyReport } from './topology/index.js';
export { checkInventoryFile, type InventoryCheckDocument, type CheckFinding } from './check.js';
export { inventoryJsonSchema } from './json-schema.js';
export type * from './types.js';
