/** Adam with decoupled weight decay (AdamW), updating Float32Arrays in place. */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam {
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();
  private t = 0;
  constructor(private readonly options: AdamOptions) {}

  /** Call once per step before `update`s of that step. */
  step(): void {
    this.t += 1;
  }

  update(name: string, param: Float32Array, grad: Float32Array, lr = this.options.lr, decay = this.options.weightDecay ?? 0): void {
    const b1 = this.options.beta1 ?? 0.9;
    const b2 = this.options.beta2 ?? 0.999;
    const eps = this.options.eps ?? 1e-8;
    let m = this.m.get(name);
    let v = this.v.get(name);
    if (!m || !v) {
      m = new Float32Array(param.length);
      v = new Float32Array(param.length);
      this.m.set(name, m);
      this.v.set(name, v);
    }
    const c1 = 1 / (1 - b1 ** this.t);
    const c2 = 1 / (1 - b2 ** this.t);
    for (let i = 0; i < param.length; i++) {
      const gi = grad[i];
      if (gi === 0 && m[i] === 0) continue; // untouched embedding rows stay cheap
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      param[i] -= lr * ((m[i] * c1) / (Math.sqrt(v[i] * c2) + eps) + decay * param[i]);
    }
  }
}
