import type { Dispatcher, LabProcess, LabProcessOutput } from '../../src/lab/dispatcher.js';

export function patternBytes(offset: number, length: number): Buffer;
export function contractWords(args: string[]): string[];
export function startContractProgram(args: string[], out: LabProcessOutput): LabProcess;
export const contractDispatcher: Dispatcher;
