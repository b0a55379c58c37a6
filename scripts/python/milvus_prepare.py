"""Prepares a Milvus 2.x standalone server from the `milvus` wheel ("embedded Milvus") without starting it.

    python milvus_prepare.py extract              -> unpacks the server binary and its libraries once (shared)
    python milvus_prepare.py config DIR SPEC.json   -> writes DIR/configs/milvus.yaml for data under DIR
                                                     (SPEC: {"ports": {...}, "settings": {"a.b": value}})

Prints one JSON line: the executable, its library folder, the wheel's version. The caller (the Node test helper
test/helpers/milvus-server.ts, bench/milvus.ts) starts the executable itself with cwd=DIR, so it owns the process
and can stop it (the wheel's own launcher leaves the server running when the Python process is killed).
Ports are all given by the caller (free loopback ports it chose): none of Milvus's fixed defaults (19530, 2379,
53100, 9091, ...) is used, so several servers (parallel CI jobs, sessions) never collide.
"""
import fcntl
import json
import os
import sys

import milvus

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
BASE = os.path.join(VENV, f'milvus-{milvus.__version__}')


def extract():
    os.makedirs(BASE, exist_ok=True)
    with open(os.path.join(BASE, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one unpacking at a time; later callers find it done (md5 files)
        milvus._initialize_data_files(BASE)  # pylint: disable=protected-access
    exe = os.path.join(BASE, 'bin', 'milvus')
    return {'exe': exe, 'libdir': os.path.dirname(exe), 'version': milvus.__version__}


def config(data_dir, spec):
    ports = spec['ports']
    cfg = milvus.MilvusServerConfig(data_dir=data_dir, **{k: int(v) for k, v in ports.items() if k != 'metrics_port'})
    for key, value in spec.get('settings', {}).items():  # dotted milvus.yaml keys, e.g. queryCoord.checkInterval
        cfg.set(key, value)
    cfg.resolve()  # binds each given port once to check it is free, then writes configs/milvus.yaml
    return {'config': os.path.join(data_dir, 'configs', 'milvus.yaml')}


if __name__ == '__main__':
    out = extract()
    if len(sys.argv) > 1 and sys.argv[1] == 'config':
        with open(sys.argv[3], encoding='utf-8') as f:
            out.update(config(sys.argv[2], json.load(f)))
    print(json.dumps(out))
