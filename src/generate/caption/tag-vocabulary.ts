/**
 * The default label vocabulary for the offline tag fallback: common, visually distinct subjects and scenes.
 * Users pass their own (`labels`) for a domain.
 */
export const DEFAULT_TAG_LABELS: readonly string[] = Object.freeze([
  'person', 'face', 'child', 'crowd', 'dog', 'cat', 'bird', 'horse', 'fish', 'insect', 'flower', 'tree', 'grass',
  'forest', 'mountain', 'beach', 'sea', 'river', 'lake', 'sky', 'cloud', 'sun', 'moon', 'snow', 'rain', 'fire',
  'city', 'street', 'building', 'house', 'room', 'kitchen', 'bedroom', 'office', 'car', 'bus', 'train', 'bicycle',
  'boat', 'airplane', 'road', 'bridge', 'food', 'fruit', 'vegetable', 'cake', 'drink', 'coffee', 'table', 'chair',
  'bed', 'computer', 'phone', 'book', 'text', 'sign', 'map', 'screen', 'music', 'guitar', 'ball', 'sport',
  'game', 'toy', 'clothes', 'shoe', 'hat', 'bag', 'heart', 'star', 'smile', 'hand', 'night', 'water', 'animal',
  'plant', 'vehicle', 'art', 'drawing', 'emoji', 'flag', 'clock', 'money', 'tool', 'weather', 'party',
]);
