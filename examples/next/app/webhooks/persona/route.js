// App Router route handler. Route handlers get no Server Action origin check, so nothing to exempt.
import { createNextRouteHandlers } from 'persona-webhooks/next';
import { receiver } from '../../../lib/persona.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
export const { POST, GET, PUT, PATCH, DELETE } = createNextRouteHandlers(receiver);
