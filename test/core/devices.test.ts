import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableDevices, hasVulkanGpu } from '../../src/models/devices.js';

test('WebGPU is reported on Linux only with the Vulkan loader and a driver for a real GPU', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-vulkan-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const loader = join(root, 'libvulkan.so.1');
  const icd = join(root, 'icd.d');
  mkdirSync(icd);
  const env = {};
  assert.equal(hasVulkanGpu(env, [loader], [icd]), false, 'no loader');
  writeFileSync(loader, '');
  assert.equal(hasVulkanGpu(env, [loader], [icd]), false, 'a loader but no driver');
  writeFileSync(join(icd, 'lvp_icd.x86_64.json'), '{}');
  assert.equal(hasVulkanGpu(env, [loader], [icd]), false, 'a software (CPU) driver is no GPU');
  writeFileSync(join(icd, 'nvidia_icd.json'), '{}');
  assert.equal(hasVulkanGpu(env, [loader], [icd]), true);
  assert.equal(hasVulkanGpu({ VK_DRIVER_FILES: '/x/lvp_icd.json' }, [loader], [icd]), false, 'the driver list in the environment wins');
  if (process.platform === 'linux' && process.arch === 'x64') {
    assert.equal(availableDevices().includes('webgpu'), hasVulkanGpu(), 'this machine: listed exactly when a GPU driver is installed');
  }
});
