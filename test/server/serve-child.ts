// `rosetta serve` as its own process, for the signal test (the lead wires registerServe into src/cli/main.ts).
import { Command } from 'commander';
import { registerServe } from '../../src/cli/commands/serve-command.js';

const program = new Command('rosetta');
registerServe(program);
await program.parseAsync(process.argv);
