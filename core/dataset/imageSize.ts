/**
 * Reads an image's pixel size from its header without decoding it (PNG IHDR, JPEG SOFn), so a
 * validator can check thousands of frames quickly.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { DatasetError } from '../errors';

export interface ImageSize { width: number; height: number; format: 'png' | 'jpeg' }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/** Size of a PNG or JPEG file; DatasetError naming the file when it is missing or not one of those. */
export function readImageSize(file: string): ImageSize {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new DatasetError(`${file}: image not found`, { file });
  }
  try {
    const head = readAt(fd, 0, 32);
    if (head.length >= 24 && head.subarray(0, 8).equals(PNG_SIGNATURE)) {
      if (head.toString('latin1', 12, 16) !== 'IHDR') throw new DatasetError(`${file}: PNG without IHDR header`, { file });
      return { width: head.readUInt32BE(16), height: head.readUInt32BE(20), format: 'png' };
    }
    if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return jpegSize(fd, file);
    throw new DatasetError(`${file}: not a PNG or JPEG image`, { file });
  } finally {
    closeSync(fd);
  }
}

function jpegSize(fd: number, file: string): ImageSize {
  let pos = 2;
  for (let guard = 0; guard < 10_000; guard++) {
    const marker = readAt(fd, pos, 4);
    if (marker.length < 4 || marker[0] !== 0xff) break;
    const type = marker[1]!;
    if (type === 0xff) { pos += 1; continue; } // fill byte
    if (type === 0xd8 || (type >= 0xd0 && type <= 0xd7) || type === 0x01) { pos += 2; continue; }
    const length = marker.readUInt16BE(2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (type >= 0xc0 && type <= 0xcf && type !== 0xc4 && type !== 0xc8 && type !== 0xcc) {
      const sof = readAt(fd, pos + 4, 5);
      if (sof.length < 5) break;
      return { width: sof.readUInt16BE(3), height: sof.readUInt16BE(1), format: 'jpeg' };
    }
    if (type === 0xd9 || type === 0xda) break; // end of image / start of scan before any SOF
    pos += 2 + length;
  }
  throw new DatasetError(`${file}: JPEG without a frame header`, { file });
}
