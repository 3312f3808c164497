/**
 * Writes a dataset folder atomically: everything goes to a sibling temp folder, which is renamed
 * to the final name only after the manifest is written and flushed. A failure or kill part-way
 * leaves no half-written dataset under the final name.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { DatasetError } from '../errors';
import {
  ANNOTATIONS_FILE, DATASET_FORMAT_VERSION, MANIFEST_FILE, type DatasetManifest, type FrameAnnotation,
} from './format';
import { ATTRIBUTE_SCHEMA_VERSION } from '../attributes/schema';

export interface DatasetWriterInit {
  source: string;
  generator: DatasetManifest['generator'];
  seed?: number;
  /** Replace an existing dataset at outDir (default false: refuse). */
  overwrite?: boolean;
}

export class DatasetWriter {
  private frameCount = 0;
  private readonly annotationsFd: number;
  private finished = false;
  private readonly videos: Record<string, string> = {};

  private constructor(readonly outDir: string, readonly tempDir: string, private readonly init: DatasetWriterInit) {
    this.annotationsFd = openSync(join(tempDir, ANNOTATIONS_FILE), 'w');
  }

  static create(outDir: string, init: DatasetWriterInit): DatasetWriter {
    const finalDir = resolve(outDir);
    if (existsSync(finalDir) && !init.overwrite) {
      throw new DatasetError(`${finalDir} already exists; choose another output folder or pass overwrite`, { file: finalDir });
    }
    mkdirSync(dirname(finalDir), { recursive: true });
    const tempDir = join(dirname(finalDir), `.${basename(finalDir)}.partial-${process.pid}-${Date.now()}`);
    mkdirSync(tempDir, { recursive: true });
    return new DatasetWriter(finalDir, tempDir, init);
  }

  /** Absolute path inside the (temporary) dataset folder for a relative path; refuses escapes. */
  pathFor(relPath: string): string {
    const full = resolve(this.tempDir, relPath);
    if (!full.startsWith(this.tempDir + sep)) throw new DatasetError(`path escapes the dataset folder: ${relPath}`);
    mkdirSync(dirname(full), { recursive: true });
    return full;
  }

  async addFile(relPath: string, data: Buffer | Uint8Array): Promise<void> {
    await writeFile(this.pathFor(relPath), data);
  }

  addFrame(frame: FrameAnnotation): void {
    writeSync(this.annotationsFd, JSON.stringify(frame) + '\n');
    this.frameCount++;
  }

  addVideo(sequence: string, relPath: string): void {
    this.videos[sequence] = relPath;
  }

  finish(splits: DatasetManifest['splits'], createdAt = new Date().toISOString()): DatasetManifest {
    if (this.finished) throw new DatasetError('dataset already finished');
    fsyncSync(this.annotationsFd);
    closeSync(this.annotationsFd);
    const manifest: DatasetManifest = {
      format: 'fastpr-dataset',
      formatVersion: DATASET_FORMAT_VERSION,
      attributeSchemaVersion: ATTRIBUTE_SCHEMA_VERSION,
      source: this.init.source,
      generator: this.init.generator,
      ...(this.init.seed !== undefined ? { seed: this.init.seed } : {}),
      createdAt,
      frameCount: this.frameCount,
      splits,
      ...(Object.keys(this.videos).length ? { videos: this.videos } : {}),
    };
    const fd = openSync(join(this.tempDir, MANIFEST_FILE), 'w');
    writeSync(fd, JSON.stringify(manifest, null, 2) + '\n');
    fsyncSync(fd);
    closeSync(fd);
    if (existsSync(this.outDir)) rmSync(this.outDir, { recursive: true, force: true });
    renameSync(this.tempDir, this.outDir);
    this.finished = true;
    return manifest;
  }

  abort(): void {
    if (this.finished) return;
    try { closeSync(this.annotationsFd); } catch { /* already closed */ }
    rmSync(this.tempDir, { recursive: true, force: true });
    this.finished = true;
  }
}
