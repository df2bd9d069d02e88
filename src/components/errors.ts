/**
 * A component's configuration cannot be generated from what it was given (too few Service Fabric
 * nodes, a health-check timeout not shorter than its interval, a cookie with a newline): invalid input
 * (exit 3), naming the component, the field and how to fix it. Secret values are never in the message.
 */
import { InputError, type ErrorContext } from '../errors.js';

export type ComponentName = 'service-fabric' | 'gobetween' | 'rabbitmq' | 'nssm' | 'firewall' | 'components';

export class ComponentConfigError extends InputError {
  readonly component: ComponentName;

  constructor(component: ComponentName, detail: string, context: ErrorContext = {}) {
    super(`${component}: ${detail}`, context);
    this.component = component;
  }
}

/** The settings object failed its zod schema: the first issue, with its field path. */
export function settingsError(component: ComponentName, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, hint: string): ComponentConfigError {
  const first = issues[0];
  const field = first ? first.path.map(String).join('.') || '(root)' : '(root)';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ComponentConfigError(component, `${first?.message ?? 'invalid settings'}${more}`, { field, hint });
}
