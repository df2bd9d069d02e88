/**
 * A reporter that writes one document when the run ends (JSON, JUnit XML, HTML): it folds the events
 * into a RunTally as they come and renders the tally and the run's end once. What differs between
 * apply's, plan's and preflight's documents is only the render function.
 */
import type { RunEvent } from '../engine/apply/events.js';
import type { ReportStream, RunEnd, RunReporter } from './run-reporter.js';
import { RunTally } from './run-tally.js';
import type { StatusScheme } from './status-scheme.js';

export type RenderDocument<S extends string, H extends string, R extends RunEnd> = (tally: RunTally<S, H>, result: R) => string;

export class DocumentReporter<S extends string, H extends string, R extends RunEnd = RunEnd> implements RunReporter<S, H, R> {
  readonly tally: RunTally<S, H>;
  private done = false;

  constructor(
    scheme: StatusScheme<S, H>,
    private readonly render: RenderDocument<S, H, R>,
    private readonly stream: ReportStream,
    now?: () => number,
  ) {
    this.tally = new RunTally(scheme, now);
  }

  onEvent(e: RunEvent<S, H>): void {
    this.tally.apply(e);
  }

  finish(result: R): void {
    if (this.done) return;
    this.done = true;
    this.stream.write(this.render(this.tally, result));
  }
}
