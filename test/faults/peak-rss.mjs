// Loaded with `node --import` into a child whose peak memory a test measures: at exit, the child's own peak
// resident set (getrusage's maxrss, in kB) goes to the file named by ROSETTA_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const out = process.env.ROSETTA_PEAK_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
