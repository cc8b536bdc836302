// Pages Router API route: Next's body parser must be off, or the raw bytes are gone.
import { createNextApiHandler } from 'persona-webhooks/next';
import { receiver } from '../../../lib/persona.js';

export const config = { api: { bodyParser: false } };
export default createNextApiHandler(receiver);
