/**
 * Whether a RabbitMQ cluster can be rolled from one version to another (docs/upgrades.md, "RabbitMQ"):
 * pure rules over a compatibility table kept as data below, so the table can change without the rules.
 * A refusal carries the path to take instead ("upgrade to 4.1.x first"). The plan and the
 * rabbitmq_upgrade resource's diff both ask here, so a refused jump is refused before any node stops.
 */
import { Version } from '../engine/expr/version.js';

/**
 * Which release series each series may be rolled from (docs/upgrades.md, "Supported paths"): patches
 * within a series, or the previous minor series; nothing is skipped.
 */
export const RABBITMQ_UPGRADE_FROM: Readonly<Record<string, readonly string[]>> = {
  '4.0': ['3.13'],
  '4.1': ['4.0'],
  '4.2': ['4.1'],
  '4.3': ['4.2'],
};

/**
 * The Erlang/OTP versions each RabbitMQ version range runs on (docs/upgrades.md, "Erlang"): inclusive
 * RabbitMQ range, then the lowest Erlang and the first Erlang it does not accept. Erlang 28 is left
 * out on purpose: it is for new clusters only, not for a rolling upgrade.
 */
export interface ErlangSupportRow {
  rabbitmq: { from: string; to: string };
  erlang: { min: string; below: string };
}

export const RABBITMQ_ERLANG_SUPPORT: readonly ErlangSupportRow[] = [
  { rabbitmq: { from: '3.13.0', to: '3.13.999' }, erlang: { min: '26.0', below: '27' } },
  { rabbitmq: { from: '4.0.0', to: '4.0.3' }, erlang: { min: '26.2', below: '27' } },
  { rabbitmq: { from: '4.0.4', to: '4.2.8' }, erlang: { min: '26.2', below: '28' } },
  { rabbitmq: { from: '4.2.9', to: '4.2.999' }, erlang: { min: '27.0', below: '28' } },
  { rabbitmq: { from: '4.3.0', to: '4.3.2' }, erlang: { min: '26.2', below: '28' } },
  { rabbitmq: { from: '4.3.3', to: '4.3.999' }, erlang: { min: '27.0', below: '28' } },
];

export interface RabbitmqUpgradeFacts {
  /** RabbitMQ installed now (the oldest across the cluster's nodes). */
  rabbitmqFrom: string;
  rabbitmqTo: string;
  /** Erlang installed now, and the Erlang the upgrade leaves (the same when it is not swapped). */
  erlangFrom: string | null;
  erlangTo: string;
  /** Stable feature flags the cluster has not enabled (rabbitmqctl list_feature_flags). */
  featureFlagsDisabled: readonly string[];
}

export interface UpgradeRefusal {
  rule: 'downgrade' | 'skipped-series' | 'unknown-series' | 'erlang' | 'feature-flags';
  message: string;
  /** What to do instead. */
  path: string;
}

const v = (s: string) => new Version(s);
const series = (s: string) => v(s).parts.slice(0, 2).map((n) => n ?? 0).join('.');
const nextSeriesAfter = (from: string): string | null => Object.entries(RABBITMQ_UPGRADE_FROM).find(([, froms]) => froms.includes(from))?.[0] ?? null;

/** The Erlang range a RabbitMQ version runs on, or null when the table does not list it. */
export function erlangRangeOf(rabbitmq: string): ErlangSupportRow['erlang'] | null {
  const r = v(rabbitmq);
  const row = RABBITMQ_ERLANG_SUPPORT.find((x) => r.compare(v(x.rabbitmq.from)) >= 0 && r.compare(v(x.rabbitmq.to)) <= 0);
  return row ? row.erlang : null;
}

function erlangRuns(rabbitmq: string, erlang: string): boolean {
  const range = erlangRangeOf(rabbitmq);
  return range !== null && v(erlang).compare(v(range.min)) >= 0 && v(erlang).compare(v(range.below)) < 0;
}

const rangeText = (r: ErlangSupportRow['erlang'] | null) => (r ? `${r.min} up to (not including) ${r.below}` : 'none the table lists');

/** Every reason the upgrade cannot be rolled, each with the path to take instead; empty when it can. */
export function rabbitmqUpgradeRefusals(f: RabbitmqUpgradeFacts): UpgradeRefusal[] {
  const out: UpgradeRefusal[] = [];
  const from = v(f.rabbitmqFrom);
  const to = v(f.rabbitmqTo);
  const cmp = to.compare(from);
  if (cmp < 0) {
    out.push({ rule: 'downgrade', message: `RabbitMQ ${f.rabbitmqFrom} -> ${f.rabbitmqTo} is a downgrade, which RabbitMQ does not support`, path: `keep versions.rabbitmq at ${f.rabbitmqFrom} or later; to go back, restore the data directory backed up before the upgrade` });
    return out;
  }
  const fromSeries = series(f.rabbitmqFrom);
  const toSeries = series(f.rabbitmqTo);
  if (cmp > 0 && fromSeries !== toSeries) {
    const allowed = RABBITMQ_UPGRADE_FROM[toSeries];
    if (!allowed) {
      out.push({ rule: 'unknown-series', message: `RabbitMQ ${f.rabbitmqTo}: the upgrade table does not list the ${toSeries} series`, path: `pick a version of a listed series (${Object.keys(RABBITMQ_UPGRADE_FROM).join(', ')}) or add the series to the table (docs/upgrades.md)` });
    } else if (!allowed.includes(fromSeries)) {
      const next = nextSeriesAfter(fromSeries);
      out.push({
        rule: 'skipped-series',
        message: `RabbitMQ ${f.rabbitmqFrom} -> ${f.rabbitmqTo} skips a minor series (${toSeries} is reached from ${allowed.join(' or ')} only)`,
        path: next ? `upgrade to ${next}.x first (set versions.rabbitmq to the latest ${next} patch, apply, then ${f.rabbitmqTo})` : `no listed path from ${fromSeries}; see docs/upgrades.md`,
      });
    }
  }
  const erlangOk = (rmq: string) => erlangRuns(rmq, f.erlangTo);
  if (!erlangOk(f.rabbitmqFrom) || !erlangOk(f.rabbitmqTo)) {
    const who = [!erlangOk(f.rabbitmqFrom) ? `RabbitMQ ${f.rabbitmqFrom} (Erlang ${rangeText(erlangRangeOf(f.rabbitmqFrom))})` : null, !erlangOk(f.rabbitmqTo) ? `RabbitMQ ${f.rabbitmqTo} (Erlang ${rangeText(erlangRangeOf(f.rabbitmqTo))})` : null].filter(Boolean).join(' and ');
    out.push({ rule: 'erlang', message: `Erlang ${f.erlangTo} is not supported by ${who}; during the roll old and new nodes must both run on it`, path: 'set versions.erlang to a version both the old and the new RabbitMQ support (docs/upgrades.md, "Erlang"), or upgrade RabbitMQ in steps' });
  }
  if (f.featureFlagsDisabled.length) {
    out.push({ rule: 'feature-flags', message: `the cluster has feature flags not enabled: ${[...f.featureFlagsDisabled].sort().join(', ')}`, path: 'enable them first: apply with the RabbitMQ versions unchanged (the rabbitmq_config step runs rabbitmqctl enable_feature_flag all), then upgrade' });
  }
  return out;
}

/** One line for a refusal: what is wrong, then what to do. */
export function refusalText(r: UpgradeRefusal): string {
  return `${r.message}; ${r.path}`;
}
