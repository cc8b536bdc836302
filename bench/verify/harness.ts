// A small, careful harness: calibrate a batch size per candidate, then run the candidates interleaved
// (round 1 of each, round 2 of each, …) so that noise from other processes on a shared machine hits all
// of them alike, and report the median round.

/** A function to measure: sync, or async (awaited one call at a time, as a request handler would). */
export interface Candidate {
  readonly name: string;
  readonly run: () => unknown;
  readonly async: boolean;
}

export interface HarnessOptions {
  /** Rounds per candidate; the median is reported. */
  readonly rounds: number;
  /** Target duration of one round, in milliseconds. */
  readonly roundMs: number;
}

export interface Measurement {
  readonly name: string;
  /** Median operations per second of wall-clock time over the rounds. */
  readonly opsPerSecond: number;
  /** Spread of the rounds: (max - min) / median. */
  readonly spread: number;
  /**
   * Median operations per second of CPU time used by the process (all its threads). On a machine shared
   * with other work this is steadier than wall-clock time: waiting for a core is not counted.
   */
  readonly opsPerCpuSecond: number;
  readonly cpuSpread: number;
  /** Per-round ops/s (wall, then CPU), in round order, for paired ratios. */
  readonly wallRounds: readonly number[];
  readonly cpuRounds: readonly number[];
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timeBatch(candidate: Candidate, iterations: number): Promise<Timing> {
  const { run } = candidate;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (candidate.async) {
    for (let i = 0; i < iterations; i++) await run();
  } else {
    for (let i = 0; i < iterations; i++) run();
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function calibrate(candidate: Candidate, roundMs: number): Promise<number> {
  let iterations = 16;
  // Warm-up doubles as calibration: grow the batch until it takes a fifth of a round.
  for (;;) {
    const ms = (await timeBatch(candidate, iterations)).wallMs;
    if (ms >= roundMs / 5) return Math.max(1, Math.round((iterations * roundMs) / ms));
    iterations *= 2;
  }
}

/**
 * The ratio a/b as the median of per-round ratios: rounds of a and b ran back to back, so a change in the
 * machine's load between rounds cancels out of each ratio.
 */
export function pairedRatio(a: Measurement, b: Measurement, clock: 'wall' | 'cpu'): number {
  const ra = clock === 'wall' ? a.wallRounds : a.cpuRounds;
  const rb = clock === 'wall' ? b.wallRounds : b.cpuRounds;
  return median(ra.map((x, i) => x / (rb[i] as number)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Measures every candidate; returns them in the order given. */
export async function measureAll(candidates: readonly Candidate[], options: HarnessOptions): Promise<Measurement[]> {
  const batches: number[] = [];
  for (const c of candidates) batches.push(await calibrate(c, options.roundMs));
  const wall: number[][] = candidates.map(() => []);
  const cpu: number[][] = candidates.map(() => []);
  for (let r = 0; r < options.rounds; r++) {
    for (const [i, c] of candidates.entries()) {
      const iterations = batches[i] as number;
      const timing = await timeBatch(c, iterations);
      wall[i]?.push((iterations * 1000) / timing.wallMs);
      cpu[i]?.push((iterations * 1000) / Math.max(timing.cpuMs, 0.001));
    }
  }
  const spread = (s: number[], m: number) => (Math.max(...s) - Math.min(...s)) / m;
  return candidates.map((c, i) => {
    const w = wall[i] as number[];
    const u = cpu[i] as number[];
    const m = median(w);
    const mc = median(u);
    return {
      name: c.name,
      opsPerSecond: m,
      spread: spread(w, m),
      opsPerCpuSecond: mc,
      cpuSpread: spread(u, mc),
      wallRounds: w,
      cpuRounds: u,
    };
  });
}
