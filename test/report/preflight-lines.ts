/** The plain line preflight prints on stderr when a host finishes (not a TTY), through the real reporter with a pinned clock. */
import { outcomeEvents } from '../../src/preflight/events.js';
import type { HostOutcome } from '../../src/preflight/outcome.js';
import { preflightProgressReporter } from '../../src/report/preflight-reporters.js';

export function preflightHostLine(o: HostOutcome): string {
  let text = '';
  let t = 0;
  const r = preflightProgressReporter({ write: (s: string) => (text += s), isTTY: false }, { color: false, live: false, now: () => t });
  r.onEvent({ type: 'host-started', host: o.host.name });
  t = o.durationMs;
  for (const e of outcomeEvents(o)) r.onEvent(e);
  r.close();
  return text.replace(/\n$/, '');
}
