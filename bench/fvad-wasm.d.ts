/** fvad-wasm (WebRTC VAD compiled to WebAssembly, the bench's peer) ships no types. */
declare module '@echogarden/fvad-wasm';
