/**
 * `cortex-deploy … | head -0`: the reader went away. Output nobody reads is dropped, quietly: the run
 * goes on to its end (shells closed, reports and the run log written) and exits with its own code.
 * Without a listener, the EPIPE of the next write would crash the process with a stack trace.
 */
export function tolerateClosedPipes(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
      // Anything else on our own output is not something we can report on it: leave it to Node.
      throw err;
    });
  }
}
