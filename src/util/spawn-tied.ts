import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/**
 * util-linux's `setpriv` (Essential on Debian and Ubuntu) sets the Linux parent-death signal, which Node
 * cannot set itself, then execs the program: the child is killed the moment Rosetta's process dies, even by
 * SIGKILL, even when it writes nothing (a closed pipe only stops a child that writes).
 */
const SETPRIV =
  process.platform === 'linux'
    ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => {
        try {
          accessSync(p, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      })
    : undefined;

/** True when children started by `spawnTied` die with this process (Linux with setpriv). */
export const childrenDieWithParent = SETPRIV !== undefined;

/**
 * `spawn`, with a child that dies when this process dies. Elsewhere than Linux (or without setpriv) it is a
 * plain spawn: the child then stops at its next write into the closed pipe. Spawn from the main thread:
 * the death signal follows the thread that started the child.
 */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (!SETPRIV) return spawn(command, args, options);
  return spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options);
}
