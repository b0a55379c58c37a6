import type { Space } from '../spaces/space.js';
import type { MediaInput, Modality, RgbImage, SegmentKind } from '../types.js';

/** A file's modality and MIME type, detected from its bytes (never its extension). */
export interface DetectedType {
  modality: Modality;
  mime: string;
}

/** What file-type recognised from a file's leading bytes (undefined when it recognised nothing). */
export interface SniffedType {
  mime: string;
  ext: string;
}

/** A file as ingest holds it: its path, and its bytes when it was small enough to read whole. */
export interface FileToDecode {
  path: string;
  bytes?: Buffer;
}

/** A decoded picture, with the size of the original when it was shrunk for decoding. */
export type DecodedImage = RgbImage & { original?: { width: number; height: number } };

interface ModalityBase {
  /** Stored with each item (`items.modality`) and used by filters (`in`, `--in`, the server's `modality`). */
  readonly name: Modality;
  /** What people call its files, plural (`images`); the CLI's `--in` accepts it as well as the name. */
  readonly label: string;
  /** Its formats, as the "not a type Rosetta indexes" hint lists them. */
  readonly formats: string;
  /**
   * Every segment kind an item of this modality can hold. The first is the kind its own decoded content is
   * stored as (an image's `image`, a text's `text-chunk`); the rest come from later stages (captions, OCR…).
   */
  readonly segmentKinds: readonly SegmentKind[];
  /**
   * Detection order: lower is asked first. Media recognised by their magic bytes come first; text (anything
   * that is valid UTF-8) is asked last.
   */
  readonly detectOrder: number;
  /**
   * The MIME type of `bytes` if they are a file of this modality, else undefined. `sniffed` is what file-type
   * recognised (a modality claims only the types it indexes, so a PDF is nobody's).
   */
  detect(bytes: Uint8Array, sniffed: SniffedType | undefined): string | undefined;
  /**
   * How a query part of this modality becomes a vector in a space (absent: it cannot be a query part).
   * The caller has checked that the space covers the modality.
   */
  readonly query?: { encode(space: Space, input: MediaInput): Promise<Float32Array> };
  /** Zero-shot prompt for `tag` on an input of this modality (`{}` is the label). */
  readonly tagTemplate?: string;
}

/**
 * One modality: how its files are detected and decoded, the segment kinds its items hold, how a query of it
 * is encoded, and its names. Ingest, search, `Rosetta`, the server and the CLI read modalities from the
 * registry (`./registry.ts`), so adding one is a module here plus a space that covers it.
 *
 * How ingest takes its files (`decodesTo`):
 * - `image`: decoded whole in memory, embedded by each covering space's `embedImages`, one segment;
 * - `text`: decoded to a string, chunked, each chunk embedded by `embedTexts` (the spaces covering this modality);
 * - `timed`: streamed per file through ffmpeg at encode time (scenes and audio windows, with their times).
 */
export type ModalityModule = ModalityBase &
  (
    | { readonly decodesTo: 'image'; decode(file: FileToDecode, options: { maxPixels?: number }): Promise<DecodedImage> }
    | { readonly decodesTo: 'text'; decode(file: FileToDecode): Promise<string> }
    | { readonly decodesTo: 'timed' }
  );
