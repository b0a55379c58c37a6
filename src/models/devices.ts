import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
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
    // onnxruntime-node's WebGPU (Dawn) runs on Metal/D3D12 elsewhere; on Linux only over a Vulkan driver for a GPU.
    if (process.platform !== 'linux' ? true : process.arch === 'x64' && hasVulkanGpu()) devices.push('webgpu');
  } catch {
    /* cpu only */
  }
  cached = devices;
  return devices;
}

const VULKAN_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
  '/usr/local/lib/libvulkan.so.1',
];
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** Vulkan drivers that run on the CPU: Dawn would report an adapter, but it is no GPU. */
const SOFTWARE_ICD = /lvp|lavapipe|llvmpipe|swiftshader/i;

/**
 * Whether this Linux machine has the Vulkan loader and a driver (ICD manifest) for a real GPU — what Dawn,
 * behind onnxruntime-node's WebGPU, needs. The paths are parameters for tests.
 */
export function hasVulkanGpu(env: NodeJS.ProcessEnv = process.env, loaders = VULKAN_LOADERS, icdDirs = VULKAN_ICD_DIRS): boolean {
  const libDirs = (env.LD_LIBRARY_PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((d) => join(d, 'libvulkan.so.1'));
  if (![...loaders, ...libDirs].some((p) => existsSync(p))) return false;
  const listed = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES)?.split(':').filter(Boolean);
  const manifests =
    listed ??
    icdDirs.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((n) => n.endsWith('.json'))
          .map((n) => join(dir, n));
      } catch {
        return [];
      }
    });
  return manifests.some((m) => !SOFTWARE_ICD.test(basename(m)));
}

/** Checks a requested device before any model loads, with the fix in the message. */
export function checkDevice(device: Device): Device {
  if (device === 'auto' || availableDevices().includes(device)) return device;
  const hint =
    device === 'cuda'
      ? 'reinstall onnxruntime-node with CUDA on a machine with internet: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node ' +
        '(or set onnxruntime-node-install=cuda12 in .npmrc and reinstall), with CUDA 12 and cuDNN 9 on the library path'
      : 'use --device cpu';
  throw new RosettaError(
    ErrorCodes.DEVICE_UNAVAILABLE,
    `Device '${device}' is not available in this ONNX Runtime install (available: ${availableDevices().join(', ')})`,
    { setting: 'device', hint },
  );
}
