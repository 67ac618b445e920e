import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnvil } from '../../src/anchor/anvilProcess.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const waitUntil = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe('anvil child process', () => {
  it('stop() ends anvil', async () => {
    const a = await startAnvil();
    expect(alive(a.pid)).toBe(true);
    await a.stop();
    expect(await waitUntil(() => !alive(a.pid), 5000)).toBe(true);
  });

  it('no anvil outlives a parent that is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-orphan-'));
    const script = join(dir, 'parent.mts');
    const mod = new URL('../../src/anchor/anvilProcess.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { startAnvil } from ${JSON.stringify(mod)};\nconst a = await startAnvil();\nconsole.log('pid', a.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    // One node process running the script through tsx's loader, so SIGKILL hits the process that owns anvil.
    const loader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
    const parent = spawn(process.execPath, ['--import', loader, script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        parent.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /pid (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
      });
      expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitUntil(() => !alive(pid), 5000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
