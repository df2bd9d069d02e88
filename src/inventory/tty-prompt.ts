/**
 * Read one line from the terminal without echo (for `prompt` secret references). Only called when
 * stdin is a TTY; the question goes to stderr so stdout stays clean for --json.
 */
export interface RawInput extends NodeJS.EventEmitter {
  isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

export function readHidden(question: string, input: RawInput = process.stdin, out: NodeJS.WritableStream = process.stderr): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    const wasRaw = input.isRaw === true;
    const finish = (err?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.removeListener('data', onData);
      out.write('\n');
      if (err) reject(err);
      else resolvePromise(buf);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    out.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
