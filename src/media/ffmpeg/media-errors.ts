import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';

/** One case-insensitive pattern matching any of `parts` (a long alternation kept readable). */
const anyOf = (...parts: RegExp[]) => new RegExp(parts.map((p) => p.source).join('|'), 'i');

// Patterns in ffmpeg/ffprobe stderr, most specific first. Each maps to a stable code and a fix a user can act on.
const RULES: { test: RegExp; code: ErrorCode; what: string; hint: string }[] = [
  { test: /No such file or directory/i, code: ErrorCodes.MEDIA_UNREADABLE, what: 'does not exist', hint: 'check the path' },
  {
    test: /Permission denied/i,
    code: ErrorCodes.MEDIA_UNREADABLE,
    what: 'cannot be read (permission denied)',
    hint: 'check the file permissions',
  },
  {
    test: /matches no streams|does not contain any stream|Output file .* does not contain any stream/i,
    code: ErrorCodes.MEDIA_NO_STREAM,
    what: 'has no stream of the kind asked for',
    hint: 'check the file has the track you want (ffprobe shows its streams)',
  },
  {
    test: anyOf(
      /Decoder \(codec [^)]*\) not found|Unknown decoder|unsupported codec|Unsupported codec|no decoder found/,
      /Could not find codec parameters .*unknown|codec not currently supported|not supported by the codec/,
    ),
    code: ErrorCodes.MEDIA_UNSUPPORTED,
    what: 'uses a codec this ffmpeg cannot decode',
    hint: 'convert it with a full ffmpeg build, e.g. `ffmpeg -i in -c:v libx264 -c:a aac out.mp4`, or install a build with that decoder',
  },
  {
    test: anyOf(
      /Invalid data found when processing input|moov atom not found|EBML header parsing failed|Header missing|invalid frame/,
      /Error while decoding|corrupt|Truncating packet|partial file|End of file|could not find codec parameters|Invalid argument/,
      /Failed to read frame size|misdetection possible/,
    ),
    code: ErrorCodes.MEDIA_CORRUPT,
    what: 'is corrupt, truncated or not a media file',
    hint: 'check it plays in a media player; re-download or re-encode it (`ffmpeg -i in -c copy out`) and index it again',
  },
];

/** Turns a failed ffmpeg/ffprobe run into a RosettaError that names the file, the cause and the fix. */
export function explainFfmpegFailure(file: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): RosettaError {
  const last = stderr.trim().split('\n').slice(-4).join(' | ').slice(0, 600);
  const rule = RULES.find((r) => r.test.test(stderr));
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  if (rule) return new RosettaError(rule.code, `${file} ${rule.what} (ffmpeg ${how}: ${last})`, { file, hint: rule.hint });
  return new RosettaError(ErrorCodes.MEDIA_CORRUPT, `ffmpeg could not read ${file} (${how}${last ? `: ${last}` : ''})`, {
    file,
    hint: 'check it plays in a media player; re-encode it with ffmpeg and index it again',
  });
}
