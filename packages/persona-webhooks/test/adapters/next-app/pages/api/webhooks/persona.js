import { lookup } from '../../../registry.js';

export const config = { api: { bodyParser: false } };
export default function handler(req, res) {
  return lookup(req.headers.host, 'api')(req, res);
}
