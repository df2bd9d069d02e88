/**
 * The engine's public surface, for the CLI (`plan`, `apply`, `runs`) and the lab's handlers:
 * playbooks (load, schema), the planner (schedule, plan, saved plans, exit codes), the executor
 * (HostAgent, apply, run events), the real agent over a script runner, and runs (journal, resume, lock).
 */
export { loadPlaybook, parsePlaybook, PlaybookError, type PlaybookProblem } from './playbook/loader.js';
export { playbookJsonSchema, playbookJsonSchemaText } from './playbook/json-schema.js';
export type { Playbook, Phase, Step, HealthGate, HostRebootRule, RetryPolicy, SerialSpec } from './playbook/types.js';
export { stepsOf } from './playbook/types.js';
export { schedule, scheduleOrder, serialBatches, type PhaseSchedule, type PhaseBatch, type StepRun } from './plan/schedule.js';
export { ConditionContext, factPathsOf } from './plan/conditions.js';
export { buildPlan, diffStep, planDocument, stepsToTest, type Plan, type PlanChange, type PlanProblem, type PlanSkip, type PlanSummary, type HostReading, type Readings } from './plan/plan.js';
export { planExitCode, hasChanges } from './plan/exit-code.js';
export { planLines } from './plan/text.js';
export { savePlan, savedPlanText, parseSavedPlan, driftOf, digestOf, canonicalJson, type SavedPlan, type PlanInputs, type Drift } from './plan/saved-plan.js';
export type { HostAgent, ResourceRequest, SetResult, TestResults } from './apply/agent.js';
export type { RunEvent, RunEventListener, StepStatus, HostStatus, StepDiff } from './apply/events.js';
export { apply, applyDocument, EXIT_INTERRUPTED, type ApplyOptions, type ApplyResult, type ResumeState, type StepRecord } from './apply/executor.js';
export { JournalWriter, readJournal, journalPath, runDir, type JournalHeader, type JournalEntry, type JournalContents } from './run/journal.js';
export { resumeStateOf, runToResume, listRuns, isFinished } from './run/resume.js';
export { acquireLock, lockPath, readLock, pidAlive, LockHeldError, type LockInfo, type HeldLock } from './run/lock.js';
export { runApply, lockRun, type RunLock, type RunApplyOptions, type RunApplyResult } from './run/run-apply.js';
export { SessionAgent, playbookReadsFacts, testResultsOf, DEFAULT_REBOOT_WAIT, type SessionAgentOptions, type AgentConnection, type AgentRunner, type RebootWait } from './agent/session-agent.js';
export { resolveStepSecrets, SECRET_PARAM_PATHS, type StepSecrets } from './agent/step-secrets.js';
export { checkFileSources, fileSourcePath } from './agent/file-sources.js';
export { readHosts } from './agent/read-hosts.js';
