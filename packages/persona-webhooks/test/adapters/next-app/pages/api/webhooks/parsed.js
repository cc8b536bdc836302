import { lookup } from '../../../registry.js';

// Next's default body parser left on: the handler must say body_not_raw.
export default function handler(req, res) {
  return lookup(req.headers.host, 'api')(req, res);
}
