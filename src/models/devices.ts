import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Device } from '../types.js';

const require = createRequire(import.meta.url);
let cached: Device[] | undefined;

/**
 * Devices the installed ONNX Runtime can use here, detected once. CUDA needs the provider library that
 * onnxruntime-node's install script downloads when `onnxruntime-node-install=cuda12`.
 */
export function availableDevices(): Device[] {
  if (cached) return cached;
  const devices: Device[] = ['cpu'];
  try {
    const pkgDir = dirname(require.resolve('onnxruntime-node/package.json'));
    const binDir = join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(join(binDir, 'libonnxruntime_providers_cuda.so'))) devices.push('cuda');
    if (process.platform !== 'linux' || process.arch === 'x64') devices.push('webgpu');
  } catch { /* cpu only */ }
  cached = devices;
  return devices;
}

/** Checks a requested device before any model loads, with the fix in the message. */
export function checkDevice(device: Device): Device {
  if (device === 'auto' || availableDevices().includes(device)) return device;
  const hint = device === 'cuda'
    ? 'reinstall onnxruntime-node with CUDA on a machine with internet: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node (or set onnxruntime-node-install=cuda12 in .npmrc and reinstall), with CUDA 12 and cuDNN 9 on the library path'
    : 'use --device cpu';
  throw new RosettaError(ErrorCodes.DEVICE_UNAVAILABLE, `Device '${device}' is not available in this ONNX Runtime install (available: ${availableDevices().join(', ')})`, { setting: 'device', hint });
}
