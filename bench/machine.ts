// What a benchmark writes about the machine it ran on: cores, memory, Node, and the load average when it
// started and ended, so a reader can tell a quiet run from one shared with other work instead of being told.
import { cpus, loadavg, totalmem } from 'node:os';

const atStart = loadavg();

/**
 * One sentence about the machine and how busy it was, measured rather than assumed.
 *
 * @example
 * ```ts
 * lines.push(machineNote()) // "Machine: 2 cores (…), 24 GiB, Node v20.20.2, linux/x64. Load average 0.4 (1 min) …"
 * ```
 */
export function machineNote(): string {
  const n = cpus().length;
  const [one = 0, five = 0] = atStart;
  const end = loadavg()[0] ?? 0;
  const busy =
    five < 0.5 * n
      ? 'the machine was quiet before the run'
      : 'other work was running on the machine before the run: absolute numbers are noisy';
  return (
    `Machine: ${n} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, ${process.platform}/${process.arch}. Load average at the start ${one.toFixed(2)} (1 min), ` +
    `${five.toFixed(2)} (5 min), at the end ${end.toFixed(2)} (1 min, the benchmark's own load included): ${busy}.`
  );
}
