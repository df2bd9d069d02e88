/**
 * A ScriptExecutor for runner tests: the lab's minimal executor plus a few test scripts whose
 * behaviour the tests steer (echo params, exit with a code, sleep, hang, crash the process).
 */
import type { ScriptExecutor, ScriptInvocation, ScriptOutcome } from '../../src/lab/dispatcher.js';
import { createMinimalExecutor, envelopeOk } from '../../src/lab/powershell/index.js';

export interface TestExecutorHooks {
  /** Called by `test.crash`: make the session kill the running process. */
  crash?: () => void;
}

export const testScripts = {
  echo: { id: 'test.echo', text: '# cortex-script: test.echo\nInvoke-CortexScript { $CortexParams }\n' },
  exit: { id: 'test.exit', text: '# cortex-script: test.exit\nexit ([int]$CortexParams.code)\n' },
  sleep: { id: 'test.sleep', text: '# cortex-script: test.sleep\nStart-Sleep -Milliseconds $CortexParams.ms\n' },
  hang: { id: 'test.hang', text: '# cortex-script: test.hang\nwhile ($true) { }\n' },
  crash: { id: 'test.crash', text: '# cortex-script: test.crash\n[Environment]::FailFast("boom")\n' },
  fail: { id: 'test.fail', text: "# cortex-script: test.fail\nInvoke-CortexScript { throw 'disk on fire' }\n" },
};

export function createTestExecutor(hooks: TestExecutorHooks = {}) {
  const minimal = createMinimalExecutor();
  const invocations: ScriptInvocation[] = [];
  const executor: ScriptExecutor & { files: typeof minimal.files; invocations: ScriptInvocation[] } = {
    files: minimal.files,
    invocations,
    async run(inv: ScriptInvocation): Promise<ScriptOutcome> {
      invocations.push(inv);
      switch (inv.scriptId) {
        case 'test.echo':
          return { exitCode: 0, output: [envelopeOk(inv.params)], errors: [], warnings: [] };
        case 'test.exit':
          return { exitCode: Number(inv.params.code), output: [], errors: [], warnings: [] };
        case 'test.sleep':
          await new Promise((r) => setTimeout(r, Number(inv.params.ms)));
          return { exitCode: 0, output: [envelopeOk({ slept: inv.params.ms })], errors: [], warnings: [] };
        case 'test.hang':
          return new Promise<ScriptOutcome>(() => undefined);
        case 'test.crash':
          setImmediate(() => hooks.crash?.());
          return new Promise<ScriptOutcome>(() => undefined);
        case 'test.fail':
          return {
            exitCode: 1,
            output: [JSON.stringify({ ok: false, data: null, error: { message: 'disk on fire', category: 'OperationStopped' } })],
            errors: [],
            warnings: ['about to fail'],
          };
        default:
          return minimal.run(inv);
      }
    },
  };
  return executor;
}
