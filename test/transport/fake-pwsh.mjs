// A stand-in for pwsh on a workstation without PowerShell: a real child process whose stdio is the
// contract program's. The local transport test puts a `pwsh` wrapper that execs this on PATH.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { startContractProgram } from './contract-program.mjs';

const proc = startContractProgram(process.argv.slice(2), {
  stdout: (b) => process.stdout.write(b),
  stderr: (b) => process.stderr.write(b),
  exit: (code) => {
    process.stdout.write('', () => process.exit(code & 0xff));
  },
});
process.stdin.on('data', (c) => proc.stdin(c, false));
process.stdin.on('end', () => proc.stdin(Buffer.alloc(0), true));
