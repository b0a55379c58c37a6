"""Writes a tiny random-weight rosetta-mini v5 generator (test fixture) with the recipe's own classes.

    /work/venvs/parity/bin/python scripts/mini-v5/make-tiny-generator.py test/fixtures/mini-generator

The graphs have the shipped generator's inputs, outputs and shapes (latents [B,4,8,8], timestep [B],
condition [B,256] -> velocity; latents -> pixels [B,3,32,32] in [0,1]) at a small width (denoiser 32, autoencoder 8),
so tests run the real sampler on real ONNX graphs without the 28 MB denoiser. Deterministic: torch.manual_seed(0).
Writes OUT/generator.json and OUT/onnx/{denoiser,decoder}.onnx (the layout of a model's generator/ folder).
"""
import json, os, sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'models', 'rosetta-mini', 'recipe'))
from train import AutoEncoder, Decoder, Denoiser, onnx_export  # noqa: E402

out = sys.argv[1]
torch.manual_seed(0)
ae, den = AutoEncoder(w=8), Denoiser(h=32)
onnx_export(den, (torch.zeros(2, 4, 8, 8), torch.zeros(2), torch.zeros(2, 256)), f'{out}/onnx/denoiser.onnx',
            ['latents', 'timestep', 'condition'], ['velocity'],
            {'latents': {0: 'batch_size'}, 'timestep': {0: 'batch_size'}, 'condition': {0: 'batch_size'}, 'velocity': {0: 'batch_size'}})
onnx_export(Decoder(ae, torch.tensor(1.0)), (torch.zeros(2, 4, 8, 8),), f'{out}/onnx/decoder.onnx', ['latents'], ['pixels'],
            {'latents': {0: 'batch_size'}, 'pixels': {0: 'batch_size'}})
with open(f'{out}/generator.json', 'w') as f:
    json.dump({'kind': 'latent-flow-matching', 'latentShape': [4, 8, 8], 'imageSize': 32, 'conditionDim': 256,
               'condition': 'space vector (text or image tower output); zeros = unconditional', 'steps': 8, 'guidance': 3.0,
               'sampler': 'Euler from t=0 (noise) to t=1 (latent): x += (v_uncond + guidance (v_cond - v_uncond)) / steps',
               'decoderOutput': 'RGB in [0,1], [B,3,S,S]', 'note': 'tiny random-weight test fixture (scripts/mini-v5/make-tiny-generator.py)'}, f, indent=2)
