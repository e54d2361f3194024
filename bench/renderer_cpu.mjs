// CPU time of Chromium's processes, for the benchmarks that run in headless Chromium (bench/model_bench.mjs,
// bench/gpt2small_page.mjs). The page has no CPU clock, but this is Linux: the renderer's main thread (tid =
// pid) is a descendant of this node process, and /proc/PID/task/PID/schedstat holds its run time in ns.
import fs from 'node:fs';

// The pids of this node process's descendants whose command line has --type=TYPE (renderer, gpu-process).
export function childPids(type) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const mine = (p) => { for (let i = 0; i < 64 && p > 1; i++) { if (p === process.pid) return true; p = parent.get(p); } return false; };
  const out = [];
  for (const p of parent.keys()) {
    if (!mine(p)) continue;
    try { if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`--type=${type}`)) out.push(p); } catch { /* gone */ }
  }
  return out;
}

// The run time of process p's main thread, ns (NaN once it is gone).
export const schedNs = (p) => { try { return Number(fs.readFileSync(`/proc/${p}/task/${p}/schedstat`, 'utf8').split(' ')[0]); } catch { return NaN; } };

// [result of fn, CPU ms of the busiest renderer main thread meanwhile]
export async function withCpu(fn) {
  const pids = childPids('renderer'), a = pids.map(schedNs);
  const r = await fn();
  const d = pids.map((p, i) => schedNs(p) - a[i]).filter(Number.isFinite);
  return [r, d.length ? Math.max(...d) / 1e6 : NaN];
}
