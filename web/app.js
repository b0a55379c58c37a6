// Rosetta web UI: plain ES module, no build step. Talks to the same HTTP API as any client.
const $ = (id) => document.getElementById(id);
const state = { example: null, exampleKind: null, exampleUrl: null, job: null, events: null };

const token = () => $('token').value.trim() || localStorage.getItem('rosetta.token') || '';
$('token').value = localStorage.getItem('rosetta.token') || '';
$('token').addEventListener('change', () => {
  localStorage.setItem('rosetta.token', $('token').value.trim());
  loadStats();
});

/** fetch with the bearer token; JSON errors become thrown Errors with the server's message. */
async function api(path, init = {}) {
  const headers = new Headers(init.headers || {});
  if (token()) headers.set('authorization', `Bearer ${token()}`);
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = await res.json();
      message = body.error?.message?.split('\n')[0] || message;
    } catch {
      /* not JSON */
    }
    if (res.status === 401) {
      document.querySelector('.settings').open = true;
      $('token').focus();
    }
    throw new Error(message);
  }
  return res;
}

/** URLs put in <img>/<video>/EventSource cannot carry headers: the token goes in the query. */
function withToken(url) {
  if (!token()) return url;
  const [base, hash] = url.split('#');
  return `${base}${base.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token())}${hash ? `#${hash}` : ''}`;
}

async function loadStats() {
  try {
    const info = await (await api('/api/info')).json();
    $('stats').textContent = `${info.items} items · spaces: ${info.spaces.map((s) => s.id).join(', ')}`;
    showModalities(info.modalities ?? []);
  } catch (e) {
    $('stats').textContent = e.message;
  }
}

/** Adds a "Show" checkbox for each modality the server lists (its modality registry) that the page lacks. */
function showModalities(list) {
  const present = new Set([...document.querySelectorAll('input[name="in"]')].map((i) => i.value));
  const before = document.querySelector('label[for="k"]');
  for (const m of list) {
    if (present.has(m.name)) continue;
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'in', value: m.name, checked: true });
    label.append(box, ` ${m.label.charAt(0).toUpperCase()}${m.label.slice(1)}`);
    before.before(label);
  }
}

// Tabs
for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('.tab')) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
  });
}

// The example (image or sound): drop, paste or choose.
function setExample(file) {
  if (!file) return;
  const kind = file.type.startsWith('audio/') ? 'audio' : 'image';
  if (state.exampleUrl) URL.revokeObjectURL(state.exampleUrl);
  state.example = file;
  state.exampleKind = kind;
  state.exampleUrl = URL.createObjectURL(file);
  $('example').hidden = false;
  $('example-img').hidden = kind !== 'image';
  if (kind === 'image') $('example-img').src = state.exampleUrl;
  $('example-name').textContent = `${kind === 'audio' ? 'Sound' : 'Image'}: ${file.name || 'pasted'}`;
  updateWeightRow();
  search();
}
function clearExample() {
  if (state.exampleUrl) URL.revokeObjectURL(state.exampleUrl);
  Object.assign(state, { example: null, exampleKind: null, exampleUrl: null });
  $('example').hidden = true;
  $('file').value = '';
  updateWeightRow();
  $('drop').focus();
}
function updateWeightRow() {
  $('weight-row').hidden = !(state.example && $('q').value.trim());
  const w = Number($('weight').value);
  $('weight-value').textContent = `${100 - w}% words · ${w}% example`;
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  setExample(e.dataTransfer.files[0]);
});
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    $('file').click();
  }
});
$('file').addEventListener('change', () => setExample($('file').files[0]));
$('example-clear').addEventListener('click', clearExample);
document.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/') || f.type.startsWith('audio/'));
  if (file) {
    e.preventDefault();
    setExample(file);
  }
});
$('q').addEventListener('input', updateWeightRow);
$('weight').addEventListener('input', updateWeightRow);
$('weight').addEventListener('change', () => search());
for (const box of document.querySelectorAll('input[name=in]')) box.addEventListener('change', () => search());

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  search();
});

