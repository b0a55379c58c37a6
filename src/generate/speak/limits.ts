/**
 * Longest text spoken in one call; split longer text (a VITS pass is quadratic in length). In a module of its own so
 * the shells can read the limit without loading the speech engines.
 */
export const MAX_SPEAK_CHARS = 5000;
