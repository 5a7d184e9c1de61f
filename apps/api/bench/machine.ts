/**
 * How busy the rest of the machine was while the bench ran: the CPU time of every core
 * (`/proc/stat`) minus the CPU time of the bench's own processes (`/proc/<pid>/stat`: the bench
 * with its load generators, and the server with its workers). A busy loop timed now and then (the
 * CPU-noise probe) misses load that comes and goes between its samples, and steady load (two
 * CPU-burning processes) slows all its samples alike, which its spread does not show: this counts
 * the other work itself, over the whole run. Linux only; elsewhere `read` answers undefined.
 */
import fs from 'node:fs';

/** CPU ticks per second of `/proc` (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

interface Reading {
  at: number;
  /** Busy ticks of all cores. */
  machine: number;
  /** Ticks of the bench's own processes. */
  own: number;
}

function machineTicks(): number {
  // cpu  user nice system idle iowait irq softirq steal …
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

function processTicks(pid: number): number {
  try {
    // After the command name (which may hold spaces): state ppid … utime (14) stime (15), counted from 1.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * The other work of the machine over a stretch of the run.
 *
 * @example
 * const quiet = (meter.since(mark)?.foreignCores ?? 0) <= 0.15;
 */
export interface ForeignLoad {
  seconds: number;
  /** CPU the rest of the machine used, in cores (1 = one core busy all the time). */
  foreignCores: number;
  /** CPU the bench and the server used, in cores. */
  ownCores: number;
}

/**
 * A meter of the machine's other work, for the processes `pids` (the bench's own: itself and
 * the server).
 *
 * @example
 * const meter = foreignLoadMeter([process.pid, server.pid]);
 * const mark = meter.mark();
 * await run();
 * meter.since(mark)?.foreignCores; // 0.02 on a quiet machine, ~2 beside two CPU burners
 */
export function foreignLoadMeter(pids: readonly number[]) {
  const supported = fs.existsSync('/proc/stat') && fs.existsSync(`/proc/${process.pid}/stat`);
  const read = (): Reading | undefined => (supported ? { at: performance.now(), machine: machineTicks(), own: pids.reduce((sum, pid) => sum + processTicks(pid), 0) } : undefined);
  return {
    mark: read,
    since(start: Reading | undefined): ForeignLoad | undefined {
      const end = read();
      if (!start || !end) return undefined;
      const seconds = (end.at - start.at) / 1000;
      const own = (end.own - start.own) / TICKS_PER_SECOND / seconds;
      // Ticks are sampled per core: the difference can come out a little below zero on a quiet machine.
      const foreign = Math.max(0, (end.machine - start.machine) / TICKS_PER_SECOND / seconds - own);
      return { seconds, foreignCores: foreign, ownCores: own };
    },
  };
}
