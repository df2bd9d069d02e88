/** cpu.cores, ram.size (docs/preflight.md, "Checks"). */
import { finding, GB } from '../finding.js';
import type { Rule } from './context.js';

export const CPU_MIN = 2;
export const CPU_RECOMMENDED = 4;
export const RAM_MIN_GB = 4;
export const RAM_RECOMMENDED_GB = 8;
/** Usable memory reads a little below installed memory (firmware, video): allow 5 %. */
export const RAM_SLACK = 0.95;

export const hardwareRules: Rule = ({ facts }) => {
  const { cores, logicalProcessors } = facts.cpu;
  const cpuExpected = `>= ${CPU_MIN} cores (${CPU_RECOMMENDED} recommended)`;
  const cpuActual = `${cores} cores, ${logicalProcessors} logical processors`;
  const cpu =
    cores < CPU_MIN
      ? finding('cpu.cores', 'fail', cpuExpected, cpuActual, `${cores} cores, below the minimum of ${CPU_MIN}.`, `Give the host at least ${CPU_MIN} cores (${CPU_RECOMMENDED} recommended).`)
      : cores < CPU_RECOMMENDED
        ? finding('cpu.cores', 'warn', cpuExpected, cpuActual, `${cores} cores, below the recommended ${CPU_RECOMMENDED}.`, `Give the host ${CPU_RECOMMENDED} cores.`)
        : finding('cpu.cores', 'pass', cpuExpected, cpuActual, `${cores} cores.`);

  const ramGb = facts.memory.totalPhysicalBytes / GB;
  const ramText = `${ramGb.toFixed(1)} GB`;
  const ramExpected = `>= ${RAM_MIN_GB} GB (${RAM_RECOMMENDED_GB} GB recommended)`;
  const ram =
    ramGb < RAM_MIN_GB * RAM_SLACK
      ? finding('ram.size', 'fail', ramExpected, ramText, `${ramText} of memory, below the minimum of ${RAM_MIN_GB} GB.`, `Give the host at least ${RAM_MIN_GB} GB of memory (${RAM_RECOMMENDED_GB} GB recommended).`)
      : ramGb < RAM_RECOMMENDED_GB * RAM_SLACK
        ? finding('ram.size', 'warn', ramExpected, ramText, `${ramText} of memory, below the recommended ${RAM_RECOMMENDED_GB} GB.`, `Give the host ${RAM_RECOMMENDED_GB} GB of memory.`)
        : finding('ram.size', 'pass', ramExpected, ramText, `${ramText} of memory.`);
  return [cpu, ram];
};