let searchSeq = 0;
async function search() {
  const text = $('q').value.trim();
  if (!text && !state.example) {
    $('status').textContent = 'Type words, or drop an image or sound.';
    return;
  }
  const seq = ++searchSeq;
  const checked = [...document.querySelectorAll('input[name=in]:checked')].map((b) => b.value);
  const all = document.querySelectorAll('input[name=in]').length;
  const form = new FormData();
  if (text) form.append('text', text);
  if (state.example) form.append(state.exampleKind, state.example, state.example.name || 'example');
  if (text && state.example) {
    const w = Number($('weight').value) / 100;
    form.append('weights', JSON.stringify({ text: 1 - w, [state.exampleKind]: w }));
  }
  if (checked.length && checked.length < all) form.append('in', checked.join(','));
  form.append('k', $('k').value);
  if (text && $('hybrid').checked) form.append('hybrid', 'true');
  $('status').textContent = 'Searching…';
  document.body.setAttribute('aria-busy', 'true');
  try {
    const { results, tookMs } = await (await api('/api/search', { method: 'POST', body: form })).json();
    if (seq !== searchSeq) return;
    render(results);
    $('status').textContent = `${results.length} result${results.length === 1 ? '' : 's'} in ${Math.round(tookMs)} ms`;
  } catch (err) {
    if (seq === searchSeq) {
      $('status').textContent = `Search failed: ${err.message}`;
      $('results').replaceChildren();
    }
  } finally {
    if (seq === searchSeq) document.body.removeAttribute('aria-busy');
  }
}

const fileName = (p) => p.split(/[\\/]/).pop();
const fmtTime = (t) => {
  const m = Math.floor(t / 60);
  const s = (t - m * 60).toFixed(1).padStart(4, '0');
  return `${m}:${s}`;
};
const range = (r) => (r.t0 !== undefined ? `${fmtTime(r.t0)}–${fmtTime(r.t1 ?? r.t0)}` : '');

function render(results) {
  const list = $('results');
  list.replaceChildren(
    ...results.map((r) => {
      const li = document.createElement('li');
      li.className = 'hit';
      li.dataset.modality = r.modality;
      li.dataset.path = r.path;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'hit-open';
      button.setAttribute('aria-label', `Open ${fileName(r.path)}${r.t0 !== undefined ? ` at ${fmtTime(r.t0)}` : ''}`);
      const figure = document.createElement('div');
      figure.className = `thumb ${r.modality}`;
      if (r.thumb) {
        const img = document.createElement('img');
        img.loading = 'lazy';
        img.alt = '';
        img.src = withToken(r.thumb);
        figure.append(img);
        // A hit on text read in the picture: outline the matched line (the SVG crops like object-fit: cover).
        const box = lineBox(r, 'xMidYMid slice');
        if (box) figure.append(box);
      } else {
        const p = document.createElement('p');
        p.textContent = r.modality === 'audio' ? '♪ audio' : (r.text || '').slice(0, 160);
        figure.append(p);
      }
      if (r.t0 !== undefined) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = range(r);
        figure.append(badge);
      }
      button.append(figure);
      button.addEventListener('click', () => openHit(r));
      const meta = document.createElement('div');
      meta.className = 'meta';
      const name = document.createElement('strong');
      name.textContent = fileName(r.path);
      name.title = r.path;
      const details = document.createElement('span');
      details.className = 'muted';
      details.textContent = `#${r.rank} · score ${r.score.toFixed(3)} · ${r.space} · ${r.kind}`;
      meta.append(name, details);
      if (r.kind === 'ocr' && r.text) {
        const said = document.createElement('span');
        said.className = 'matched-line';
        said.textContent = `“${r.text}”`;
        meta.append(said);
      }
      li.append(button, meta);
      return li;
    }),
  );
}

/**
 * An SVG outline of the line a hit matched (`box` on hits of kind `ocr`), in the picture's own pixels; the
 * viewBox maps them onto the displayed image whatever its size, cropped like the image (`fit`).
 */
function lineBox(r, fit) {
  if (!r.box || !r.box.width || !r.box.height || !Array.isArray(r.box.corners)) return null;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'line-box');
  svg.setAttribute('viewBox', `0 0 ${r.box.width} ${r.box.height}`);
  svg.setAttribute('preserveAspectRatio', fit);
  svg.setAttribute('aria-hidden', 'true');
  const polygon = document.createElementNS(ns, 'polygon');
  polygon.setAttribute('points', r.box.corners.map(([x, y]) => `${x},${y}`).join(' '));
  polygon.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(polygon);
  return svg;
}

