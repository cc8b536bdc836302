// A/B of `persona-webhooks serve` between two builds on this machine, alternated so that drift in the machine's
// speed falls on both: for each round, each build starts on a fresh SQLite database (durable defaults), takes a
// 2 s warm-up, then `--seconds` of new 8 KB events and `--seconds` of duplicate deliveries of those, 32
// connections. Prints req/s and the server's CPU per request (all threads) per round, then the medians.
// Use it to tell what a change moved when full runs of server.bench.ts on different days or VMs cannot.
// Run: npm run build && node --import tsx bench/server-ab.ts --other=/path/to/other/checkout [--rounds=4] [--seconds=6]
// (the other checkout built too: its packages/server/dist/cli.js is what runs as "other").
import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpuSeconds, eventsSent, load, root, startServe, stop } from './server/harness.js';

const argv = process.argv.slice(2);
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const other = opt('other');
if (other === undefined) throw new Error('usage: bench/server-ab.ts --other=<checkout> [--rounds=4] [--seconds=6]');
const ROUNDS = Number(opt('rounds') ?? 4);
const SECONDS = Number(opt('seconds') ?? 6);
const builds = {
  other: join(resolve(other), 'packages/server/dist/cli.js'),
  this: join(root, 'packages/server/dist/cli.js'),
};
type Build = keyof typeof builds;

interface Round {
  readonly newPerSecond: number;
  readonly newCpuUs: number;
  readonly duplicatesPerSecond: number;
  readonly duplicateCpuUs: number;
}
const rounds: Record<Build, Round[]> = { other: [], this: [] };
for (let r = 0; r < ROUNDS; r++) {
  const order: Build[] = r % 2 === 0 ? ['other', 'this'] : ['this', 'other'];
  for (const build of order) {
    const dir = join(root, `bench/.tmp/ab/${build}`);
    execSync('sync'); // what the last round left for the kernel to write back would compete with its fsyncs
    const serve = await startServe({ dir, cli: builds[build] });
    const pid = serve.child.pid as number;
    const first = eventsSent() + 1;
    await load(serve, { seconds: 2, connections: 32 });
    let cpu0 = cpuSeconds(pid);
    const fresh = await load(serve, { seconds: SECONDS, connections: 32 });
    const newCpuUs = (1e6 * (cpuSeconds(pid) - cpu0)) / Math.max(1, fresh.requests.total);
    const duplicatesOf = { first, count: eventsSent() - first + 1 };
    cpu0 = cpuSeconds(pid);
    const again = await load(serve, { seconds: SECONDS, connections: 32, duplicatesOf });
    const duplicateCpuUs = (1e6 * (cpuSeconds(pid) - cpu0)) / Math.max(1, again.requests.total);
    await stop(serve);
    rmSync(dir, { recursive: true, force: true });
    if (fresh.non2xx + again.non2xx > 0) throw new Error(`${build}: ${fresh.non2xx + again.non2xx} non-2xx answers`);
    const round = {
      newPerSecond: fresh.requests.average,
      newCpuUs,
      duplicatesPerSecond: again.requests.average,
      duplicateCpuUs,
    };
    rounds[build].push(round);
    console.log(`round ${r + 1}, ${build}: ${describe(round)}`);
  }
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
for (const build of ['other', 'this'] as const) {
  const of = (key: keyof Round) => median(rounds[build].map((round) => round[key]));
  const summary: Round = {
    newPerSecond: of('newPerSecond'),
    newCpuUs: of('newCpuUs'),
    duplicatesPerSecond: of('duplicatesPerSecond'),
    duplicateCpuUs: of('duplicateCpuUs'),
  };
  console.log(`median of ${ROUNDS}, ${build} (${builds[build]}): ${describe(summary)}`);
}

// Each round ran both builds back to back, so a slow spell of the machine (seen here: the same build 40% slower
// for a minute) mostly falls on both of a round's runs: the median of the rounds' ratios is steadier than the
// ratio of the medians.
const ratios = (key: keyof Round) =>
  rounds.this.map((round, i) => round[key] / ((rounds.other[i] as Round)[key] as number));
for (const [key, label] of [
  ['newPerSecond', 'new events per second'],
  ['newCpuUs', 'CPU per new event'],
  ['duplicatesPerSecond', 'duplicates per second'],
  ['duplicateCpuUs', 'CPU per duplicate'],
] as const) {
  const each = ratios(key);
  console.log(
    `this/other, ${label}: median ${median(each).toFixed(3)} (rounds: ${each.map((r) => r.toFixed(3)).join(', ')})`,
  );
}

function describe(round: Round): string {
  return (
    `new events ${round.newPerSecond.toFixed(0)} req/s, ${round.newCpuUs.toFixed(0)} µs CPU each; ` +
    `duplicates ${round.duplicatesPerSecond.toFixed(0)} req/s, ${round.duplicateCpuUs.toFixed(0)} µs CPU each`
  );
}
