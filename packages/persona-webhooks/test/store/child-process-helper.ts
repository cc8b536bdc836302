// Starts child-store-process.ts as real OS processes (see test/helpers/child-process.ts).
import { join } from 'node:path';
import { type ScriptChild, startScriptChild, startTogether } from '../helpers/child-process.js';

export { startTogether };
export type StoreChild = ScriptChild;

export function startStoreChild(env: Record<string, string>): StoreChild {
  return startScriptChild(join(import.meta.dirname, 'child-store-process.ts'), env);
}

/** Events for the claim job: `count` events, every four about the same inquiry. */
export function claimJobEvents(
  count: number,
): { id: string; name: string; createdAt: Date; resourceId: string; body: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `evt_claim_${String(i).padStart(4, '0')}`,
    name: 'inquiry.completed',
    createdAt: new Date(1_700_000_000_000 + i),
    resourceId: `inq_${i % Math.ceil(count / 4)}`,
    body: '{}',
  }));
}

/** Runs the claim job in two processes and returns what each claimed. */
export async function claimInTwoProcesses(env: Record<string, string>): Promise<string[][]> {
  const children = [startStoreChild({ ...env, JOB: 'claim' }), startStoreChild({ ...env, JOB: 'claim' })];
  await startTogether(children);
  const outputs = await Promise.all(children.map((c) => c.waitFor((line) => line.startsWith('{'))));
  const codes = await Promise.all(children.map((c) => c.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`a claim process failed: ${codes.join(', ')}`);
  return outputs.map((line) => (JSON.parse(line) as { claimed: string[] }).claimed);
}

/** Runs the race job (IDS ids, COPIES copies each) in two processes and returns every id either one inserted. */
export async function raceInTwoProcesses(env: Record<string, string>): Promise<string[]> {
  const children = [startStoreChild({ ...env, JOB: 'race' }), startStoreChild({ ...env, JOB: 'race' })];
  await startTogether(children);
  const outputs = await Promise.all(children.map((c) => c.waitFor((line) => line.startsWith('{'))));
  const codes = await Promise.all(children.map((c) => c.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`a race process failed: ${codes.join(', ')}`);
  return outputs.flatMap((line) => (JSON.parse(line) as { inserted: string[] }).inserted);
}