/** Opens a hit: an image large, text as text, video/audio in a player that starts at t0. */
function openHit(r) {
  const body = $('viewer-body');
  $('viewer-title').textContent = `${fileName(r.path)}${r.t0 !== undefined ? ` · ${range(r)}` : ''}`;
  let el;
  if (r.modality === 'video' || r.modality === 'audio') {
    el = document.createElement(r.modality === 'video' ? 'video' : 'audio');
    el.controls = true;
    el.preload = 'auto';
    el.id = 'player';
    const t0 = r.t0 ?? 0;
    el.dataset.t0 = String(t0);
    // The media fragment asks the browser to start at t0; setting currentTime makes sure.
    el.src = withToken(`${r.media}#t=${t0}${r.t1 !== undefined ? `,${r.t1}` : ''}`);
    el.addEventListener(
      'loadedmetadata',
      () => {
        if (Math.abs(el.currentTime - t0) > 0.25) el.currentTime = t0;
      },
      { once: true },
    );
  } else if (r.modality === 'image') {
    const img = document.createElement('img');
    img.src = withToken(r.media);
    img.alt = fileName(r.path);
    const box = lineBox(r, 'none');
    if (box) {
      el = document.createElement('div');
      el.className = 'boxed';
      el.append(img, box);
    } else el = img;
  } else {
    el = document.createElement('pre');
    el.textContent = r.text || r.path;
  }
  const path = document.createElement('p');
  path.className = 'muted';
  path.textContent = `${r.path} · score ${r.score.toFixed(3)} (similarity ${r.similarity.toFixed(3)}) · found by ${r.spaces.join(', ')}`;
  body.replaceChildren(el, path);
  const dialog = $('viewer');
  dialog.addEventListener(
    'close',
    () => {
      if (el.pause) el.pause();
      body.replaceChildren();
    },
    { once: true },
  );
  dialog.showModal();
  $('viewer-close').focus();
}

// Ingest with live progress over server-sent events.
$('ingest-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const paths = $('paths')
    .value.split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const files = [...$('uploads').files];
  const tags = $('tags')
    .value.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!paths.length && !files.length) {
    $('ingest-status').textContent = 'Give a path or choose files.';
    return;
  }
  $('ingest-button').disabled = true;
  $('ingest-failures').replaceChildren();
  $('ingest-status').textContent = files.length ? `Uploading ${files.length} file(s)…` : 'Starting…';
  try {
    let res;
    if (files.length) {
      const form = new FormData();
      for (const t of tags) form.append('tags', t);
      for (const p of paths) form.append('paths', p);
      if ($('ocr').checked) form.append('ocr', 'true');
      for (const f of files) form.append('file', f, f.name);
      res = await api('/api/index', { method: 'POST', body: form });
    } else {
      res = await api('/api/index', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paths, tags, ocr: $('ocr').checked }),
      });
    }
    follow((await res.json()).job);
  } catch (err) {
    $('ingest-status').textContent = `Could not start: ${err.message}`;
    $('ingest-button').disabled = false;
  }
});

$('ingest-cancel').addEventListener('click', async () => {
  if (state.job) await api(`/api/jobs/${state.job}`, { method: 'DELETE' }).catch(() => undefined);
});

function follow(job) {
  state.job = job.id;
  $('ingest-cancel').disabled = false;
  state.events?.close();
  const events = new EventSource(withToken(`/api/jobs/${job.id}/events`));
  state.events = events;
  events.addEventListener('job', (ev) => showJob(JSON.parse(ev.data)));
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) state.events = null;
  };
}

function showJob(job) {
  const p = job.progress;
  const bar = $('ingest-progress');
  if (p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
  }
  const finished = ['done', 'failed', 'aborted'].includes(job.status);
  if (job.status === 'done' && job.result) {
    const r = job.result;
    bar.value = bar.max;
    $('ingest-status').textContent =
      `Done in ${r.seconds.toFixed(1)} s: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped, ${r.failed} failed.`;
    $('ingest-failures').replaceChildren(
      ...r.failures.map((f) => {
        const li = document.createElement('li');
        li.textContent = `${f.path}: ${f.reason}`;
        return li;
      }),
    );
  } else if (job.status === 'failed') {
    $('ingest-status').textContent = `Failed: ${job.error?.message ?? 'unknown error'}`;
  } else if (job.status === 'aborted') {
    $('ingest-status').textContent = 'Stopped. Items finished so far are kept.';
  } else if (p) {
    const eta = p.etaSeconds !== undefined ? ` · about ${Math.ceil(p.etaSeconds)} s left` : '';
    $('ingest-status').textContent =
      `${p.phase}: ${p.done}/${p.total} files · ${p.rate.toFixed(1)}/s${eta}${p.current ? ` · ${fileName(p.current)}` : ''}`;
  } else {
    $('ingest-status').textContent = job.status === 'queued' ? 'Waiting for the previous job…' : 'Working…';
  }
  if (finished) {
    state.events?.close();
    state.events = null;
    $('ingest-button').disabled = false;
    $('ingest-cancel').disabled = true;
    loadStats();
  }
}

loadStats();
