/** A row that a reader skipped, and why; readers never throw on bad rows. */
export interface DatasetIssue {
  file: string;
  /** 1-based line (CSV, JSONL) or array index + 1 (JSON); absent for whole-file or per-folder issues. */
  row?: number;
  reason: string;
}

/** One image with all its captions. */
export interface CaptionedImage {
  /** Stable id within the dataset (COCO image id, file name…). */
  id: string;
  /** Absolute path of the image file. */
  path: string;
  captions: string[];
  split?: string;
  /** The image's bytes when it has no file of its own (a shard sample). */
  bytes?: Uint8Array;
}

export type CaptionFormat = 'coco' | 'karpathy' | 'csv' | 'flickr-token' | 'jsonl' | 'folder' | 'webdataset' | 'parquet';

/** An image–caption dataset for retrieval evaluation. */
export interface CaptionDataset {
  kind: 'captions';
  format: CaptionFormat;
  /** The file or folder it was read from. */
  source: string;
  images: CaptionedImage[];
  issues: DatasetIssue[];
}

/** A folder-per-class dataset for zero-shot classification. */
export interface ClassDataset {
  kind: 'classes';
  source: string;
  /** Class names as shown in prompts (folder names with `_`/`-` read as spaces). */
  classes: string[];
  /** The folder name of each class. */
  folders: string[];
  samples: { path: string; label: number }[];
  issues: DatasetIssue[];
}

/** Options shared by the caption readers. */
export interface CaptionReadOptions {
  /** Folder the image names are relative to; default: the dataset file's folder. */
  imageRoot?: string;
  /** Keep only images of this split (Karpathy JSON, or a `split` column/field). */
  split?: string;
  /** Check that each image file exists (default true); missing files are reported and skipped. */
  checkFiles?: boolean;
}
