/** The 5.1 command list (plus modules our products install) as lookups: lower-case name -> canonical spelling, and the module it comes from. */
import { PS51_MODULES } from './ps51-commands.js';
import { PRODUCT_MODULES } from './product-modules.js';

const canonical = new Map<string, { name: string; module: string }>();
for (const m of [...PS51_MODULES, ...PRODUCT_MODULES]) for (const c of m.cmdlets) canonical.set(c.toLowerCase(), { name: c, module: m.module });

export function knownCommand(name: string): { name: string; module: string } | undefined {
  return canonical.get(name.toLowerCase());
}

export const KNOWN_COMMAND_NAMES: readonly string[] = [...canonical.values()].map((v) => v.name);
