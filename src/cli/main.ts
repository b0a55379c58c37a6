import { Command } from 'commander';
import { registerIndex } from './commands/index-command.js';
import { registerSearch } from './commands/search-command.js';
import { registerTag } from './commands/tag-command.js';
import { registerInfo } from './commands/info-command.js';
import { registerDemo } from './commands/demo-command.js';
import { registerCaption } from './commands/caption-command.js';
import { registerTranscribe } from './commands/transcribe-command.js';
import { registerSpeak } from './commands/speak-command.js';
import { registerDescribe } from './commands/describe-command.js';
import { registerImagine } from './commands/imagine-command.js';
import { registerAnimate } from './commands/animate-command.js';
import { registerScore } from './commands/score-command.js';
import { registerCheck } from './commands/check-command.js';
import { registerEval } from './commands/eval-command.js';
import { registerAudit } from './commands/audit-command.js';
import { registerServe } from './commands/serve-command.js';
import { registerTrain } from './commands/train-command.js';
import { registerOcr } from './commands/ocr-command.js';
import { registerSpeech } from './commands/speech-command.js';
import { registerWorker } from './commands/worker-command.js';
import { registerQueue } from './commands/queue-command.js';
import { registerExport } from './commands/export-command.js';
import { reportError } from './shared.js';

const program = new Command('rosetta')
  .description('Rosetta: search, describe, generate and evaluate across text, images, audio and video')
  .version('0.1.0')
  .showHelpAfterError();

registerIndex(program);
registerSearch(program);
registerTag(program);
registerInfo(program);
registerDemo(program);
registerCaption(program);
registerTranscribe(program);
registerSpeak(program);
registerDescribe(program);
registerImagine(program);
registerAnimate(program);
registerScore(program);
registerCheck(program);
registerEval(program);
registerAudit(program);
registerServe(program);
registerTrain(program);
registerOcr(program);
registerSpeech(program);
registerWorker(program);
registerQueue(program);
registerExport(program);

program.parseAsync(process.argv).catch((error) => {
  reportError(error, process.argv.includes('--json'));
  process.exitCode = 1;
});
