import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Modality, SegmentKind } from '../types.js';
import { audio } from './audio.js';
import { image } from './image.js';
import type { ModalityModule } from './modality.js';
import { text } from './text.js';
import { video } from './video.js';

/** The modalities Rosetta ships, in the order lists show them. */
export const BUILTIN_MODALITIES = [text, image, audio, video] as const;

// The `Modality` and `SegmentKind` unions of types.ts name exactly what these modules declare (a compile error otherwise).
type Names = (typeof BUILTIN_MODALITIES)[number]['name'];
type Kinds = (typeof BUILTIN_MODALITIES)[number]['segmentKinds'][number];
const everyNameHasAModule: [Exclude<Modality, Names>] extends [never] ? true : never = true;
const everyKindHasAModule: [Exclude<SegmentKind, Kinds>] extends [never] ? true : never = true;
void everyNameHasAModule;
void everyKindHasAModule;

/** The built-in modality names (`text`, `image`, `audio`, `video`). */
export const MODALITIES: readonly Modality[] = Object.freeze(BUILTIN_MODALITIES.map((m) => m.name));

const registered: ModalityModule[] = [...BUILTIN_MODALITIES];

/** Every modality, built-in and registered, in list order. */
export function modalities(): readonly ModalityModule[] {
  return registered;
}

/** Every modality's name: what `in` / `--in` / the server's `modality` filter accept. */
export function modalityNames(): Modality[] {
  return registered.map((m) => m.name);
}

/** Every segment kind any modality's items hold, each once: what the `kinds` filter accepts. */
export function segmentKinds(): SegmentKind[] {
  return [...new Set(registered.flatMap((m) => m.segmentKinds))];
}

/** The modalities a query can be made of (text, image, audio), in the order a composed query lists them. */
export function queryModalities(): (ModalityModule & Required<Pick<ModalityModule, 'query'>>)[] {
  return registered.filter((m): m is ModalityModule & Required<Pick<ModalityModule, 'query'>> => m.query !== undefined);
}

/** The modalities in the order detection asks them. */
export function detectionOrder(): ModalityModule[] {
  return [...registered].sort((a, b) => a.detectOrder - b.detectOrder);
}

/** The modality named (or labelled, `images`) so; undefined for anything else. */
export function findModality(nameOrLabel: string): ModalityModule | undefined {
  return registered.find((m) => m.name === nameOrLabel) ?? registered.find((m) => m.label === nameOrLabel);
}

/** The modality of this name; ROSETTA_ERR_ARG_INVALID listing the known ones otherwise. */
export function modalityOf(name: string): ModalityModule {
  const found = registered.find((m) => m.name === name);
  if (!found) {
    throw new RosettaError(
      ErrorCodes.INVALID_ARGUMENT,
      `Expected one of: ${modalityNames().join(', ')} for modality but received '${name}'`,
      { setting: 'modality' },
    );
  }
  return found;
}

/** Every modality's formats, for "not a type Rosetta indexes" hints. */
export function supportedFormats(): string {
  return detectionOrder()
    .map((m) => m.formats)
    .join(', ');
}

/**
 * Adds a modality (a plug-in or a test): detection asks it in its `detectOrder`, ingest decodes its files by
 * its `decodesTo`, and lists of names and kinds include it. A space must cover it (list its name in the
 * space's `modalities`) for its files to be embedded. Returns a function that removes it again.
 * @example const remove = registerModality(toy); … remove();
 */
export function registerModality(module: ModalityModule): () => void {
  if (registered.some((m) => m.name === module.name)) {
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `A modality named '${module.name}' is already registered`, { setting: 'modality' });
  }
  registered.push(module);
  return () => {
    const at = registered.indexOf(module);
    if (at >= 0) registered.splice(at, 1);
  };
}
